"""Opening the controller database and running short transactions on it.

One SQLite file (``DATA_DIR/controller.db``) in WAL mode with ``synchronous=FULL``: the
controller records money, so a payment the cashier saw succeed is on disk when its commit
returns and survives a power cut (NORMAL could lose the last commits; FULL costs one WAL fsync,
~0.3 ms per commit measured here against ~0.02 ms). The connection runs in
autocommit mode and :meth:`Store.transaction` issues ``BEGIN IMMEDIATE`` itself, so nesting
works (inner blocks become savepoints) and a failure rolls everything back.

Inside a transaction write with :meth:`Store.execute` (or ``store.db.execute``), not with
sqlite-utils' ``table.insert()``: sqlite-utils wraps its writes in ``with conn:``, which would
commit the enclosing transaction early. sqlite-utils is used for schema work and reads.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

Params = Sequence[Any] | Mapping[str, Any]
DB_FILE = "controller.db"  # the venue's database, in the data directory
log = logging.getLogger(__name__)


class Store:
    """The controller's database connection (safe to share between threads)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        conn = sqlite3.connect(
            str(self.path), isolation_level=None, check_same_thread=False, timeout=5.0
        )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=5000")
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        self._lock = threading.RLock()
        self._depth = 0
        self._after_commit: list[Callable[[], None]] = []
        self._after_end: list[Callable[[], None]] = []
        self._checkpointer: _Checkpointer | None = None

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """One atomic unit of work; nested calls become savepoints of the outer one."""
        with self._lock:
            depth = self._depth
            if depth == 0:
                self.conn.execute("BEGIN IMMEDIATE")
            else:
                self.conn.execute(f"SAVEPOINT sp{depth}")
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._depth -= 1
                if depth == 0:
                    self.conn.execute("ROLLBACK")
                    self._after_commit.clear()
                    self._run_after_end()
                else:
                    self.conn.execute(f"ROLLBACK TO sp{depth}")
                    self.conn.execute(f"RELEASE sp{depth}")
                raise
            self._depth -= 1
            if depth == 0:
                self.conn.execute("COMMIT")
                callbacks, self._after_commit = self._after_commit, []
                try:
                    for callback in callbacks:
                        callback()
                finally:
                    self._run_after_end()
            else:
                self.conn.execute(f"RELEASE sp{depth}")

    @property
    def in_transaction(self) -> bool:
        """True when the *calling thread* is inside a transaction. Another thread's open
        transaction holds the store's lock and is not the caller's (a worker thread checking a
        PIN must not take it for its own: controller.auth.pin_attempts)."""
        if not self._lock.acquire(blocking=False):
            return False  # another thread's transaction
        try:
            return self._depth > 0
        finally:
            self._lock.release()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the outermost transaction commits (now if none is open).

        In-memory state (the live board, watchers) is updated here, so a rolled-back
        transaction never leaves memory ahead of the database.
        """
        with self._lock:
            if self._depth == 0:
                callback()
            else:
                self._after_commit.append(callback)

    def after_transaction(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the outermost transaction ends, committed **or rolled
        back** (now if none is open), still holding the store's lock, so it may write in a
        short transaction of its own. For facts that must outlive a rollback (a wrong PIN
        counted against a payment that then fails). A failing callback is logged, never
        raised into the transaction's caller."""
        with self._lock:
            if self._depth == 0:
                _run_logged(callback)
            else:
                self._after_end.append(callback)

    def _run_after_end(self) -> None:
        callbacks, self._after_end = self._after_end, []
        for callback in callbacks:
            _run_logged(callback)

    def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        with self._lock:
            return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Params]) -> sqlite3.Cursor:
        """One statement for many rows (a document's ledger lines)."""
        with self._lock:
            return self.conn.executemany(sql, rows)

    def query(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        """Rows as dicts (for adapters; convert to dataclasses before leaving the store)."""
        with self._lock:
            cursor = self.conn.execute(sql, params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def query_one(self, sql: str, params: Params = ()) -> dict[str, Any] | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def query_read_only(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        """Rows from a read-only connection of their own, opened for this query: a long scan
        (a daily job's aggregate) never holds the store's lock, and in WAL mode never blocks
        a writer, so requests keep flowing while it runs."""
        uri = f"file:{self.path}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=5.0)) as reader:
            cursor = reader.execute(sql, params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def checkpoint_in_background(self, interval_s: float) -> None:
        """Move WAL checkpoints (which fsync the main database file) off the
        caller's thread: commits stop checkpointing, a thread with its own connection runs a
        PASSIVE checkpoint every ``interval_s`` (never blocking writers)."""
        if self._checkpointer is not None:
            return
        self.conn.execute("PRAGMA wal_autocheckpoint=0")
        self._checkpointer = _Checkpointer(self.path, interval_s)
        self._checkpointer.start()

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
        with self._lock:
            self.conn.close()


def _run_logged(callback: Callable[[], None]) -> None:
    try:
        callback()
    except Exception:
        log.exception("after-transaction callback failed")


class _Checkpointer(threading.Thread):
    def __init__(self, path: Path, interval_s: float) -> None:
        super().__init__(name="wal-checkpoint", daemon=True)
        self.path = path
        self.interval_s = interval_s
        self._stopping = threading.Event()

    def run(self) -> None:
        conn = sqlite3.connect(str(self.path), timeout=5.0)
        try:
            while not self._stopping.wait(self.interval_s):
                self._checkpoint(conn, "PASSIVE")
            self._checkpoint(conn, "PASSIVE")
        finally:
            conn.close()

    @staticmethod
    def _checkpoint(conn: sqlite3.Connection, mode: str) -> None:
        # busy now: the next round catches up; the WAL stays valid meanwhile
        with contextlib.suppress(sqlite3.Error):
            conn.execute(f"PRAGMA wal_checkpoint({mode})")

    def stop(self) -> None:
        self._stopping.set()
        self.join(10)


def open_store(path: Path | str, *, migrate: bool = True) -> Store:
    """Open (creating if needed) the database and bring every registered area up to date."""
    from controller.store.migrations import apply_migrations, load_builtin_areas

    store = Store(path)
    if migrate:
        load_builtin_areas()
        apply_migrations(store)
    return store
