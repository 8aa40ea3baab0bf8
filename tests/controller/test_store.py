"""The store: per-area migrations on real SQLite files, transactions, idempotency."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from controller.rooms.board import RoomBoard
from controller.rooms.model import DEFAULT_TIERS, RoomState
from controller.store.db import Store, open_store
from controller.store.idempotency import fingerprint, run_once
from controller.store.migrations import (
    Migration,
    applied_versions,
    apply_migrations,
    load_builtin_areas,
    register_migrations,
    registered_areas,
)
from ktv.errors import Conflict, FailedPrecondition, InvalidArgument


def test_a_v1_rooms_database_upgrades_in_place_and_keeps_its_rooms(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    load_builtin_areas()
    old = Store(path)
    # An old file knew only rooms v1: every other area (auth, billing, ...) is still at 0.
    apply_migrations(old, up_to={area: 0 for area in registered_areas()} | {"rooms": 1})
    old.execute(
        "INSERT INTO rooms (room_id, display_name, tier, state, state_since, created_at)"
        " VALUES ('A08', 'A08 大包', 'large', 'MAINTENANCE', '2026-01-01T10:00:00+00:00',"
        " '2025-12-01T10:00:00+00:00')"
    )
    assert applied_versions(old) == {"rooms": 1}
    old.close()

    store = open_store(path)
    try:
        versions = applied_versions(store)
        assert versions["rooms"] == len(registered_areas()["rooms"]) >= 2
        assert all(versions[area] == len(m) for area, m in registered_areas().items())
        board = RoomBoard(store, tiers=DEFAULT_TIERS)
        board.load()
        room = board.get("A08")
        assert (room.display_name, room.tier, room.state) == (
            "A08 大包",
            "large",
            RoomState.MAINTENANCE,
        )
        assert room.session == "" and not room.agent.online
    finally:
        store.close()


def test_opening_twice_applies_nothing_the_second_time(tmp_path: Path) -> None:
    open_store(tmp_path / "c.db").close()
    store = Store(tmp_path / "c.db")
    try:
        load_builtin_areas()
        assert apply_migrations(store) == []
    finally:
        store.close()


def test_a_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    store = open_store(tmp_path / "new.db")
    store.execute(
        "INSERT INTO schema_migrations (area, version, description, applied_at)"
        " VALUES ('rooms', 99, 'from the future', 'x')"
    )
    store.close()
    with pytest.raises(FailedPrecondition, match="newer than this controller"):
        open_store(tmp_path / "new.db")


def test_areas_number_their_migrations_independently(tmp_path: Path) -> None:
    register_migrations(
        "test_area_x",
        [
            Migration(1, "t", sql="CREATE TABLE tx (a INTEGER);"),
            Migration(2, "t2", apply=lambda s: s.execute("ALTER TABLE tx ADD COLUMN b TEXT")),
        ],
    )
    try:
        store = open_store(tmp_path / "areas.db")
        assert applied_versions(store)["test_area_x"] == 2
        assert {c[1] for c in store.conn.execute("PRAGMA table_info(tx)")} == {"a", "b"}
        store.close()
    finally:
        from controller.store import migrations

        migrations._REGISTRY.pop("test_area_x")


def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    register_migrations(
        "test_area_bad",
        [Migration(1, "half", sql="CREATE TABLE ok1 (a INTEGER);\nCREATE TABLE ok1 (a INTEGER);")],
    )
    try:
        with pytest.raises(sqlite3.OperationalError):
            open_store(tmp_path / "bad.db")
        db = sqlite3.connect(tmp_path / "bad.db")
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        db.close()
        assert "ok1" not in tables
    finally:
        from controller.store import migrations

        migrations._REGISTRY.pop("test_area_bad")


def test_migration_numbers_must_run_1_to_n() -> None:
    with pytest.raises(ValueError):
        register_migrations("test_gap", [Migration(2, "gap", sql="SELECT 1;")])


def test_the_database_is_in_wal_mode(tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.db")
    try:
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        store.close()


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    s = open_store(tmp_path / "idem.db")
    yield s
    s.close()


def _count(store: Store) -> int:
    return store.query_one("SELECT COUNT(*) AS n FROM idempotency_keys")["n"]  # type: ignore[index]


def test_an_idempotent_retry_returns_the_first_response_without_running_again(store: Store) -> None:
    runs: list[int] = []

    def action() -> bytes:
        runs.append(1)
        return f"response {len(runs)}".encode()

    fp = fingerprint("M", b"args")
    first = run_once(store, request_id="r1", method="M", request_fingerprint=fp, action=action)
    again = run_once(store, request_id="r1", method="M", request_fingerprint=fp, action=action)
    assert first == again == b"response 1"
    assert len(runs) == 1


def test_the_same_request_id_with_other_parameters_is_a_conflict(store: Store) -> None:
    run_once(store, request_id="r2", method="M", request_fingerprint="a", action=lambda: b"x")
    with pytest.raises(Conflict):
        run_once(store, request_id="r2", method="M", request_fingerprint="b", action=lambda: b"y")
    with pytest.raises(Conflict):
        run_once(store, request_id="r2", method="N", request_fingerprint="a", action=lambda: b"y")


def test_a_missing_request_id_is_invalid(store: Store) -> None:
    with pytest.raises(InvalidArgument):
        run_once(store, request_id="", method="M", request_fingerprint="a", action=lambda: b"x")
    with pytest.raises(InvalidArgument):
        run_once(store, request_id="  ", method="M", request_fingerprint="a", action=lambda: b"x")


def test_a_failed_action_writes_nothing_and_can_be_retried(store: Store) -> None:
    store.execute("CREATE TABLE money (fen INTEGER)")

    def failing() -> bytes:
        store.execute("INSERT INTO money VALUES (100)")
        raise FailedPrecondition("declined")

    with pytest.raises(FailedPrecondition):
        run_once(store, request_id="r3", method="Pay", request_fingerprint="a", action=failing)
    assert store.query_one("SELECT COUNT(*) AS n FROM money")["n"] == 0  # type: ignore[index]
    assert _count(store) == 0

    def paying() -> bytes:
        store.execute("INSERT INTO money VALUES (100)")
        return b"paid"

    assert (
        run_once(store, request_id="r3", method="Pay", request_fingerprint="a", action=paying)
        == b"paid"
    )


def test_after_commit_callbacks_run_only_when_the_outer_transaction_commits(store: Store) -> None:
    heard: list[str] = []
    with pytest.raises(RuntimeError), store.transaction():
        store.after_commit(lambda: heard.append("rolled back"))
        raise RuntimeError("boom")
    with store.transaction():
        with store.transaction():
            store.after_commit(lambda: heard.append("inner"))
        assert heard == []
    assert heard == ["inner"]


def test_a_failing_inner_block_rolls_back_only_itself(store: Store) -> None:
    store.execute("CREATE TABLE t (v INTEGER)")
    with store.transaction():
        store.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(RuntimeError), store.transaction():
            store.execute("INSERT INTO t VALUES (2)")
            raise RuntimeError("inner")
    assert [r["v"] for r in store.query("SELECT v FROM t")] == [1]


def test_when_the_room_write_fails_the_board_does_not_change(store: Store) -> None:
    board = RoomBoard(store, tiers=DEFAULT_TIERS, clock=lambda: datetime(2026, 1, 1, tzinfo=UTC))
    board.load()
    board.create_room("A08", "", "large")
    with pytest.raises(RuntimeError), store.transaction():
        board.set_state("A08", RoomState.MAINTENANCE)
        raise RuntimeError("billing failed after the room write")
    assert board.get("A08").state is RoomState.IDLE
    board2 = RoomBoard(store, tiers=DEFAULT_TIERS)
    board2.load()
    assert board2.get("A08").state is RoomState.IDLE


def test_background_checkpoints_run_on_their_own_thread_and_stop_with_the_store(
    tmp_path: Path,
) -> None:
    import threading

    store = open_store(tmp_path / "ckpt.db")
    store.checkpoint_in_background(0.05)
    assert store.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    store.execute("CREATE TABLE t (v INTEGER)")
    main_file = tmp_path / "ckpt.db"
    before = main_file.stat().st_size
    for i in range(500):
        with store.transaction():
            store.execute("INSERT INTO t VALUES (?)", (i,))
    assert any(t.name == "wal-checkpoint" and t.is_alive() for t in threading.enumerate())
    # commits no longer checkpoint: only the thread moves the WAL's pages into the main file
    deadline = time.monotonic() + 20
    while main_file.stat().st_size <= before:
        assert time.monotonic() < deadline, "no checkpoint ran"
        time.sleep(0.02)
    store.close()
    assert not any(t.name == "wal-checkpoint" for t in threading.enumerate())
    again = open_store(tmp_path / "ckpt.db")
    try:
        assert again.query_one("SELECT COUNT(*) AS n FROM t")["n"] == 500  # type: ignore[index]
    finally:
        again.close()


def test_an_after_transaction_write_survives_the_rollback_of_the_transaction_that_asked(
    tmp_path: Path,
) -> None:
    s = Store(tmp_path / "t.db")
    try:
        s.execute("CREATE TABLE facts (what TEXT)")

        def remember() -> None:
            with s.transaction():
                s.execute("INSERT INTO facts VALUES ('wrong pin')")

        with pytest.raises(RuntimeError), s.transaction():
            s.execute("INSERT INTO facts VALUES ('payment')")
            s.after_transaction(remember)
            raise RuntimeError("declined")
        assert [r["what"] for r in s.query("SELECT what FROM facts")] == ["wrong pin"]
        with s.transaction():
            s.after_transaction(remember)
            s.execute("INSERT INTO facts VALUES ('payment')")
        assert len(s.query("SELECT what FROM facts")) == 3
        s.after_transaction(remember)  # outside a transaction: now
        assert len(s.query("SELECT what FROM facts")) == 4
    finally:
        s.close()


def test_a_failing_after_transaction_callback_never_reaches_the_caller(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    s = Store(tmp_path / "t.db")
    calls: list[str] = []
    try:

        def broken() -> None:
            calls.append("ran")
            raise ValueError("boom")

        with s.transaction():
            s.after_transaction(broken)
            assert calls == []  # not inside the transaction
        assert calls == ["ran"]  # it did run, at the end, and its error stopped here
        assert "after-transaction callback failed" in caplog.text and "boom" in caplog.text
        with s.transaction():  # the store is usable afterwards
            s.execute("CREATE TABLE ok (x)")
    finally:
        s.close()


def test_a_committed_payment_is_on_disk_before_the_commit_returns(tmp_path: Path) -> None:
    """Money lives here: WAL with synchronous=FULL (2), so a power cut after the cashier
    saw "paid" cannot lose the payment (NORMAL, 1, could lose the last commits)."""
    store = Store(tmp_path / "controller.db")
    try:
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2
    finally:
        store.close()
