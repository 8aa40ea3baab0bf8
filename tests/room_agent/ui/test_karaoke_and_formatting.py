"""Pure pieces: the karaoke wipe arithmetic, display formatting, the QR matrix."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from room_agent.ui.formatting import key_offset, masked_phone, song_time, yuan
from room_agent.ui.karaoke import wipe_x, wiped_chars
from room_agent.ui.port import LyricsFrame, LyricWord
from room_agent.ui.qr import qr_matrix

WORDS = (LyricWord(1000, 1600, "还"), LyricWord(1600, 2400, "记得"), LyricWord(2400, 3000, "吗"))


def _frame(position_ms: int, words=WORDS) -> LyricsFrame:
    return LyricsFrame(
        line="还记得吗",
        position_ms=position_ms,
        line_start_ms=1000,
        line_end_ms=3000,
        words=words,
    )


@pytest.mark.parametrize(
    ("position_ms", "chars"),
    [(0, 0.0), (1000, 0.0), (1300, 0.5), (1600, 1.0), (2000, 2.0), (2400, 3.0), (3000, 4.0)],
)
def test_word_timed_wipe_moves_through_each_word_in_its_own_time(position_ms, chars):
    assert wiped_chars(_frame(position_ms)) == pytest.approx(chars)


def test_line_without_word_timings_wipes_smoothly_across_the_whole_line():
    assert wiped_chars(_frame(1500, words=())) == pytest.approx(1.0)
    assert wiped_chars(_frame(2000, words=())) == pytest.approx(2.0)
    assert wiped_chars(_frame(9000, words=())) == pytest.approx(4.0)


def test_a_zero_length_line_is_either_unsung_or_sung():
    frame = LyricsFrame(line="啦", position_ms=500, line_start_ms=500, line_end_ms=500)
    assert wiped_chars(frame) == 1.0
    assert wiped_chars(LyricsFrame()) == 0.0


@given(st.integers(min_value=-1000, max_value=5000), st.integers(min_value=0, max_value=500))
def test_the_wipe_never_goes_backwards_or_past_the_line(position_ms, step_ms):
    earlier, later = wiped_chars(_frame(position_ms)), wiped_chars(_frame(position_ms + step_ms))
    assert 0.0 <= earlier <= later <= 4.0


def test_wipe_x_interpolates_inside_a_glyph_with_real_widths():
    widths = [0.0, 40.0, 80.0, 100.0]
    assert wipe_x(widths, 0) == 0
    assert wipe_x(widths, 1.5) == 60.0
    assert wipe_x(widths, 2.5) == 90.0
    assert wipe_x(widths, 7) == 100.0
    assert wipe_x([], 3) == 0.0


def test_display_formats():
    assert song_time(215_000) == "3:35"
    assert song_time(-5) == "0:00"
    assert yuan(1250) == "¥12.50"
    assert yuan(5) == "¥0.05"
    assert yuan(-300) == "-¥3.00"
    assert key_offset(0) == "0" and key_offset(2) == "+2" and key_offset(-1) == "-1"
    assert masked_phone("13800000000") == "138****0000"


def test_booking_qr_encodes_a_square_matrix_with_finder_patterns():
    matrix = qr_matrix("https://ktv.example/rooms/A08/book")
    size = len(matrix)
    assert all(len(row) == size for row in matrix)
    # top-left finder pattern: a dark 7x7 ring starting after the 2-module quiet zone
    assert all(matrix[2][2 + i] for i in range(7))
    assert not any(matrix[0])
