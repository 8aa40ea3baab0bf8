"""The room with prepaid time, on fake clocks: badge, warnings on both screens, fade then
pause at 到钟 with the queue kept, resume on 续钟, enforcement with no controller at all."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ktv.errors import FailedPrecondition
from room_agent.core.events import MessageChanged, PlaybackChanged, RoomScreen
from room_agent.core.persistence import MemoryRoomStore
from room_agent.core.ports import (
    PlayerState,
    ServiceCalled,
    SessionClosed,
    SessionOpened,
)
from room_agent.core.room_time import TimeLeftChanged, TimeUpChanged, TimeWarning
from room_agent.core.time_left import TimePhase, TimePolicy

from .conftest import Room, make_timed_room, open_prepaid, run_for


def extend(room: Room, minutes: float, session: str = "sessions/p1") -> None:
    """What the link delivers after `ktvctl extend`: the same session with a later end."""
    end = room.core.view().session_ends_at
    assert end is not None
    new_end = max(end, room.clock.utcnow()) + timedelta(minutes=minutes)
    room.core.handle(SessionOpened(session, room.clock.utcnow(), end_time=new_end))


def singing_room(timed_room: Room, minutes: float) -> Room:
    open_prepaid(timed_room, minutes)
    core = timed_room.core
    for song_id in ("s-qingtian", "s-houlai", "s-yiqi"):
        core.add_song(song_id)
    assert timed_room.player.state is PlayerState.PLAYING
    return timed_room


def test_the_badge_shows_the_time_left_and_moves_each_minute(timed_room: Room) -> None:
    open_prepaid(timed_room, 90)
    assert timed_room.core.time_left().badge_text == "剩余 1:30"
    badges = timed_room.of(TimeLeftChanged)
    assert badges and badges[-1].time_left.minutes_left == 90
    run_for(timed_room, 60, step_s=1)
    assert timed_room.of(TimeLeftChanged)[-1].time_left.minutes_left == 89
    assert len(timed_room.of(TimeLeftChanged)) == len(badges) + 1  # not once per tick


def test_warnings_at_10_and_5_minutes_show_without_stopping_the_song(timed_room: Room) -> None:
    room = singing_room(timed_room, 12)
    run_for(room, 2 * 60 + 1)
    assert [w.minutes for w in room.of(TimeWarning)] == [10]
    assert any("10 分钟" in m.text for m in room.of(MessageChanged))
    run_for(room, 5 * 60)
    assert [w.minutes for w in room.of(TimeWarning)] == [10, 5]
    assert room.player.state is PlayerState.PLAYING
    assert "pause" not in room.player.names()
    assert room.core.time_left().phase is TimePhase.WARNING


def test_at_zero_the_song_fades_out_then_pauses_and_the_queue_is_kept(timed_room: Room) -> None:
    room = singing_room(timed_room, 1)
    queue_before = room.core.view().queue
    run_for(room, 60, step_s=0.5)
    view = room.core.view()
    assert view.screen is RoomScreen.TIME_UP and view.locked
    assert room.of(TimeUpChanged)[-1].up is True
    assert room.player.state is PlayerState.PLAYING  # fading, not yet paused
    run_for(room, 3.5, step_s=0.25)
    assert room.player.state is PlayerState.PAUSED
    fade = [c.args[0] for c in room.player.calls if c.name == "set_volume"][-14:-1]
    assert fade == sorted(fade, reverse=True) and fade[0] > fade[-1] and fade[-1] < 10
    assert room.player.volume == room.core.view().volume_percent  # restored for the resume
    after = room.core.view()
    assert after.queue == queue_before and after.now_playing is not None
    assert after.now_playing.entry.song_id == "s-qingtian"
    with pytest.raises(FailedPrecondition) as refused:
        room.core.add_song("s-yiqi")
    assert refused.value.reason == "TIME_UP"


def test_an_extension_resumes_the_song_where_it_paused_at_once(timed_room: Room) -> None:
    room = singing_room(timed_room, 1)
    run_for(room, 64)
    assert room.player.state is PlayerState.PAUSED
    paused_at = room.player.position_ms()
    room.clock.advance(30)
    extend(room, 60)  # no tick needed: the command itself resumes
    assert room.player.state is PlayerState.PLAYING
    assert room.player.position_ms() == paused_at
    assert room.core.view().screen is RoomScreen.OPEN
    assert room.of(TimeUpChanged)[-1].up is False
    assert room.of(PlaybackChanged)[-1].state is PlayerState.PLAYING
    assert room.core.time_left().minutes_left == 60


def test_an_extension_during_the_fade_restores_the_volume_and_never_pauses(
    timed_room: Room,
) -> None:
    room = singing_room(timed_room, 1)
    volume = room.core.view().volume_percent
    run_for(room, 61)
    assert room.player.volume < volume
    extend(room, 30)
    run_for(room, 10)
    assert room.player.state is PlayerState.PLAYING and room.player.volume == volume
    assert "pause" not in room.player.names()


def test_expiry_and_extension_racing_stop_once_and_ask_the_desk_once(timed_room: Room) -> None:
    room = singing_room(timed_room, 1)
    first = room.core.request_extension("1h")
    again = room.core.request_extension("1h")
    assert first.new and not again.new and again.event_id == first.event_id
    run_for(room, 64)
    extend(room, 60)
    extend(room, 0)  # the same end delivered again (a reconnect's welcome)
    room.core.tick()
    assert room.player.names().count("pause") == 1
    assert room.player.names().count("resume") == 1
    assert [e.up for e in room.of(TimeUpChanged)] == [True, False]
    assert len(room.sink.events(ServiceCalled)) == 1


def test_the_extend_button_reaches_the_desk_even_on_the_time_up_screen(timed_room: Room) -> None:
    open_prepaid(timed_room, 1)
    run_for(timed_room, 61)
    assert timed_room.core.view().screen is RoomScreen.TIME_UP
    request = timed_room.core.request_extension("1h")
    calls = timed_room.sink.events(ServiceCalled)
    assert request.new and calls == [ServiceCalled("extend", "1h")]


def test_a_room_with_no_controller_still_stops_on_time_by_its_own_clock() -> None:
    room = make_timed_room()
    open_prepaid(room, 30)
    room.core.add_song("s-qingtian")
    room.sink.emit = _refuse  # type: ignore[method-assign]  # outbox unreachable too
    run_for(room, 30 * 60 + 4, step_s=2)
    assert room.player.state is PlayerState.PAUSED
    assert room.core.view().screen is RoomScreen.TIME_UP
    room.core.close()


def _refuse(*args: object) -> str:
    raise OSError("disk full")


def test_a_venue_grace_lets_the_song_go_on_past_the_end() -> None:
    room = make_timed_room(policy=TimePolicy(grace_s=120, fade_ms=0))
    open_prepaid(room, 1)
    room.core.add_song("s-houlai")
    run_for(room, 61 + 110, step_s=1)
    assert room.player.state is PlayerState.PLAYING
    assert room.core.time_left().phase is TimePhase.GRACE
    run_for(room, 11, step_s=1)
    assert room.player.state is PlayerState.PAUSED
    room.core.close()


def test_the_end_time_survives_an_agent_restart_and_is_enforced_after_it() -> None:
    store = MemoryRoomStore()
    first = make_timed_room(store)
    open_prepaid(first, 20)
    first.core.add_song("s-qingtian")
    first.core.add_song("s-houlai")
    run_for(first, 60, step_s=5)
    first.core.close()

    # the agent restarted; no controller in sight
    second = make_timed_room(store, started_after_s=first.clock.now_s - 1000.0)
    second_core = second.core
    assert second_core.view().session_ends_at == store.snapshot.session_ends_at
    run_for(second, 19 * 60 + 5, step_s=5)
    assert second_core.view().screen is RoomScreen.TIME_UP
    assert second.player.state is PlayerState.PAUSED
    assert [e.song_id for e in second_core.view().queue] == ["s-houlai"]
    second_core.close()


def test_an_agent_restarted_after_the_end_comes_back_on_the_time_up_screen_song_in_place() -> None:
    store = MemoryRoomStore()
    first = make_timed_room(store)
    open_prepaid(first, 5)
    first.core.add_song("s-qingtian")
    first.core.add_song("s-houlai")
    run_for(first, 100, step_s=5)  # 100 s into 晴天 when the power goes
    first.core.close()
    saved = store.snapshot
    assert saved is not None and saved.session_ends_at is not None

    restarted = make_timed_room(store, started_after_s=600)  # down for 10 minutes
    view = restarted.core.view()
    assert view.screen is RoomScreen.TIME_UP
    assert restarted.player.state is PlayerState.PAUSED
    assert view.now_playing is not None and view.now_playing.entry.song_id == "s-qingtian"
    assert [e.song_id for e in view.queue] == ["s-houlai"]
    extend_end = saved.session_ends_at + timedelta(minutes=70)
    restarted.core.handle(SessionOpened("sessions/p1", restarted.clock.utcnow(), extend_end))
    assert restarted.player.state is PlayerState.PLAYING
    assert restarted.core.view().now_playing.entry.song_id == "s-qingtian"
    assert restarted.player.position_ms() == 100_000  # where it was, not from the top
    restarted.core.close()


def test_checkout_during_time_up_closes_the_room_and_forgets_the_end(timed_room: Room) -> None:
    room = singing_room(timed_room, 1)
    run_for(room, 64)
    room.core.handle(SessionClosed("sessions/p1"))
    assert room.core.view().screen is RoomScreen.LOCKED
    assert room.core.time_left().phase is TimePhase.UNLIMITED
    room.core.handle(SessionOpened("sessions/p2", room.clock.utcnow()))
    run_for(room, 120)
    assert room.core.view().screen is RoomScreen.OPEN


def test_the_touchscreen_adapter_keeps_the_ordering_screens_under_the_time_up_overlay(
    timed_room: Room,
) -> None:
    from room_agent.ui.core_adapter import CoreRoomControl, RoomIdentity
    from room_agent.ui.port import RoomMode
    from room_agent.ui.screens.root import MODE_SCREEN

    control = CoreRoomControl(timed_room.core, RoomIdentity("A08"), timed_room.shelf)
    open_prepaid(timed_room, 1)
    run_for(timed_room, 61)
    assert timed_room.core.view().screen is RoomScreen.TIME_UP
    assert control.room().mode is RoomMode.TIME_UP  # the core's screen, not collapsed
    assert MODE_SCREEN[control.room().mode] == "open"  # the ordering screens stay underneath


def test_an_extension_request_the_outbox_cannot_store_is_a_clear_error(timed_room: Room) -> None:
    from ktv.errors import Unavailable

    open_prepaid(timed_room, 30)
    timed_room.sink.emit = _refuse  # type: ignore[method-assign]
    with pytest.raises(Unavailable, match="call the desk"):
        timed_room.core.request_extension("1h")
    del timed_room.sink.emit
    assert timed_room.core.request_extension("1h").new  # a failed press did not count


def test_a_room_without_a_session_cannot_ask_for_more_time(timed_room: Room) -> None:
    with pytest.raises(FailedPrecondition):
        timed_room.core.request_extension("1h")
    assert timed_room.sink.events(ServiceCalled) == []


def _emergency(room: Room, active: bool) -> None:
    from room_agent.core.ports import Emergency

    room.core.handle(Emergency(active, "消防演习 / fire drill" if active else ""))


def test_time_running_out_during_an_emergency_keeps_the_song_paused_until_extended(
    timed_room: Room,
) -> None:
    room = singing_room(timed_room, 1)
    run_for(room, 30)
    _emergency(room, True)
    assert room.player.state is PlayerState.PAUSED
    run_for(room, 40)
    _emergency(room, False)
    assert room.core.view().screen is RoomScreen.TIME_UP
    assert room.player.state is PlayerState.PAUSED  # the end of the emergency is not a 续钟
    extend(room, 60)
    assert room.player.state is PlayerState.PLAYING


def test_an_extension_during_an_emergency_resumes_when_the_emergency_ends(
    timed_room: Room,
) -> None:
    room = singing_room(timed_room, 1)
    run_for(room, 64)
    _emergency(room, True)
    extend(room, 60)
    assert room.player.state is PlayerState.PAUSED
    _emergency(room, False)
    assert room.player.state is PlayerState.PLAYING
    assert room.core.view().screen is RoomScreen.OPEN


def test_the_end_time_is_kept_in_the_rooms_sqlite_file_across_a_restart(tmp_path) -> None:
    from room_agent.store.room_store import SqliteRoomStore

    store = SqliteRoomStore(tmp_path / "room.db")
    first = make_timed_room(store)  # type: ignore[arg-type]
    open_prepaid(first, 5)
    first.core.add_song("s-qingtian")
    end = first.core.view().session_ends_at
    first.core.close()
    store.close()

    reopened = SqliteRoomStore(tmp_path / "room.db")
    later = make_timed_room(reopened, started_after_s=301)  # type: ignore[arg-type]
    assert later.core.view().session_ends_at == end
    assert later.core.view().screen is RoomScreen.TIME_UP
    assert later.player.state is PlayerState.PAUSED
    later.core.close()
    reopened.close()
