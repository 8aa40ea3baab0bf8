"""The link's local SQLite file: outbox events and applied command ids.

WAL + ``synchronous=FULL``: a row is on disk when its transaction returns, so a power cut
after ``emit()`` never loses the event. Schema changes are numbered migrations applied at
open (``PRAGMA user_version``).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ktv.errors import FailedPrecondition

MIGRATIONS: tuple[str, ...] = (
    # 1: the outbox and the applied-command memory
    """
    CREATE TABLE outbox_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        occurred_at TEXT NOT NULL,
        created_at TEXT NOT NULL,
        payload BLOB NOT NULL
    );
    CREATE TABLE applied_commands (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        command_id TEXT NOT NULL UNIQUE,
        ok INTEGER NOT NULL,
        error TEXT NOT NULL,
        applied_at TEXT NOT NULL
    );
    """,
    # 2: events the controller refused as malformed, set aside so they cannot block the rest
    """
    CREATE TABLE outbox_parked (
        seq INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        occurred_at TEXT NOT NULL,
        created_at TEXT NOT NULL,
        payload BLOB NOT NULL,
        reason TEXT NOT NULL,
        parked_at TEXT NOT NULL
    );
    """,
)


class LinkDatabase:
    """One connection shared by the link's threads, serialised by a lock (calls are short)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=10
            )
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise FailedPrecondition(f"cannot open link database {self.path}: {exc}") from exc
        self._lock = threading.Lock()
        self._closed = False

    def _migrate(self) -> None:
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise FailedPrecondition(
                f"{self.path} has schema {version}, newer than this agent ({len(MIGRATIONS)})"
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in filter(str.strip, script.split(";")):
                    self._conn.execute(statement)
                self._conn.execute(f"PRAGMA user_version={number}")
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` .. ``COMMIT`` under the lock; rolled back on any error."""
        with self._lock:
            if self._closed:
                raise FailedPrecondition(f"link database {self.path} is closed")
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._closed:
                raise FailedPrecondition(f"link database {self.path} is closed")
            yield self._conn

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._conn.close()
