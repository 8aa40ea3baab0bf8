"""The room board on a real SQLite file with a hand-moved clock (no sleeping)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from controller.rooms import commands
from controller.rooms.board import RoomBoard
from controller.rooms.events import DoorChanged, PresenceChanged, RoomEvent
from controller.rooms.model import DEFAULT_TIERS, AlertKind, RoomLock, RoomState
from controller.settings import BoardTiming
from controller.store.db import open_store
from ktv.errors import FailedPrecondition, InvalidArgument, NotFound


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Sink:
    received: list[commands.RoomCommand] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)

    def deliver(self, command: commands.RoomCommand) -> None:
        self.received.append(command)

    def replaced(self) -> None:
        self.ended.append("replaced")

    def shutting_down(self) -> None:
        self.ended.append("shutdown")

    def bodies(self) -> list[object]:
        return [c.body for c in self.received]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def board(tmp_path: Path, clock: Clock):  # type: ignore[no-untyped-def]
    store = open_store(tmp_path / "board.db")
    b = RoomBoard(
        store,
        tiers=DEFAULT_TIERS,
        timing=BoardTiming(offline_after_s=10, nobody_present_after_s=600),
        clock=clock,
    )
    b.load()
    b.create_room("A08", "A08 大包", "large")
    yield b
    store.close()


def event(event_id: str, payload: object, when: datetime) -> RoomEvent:
    return RoomEvent(event_id, "A08", when, payload, "{}")  # type: ignore[arg-type]


def test_billing_opens_a_session_and_the_room_is_told_to_unlock(board: RoomBoard) -> None:
    sink = Sink()
    board.attach_agent("A08", "1.0", "peer", sink)
    with board.store.transaction():
        room = board.session_opened("A08", "sessions/s1", guest_count=4)
        assert sink.received == []  # nothing leaves before billing's transaction commits
    assert room.state is RoomState.IN_USE and room.session == "sessions/s1"
    opened = [b for b in sink.bodies() if isinstance(b, commands.SessionOpened)]
    assert opened and opened[0].guest_count == 4
    with pytest.raises(FailedPrecondition):
        board.session_opened("A08", "sessions/s2")
    board.session_closed("A08", "sessions/s1")
    assert board.get("A08").state is RoomState.CLEANING
    assert isinstance(sink.bodies()[-2], commands.SessionClosed)
    with pytest.raises(FailedPrecondition):
        board.session_closed("A08", "sessions/s1")


def test_a_rolled_back_session_open_tells_nobody(board: RoomBoard) -> None:
    sink = Sink()
    board.attach_agent("A08", "1.0", "peer", sink)
    with pytest.raises(RuntimeError), board.store.transaction():
        board.session_opened("A08", "sessions/s1")
        raise RuntimeError("payment failed")
    assert sink.received == []
    assert board.get("A08").state is RoomState.IDLE


def test_an_agent_that_stops_beating_goes_offline_after_the_timeout(
    board: RoomBoard, clock: Clock
) -> None:
    sink = Sink()
    board.attach_agent("A08", "1.0", "peer", sink)
    clock.advance(9)
    board.tick()
    assert board.get("A08").agent.online
    clock.advance(2)
    board.tick()
    room = board.get("A08")
    assert not room.agent.online
    assert AlertKind.AGENT_OFFLINE in [a.kind for a in room.alerts]
    board.agent_seen("A08", sink)
    assert board.get("A08").agent.online


def test_heartbeats_are_not_written_to_the_database(board: RoomBoard, clock: Clock) -> None:
    sink = Sink()
    board.attach_agent("A08", "1.0", "peer", sink)
    changes_before = board.store.conn.total_changes
    revision = board.get("A08").revision
    for _ in range(50):
        clock.advance(1)
        board.agent_seen("A08", sink)
        board.tick()
    assert board.store.conn.total_changes == changes_before
    assert board.get("A08").revision == revision


def test_a_late_old_door_event_does_not_override_a_newer_one(
    board: RoomBoard, clock: Clock
) -> None:
    t = clock.now
    board.record_event(event("e2", DoorChanged(open=False), t))
    board.record_event(event("e1", DoorChanged(open=True), t - timedelta(seconds=30)))
    assert not board.get("A08").sensors.door_open


def test_nobody_present_alert_appears_as_time_passes(board: RoomBoard, clock: Clock) -> None:
    board.attach_agent("A08", "1.0", "peer", Sink())
    board.session_opened("A08", "sessions/s1")
    board.record_event(event("p1", PresenceChanged(present=False), clock.now))
    board.tick()
    assert AlertKind.NOBODY_PRESENT not in [a.kind for a in board.get("A08").alerts]
    for _ in range(11):
        clock.advance(60)
        board.agent_seen("A08", board._links["A08"])  # keep the agent online
        board.tick()
    assert AlertKind.NOBODY_PRESENT in [a.kind for a in board.get("A08").alerts]


def test_a_second_connection_replaces_the_first(board: RoomBoard) -> None:
    first, second = Sink(), Sink()
    board.attach_agent("A08", "1.0", "p1", first)
    board.attach_agent("A08", "1.1", "p2", second)
    assert first.ended == ["replaced"]
    board.detach_agent("A08", first)  # the old stream ending must not detach the new one
    assert board.is_connected("A08")
    board.set_emergency(True, "fire")
    assert first.received == [] and isinstance(second.received[-1].body, commands.Emergency)


def test_unknown_rooms_are_not_found(board: RoomBoard) -> None:
    with pytest.raises(NotFound):
        board.get("Z99")
    with pytest.raises(NotFound):
        board.attach_agent("Z99", "1", "p", Sink())


def test_watchers_get_every_change_in_order(board: RoomBoard) -> None:
    async def scenario() -> list[RoomState]:
        watcher = board.watch()
        assert [r.room_id for r in watcher.snapshot] == ["A08"]
        board.set_state("A08", RoomState.MAINTENANCE)
        board.set_state("A08", RoomState.IDLE)
        board.set_state("A08", RoomState.RESERVED)
        seen = []
        for _ in range(3):
            room = await asyncio.wait_for(watcher.next_change(), 1)
            assert room is not None
            seen.append(room.state)
        watcher.close()
        return seen

    assert asyncio.run(scenario()) == [RoomState.MAINTENANCE, RoomState.IDLE, RoomState.RESERVED]


def test_emergency_survives_a_restart(board: RoomBoard, clock: Clock) -> None:
    board.set_emergency(True, "请疏散")
    again = RoomBoard(board.store, tiers=DEFAULT_TIERS, clock=clock)
    again.load()
    assert again.emergency.active and again.emergency.message == "请疏散"


def test_after_a_restart_no_agent_is_online_until_it_reconnects(
    board: RoomBoard, clock: Clock
) -> None:
    board.attach_agent("A08", "1.0", "peer", Sink())
    assert board.get("A08").agent.online
    clock.advance(3)
    restarted = RoomBoard(board.store, tiers=DEFAULT_TIERS, clock=clock)
    restarted.load()
    room = restarted.get("A08")
    assert not room.agent.online
    assert room.agent.version == "1.0"  # what we last knew is kept
    assert AlertKind.AGENT_OFFLINE in [a.kind for a in room.alerts]


def test_a_replaced_stream_can_no_longer_keep_the_room_online(
    board: RoomBoard, clock: Clock
) -> None:
    old, new = Sink(), Sink()
    board.attach_agent("A08", "1.0", "p1", old)
    board.attach_agent("A08", "1.0", "p2", new)
    clock.advance(11)
    board.agent_seen("A08", old)  # a late heartbeat on the replaced stream
    board.tick()
    assert not board.get("A08").agent.online


def test_a_watcher_that_falls_too_far_behind_is_dropped(
    board: RoomBoard, monkeypatch: pytest.MonkeyPatch
) -> None:
    from controller.rooms import watch

    monkeypatch.setattr(watch, "watch_queue_max_messages", 3)

    async def scenario() -> tuple[bool, object, int]:
        watcher = board.watch()
        for i in range(5):
            board.update_room("A08", display_name=f"name {i}")
        return watcher.overflowed, await watcher.next_change(), board.watcher_count

    overflowed, change, remaining = asyncio.run(scenario())
    assert overflowed and change is None and remaining == 0


def test_an_agent_announcing_slow_heartbeats_gets_three_beats_of_grace(
    board: RoomBoard, clock: Clock
) -> None:
    welcome = board.attach_agent("A08", "1.0", "p", Sink(), heartbeat_interval_s=30)
    assert welcome.offline_after_s == 90
    clock.advance(60)
    board.tick()
    assert board.get("A08").agent.online
    clock.advance(31)
    board.tick()
    assert not board.get("A08").agent.online


def test_every_state_change_is_logged_with_who_and_why(board: RoomBoard) -> None:
    board.set_state("A08", RoomState.MAINTENANCE, "aircon broken", actor="technician li")
    board.set_state("A08", RoomState.IDLE, "fixed", actor="technician li")
    board.session_opened("A08", "sessions/9")
    board.session_closed("A08", "sessions/9")
    board.update_room("A08", display_name="renamed")  # not a state change: not logged
    with pytest.raises(RuntimeError), board.store.transaction():
        board.set_state("A08", RoomState.MAINTENANCE, "rolled back", actor="x")
        raise RuntimeError
    rows = board.store.query(
        "SELECT from_state, to_state, reason, actor FROM room_state_changes"
        " WHERE room_id = 'A08' ORDER BY change_id"
    )
    assert [tuple(r.values()) for r in rows] == [
        ("IDLE", "MAINTENANCE", "aircon broken", "technician li"),
        ("MAINTENANCE", "IDLE", "fixed", "technician li"),
        ("IDLE", "IN_USE", "session sessions/9 opened", "billing"),
        ("IN_USE", "CLEANING", "session sessions/9 closed", "billing"),
    ]


def test_a_service_call_stays_on_the_board_until_staff_acknowledge_it(
    board: RoomBoard, clock: Clock
) -> None:
    from controller.rooms.events import ServiceCalled

    board.attach_agent("A08", "1.0", "p", Sink())
    board.record_event(event("s1", ServiceCalled(kind="water", note="两瓶"), clock.now))
    (alert,) = [a for a in board.get("A08").alerts if a.kind is AlertKind.SERVICE_CALLED]
    assert alert.message == "A08 calls for water: 两瓶"
    clock.advance(600)
    board.tick()
    assert AlertKind.SERVICE_CALLED in [a.kind for a in board.get("A08").alerts]
    with pytest.raises(FailedPrecondition):
        board.acknowledge_alert("A08", "AGENT_OFFLINE")
    board.acknowledge_alert("A08", "SERVICE_CALLED")
    assert AlertKind.SERVICE_CALLED not in [a.kind for a in board.get("A08").alerts]
    board.acknowledge_alert("A08", "SERVICE_CALLED")  # a colleague was faster: fine
    restarted = RoomBoard(board.store, tiers=DEFAULT_TIERS, clock=clock)
    restarted.load()
    assert restarted.get("A08").service_call is None


def test_a_locked_room_refuses_a_session_until_released_or_lapsed_and_the_lock_is_kept(
    board: RoomBoard, clock: Clock, tmp_path: Path
) -> None:
    until = clock.now + timedelta(hours=1)
    locked = board.set_lock("A08", True, "  held for 王总  ", until, actor="manager m1")
    assert locked.lock == RoomLock("manager m1", "held for 王总", clock.now, until)
    assert locked.state is RoomState.IDLE  # a lock is not a state: the room stays idle
    for check in (
        lambda: board.check_can_open("A08"),
        lambda: board.session_opened("A08", "sessions/s1"),
    ):
        with pytest.raises(FailedPrecondition) as refused:
            check()
        assert refused.value.reason == "ROOM_HELD"
        assert "manager m1" in refused.value.message and "王总" in refused.value.message
    # kept across a restart (a new board on the same file)
    again = RoomBoard(
        board.store,
        tiers=DEFAULT_TIERS,
        timing=BoardTiming(offline_after_s=10, nobody_present_after_s=600),
        clock=clock,
    )
    again.load()
    assert again.get("A08").lock == locked.lock
    # relocking keeps since and changes the reason; releasing twice changes nothing more
    clock.advance(60)
    relocked = board.set_lock("A08", True, "held for 李总", None, actor="cashier c1")
    assert relocked.lock is not None and relocked.lock.since == locked.lock.since  # type: ignore[union-attr]
    released = board.set_lock("A08", False, actor="cashier c1")
    assert released.lock is None
    assert board.set_lock("A08", False, actor="cashier c1").revision == released.revision
    # a lock with an until lapses by itself
    board.set_lock("A08", True, "VIP", clock.now + timedelta(minutes=5), actor="m1")
    clock.advance(5 * 60)
    board.check_can_open("A08")
    with board.store.transaction():
        opened = board.session_opened("A08", "sessions/s2")
    assert opened.state is RoomState.IN_USE
    # an open session cannot be locked; bad reasons and past untils are refused
    with pytest.raises(FailedPrecondition) as refused:
        board.set_lock("A08", True, "late", None, actor="m1")
    assert refused.value.reason == "BAD_ROOM_STATE"
    for reason, until_at in (("", None), ("x" * 201, None), ("ok", clock.now)):
        with pytest.raises(InvalidArgument) as bad:
            board.set_lock("A08", True, reason, until_at, actor="m1")
        assert bad.value.reason == "BAD_LOCK"
