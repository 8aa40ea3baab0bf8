"""Notices on the TV: the time left, the warnings, 到钟, the desk's messages and the emergency,
drawn by libVLC's marquee over the music video while the song goes on (frames as libVLC
renders them for the TV)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from room_agent.core.events import EmergencyChanged
from room_agent.core.instruments import ManualClock
from room_agent.core.ports import Emergency, PlayerState, ShowMessage
from room_agent.player.tv import VlcMarquee
from room_agent.tv.notices import NoticeKind, TvNotice, look_for
from room_agent.tv.overlay import TvOverlay
from tests.room_agent.timeup.conftest import make_timed_room, open_prepaid, run_for
from tests.room_agent.tv.conftest import H, Songs, Tv, colour, lyric_pixels, sung

TOP = slice(0, H // 3)
MIDDLE = slice(H // 3, 2 * H // 3)


def _amber(picture):  # type: ignore[no-untyped-def]
    return colour(picture, look_for(NoticeKind.WARNING).colour_rgb)


def _alarm(picture):  # type: ignore[no-untyped-def]
    return colour(picture, look_for(NoticeKind.EMERGENCY).colour_rgb, tolerance=50)


def _white(picture):  # type: ignore[no-untyped-def]
    return (picture > 220).all(axis=2)


def _soon(tv: Tv, check, timeout_s: float = 20.0):  # type: ignore[no-untyped-def]
    """The first picture for which ``check`` holds (libVLC draws a new notice within a frame
    or two; generous for a loaded machine)."""
    deadline = time.monotonic() + timeout_s
    while True:
        picture = tv.picture()
        if check(picture):
            return picture
        assert time.monotonic() < deadline, "the TV never showed it"


@pytest.fixture
def marquee(tv: Tv) -> VlcMarquee:
    return VlcMarquee(tv.player.video_players())


def test_the_5_minute_warning_is_drawn_over_the_song_and_the_song_goes_on(
    tv: Tv, songs: Songs, marquee: VlcMarquee
) -> None:
    tv.player.play(songs.with_lyrics)
    before = tv.at(1500)
    assert _amber(before).sum() == 0
    marquee.show_notice(TvNotice("还剩 5 分钟 / 5 min left", NoticeKind.WARNING))
    shown = _soon(tv, lambda p: _amber(p)[TOP].sum() > 150)
    assert _amber(shown)[MIDDLE].sum() == 0  # at the top, out of the lyrics' way
    at = tv.player.status().position_ms
    later = tv.at(at + 1000)
    assert tv.player.status().state is PlayerState.PLAYING
    assert _amber(later)[TOP].sum() > 150 and sung(later).sum() > 50  # notice + wiping lyrics


def test_the_emergency_is_drawn_in_red_in_the_middle_even_on_a_paused_song(
    tv: Tv, songs: Songs, marquee: VlcMarquee
) -> None:
    tv.player.play(songs.with_lyrics)
    tv.at(1000)
    tv.player.pause()  # the core pauses the song at an emergency
    marquee.show_notice(TvNotice("紧急情况，请有序疏散 / EVACUATE", NoticeKind.EMERGENCY))
    shown = _soon(tv, lambda p: _alarm(p)[MIDDLE].sum() > 200)
    assert _alarm(shown)[TOP].sum() < _alarm(shown)[MIDDLE].sum()
    marquee.clear_notice()
    _soon(tv, lambda p: _alarm(p).sum() == 0)


def test_a_notice_set_before_the_song_shows_on_the_next_song_too(
    tv: Tv, songs: Songs, marquee: VlcMarquee
) -> None:
    marquee.show_notice(TvNotice("生日快乐 A08", NoticeKind.MESSAGE))
    tv.player.play(songs.without_lyrics)
    tv.at(800)
    _soon(tv, lambda p: _white(p)[TOP].sum() > 150)
    tv.player.play(songs.with_lyrics)
    tv.at(600)
    _soon(tv, lambda p: _white(p)[TOP].sum() > 150)


def test_a_timed_notice_goes_away_by_itself(tv: Tv, songs: Songs) -> None:
    clock = ManualClock()
    marquee = VlcMarquee(tv.player.video_players(), clock=clock)
    tv.player.play(songs.without_lyrics)
    tv.at(500)
    # 1 s from the marquee's clock: libVLC's own marquee timeout takes it down, not our code
    marquee.show_notice(TvNotice("请到前台", NoticeKind.MESSAGE, until_s=clock() + 1.0))
    _soon(tv, lambda p: _white(p)[TOP].sum() > 100)
    gone = _soon(tv, lambda p: _white(p).sum() == 0)
    assert _white(gone).sum() == 0 and marquee.shown is not None  # nobody cleared it


@pytest.fixture
def overlay_room(tv: Tv, marquee: VlcMarquee) -> Iterator[tuple]:  # type: ignore[type-arg]
    room = make_timed_room()
    overlay = TvOverlay(marquee, clock=room.clock).attach(room.core)
    try:
        yield room, overlay
    finally:
        overlay.close()
        room.core.close()


def test_the_rooms_time_drives_the_tv_badge_warning_time_up_and_emergency(
    tv: Tv, songs: Songs, overlay_room
) -> None:  # type: ignore[no-untyped-def]
    room, overlay = overlay_room
    tv.player.play(songs.with_lyrics)
    tv.at(500)
    open_prepaid(room, 11)  # 11 minutes bought
    assert overlay.shown is None  # no badge above the last 10 minutes
    run_for(room, 61, step_s=1)  # 10 minutes left: the warning, in the core's words
    assert overlay.shown is not None and overlay.shown.kind is NoticeKind.WARNING
    _soon(tv, lambda p: _amber(p)[TOP].sum() > 150)
    run_for(room, 31, step_s=1)  # the core takes its message down: the badge is left
    assert overlay.shown is not None and overlay.shown.kind is NoticeKind.BADGE
    badge = look_for(NoticeKind.BADGE).colour_rgb
    _soon(tv, lambda p: colour(p, badge)[TOP, tv_right_half(p)].sum() > 80)
    room.core.handle(Emergency(True, "紧急疏散 EVACUATE"))
    assert isinstance(room.seen[-1], EmergencyChanged) or overlay.shown.kind is NoticeKind.EMERGENCY
    _soon(tv, lambda p: _alarm(p)[MIDDLE].sum() > 200)
    room.core.handle(Emergency(False))
    _soon(tv, lambda p: _alarm(p).sum() == 0)
    room.core.handle(ShowMessage("生日快乐", duration_s=60))
    assert overlay.shown is not None and overlay.shown.text.split("\n")[0] == "生日快乐"
    assert overlay.shown.text.split("\n")[1].startswith("剩余")  # the badge stacked under it
    run_for(room, 10 * 60, step_s=5)  # past the end: 到钟
    assert overlay.shown is not None and overlay.shown.kind is NoticeKind.TIME_UP
    time_up = look_for(NoticeKind.TIME_UP).colour_rgb
    _soon(tv, lambda p: colour(p, time_up)[MIDDLE].sum() > 150)
    assert lyric_pixels(tv.picture()).sum() > 0  # the TV song itself was not touched


def tv_right_half(picture):  # type: ignore[no-untyped-def]
    return slice(picture.shape[1] // 2, None)
