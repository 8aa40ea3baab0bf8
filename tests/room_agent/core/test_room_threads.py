"""The core with its own loop thread, poked from many threads at once as in the real agent
(libVLC's event thread, the link's gRPC thread, gpiozero's threads, the Kivy UI)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from room_agent.core.instruments import RecordingPlayer, RecordingSink, SongShelf
from room_agent.core.ports import (
    Emergency,
    PlayerState,
    QueueSongs,
    SessionOpened,
    ShowMessage,
    SongPlayed,
)
from room_agent.core.room import RoomCore

from .conftest import SONGS


def _wait_for(predicate, timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return predicate()


@pytest.fixture
def live() -> Iterator[tuple[RoomCore, RecordingPlayer, RecordingSink]]:
    player = RecordingPlayer(unplayable_paths=frozenset({"/media/broken.mkv"}))
    sink = RecordingSink()
    core = RoomCore(player, sink, SongShelf(SONGS))
    core.start()
    core.handle(SessionOpened("sessions/1", datetime.now(UTC)))
    yield core, player, sink
    core.close()


def _in_thread(name: str, target) -> None:
    thread = threading.Thread(target=target, name=name)
    thread.start()
    thread.join(5)


def test_song_end_on_libvlcs_thread_starts_the_next_song_from_the_core_loop(live) -> None:
    core, player, _ = live
    core.add_song("s-qingtian")
    core.add_song("s-houlai")
    _in_thread("libvlc-events", player.finish)
    assert _wait_for(lambda: player.song is not None and player.song.song_id == "s-houlai")
    play = [c for c in player.calls if c.name == "play"][-1]
    assert play.thread == "room-core"  # never from inside libVLC's callback


def test_emergency_from_the_link_thread_pauses_within_a_second(live) -> None:
    core, player, _ = live
    core.add_song("s-qingtian")
    sent = time.monotonic()
    _in_thread("link", lambda: core.handle(Emergency(True, "火警")))
    assert player.state is PlayerState.PAUSED
    pause = [c for c in player.calls if c.name == "pause"][-1]
    assert pause.at_s - sent < 1.0


def test_many_hands_at_once_leave_a_consistent_room(live) -> None:
    core, player, sink = live
    stop = threading.Event()
    errors: list[BaseException] = []

    rounds: dict[str, int] = {}

    def guard(work):
        def run():
            name = threading.current_thread().name
            try:
                while not stop.is_set():
                    work()
                    rounds[name] = rounds.get(name, 0) + 1
                    time.sleep(0.001)  # yield: let the other hands in between
            except BaseException as exc:
                errors.append(exc)

        return run

    def guest():
        entry = core.add_song("s-yiqi")
        if len(core.view().queue) > 5:
            core.remove_song(entry.entry_id)

    def link():
        core.handle(QueueSongs(("s-houlai", "s-broken")))
        core.handle(ShowMessage("hello", 1))

    def sensors():
        core.door_signal(True)
        core.motion_signal(True)
        core.door_signal(False)

    def libvlc():
        if player.state is PlayerState.PLAYING:
            player.finish()

    threads = [
        threading.Thread(target=guard(work), name=name)
        for name, work in (("ui", guest), ("link", link), ("gpio", sensors), ("libvlc", libvlc))
    ]
    for thread in threads:
        thread.start()
    # every hand has been at it many times, overlapping, and songs have ended (not a fixed
    # second: on a loaded machine a second may be a few rounds)
    assert _wait_for(
        lambda: (
            bool(errors)
            or (
                len(rounds) == 4
                and min(rounds.values()) >= 200
                and len(sink.events(SongPlayed)) > 0
            )
        ),
        60,
    )
    stop.set()
    for thread in threads:
        thread.join(5)
    core.drain()
    assert errors == []
    view = core.view()
    ids = [e.entry_id for e in view.queue]
    assert len(ids) == len(set(ids))
    assert len(sink.events(SongPlayed)) > 0
    assert view.now_playing is None or view.now_playing.song.song_id != "s-broken"


def test_closing_the_core_stops_its_loop_thread() -> None:
    core = RoomCore(RecordingPlayer(), RecordingSink(), SongShelf(SONGS))
    core.start()
    assert any(t.name == "room-core" for t in threading.enumerate())
    core.close()
    core.close()
    assert not any(t.name == "room-core" for t in threading.enumerate())


def test_starting_twice_restores_once() -> None:
    player = RecordingPlayer()
    core = RoomCore(player, RecordingSink(), SongShelf(SONGS))
    core.start(run_loop=False)
    core.handle(SessionOpened("sessions/1", datetime.now(UTC)))
    core.add_song("s-qingtian")
    core.start(run_loop=False)
    assert player.names().count("play") == 1
    core.close()


def test_a_player_that_throws_once_does_not_stop_the_loop() -> None:
    player = RecordingPlayer()
    core = RoomCore(player, RecordingSink(), SongShelf(SONGS))
    core.start()
    try:
        core.handle(SessionOpened("sessions/1", datetime.now(UTC)))
        core.add_song("s-qingtian")
        core.add_song("s-houlai")
        real_status = player.status
        calls = {"n": 0}

        def flaky_status():
            calls["n"] += 1
            if calls["n"] == 1:
                raise RuntimeError("libvlc hiccup")
            return real_status()

        player.status = flaky_status  # type: ignore[method-assign]
        assert _wait_for(lambda: calls["n"] >= 3)  # the loop kept ticking after the error
        _in_thread("libvlc-events", player.finish)
        assert _wait_for(lambda: player.song is not None and player.song.song_id == "s-houlai")
    finally:
        core.close()
