"""Between songs the TV shows the backdrop, so an emergency (or 到钟, or the desk's message)
is seen on the TV even when nothing plays; a song takes the standby picture down."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from room_agent.core.events import SongEnded, SongStarted
from room_agent.core.ports import Emergency
from room_agent.player import PlayerConfig
from room_agent.player.frames import VideoFrames
from room_agent.player.tv import TvStandby, VlcMarquee
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
        deadline = time.monotonic() + timeout_s
        while not check():
            assert time.monotonic() < deadline, "the TV standby never got there"
            time.sleep(0.05)


@pytest.fixture
def standby_room(songs: Songs) -> Iterator[tuple]:  # type: ignore[type-arg]
    room = make_timed_room()
    standby = TvStandby(songs.backdrop, PlayerConfig().instance_args(), delay_s=0.3)
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
    tv.until(lambda: tv.frames_in() > 5)  # the backdrop is up from the start
    picture = tv.tv.picture()
    assert picture[: H // 4].reshape(-1, 3).mean(axis=0)[2] > 20  # dark blue, not black
    room.core.handle(Emergency(True, "紧急疏散 EVACUATE"))
    alarm = look_for(NoticeKind.EMERGENCY).colour_rgb
    deadline = time.monotonic() + 20
    while colour(tv.tv.picture(), alarm)[H // 3 : 2 * H // 3].sum() < 200:
        assert time.monotonic() < deadline, "no emergency on the standby picture"


def test_a_song_takes_the_standby_picture_down_and_it_comes_back_after(standby_room) -> None:  # type: ignore[no-untyped-def]
    room, tv = standby_room
    tv.until(lambda: tv.standby.showing)
    open_prepaid(room, 60)
    room.core.add_song("s-qingtian")
    run_for(room, 1)
    assert any(isinstance(e, SongStarted) for e in room.seen)
    tv.until(lambda: not tv.standby.showing)
    stopped_at = tv.frames_in()
    time.sleep(0.5)
    assert tv.frames_in() - stopped_at <= 2  # no standby picture under the song
    room.player.finish()  # libVLC's end-reached, on its own thread in real life
    room.core.drain()
    assert any(isinstance(e, SongEnded) for e in room.seen)
    tv.until(lambda: tv.standby.showing)
    tv.until(lambda: tv.frames_in() > stopped_at + 5)


def test_the_gap_between_two_songs_does_not_flash_the_standby(songs: Songs) -> None:
    standby = TvStandby(songs.backdrop, PlayerConfig().instance_args(), delay_s=1.0).start()
    try:
        standby.want(False)  # a song started
        time.sleep(0.3)
        standby.want(True)  # it ended...
        time.sleep(0.2)
        standby.want(False)  # ...and the next one started 0.2 s later
        time.sleep(1.5)
        assert not standby.showing
    finally:
        standby.close()


def test_before_the_backdrop_exists_the_standby_waits_for_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from room_agent.player.tv import TvBackdrop

    missing = TvBackdrop(tmp_path / "not-yet.mkv", make=False)
    standby = TvStandby(missing, PlayerConfig().instance_args(), delay_s=0.1).start()
    try:
        time.sleep(0.5)
        assert not standby.showing
    finally:
        standby.close()
