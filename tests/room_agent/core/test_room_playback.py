"""Singing: the queue plays through, skip, replay, pause, vocal, key, failures, play events."""

from __future__ import annotations

import pytest

from ktv.errors import FailedPrecondition, InvalidArgument, NotFound, Unsupported
from room_agent.core.events import (
    KeyChanged,
    LyricsLine,
    QueueChanged,
    SongEnded,
    SongStarted,
    VocalChanged,
)
from room_agent.core.instruments import ManualClock, RecordingPlayer, RecordingSink, SongShelf
from room_agent.core.ports import (
    PlayerState,
    PlayOutcome,
    ServiceCalled,
    SessionOpened,
    SongPlayed,
    VocalSwitch,
)
from room_agent.core.room import RoomCore
from room_agent.lyrics import parse_lrc

from .conftest import SONGS, Room, make_room


def _playing(room: Room) -> str | None:
    view = room.core.view()
    return view.now_playing.song.song_id if view.now_playing else None


def test_ordering_a_song_in_an_idle_room_starts_it(open_room: Room) -> None:
    open_room.core.add_song("s-qingtian")
    assert _playing(open_room) == "s-qingtian"
    assert open_room.core.view().queue == ()
    assert open_room.names()[-3:] == ["song_started", "playback_changed", "queue_changed"]


def test_ordering_an_unknown_song_is_not_found(open_room: Room) -> None:
    with pytest.raises(NotFound):
        open_room.core.add_song("nope")


def test_next_song_starts_when_one_ends_and_the_play_is_reported(open_room: Room) -> None:
    core = open_room.core
    started = open_room.clock.utcnow()
    core.add_song("s-qingtian")
    core.add_song("s-houlai")
    open_room.clock.advance(269)
    open_room.player.finish()  # libVLC's end-reached, on its own thread in real life
    core.drain()
    assert _playing(open_room) == "s-houlai"
    (played,) = open_room.sink.events(SongPlayed)
    assert played.song_id == "s-qingtian" and played.title == "晴天"
    assert played.outcome is PlayOutcome.COMPLETED and played.played_ms == 269_000
    assert played.session == "sessions/1"
    assert played.start_time == started
    assert [s.song_id for s in core.view().sung] == ["s-qingtian"]


def test_skip_reports_a_skipped_play_and_moves_on(open_room: Room) -> None:
    core = open_room.core
    core.add_song("s-qingtian")
    core.add_song("s-houlai")
    open_room.clock.advance(42)
    core.skip()
    assert _playing(open_room) == "s-houlai"
    played = open_room.sink.events(SongPlayed)[-1]
    assert (played.outcome, played.played_ms) == (PlayOutcome.SKIPPED, 42_000)


def test_skipping_the_last_song_stops_playback(open_room: Room) -> None:
    core = open_room.core
    core.add_song("s-qingtian")
    core.skip()
    assert _playing(open_room) is None
    assert open_room.player.state is PlayerState.STOPPED


def test_a_file_that_fails_to_open_is_skipped_with_a_message_and_the_queue_goes_on(
    open_room: Room,
) -> None:
    core = open_room.core
    core.add_song("s-qingtian")
    core.add_song("s-broken")
    core.add_song("s-houlai")
    core.skip()  # 晴天 skipped -> 坏掉的歌 fails to open (player calls back) -> 后来
    core.drain()
    assert _playing(open_room) == "s-houlai"
    outcomes = [(p.song_id, p.outcome) for p in open_room.sink.events(SongPlayed)]
    assert outcomes == [("s-qingtian", PlayOutcome.SKIPPED), ("s-broken", PlayOutcome.FAILED)]
    assert "cannot open" in open_room.sink.events(SongPlayed)[-1].error
    assert "坏掉的歌" in core.view().message
    assert [s.song_id for s in core.view().sung] == ["s-qingtian"]  # a failure was not sung


def test_a_song_gone_from_the_catalog_is_skipped_and_the_queue_goes_on(open_room: Room) -> None:
    core = open_room.core
    core.add_song("s-qingtian")
    core.add_song("s-houlai")
    open_room.shelf._songs.pop("s-houlai")  # the catalog was updated under the room
    core.add_song("s-yiqi")
    core.skip()
    assert _playing(open_room) == "s-yiqi"
    assert open_room.sink.events(SongPlayed)[-1].outcome is PlayOutcome.FAILED


def test_a_decoder_error_mid_song_is_a_failed_play(open_room: Room) -> None:
    core = open_room.core
    core.add_song("s-qingtian")
    core.add_song("s-houlai")
    open_room.clock.advance(3)
    open_room.player.fail("corrupt stream")
    core.drain()
    played = open_room.sink.events(SongPlayed)[-1]
    assert (played.outcome, played.error, played.played_ms) == (
        PlayOutcome.FAILED,
        "corrupt stream",
        3000,
    )
    assert _playing(open_room) == "s-houlai"


def test_a_late_end_callback_for_a_skipped_song_is_ignored(open_room: Room) -> None:
    core = open_room.core
    core.add_song("s-qingtian")
    core.add_song("s-houlai")
    core.skip()
    core._player_ended("s-qingtian")  # libVLC's end for the old song, arriving late
    core.drain()
    assert _playing(open_room) == "s-houlai"


def test_priority_order_plays_before_the_rest(open_room: Room) -> None:
    core = open_room.core
    core.add_song("s-qingtian")
    core.add_song("s-houlai")
    core.add_song("s-yiqi", at_top=True)
    assert [e.song_id for e in core.view().queue] == ["s-yiqi", "s-houlai"]
    core.skip()
    assert _playing(open_room) == "s-yiqi"


def test_queue_edits_are_published(open_room: Room) -> None:
    core = open_room.core
    core.add_song("s-qingtian")
    a = core.add_song("s-houlai")
    b = core.add_song("s-yiqi")
    core.move_to_top(b.entry_id)
    core.remove_song(a.entry_id)
    last = open_room.of(QueueChanged)[-1]
    assert [e.song_id for e in last.queue] == ["s-yiqi"]
    core.clear_queue()
    assert open_room.of(QueueChanged)[-1].queue == ()


def test_replay_starts_the_song_over_in_the_same_play(open_room: Room) -> None:
    core = open_room.core
    core.add_song("s-qingtian")
    open_room.clock.advance(60)
    core.replay()
    assert open_room.player.calls[-1].name == "seek" and open_room.player.position_ms() == 0
    assert open_room.of(SongStarted)[-1].replay
    open_room.clock.advance(10)
    core.skip()
    assert open_room.sink.events(SongPlayed)[-1].played_ms == 70_000


def test_pause_and_resume(open_room: Room) -> None:
    core = open_room.core
    core.add_song("s-qingtian")
    core.toggle_pause()
    assert open_room.player.state is PlayerState.PAUSED
    core.toggle_pause()
    assert open_room.player.state is PlayerState.PLAYING


def test_vocal_toggle_switches_between_original_and_accompaniment(open_room: Room) -> None:
    core = open_room.core
    core.add_song("s-qingtian")
    assert core.toggle_vocal() is VocalSwitch.ORIGINAL
    assert core.toggle_vocal() is VocalSwitch.ACCOMPANIMENT
    assert [e.vocal for e in open_room.of(VocalChanged)] == [
        VocalSwitch.ORIGINAL,
        VocalSwitch.ACCOMPANIMENT,
    ]


def test_vocal_toggle_on_a_one_mix_song_says_unavailable(open_room: Room) -> None:
    open_room.core.add_song("s-yiqi")
    assert open_room.core.toggle_vocal() is VocalSwitch.UNAVAILABLE


def test_key_chosen_for_a_song_is_applied_when_it_is_sung_again(open_room: Room) -> None:
    core = open_room.core
    core.add_song("s-houlai")
    core.key_down()
    assert core.key_down() == -2
    core.skip()
    core.add_song("s-qingtian")
    assert open_room.player.calls[-1].args == ("s-qingtian", 0, 0)
    core.skip()
    core.add_song("s-houlai")
    assert open_room.player.calls[-1].name == "play"
    assert open_room.player.calls[-1].args == ("s-houlai", 0, -2)
    assert open_room.of(SongStarted)[-1].key_semitones == -2
    assert open_room.of(KeyChanged)[-1].semitones == -2


def test_sing_again_from_history_comes_back_in_its_key(open_room: Room) -> None:
    core = open_room.core
    core.add_song("s-houlai")
    core.set_key(3)
    core.skip()
    core.sing_again(0)
    assert open_room.player.calls[-1].args == ("s-houlai", 0, 3)


def test_key_beyond_the_range_is_refused(open_room: Room) -> None:
    open_room.core.add_song("s-houlai")
    with pytest.raises(InvalidArgument):
        open_room.core.set_key(9)


def test_key_change_unsupported_by_the_player_is_said_and_not_remembered() -> None:
    room = make_room(key_supported=False)
    room.core.handle(SessionOpened("sessions/1", room.clock.utcnow()))
    room.core.add_song("s-houlai")
    with pytest.raises(Unsupported):
        room.core.key_up()
    assert room.core.view().now_playing.key_semitones == 0


def test_controls_need_a_song(open_room: Room) -> None:
    with pytest.raises(FailedPrecondition):
        open_room.core.skip()


def test_play_events_reach_listeners_in_order(open_room: Room) -> None:
    core = open_room.core
    core.add_song("s-qingtian")
    core.skip()
    ended = open_room.of(SongEnded)
    assert [(e.entry.song_id, e.outcome) for e in ended] == [("s-qingtian", PlayOutcome.SKIPPED)]


def test_lyrics_lines_are_published_as_the_song_plays() -> None:
    lrc = parse_lrc("[00:01.00]第一句\n[00:03.00]第二句\n")
    clock = ManualClock()
    player = RecordingPlayer(clock)
    core = RoomCore(
        player,
        RecordingSink(),
        SongShelf(SONGS),
        lyrics=lambda song: lrc,
        monotonic=clock,
        utcnow=clock.utcnow,
    )
    lines: list[LyricsLine] = []
    core.subscribe(lambda e: lines.append(e) if isinstance(e, LyricsLine) else None)
    core.start(run_loop=False)
    core.handle(SessionOpened("sessions/1", clock.utcnow()))
    core.add_song("s-qingtian")
    for _ in range(40):
        clock.advance(0.1)
        core.tick()
    texts = [e.moment.current.text if e.moment.current else None for e in lines]
    assert texts == [None, "第一句", "第二句"]
    view = core.lyric_view()
    assert view is not None and view.current is not None and view.current.text == "第二句"
    core.close()


def test_service_call_goes_to_the_controller(open_room: Room) -> None:
    open_room.core.call_service("water", "两瓶矿泉水")
    assert open_room.sink.events(ServiceCalled) == [ServiceCalled("water", "两瓶矿泉水")]


def test_a_broken_outbox_never_stops_the_music(open_room: Room) -> None:
    def refuse(event, occurred_at):
        raise OSError("disk full")

    open_room.sink.emit = refuse  # type: ignore[method-assign]
    open_room.core.add_song("s-qingtian")
    open_room.core.add_song("s-houlai")
    open_room.core.skip()
    assert _playing(open_room) == "s-houlai"


def test_a_listener_that_raises_does_not_break_the_room(open_room: Room) -> None:
    def broken(event):
        raise RuntimeError("ui bug")

    open_room.core.subscribe(broken)
    open_room.core.add_song("s-qingtian")
    assert _playing(open_room) == "s-qingtian"
