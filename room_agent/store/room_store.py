"""The room agent's local SQLite: the queue, 已唱, keys, the song on the speakers and the
session, so a power cut or a restart brings the room back where it was.

Every ``save`` is one transaction (a crash leaves the previous snapshot or the new one, never
half of each). The file runs in WAL mode with ``synchronous=FULL``: a committed snapshot
survives a kill -9 and a power cut. Writes are small (tens of rows) and rare (on changes and
every couple of seconds for the position).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from datetime import datetime
from pathlib import Path

from ktv.room_link import PlayOutcome, room_state
from room_agent.core.persistence import NowPlaying, RoomSnapshot
from room_agent.core.queue import QueuedSong, QueueState, SungSong

log = logging.getLogger(__name__)

_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE queue (
        position INTEGER PRIMARY KEY,
        entry_id TEXT NOT NULL UNIQUE,
        song_id TEXT NOT NULL,
        title TEXT NOT NULL,
        artist TEXT NOT NULL,
        added_at TEXT NOT NULL
    );
    CREATE TABLE sung (
        position INTEGER PRIMARY KEY,
        song_id TEXT NOT NULL,
        title TEXT NOT NULL,
        artist TEXT NOT NULL,
        started_at TEXT NOT NULL,
        outcome TEXT NOT NULL,
        played_ms INTEGER NOT NULL,
        key_semitones INTEGER NOT NULL
    );
    CREATE TABLE song_key (
        song_id TEXT PRIMARY KEY,
        semitones INTEGER NOT NULL
    );
    CREATE TABLE now_playing (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        entry_id TEXT NOT NULL,
        song_id TEXT NOT NULL,
        title TEXT NOT NULL,
        artist TEXT NOT NULL,
        added_at TEXT NOT NULL,
        started_at TEXT NOT NULL,
        position_ms INTEGER NOT NULL,
        played_ms INTEGER NOT NULL,
        playing INTEGER NOT NULL,
        key_semitones INTEGER NOT NULL,
        saved_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    );
    CREATE TABLE room (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        session TEXT NOT NULL,
        business_state TEXT NOT NULL,
        volume_percent INTEGER NOT NULL,
        volume_cap_percent INTEGER NOT NULL
    );
    """,
    """
    ALTER TABLE room ADD COLUMN session_ends_at TEXT;
    """,
    """
    ALTER TABLE room ADD COLUMN session_continues INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE room ADD COLUMN extension_event_id TEXT NOT NULL DEFAULT '';
    ALTER TABLE room ADD COLUMN extension_note TEXT NOT NULL DEFAULT '';
    """,
    """
    ALTER TABLE queue ADD COLUMN added_by TEXT NOT NULL DEFAULT '';
    ALTER TABLE queue ADD COLUMN guest_id TEXT NOT NULL DEFAULT '';
    ALTER TABLE now_playing ADD COLUMN added_by TEXT NOT NULL DEFAULT '';
    ALTER TABLE now_playing ADD COLUMN guest_id TEXT NOT NULL DEFAULT '';
    """,
)


class SqliteRoomStore:
    """``RoomStore`` in one SQLite file. Thread-safe (one connection behind a lock)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._migrate()

    def _migrate(self) -> None:
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        for number, script in enumerate(_MIGRATIONS[version:], start=version + 1):
            with self._lock:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    for statement in script.split(";"):
                        if statement.strip():
                            self._db.execute(statement)
                    self._db.execute(f"PRAGMA user_version={number}")
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> SqliteRoomStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- RoomStore --------------------------------------------------------------------
    def save(self, snapshot: RoomSnapshot) -> None:
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("DELETE FROM queue")
                db.executemany(
                    "INSERT INTO queue (position, entry_id, song_id, title, artist, added_at,"
                    " added_by, guest_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            i,
                            e.entry_id,
                            e.song_id,
                            e.title,
                            e.artist,
                            e.added_at.isoformat(),
                            e.added_by,
                            e.guest_id,
                        )
                        for i, e in enumerate(snapshot.queue.entries)
                    ],
                )
                db.execute("DELETE FROM sung")
                db.executemany(
                    "INSERT INTO sung VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            i,
                            s.song_id,
                            s.title,
                            s.artist,
                            s.started_at.isoformat(),
                            s.outcome.value,
                            s.played_ms,
                            s.key_semitones,
                        )
                        for i, s in enumerate(snapshot.queue.history)
                    ],
                )
                db.execute("DELETE FROM song_key")
                db.executemany("INSERT INTO song_key VALUES (?, ?)", snapshot.queue.keys)
                db.execute("DELETE FROM now_playing")
                if snapshot.now_playing is not None:
                    self._insert_now_playing(snapshot.now_playing)
                db.execute(
                    "INSERT OR REPLACE INTO room (id, session, business_state, volume_percent, "
                    "volume_cap_percent, session_ends_at, session_continues, "
                    "extension_event_id, extension_note) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        snapshot.session,
                        snapshot.business_state.value,
                        snapshot.volume_percent,
                        snapshot.volume_cap_percent,
                        _iso(snapshot.session_ends_at),
                        int(snapshot.session_continues),
                        snapshot.extension_event_id,
                        snapshot.extension_note,
                    ),
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def _insert_now_playing(self, now: NowPlaying) -> None:
        e = now.entry
        self._db.execute(
            "INSERT INTO now_playing (id, entry_id, song_id, title, artist, added_at, "
            "started_at, position_ms, played_ms, playing, key_semitones, added_by, guest_id) "
            "VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                e.entry_id,
                e.song_id,
                e.title,
                e.artist,
                e.added_at.isoformat(),
                now.started_at.isoformat(),
                now.position_ms,
                now.played_ms,
                int(now.playing),
                now.key_semitones,
                e.added_by,
                e.guest_id,
            ),
        )

    def save_position(self, position_ms: int, played_ms: int, playing: bool) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE now_playing SET position_ms = ?, played_ms = ?, playing = ?, "
                "saved_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = 1",
                (position_ms, played_ms, int(playing)),
            )

    def load(self) -> RoomSnapshot | None:
        with self._lock:
            db = self._db
            room = db.execute(
                "SELECT session, business_state, volume_percent, volume_cap_percent, "
                "session_ends_at, session_continues, extension_event_id, extension_note FROM room"
            ).fetchone()
            if room is None:
                return None
            entries = tuple(
                QueuedSong(
                    entry_id, song_id, title, artist, datetime.fromisoformat(added), by, guest
                )
                for entry_id, song_id, title, artist, added, by, guest in db.execute(
                    "SELECT entry_id, song_id, title, artist, added_at, added_by, guest_id"
                    " FROM queue ORDER BY position"
                )
            )
            history = tuple(
                SungSong(
                    row[0],
                    row[1],
                    row[2],
                    datetime.fromisoformat(row[3]),
                    PlayOutcome(row[4]),
                    row[5],
                    row[6],
                )
                for row in db.execute(
                    "SELECT song_id, title, artist, started_at, outcome, played_ms, key_semitones "
                    "FROM sung ORDER BY position"
                )
            )
            keys = tuple(db.execute("SELECT song_id, semitones FROM song_key ORDER BY song_id"))
            now_row = db.execute(
                "SELECT entry_id, song_id, title, artist, added_at, started_at, position_ms, "
                "played_ms, playing, key_semitones, added_by, guest_id FROM now_playing"
            ).fetchone()
        now_playing = None
        if now_row is not None:
            entry = QueuedSong(
                now_row[0],
                now_row[1],
                now_row[2],
                now_row[3],
                datetime.fromisoformat(now_row[4]),
                now_row[10],
                now_row[11],
            )
            now_playing = NowPlaying(
                entry,
                datetime.fromisoformat(now_row[5]),
                now_row[6],
                now_row[7],
                bool(now_row[8]),
                now_row[9],
            )
        return RoomSnapshot(
            QueueState(entries, history, tuple((str(k), int(v)) for k, v in keys)),
            now_playing,
            room[0],
            room_state(room[1]),  # rooms saved before the link's one enum: "in_use"
            room[2],
            room[3],
            datetime.fromisoformat(room[4]) if room[4] else None,
            bool(room[5]),
            room[6],
            room[7],
        )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
