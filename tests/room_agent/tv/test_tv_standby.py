"""Between songs the TV shows the backdrop, so an emergency (or 到钟, or the desk's message)
is seen on the TV even when nothing is playing; a song takes the standby picture down. The
standby runs on the room's manual clock: ``settle()`` after moving it, no sleeps."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator

import pytest

from room_agent.core.events import SongEnded, SongStarted
from room_agent.core.instruments import ManualClock
from room_agent.core.ports import Emergency
from room_agent.player import PlayerConfig
from room_agent.player.frames import VideoFrames
from room_agent.player.tv import TvBackdrop, TvStandby, VlcMarquee
from room_agent.tv.notices import NoticeKind, look_for
from room_agent.tv.overlay import TvOverlay
from tests.room_agent.timeup.conftest import make_timed_room, open_prepaid, run_for
from tests.room_agent.tv.conftest import H, Songs, Tv, colour


class _Standby:
    def __init__(self, standby: TvStandby, frames: VideoFrames) -> None:
        self.standby = standby
        self.tv = Tv(player=None, frames=frames)  # type: ignore[arg-type]

    def frames_in(self) -> int:
        return self.tv.frames.frames_in

    def until(self, check, timeout_s: float = 20.0) -> None:  # type: ignore[no-untyped-def]
        """Polls a picture condition (libVLC renders on its own threads)."""
        deadline = time.monotonic() + timeout_s
        while not check():
            assert time.monotonic() < deadline, "the TV standby never got there"
            time.sleep(0.05)


@pytest.fixture
def standby_room(songs: Songs) -> Iterator[tuple]:  # type: ignore[type-arg]
    room = make_timed_room()
    standby = TvStandby(
        songs.backdrop, PlayerConfig().instance_args(), delay_s=0.3, clock=room.clock
    )
    frames = VideoFrames(640, 360)
    frames.install(standby.player)
    unsubscribe = room.core.subscribe(standby.on_event)
    standby.start()
    overlay = TvOverlay(VlcMarquee([standby.player]), clock=room.clock).attach(room.core)
    try:
        yield room, _Standby(standby, frames)
    finally:
        overlay.close()
        unsubscribe()
        standby.close()
        room.core.close()


def test_an_emergency_with_no_song_playing_is_on_the_tv(standby_room) -> None:  # type: ignore[no-untyped-def]
    room, tv = standby_room
    tv.standby.settle()
    assert tv.standby.showing and tv.standby.shows == 1  # the backdrop is up from the start
    tv.until(lambda: tv.frames_in() > 5)
    picture = tv.tv.picture()
    assert picture[: H // 4].reshape(-1, 3).mean(axis=0)[2] > 20  # dark blue, not black
    room.core.handle(Emergency(True, "紧急疏散 EVACUATE"))
    alarm = look_for(NoticeKind.EMERGENCY).colour_rgb
    deadline = time.monotonic() + 20
    while colour(tv.tv.picture(), alarm)[H // 3 : 2 * H // 3].sum() < 200:
        assert time.monotonic() < deadline, "no emergency on the standby picture"


def test_a_song_takes_the_standby_picture_down_and_it_comes_back_after(standby_room) -> None:  # type: ignore[no-untyped-def]
    room, tv = standby_room
    tv.standby.settle()
    assert tv.standby.showing
    open_prepaid(room, 60)
    room.core.add_song("s-qingtian")
    run_for(room, 1)
    assert any(isinstance(e, SongStarted) for e in room.seen)
    tv.standby.settle()
    assert not tv.standby.showing  # down at once, no clock needed
    assert not tv.standby.player.is_playing()  # no standby picture under the song
    stopped_at = tv.frames_in()
    room.player.finish()  # libVLC's end-reached, on its own thread in real life
    room.core.drain()
    assert any(isinstance(e, SongEnded) for e in room.seen)
    tv.standby.settle()
    assert not tv.standby.showing  # not before the delay (0.3 s of the room's clock)
    run_for(room, 0.5, step_s=0.5)
    tv.standby.settle()
    assert tv.standby.showing and tv.standby.shows == 2
    tv.until(lambda: tv.frames_in() > stopped_at + 5)


def test_the_gap_between_two_songs_does_not_flash_the_standby(songs: Songs) -> None:
    clock = ManualClock()
    standby = TvStandby(
        songs.backdrop, PlayerConfig().instance_args(), delay_s=1.0, clock=clock
    ).start()
    try:
        standby.settle()
        assert standby.shows == 1  # up at start, nothing playing
        standby.want(False)  # a song started
        standby.settle()
        assert not standby.showing
        clock.advance(0.3)
        standby.want(True)  # it ended...
        clock.advance(0.2)
        standby.settle()
        standby.want(False)  # ...and the next one started 0.2 s later
        clock.advance(1.5)
        standby.settle()
        assert not standby.showing and standby.shows == 1  # never put up in the gap
        standby.want(True)  # the last song ended: up after the delay
        clock.advance(1.0)
        standby.settle()
        assert standby.showing and standby.shows == 2
    finally:
        standby.close()


def test_before_the_backdrop_exists_the_standby_waits_for_it(songs: Songs, tmp_path) -> None:  # type: ignore[no-untyped-def]
    clock = ManualClock()
    missing = TvBackdrop(tmp_path / "not-yet.mkv", make=False)
    standby = TvStandby(missing, PlayerConfig().instance_args(), delay_s=0.1, clock=clock).start()
    try:
        standby.settle()
        assert not standby.showing and standby.shows == 0
        shutil.copy(songs.backdrop.path, missing.path)  # the backdrop is made
        standby.settle()
        assert not standby.showing  # not looked for again before the retry interval
        clock.advance(1.0)
        standby.settle()
        assert standby.showing and standby.shows == 1
    finally:
        standby.close()
