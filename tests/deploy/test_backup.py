"""Online backups of the controller database while it writes, and restoring one."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest

from controller.deploy.backup import (
    backup_database,
    check_integrity,
    list_backups,
    restore_database,
)
from ktv.errors import FailedPrecondition, InvalidArgument, NotFound

SCHEMA = """
CREATE TABLE rooms (room_id TEXT PRIMARY KEY, state TEXT NOT NULL, events INTEGER NOT NULL);
CREATE TABLE sessions (session_id TEXT PRIMARY KEY, room_id TEXT NOT NULL,
                       opened_at TEXT NOT NULL, closed_at TEXT, amount_fen INTEGER NOT NULL);
CREATE TABLE events (event_id INTEGER PRIMARY KEY, room_id TEXT NOT NULL, kind TEXT NOT NULL);
"""


def _venue_db(path: Path) -> Path:
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(SCHEMA)
        with db:
            for room in ("A01", "A02", "A08"):
                db.execute("INSERT INTO rooms VALUES (?, 'idle', 0)", (room,))
    return path


def _open_session(db: sqlite3.Connection, session_id: str, room: str) -> None:
    with db:
        db.execute(
            "INSERT INTO sessions VALUES (?, ?, '2026-11-24T12:00:00Z', NULL, 0)",
            (session_id, room),
        )
        db.execute("UPDATE rooms SET state='occupied', events=events+1 WHERE room_id=?", (room,))
        db.execute("INSERT INTO events (room_id, kind) VALUES (?, 'session_opened')", (room,))


def _rows(path: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(path)) as db:
        return db.execute(sql).fetchall()


def test_backup_taken_while_the_controller_writes_is_one_consistent_moment(tmp_path):
    database = _venue_db(tmp_path / "controller.db")
    stop = threading.Event()
    written = 0

    def controller_writing() -> None:
        nonlocal written
        with closing(sqlite3.connect(database, timeout=10)) as db:
            while not stop.is_set():
                with db:  # one transaction: an event and the room's counter move together
                    db.execute("INSERT INTO events (room_id, kind) VALUES ('A08', 'door_opened')")
                    db.execute("UPDATE rooms SET events = events + 1 WHERE room_id = 'A08'")
                written += 1

    writer = threading.Thread(target=controller_writing)
    writer.start()
    try:
        while written < 50:
            threading.Event().wait(0.01)
        results = [backup_database(database, tmp_path / "backups", keep=5) for _ in range(3)]
        assert written > 50  # the controller was not blocked by the backups
    finally:
        stop.set()
        writer.join()
    for result in results:
        check_integrity(result.path)
        (events,) = _rows(result.path, "SELECT count(*) FROM events")[0]
        (counted,) = _rows(result.path, "SELECT events FROM rooms WHERE room_id='A08'")[0]
        assert events == counted > 0
        assert not Path(f"{result.path}-wal").exists()  # a backup is one file


def test_backups_keep_only_the_newest_n(tmp_path):
    database = _venue_db(tmp_path / "controller.db")
    start = dt.datetime(2026, 11, 1, 4, 0, tzinfo=dt.UTC)
    for day in range(5):
        result = backup_database(
            database, tmp_path / "b", keep=3, now=start + dt.timedelta(days=day)
        )
    kept = list_backups(tmp_path / "b")
    assert [p.name for p in kept] == [
        "controller-20261103T040000000000Z.db",
        "controller-20261104T040000000000Z.db",
        "controller-20261105T040000000000Z.db",
    ]
    assert result.pruned == (tmp_path / "b" / "controller-20261102T040000000000Z.db",)
    assert not any(p.name.endswith(".partial") for p in (tmp_path / "b").iterdir())


def test_restore_brings_back_open_sessions_and_keeps_what_it_replaced(tmp_path):
    database = _venue_db(tmp_path / "controller.db")
    with closing(sqlite3.connect(database)) as db:
        _open_session(db, "s-1", "A01")
        _open_session(db, "s-2", "A08")
    backup = backup_database(database, tmp_path / "backups").path
    with closing(sqlite3.connect(database)) as db, db:  # later: A08 checks out (then disaster)
        db.execute("UPDATE sessions SET closed_at='x', amount_fen=38800 WHERE session_id='s-2'")
        db.execute("UPDATE rooms SET state='cleaning' WHERE room_id='A08'")

    result = restore_database(backup, database)

    assert _rows(database, "SELECT session_id, room_id FROM sessions WHERE closed_at IS NULL") == [
        ("s-1", "A01"),
        ("s-2", "A08"),
    ]
    assert _rows(database, "SELECT state FROM rooms WHERE room_id='A08'") == [("occupied",)]
    assert _rows(database, "SELECT count(*) FROM events") == [(2,)]
    assert result.previous_kept_as is not None
    assert _rows(
        result.previous_kept_as, "SELECT amount_fen FROM sessions WHERE session_id='s-2'"
    ) == [(38800,)]


def test_restore_into_an_empty_box_needs_no_previous_database(tmp_path):
    database = _venue_db(tmp_path / "old.db")
    backup = backup_database(database, tmp_path / "backups").path
    result = restore_database(backup, tmp_path / "new-box" / "controller.db")
    assert result.previous_kept_as is None
    assert _rows(result.database, "SELECT count(*) FROM rooms") == [(3,)]


def test_a_damaged_backup_is_refused_and_the_live_database_is_untouched(tmp_path):
    database = _venue_db(tmp_path / "controller.db")
    damaged = tmp_path / "controller-20261124T000000000000Z.db"
    damaged.write_bytes(b"SQLite format 3\0" + b"\x07" * 4000)
    before = database.read_bytes()
    with pytest.raises(InvalidArgument):
        restore_database(damaged, database)
    assert database.read_bytes() == before


def test_restore_refuses_while_the_controller_holds_a_write_lock(tmp_path):
    database = _venue_db(tmp_path / "controller.db")
    backup = backup_database(database, tmp_path / "backups").path
    with closing(sqlite3.connect(database)) as busy:
        busy.execute("BEGIN IMMEDIATE")
        with pytest.raises(FailedPrecondition, match="stop the controller"):
            restore_database(backup, database)
        busy.execute("ROLLBACK")
    check_integrity(database)


def test_backing_up_a_missing_database_says_so(tmp_path):
    with pytest.raises(NotFound):
        backup_database(tmp_path / "nope.db", tmp_path / "b")
    with pytest.raises(InvalidArgument):
        backup_database(_venue_db(tmp_path / "c.db"), tmp_path / "b", keep=0)
