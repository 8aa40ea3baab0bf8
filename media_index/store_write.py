"""SQLite adapter, write side: songs with their keys and singers, removals, play events.

Every public method is one transaction: a batch lands whole or not at all.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from media_index.records import ArtistKind, CatalogEntry, FileStamp
from media_index.search_keys import (
    char_count,
    fold,
    primary_initials,
    readings,
    search_text,
    song_keys,
)


@dataclass(frozen=True)
class KnownFile:
    song_id: str
    stamp: FileStamp


class CatalogWriter:
    def __init__(self, conn: sqlite3.Connection, *, phrase_aware: bool = True) -> None:
        self.conn = conn
        self.phrase_aware = phrase_aware

    @contextmanager
    def transaction(self):
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._bump_version()
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def _bump_version(self) -> None:
        version = f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{secrets.token_hex(3)}"
        self.conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('version', ?)", (version,)
        )

    def ensure_version(self) -> None:
        if not self.conn.execute("SELECT 1 FROM meta WHERE key = 'version'").fetchone():
            with self.transaction():
                pass

    # ---- scanner's view ----------------------------------------------------------------------
    def known_files(self) -> dict[str, KnownFile]:
        rows = self.conn.execute("SELECT path, song_id, size, mtime_ns, meta_stamp FROM song")
        return {r[0]: KnownFile(r[1], FileStamp(r[2], r[3], r[4])) for r in rows}

    def rejected_files(self) -> dict[str, tuple[FileStamp, str]]:
        rows = self.conn.execute("SELECT path, size, mtime_ns, reason FROM rejected_file")
        return {r[0]: (FileStamp(r[1], r[2]), r[3]) for r in rows}

    def set_rejected(self, rejected: dict[str, tuple[FileStamp, str]]) -> None:
        """Replace the list of files the last scan could not index."""
        if rejected == self.rejected_files():
            return
        with self.transaction():
            self.conn.execute("DELETE FROM rejected_file")
            self.conn.executemany(
                "INSERT INTO rejected_file (path, size, mtime_ns, reason) VALUES (?, ?, ?, ?)",
                [(p, st.size, st.mtime_ns, why) for p, (st, why) in rejected.items()],
            )

    def stored_facts(self, song_id: str) -> str | None:
        row = self.conn.execute(
            "SELECT probe_facts FROM song WHERE song_id = ?", (song_id,)
        ).fetchone()
        return row[0] if row and row[0] else None

    # ---- songs -------------------------------------------------------------------------------
    def put_entries(self, entries: Sequence[CatalogEntry], *, now_s: int | None = None) -> None:
        now_s = int(time.time()) if now_s is None else now_s
        touched: set[int] = set()
        with self.transaction():
            for entry in entries:
                touched |= self._put(entry, now_s)
            self._recount_singers(touched)

    def _put(self, entry: CatalogEntry, now_s: int) -> set[int]:
        song = entry.song
        touched: set[int] = set()
        old = self.conn.execute(
            "SELECT id, title, artists, popularity, added_at FROM song WHERE song_id = ?",
            (song.song_id,),
        ).fetchone()
        clash = self.conn.execute(
            "SELECT song_id FROM song WHERE path = ? AND song_id != ?", (song.path, song.song_id)
        ).fetchone()
        if clash:  # the file at this path now holds other content
            touched |= self._remove(clash[0])
        if old:
            touched |= self._drop_keys(old[0], old[1], json.loads(old[2]), old[3])
            self.conn.execute("DELETE FROM song WHERE id = ?", (old[0],))
        plays = self.conn.execute(
            "SELECT count(*) FROM play WHERE song_id = ? AND counted = 1", (song.song_id,)
        ).fetchone()[0]
        popularity = entry.base_popularity + plays
        text = search_text(song.title, song.artists)
        has_lyrics = song.lyrics_path is not None
        row = (
            old[0] if old else None, song.song_id, song.path, song.title,
            json.dumps(list(song.artists), ensure_ascii=False), song.language, song.genre,
            song.duration_ms, int(song.has_video), entry.video_codec,
            json.dumps(list(entry.audio_track_titles), ensure_ascii=False),
            song.vocal_mode.value, song.vocal_track, song.accompaniment_track,
            song.vocal_channel.value if song.vocal_channel else None, song.loudness_lufs,
            song.lyrics_path, int(song.lyrics_word_timed), int(has_lyrics),
            json.dumps(list(song.tags), ensure_ascii=False), char_count(song.title),
            text.title, text.artists, entry.stamp.size, entry.stamp.mtime_ns,
            entry.stamp.meta_stamp, entry.probe_facts_json, popularity,
            old[4] if old else now_s,
        )  # fmt: skip
        cur = self.conn.execute(
            "INSERT INTO song (id, song_id, path, title, artists, language, genre, duration_ms, "
            "has_video, video_codec, audio_tracks, vocal_mode, vocal_track, accompaniment_track, "
            "vocal_channel, loudness_lufs, lyrics_path, lyrics_word_timed, has_lyrics, tags, "
            "char_count, title_folded, artists_folded, size, mtime_ns, meta_stamp, probe_facts, "
            "popularity, added_at) VALUES (" + ",".join("?" * len(row)) + ")",
            row,
        )
        rowid = cur.lastrowid
        self._add_keys(rowid, song.title, song.artists, popularity)
        for position, name in enumerate(song.artists):
            kind = entry.artist_kinds[position] if position < len(entry.artist_kinds) else None
            singer = self._singer(name, kind)
            touched.add(singer)
            self.conn.execute(
                "INSERT OR IGNORE INTO song_artist (song, singer, position) VALUES (?, ?, ?)",
                (rowid, singer, position),
            )
        return touched

    def _keys(self, title: str, artists: Sequence[str]):
        return song_keys(title, artists, phrase_aware=self.phrase_aware).items()

    def _add_keys(self, rowid: int, title: str, artists: Sequence[str], pop: int) -> None:
        self.conn.executemany(
            "INSERT OR IGNORE INTO song_key (key, tier, pop, song) VALUES (?, ?, ?, ?)",
            [(k, int(t), pop, rowid) for k, t in self._keys(title, artists)],
        )

    def _drop_keys(self, rowid: int, title: str, artists: Sequence[str], pop: int) -> set[int]:
        self.conn.executemany(
            "DELETE FROM song_key WHERE key = ? AND tier = ? AND pop = ? AND song = ?",
            [(k, int(t), pop, rowid) for k, t in self._keys(title, artists)],
        )
        singers = {
            r[0]
            for r in self.conn.execute("SELECT singer FROM song_artist WHERE song = ?", (rowid,))
        }
        self.conn.execute("DELETE FROM song_artist WHERE song = ?", (rowid,))
        return singers

    def _singer(self, name: str, kind: ArtistKind | None) -> int:
        row = self.conn.execute("SELECT id, kind FROM singer WHERE name = ?", (name,)).fetchone()
        if row:
            if kind is not None and kind is not ArtistKind.UNKNOWN and row[1] != kind.value:
                self.conn.execute("UPDATE singer SET kind = ? WHERE id = ?", (kind.value, row[0]))
            return row[0]
        initials = primary_initials(name, phrase_aware=self.phrase_aware)
        cur = self.conn.execute(
            "INSERT INTO singer (name, folded, kind, initials) VALUES (?, ?, ?, ?)",
            (name, fold(name), (kind or ArtistKind.UNKNOWN).value, initials),
        )
        all_initials = {initials} | {
            "".join(s[0] for s in r) for r in readings(name, phrase_aware=self.phrase_aware)
        }
        self.conn.executemany(
            "INSERT OR IGNORE INTO singer_initials (initials, singer) VALUES (?, ?)",
            [(i, cur.lastrowid) for i in all_initials if i],
        )
        return cur.lastrowid

    def _recount_singers(self, singers: Iterable[int]) -> None:
        self.conn.executemany(
            "UPDATE singer SET song_count = (SELECT count(*) FROM song_artist WHERE singer = ?) "
            "WHERE id = ?",
            [(s, s) for s in singers],
        )

    def remove_songs(self, song_ids: Iterable[str]) -> int:
        touched: set[int] = set()
        removed = 0
        with self.transaction():
            for song_id in song_ids:
                got = self._remove(song_id)
                removed += 1
                touched |= got
            self._recount_singers(touched)
        return removed

    def _remove(self, song_id: str) -> set[int]:
        old = self.conn.execute(
            "SELECT id, title, artists, popularity FROM song WHERE song_id = ?", (song_id,)
        ).fetchone()
        if not old:
            return set()
        touched = self._drop_keys(old[0], old[1], json.loads(old[2]), old[3])
        self.conn.execute("DELETE FROM song WHERE id = ?", (old[0],))
        return touched

    # ---- plays -------------------------------------------------------------------------------
    def record_play(
        self, *, event_id: str | None, song_id: str, room: str, session: str,
        played_at_ms: int, outcome: str, played_ms: int, counted: bool,
    ) -> bool:  # fmt: skip
        """Store one play; False if ``event_id`` was already recorded (a retried event)."""
        with self.transaction():
            cur = self.conn.execute(
                "INSERT OR IGNORE INTO play (event_id, song_id, room, session, played_at_ms, "
                "outcome, played_ms, counted) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (event_id, song_id, room, session, played_at_ms, outcome, played_ms, int(counted)),
            )
            if cur.rowcount == 0:
                return False
            if counted:
                self._bump_popularity(song_id)
        return True

    def _bump_popularity(self, song_id: str) -> None:
        row = self.conn.execute(
            "SELECT id, title, artists, popularity FROM song WHERE song_id = ?", (song_id,)
        ).fetchone()
        if not row:
            return
        rowid, title, artists_json, pop = row
        artists = json.loads(artists_json)
        self.conn.executemany(
            "DELETE FROM song_key WHERE key = ? AND tier = ? AND pop = ? AND song = ?",
            [(k, int(t), pop, rowid) for k, t in self._keys(title, artists)],
        )
        self.conn.execute("UPDATE song SET popularity = ? WHERE id = ?", (pop + 1, rowid))
        self._add_keys(rowid, title, artists, pop + 1)
