"""What the room does at its end follows the venue's plan (sent with SessionOpened): a
continue_hourly plan keeps singing, billed as overtime, with no grace set by hand on the
agent; a require_renewal plan stops at 到钟. A 续钟 request to the desk survives an agent
restart and is never sent twice. Fake clocks, the real core."""

from __future__ import annotations

from datetime import timedelta

from room_agent.core.events import RoomScreen
from room_agent.core.persistence import MemoryRoomStore
from room_agent.core.ports import PlayerState, ServiceCalled, SessionOpened
from room_agent.core.time_left import TimePhase, TimePolicy
from tests.room_agent.timeup.conftest import Room, make_timed_room, run_for


def open_with_plan(room: Room, minutes: float, continues: bool | None) -> None:
    end = room.clock.utcnow() + timedelta(minutes=minutes)
    room.core.handle(
        SessionOpened("sessions/p1", room.clock.utcnow(), end, continues_after_end=continues)
    )
    room.core.add_song("s-qingtian")
    room.core.add_song("s-houlai")
    assert room.player.state is PlayerState.PLAYING


def test_a_continue_hourly_plan_keeps_the_room_singing_past_the_end_without_any_agent_grace() -> (
    None
):
    room = make_timed_room(policy=TimePolicy(grace_s=0, fade_ms=0))
    open_with_plan(room, 1, continues=True)
    run_for(room, 60 + 30 * 60, step_s=5)  # half an hour of overtime
    assert room.player.state is PlayerState.PLAYING
    assert room.core.view().screen is RoomScreen.OPEN
    left = room.core.time_left()
    assert left.phase is TimePhase.OVERTIME and "超时" in left.badge_text
    room.core.close()


def test_a_require_renewal_plan_stops_at_the_end() -> None:
    room = make_timed_room(policy=TimePolicy(grace_s=0, fade_ms=0))
    open_with_plan(room, 1, continues=False)
    run_for(room, 61, step_s=1)
    assert room.player.state is PlayerState.PAUSED
    assert room.core.view().screen is RoomScreen.TIME_UP
    room.core.close()


def test_a_controller_that_does_not_say_leaves_the_agents_own_setting() -> None:
    room = make_timed_room(policy=TimePolicy(grace_s=0, fade_ms=0))
    open_with_plan(room, 1, continues=True)
    end = room.core.view().session_ends_at
    room.core.handle(SessionOpened("sessions/p1", room.clock.utcnow(), end))  # a reconnect
    run_for(room, 90, step_s=1)
    assert room.player.state is PlayerState.PLAYING
    room.core.close()


def test_a_plan_that_switches_to_continue_lifts_a_time_up_and_the_song_resumes() -> None:
    room = make_timed_room(policy=TimePolicy(grace_s=0, fade_ms=0))
    open_with_plan(room, 1, continues=False)
    run_for(room, 61, step_s=1)
    assert room.player.state is PlayerState.PAUSED
    end = room.core.view().session_ends_at
    room.core.handle(
        SessionOpened("sessions/p1", room.clock.utcnow(), end, continues_after_end=True)
    )
    assert room.player.state is PlayerState.PLAYING
    assert room.core.view().screen is RoomScreen.OPEN
    room.core.close()


def test_the_plans_policy_survives_an_agent_restart() -> None:
    store = MemoryRoomStore()
    first = make_timed_room(store, policy=TimePolicy(grace_s=0, fade_ms=0))
    open_with_plan(first, 1, continues=True)
    first.core.close()
    later = make_timed_room(store, TimePolicy(grace_s=0, fade_ms=0), started_after_s=300)
    assert later.core.view().screen is RoomScreen.OPEN  # past the end, still singing
    assert later.core.time_left().phase is TimePhase.OVERTIME
    later.core.close()


def test_a_pending_extension_request_survives_a_restart_and_is_not_sent_twice(tmp_path) -> None:
    from room_agent.store.room_store import SqliteRoomStore

    store = SqliteRoomStore(tmp_path / "room.db")
    first = make_timed_room(store)  # type: ignore[arg-type]
    open_with_plan(first, 30, continues=False)
    asked = first.core.request_extension("1h")
    assert asked.new
    first.core.close()
    store.close()

    reopened = SqliteRoomStore(tmp_path / "room.db")
    later = make_timed_room(reopened, started_after_s=60)  # type: ignore[arg-type]
    pending = later.core.pending_extension()
    assert pending is not None and pending.event_id == asked.event_id and pending.note == "1h"
    again = later.core.request_extension("1h")
    assert not again.new and again.event_id == asked.event_id
    extends = first.sink.events(ServiceCalled) + later.sink.events(ServiceCalled)
    assert [(e.kind, e.note) for e in extends] == [("extend", "1h")]
    # the desk's extension answers it: the next request is a new one
    end = later.core.view().session_ends_at
    later.core.handle(SessionOpened("sessions/p1", later.clock.utcnow(), end + timedelta(hours=1)))
    assert later.core.pending_extension() is None
    assert later.core.request_extension("30m").new
    later.core.close()
    reopened.close()
