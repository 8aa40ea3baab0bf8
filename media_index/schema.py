"""Numbered schema migrations of the catalog file, applied at open (PRAGMA user_version)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from ktv.errors import FailedPrecondition
from media_index.search_keys import latin_words

MIGRATIONS: tuple[str, ...] = (
    # 1: songs, singers, search keys, substring index, play history
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE song (
        id INTEGER PRIMARY KEY,
        song_id TEXT NOT NULL UNIQUE,
        path TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        artists TEXT NOT NULL,              -- JSON array
        language TEXT NOT NULL DEFAULT '',
        genre TEXT NOT NULL DEFAULT '',
        duration_ms INTEGER NOT NULL DEFAULT 0,
        has_video INTEGER NOT NULL DEFAULT 0,
        video_codec TEXT NOT NULL DEFAULT '',
        audio_tracks TEXT NOT NULL DEFAULT '[]',  -- JSON array of track titles
        vocal_mode TEXT NOT NULL DEFAULT 'none',
        vocal_track INTEGER,
        accompaniment_track INTEGER,
        vocal_channel TEXT,
        loudness_lufs REAL,
        lyrics_path TEXT,
        lyrics_word_timed INTEGER NOT NULL DEFAULT 0,
        has_lyrics INTEGER NOT NULL DEFAULT 0,
        tags TEXT NOT NULL DEFAULT '[]',
        char_count INTEGER NOT NULL DEFAULT 0,
        title_folded TEXT NOT NULL,
        artists_folded TEXT NOT NULL,
        size INTEGER NOT NULL DEFAULT 0,
        mtime_ns INTEGER NOT NULL DEFAULT 0,
        meta_stamp TEXT NOT NULL DEFAULT '',
        probe_facts TEXT NOT NULL DEFAULT '',    -- JSON StreamFacts, reused when unchanged
        popularity INTEGER NOT NULL DEFAULT 0,   -- counted plays, all time (+ declared base)
        added_at INTEGER NOT NULL                -- epoch seconds, UTC
    );
    CREATE INDEX song_by_popularity ON song (popularity DESC, id);
    CREATE INDEX song_by_added ON song (added_at DESC, id DESC);
    CREATE TABLE song_key (
        key TEXT NOT NULL,
        tier INTEGER NOT NULL,
        pop INTEGER NOT NULL,
        song INTEGER NOT NULL,
        PRIMARY KEY (key, tier DESC, pop DESC, song)
    ) WITHOUT ROWID;
    CREATE VIRTUAL TABLE song_fts USING fts5 (
        title_folded, artists_folded, content='song', content_rowid='id', tokenize='trigram'
    );
    CREATE TRIGGER song_fts_insert AFTER INSERT ON song BEGIN
        INSERT INTO song_fts (rowid, title_folded, artists_folded)
        VALUES (new.id, new.title_folded, new.artists_folded);
    END;
    CREATE TRIGGER song_fts_delete AFTER DELETE ON song BEGIN
        INSERT INTO song_fts (song_fts, rowid, title_folded, artists_folded)
        VALUES ('delete', old.id, old.title_folded, old.artists_folded);
    END;
    CREATE TRIGGER song_fts_update AFTER UPDATE OF title_folded, artists_folded ON song BEGIN
        INSERT INTO song_fts (song_fts, rowid, title_folded, artists_folded)
        VALUES ('delete', old.id, old.title_folded, old.artists_folded);
        INSERT INTO song_fts (rowid, title_folded, artists_folded)
        VALUES (new.id, new.title_folded, new.artists_folded);
    END;
    CREATE TABLE singer (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        folded TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'unknown',
        initials TEXT NOT NULL DEFAULT '',
        song_count INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX singer_by_folded ON singer (folded);
    CREATE INDEX singer_by_count ON singer (song_count DESC, id);
    CREATE TABLE singer_initials (
        initials TEXT NOT NULL, singer INTEGER NOT NULL, PRIMARY KEY (initials, singer)
    ) WITHOUT ROWID;
    CREATE TABLE song_artist (
        song INTEGER NOT NULL, singer INTEGER NOT NULL, position INTEGER NOT NULL,
        PRIMARY KEY (song, singer)
    ) WITHOUT ROWID;
    CREATE INDEX song_artist_by_singer ON song_artist (singer, song);
    CREATE TABLE play (
        id INTEGER PRIMARY KEY,
        event_id TEXT UNIQUE,
        song_id TEXT NOT NULL,
        room TEXT NOT NULL,
        session TEXT NOT NULL,
        played_at_ms INTEGER NOT NULL,   -- epoch milliseconds, UTC
        outcome TEXT NOT NULL,
        played_ms INTEGER NOT NULL,
        counted INTEGER NOT NULL
    );
    CREATE INDEX play_by_time ON play (played_at_ms);
    CREATE INDEX play_by_song ON play (song_id, session);
    CREATE INDEX play_by_session ON play (session, song_id);
    CREATE TABLE rejected_file (        -- files that could not be indexed, not retried unchanged
        path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
        reason TEXT NOT NULL
    );
    """,
    # 2: the writer maintains the substring index itself, a batch at a time (a trigger per
    # row made FTS5 flush per song: 70 us of the import each); Latin words get a word index
    # (English multi-word search by whole words and word prefixes instead of substrings);
    # a CD+G karaoke song's graphics file (the .cdg next to its .mp3)
    """
    ALTER TABLE song ADD COLUMN graphics_path TEXT;
    DROP TRIGGER song_fts_insert;
    DROP TRIGGER song_fts_delete;
    DROP TRIGGER song_fts_update;
    CREATE VIRTUAL TABLE song_words USING fts5 (
        title_words, artist_words, tokenize='unicode61', prefix='1 2 3'
    );
    """,
    # 3: searchable first, analysed later: a song's loudness and channel-split analysis runs
    # after the scan (pending -> done | failed); songs whose files went away are kept as
    # tombstones (identity, probe facts, first-seen time) and come back when the files do
    """
    ALTER TABLE song ADD COLUMN analysis TEXT NOT NULL DEFAULT 'done';
    CREATE INDEX song_analysis_pending ON song (analysis) WHERE analysis != 'done';
    CREATE TABLE song_tombstone (
        song_id TEXT PRIMARY KEY,
        path TEXT NOT NULL,
        title TEXT NOT NULL,
        artists TEXT NOT NULL,                   -- JSON array
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        probe_facts TEXT NOT NULL DEFAULT '',
        added_at INTEGER NOT NULL,               -- epoch seconds, UTC: first seen
        removed_at INTEGER NOT NULL              -- epoch seconds, UTC
    );
    CREATE INDEX song_tombstone_by_path ON song_tombstone (path);
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the file up to SCHEMA_VERSION; each migration is one transaction."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current > SCHEMA_VERSION:
        raise FailedPrecondition(
            f"catalog schema {current} is newer than this software ({SCHEMA_VERSION})",
            reason="CATALOG_TOO_NEW",
        )
    for number in range(current + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(MIGRATIONS[number - 1]):
                conn.execute(statement)
            if number in BACKFILLS:
                BACKFILLS[number](conn)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return SCHEMA_VERSION


def _fill_song_words(conn: sqlite3.Connection) -> None:
    """Migration 2 on a catalog that already has songs: their Latin words."""
    rows = conn.execute("SELECT id, title_folded, artists_folded FROM song").fetchall()
    conn.executemany(
        "INSERT INTO song_words (rowid, title_words, artist_words) VALUES (?, ?, ?)",
        (
            (rowid, title_words, artist_words)
            for rowid, title, artists in rows
            if (title_words := latin_words(title)) + (artist_words := latin_words(artists))
        ),
    )


BACKFILLS: dict[int, Callable[[sqlite3.Connection], None]] = {2: _fill_song_words}


def check_readable(conn: sqlite3.Connection) -> None:
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    if current != SCHEMA_VERSION:
        raise FailedPrecondition(
            f"catalog schema {current} does not match this software ({SCHEMA_VERSION}); "
            "open it writable once to migrate",
            reason="CATALOG_SCHEMA_MISMATCH",
        )


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (triggers contain ';' inside BEGIN...END)."""
    out: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        stripped = line.split("--", 1)[0]
        buf += stripped
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out
