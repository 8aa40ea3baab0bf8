"""Several notices on the TV at once: the time-left badge, a desk message and the desk's
answer to a service call stack as lines of one marquee at the top (none hides another, the
lyrics stay at the bottom), and each line goes at its own time (frames as libVLC renders
them for the TV)."""

from __future__ import annotations

import time

import numpy as np

from room_agent.core.ports import ServiceAcknowledged, ShowMessage
from room_agent.player.tv import VlcMarquee
from room_agent.tv import settings
from room_agent.tv.notices import SERVICE_TEXT, NoticeKind, look_for
from room_agent.tv.overlay import TvOverlay
from tests.room_agent.timeup.conftest import make_timed_room, open_prepaid, run_for
from tests.room_agent.tv.conftest import H, Songs, Tv, colour, sung

TOP = slice(0, H // 2)


def text_lines(mask: np.ndarray, min_gap_rows: int = 3) -> int:
    """How many lines of text ``mask`` holds: bands of rows with text, split by blank rows."""
    rows = np.nonzero(mask.sum(axis=1) >= 2)[0]
    if len(rows) == 0:
        return 0
    return 1 + int((np.diff(rows) > min_gap_rows).sum())


def _soon(tv: Tv, check, timeout_s: float = 20.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while True:
        picture = tv.picture()
        if check(picture):
            return picture
        assert time.monotonic() < deadline, "the TV never showed it"


def test_three_notices_at_once_are_all_on_the_picture_and_each_goes_at_its_time(
    tv: Tv, songs: Songs
) -> None:
    room = make_timed_room()
    marquee = VlcMarquee(tv.player.video_players(), clock=room.clock)
    overlay = TvOverlay(marquee, clock=room.clock).attach(room.core)
    white = look_for(NoticeKind.MESSAGE).colour_rgb
    amber = look_for(NoticeKind.BADGE).colour_rgb
    try:
        tv.player.play(songs.with_lyrics)
        tv.at(500)
        open_prepaid(room, 8)  # the last minutes: the 10-minute warning, then the badge
        run_for(room, 31, step_s=1)
        assert overlay.shown is not None and overlay.shown.kind is NoticeKind.BADGE
        room.core.handle(ShowMessage("生日快乐 A08", duration_s=20))
        room.core.handle(ServiceAcknowledged(staff="小李", call_kind="service"))
        shown = overlay.shown
        assert shown is not None and shown.kind is NoticeKind.MESSAGE
        lines = shown.text.split("\n")
        assert lines[0] == "生日快乐 A08" and lines[1].startswith(SERVICE_TEXT)
        assert lines[2].startswith("剩余") and len(lines) == 3
        _soon(tv, lambda p: text_lines(colour(p, white, 40)[TOP]) == 3)
        later = tv.at(2500)  # the song goes on: all three still up, the lyrics wipe below
        assert text_lines(colour(later, white, 40)[TOP]) == 3
        assert sung(later)[H // 2 :].sum() > 50 and sung(later)[TOP].sum() == 0

        run_for(room, settings.service_answered_shown_s + 0.5, step_s=0.5)  # the ack goes
        overlay.refresh()  # what the overlay's 0.5 s timer does
        assert overlay.shown is not None and SERVICE_TEXT not in overlay.shown.text
        assert overlay.shown.text.count("\n") == 1
        _soon(tv, lambda p: text_lines(colour(p, white, 40)[TOP]) == 2)

        run_for(room, 20, step_s=1)  # the desk message's seconds are over: the badge stays
        overlay.refresh()
        assert overlay.shown is not None and overlay.shown.kind is NoticeKind.BADGE
        assert "\n" not in overlay.shown.text
        one = _soon(tv, lambda p: text_lines(colour(p, white, 40)[TOP]) == 0)
        assert text_lines(colour(one, amber, 40)[TOP]) == 1
    finally:
        overlay.close()
        room.core.close()
