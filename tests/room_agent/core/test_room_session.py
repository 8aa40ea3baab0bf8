"""Commands from the controller: session open/close, pre-selected songs, limits, emergency."""

from __future__ import annotations

import pytest

from ktv.errors import FailedPrecondition, InvalidArgument
from room_agent.core.events import EmergencyChanged, MessageChanged, RoomScreen, ScreenChanged
from room_agent.core.ports import (
    Emergency,
    PlayerState,
    PlayOutcome,
    QueueSongs,
    RoomBusinessState,
    RoomStateChanged,
    SessionClosed,
    SessionOpened,
    ShowMessage,
    SongPlayed,
    VolumeLimit,
)

from .conftest import Room, make_room


def test_a_room_without_a_session_is_locked_and_refuses_orders(room: Room) -> None:
    assert room.core.view().screen is RoomScreen.LOCKED
    with pytest.raises(FailedPrecondition):
        room.core.add_song("s-qingtian")


def test_opening_a_session_unlocks_the_room(room: Room) -> None:
    room.core.handle(SessionOpened("sessions/1", room.clock.utcnow()))
    view = room.core.view()
    assert view.screen is RoomScreen.OPEN and not view.locked
    assert view.session == "sessions/1" and view.session_ends_at is None
    assert room.of(ScreenChanged)[-1] == ScreenChanged(RoomScreen.OPEN, False)


def test_the_same_session_opened_twice_changes_nothing(open_room: Room) -> None:
    open_room.core.add_song("s-qingtian")
    open_room.core.handle(SessionOpened("sessions/1", open_room.clock.utcnow()))
    assert open_room.player.state is PlayerState.PLAYING
    assert open_room.core.view().now_playing is not None


def test_closing_the_session_stops_the_song_clears_the_queue_and_locks(open_room: Room) -> None:
    core = open_room.core
    core.add_song("s-qingtian")
    core.add_song("s-houlai")
    open_room.clock.advance(30)
    core.handle(SessionClosed("sessions/1"))
    view = core.view()
    assert view.screen is RoomScreen.LOCKED
    assert view.queue == () and view.sung == () and view.now_playing is None
    assert open_room.player.state is PlayerState.STOPPED
    played = open_room.sink.events(SongPlayed)
    assert [(p.song_id, p.outcome, p.played_ms) for p in played] == [
        ("s-qingtian", PlayOutcome.STOPPED, 30_000)
    ]
    assert played[0].session == "sessions/1"


def test_closing_is_idempotent_and_a_stale_close_leaves_the_new_session_alone(room: Room) -> None:
    core = room.core
    core.handle(SessionOpened("sessions/2", room.clock.utcnow()))
    core.handle(SessionClosed("sessions/1"))  # an old session's close, delivered late
    assert core.view().screen is RoomScreen.OPEN
    core.handle(SessionClosed("sessions/2"))
    core.handle(SessionClosed("sessions/2"))
    assert core.view().screen is RoomScreen.LOCKED


def test_pre_selected_songs_are_queued_and_the_first_starts(open_room: Room) -> None:
    open_room.core.handle(QueueSongs(("s-houlai", "no-such-song", "s-yiqi")))
    view = open_room.core.view()
    assert view.now_playing is not None and view.now_playing.song.song_id == "s-houlai"
    assert [e.song_id for e in view.queue] == ["s-yiqi"]


def test_pre_booked_songs_wait_for_the_session_and_then_play(room: Room) -> None:
    room.core.handle(QueueSongs(("s-houlai",)))
    assert room.player.state is PlayerState.STOPPED
    room.core.handle(SessionOpened("sessions/1", room.clock.utcnow()))
    assert room.player.song is not None and room.player.song.song_id == "s-houlai"


def test_volume_cap_lowers_a_loud_room_and_holds_guests_under_it(open_room: Room) -> None:
    core = open_room.core
    core.set_volume(90)
    core.handle(VolumeLimit(50))  # late-night cap
    assert open_room.player.volume == 50
    assert core.set_volume(80) == 50
    assert open_room.player.volume == 50
    core.handle(VolumeLimit(100))
    assert open_room.player.volume == 50  # lifting the cap does not blast the room
    assert core.volume_up() == 55


def test_a_volume_cap_out_of_range_is_invalid(open_room: Room) -> None:
    with pytest.raises(InvalidArgument):
        open_room.core.handle(VolumeLimit(150))


def test_a_message_from_the_front_desk_is_shown_then_expires(open_room: Room) -> None:
    core = open_room.core
    core.handle(ShowMessage("您的包厢还有10分钟到期", duration_s=20))
    assert core.view().message == "您的包厢还有10分钟到期"
    open_room.clock.advance(21)
    core.tick()
    assert core.view().message == ""
    assert [e.text for e in open_room.of(MessageChanged)] == ["您的包厢还有10分钟到期", ""]


def test_emergency_pauses_at_once_and_shows_the_evacuation_message(open_room: Room) -> None:
    core = open_room.core
    core.add_song("s-qingtian")
    open_room.clock.advance(10)
    core.handle(Emergency(True, "火警！请从最近的安全出口疏散"))
    assert open_room.player.state is PlayerState.PAUSED
    pause_at = open_room.player.calls[-1]
    assert pause_at.name == "pause" and pause_at.at_s == open_room.clock.now_s
    view = core.view()
    assert view.screen is RoomScreen.EMERGENCY
    assert view.emergency_message == "火警！请从最近的安全出口疏散"
    assert open_room.of(EmergencyChanged)[-1].active
    with pytest.raises(FailedPrecondition):
        core.skip()


def test_emergency_off_resumes_a_song_that_was_playing(open_room: Room) -> None:
    core = open_room.core
    core.add_song("s-qingtian")
    core.handle(Emergency(True))
    core.handle(Emergency(True))  # the alarm repeats
    core.handle(Emergency(False))
    assert open_room.player.state is PlayerState.PLAYING
    assert open_room.player.names().count("resume") == 1
    assert core.view().screen is RoomScreen.OPEN


def test_emergency_off_does_not_start_a_song_the_guests_had_paused(open_room: Room) -> None:
    core = open_room.core
    core.add_song("s-qingtian")
    core.pause()
    core.handle(Emergency(True))
    core.handle(Emergency(False))
    assert open_room.player.state is PlayerState.PAUSED
    assert "resume" not in open_room.player.names()


def test_time_under_emergency_does_not_count_as_sung(open_room: Room) -> None:
    core = open_room.core
    core.add_song("s-qingtian")
    open_room.clock.advance(10)
    core.handle(Emergency(True))
    open_room.clock.advance(600)
    core.handle(Emergency(False))
    open_room.clock.advance(5)
    core.skip()
    assert open_room.sink.events(SongPlayed)[-1].played_ms == 15_000


def test_cleaning_screen_stops_playback_and_locks(open_room: Room) -> None:
    core = open_room.core
    core.add_song("s-qingtian")
    core.handle(SessionClosed("sessions/1"))
    core.handle(RoomStateChanged(RoomBusinessState.CLEANING))
    assert core.view().screen is RoomScreen.CLEANING
    core.handle(RoomStateChanged(RoomBusinessState.MAINTENANCE))
    assert core.view().screen is RoomScreen.MAINTENANCE
    core.handle(RoomStateChanged(RoomBusinessState.IDLE))
    assert core.view().screen is RoomScreen.LOCKED


def test_unknown_command_is_invalid(room: Room) -> None:
    with pytest.raises(InvalidArgument):
        room.core.handle("reboot")  # type: ignore[arg-type]


def test_a_fresh_room_keeps_the_players_volume_and_a_restarted_one_its_own() -> None:
    room = make_room()
    try:
        assert room.core.view().volume_percent == 100  # RecordingPlayer starts at 100
        assert "set_volume" not in room.player.names()
        room.core.handle(SessionOpened("sessions/1", room.clock.utcnow()))
        room.core.set_volume(35)
    finally:
        room.core.close()
    again = make_room(store=room.store)
    try:
        assert again.core.view().volume_percent == 35
        assert again.player.volume == 35
    finally:
        again.core.close()
