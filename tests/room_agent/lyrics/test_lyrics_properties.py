"""Properties that hold for any input (hypothesis): the parser never fails and always gives a
clean timeline; the clock never runs backwards without a reason; the ASS wipe adds up."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from room_agent.lyrics import LyricTimeline, PlaybackClock, parse_lrc
from room_agent.lyrics.ass import lyrics_to_ass


def _stamp(ms: int) -> str:
    return f"{ms // 60000:02d}:{ms // 1000 % 60:02d}.{ms % 1000 // 10:02d}"


lrc_line = st.one_of(
    st.text(max_size=30),  # anything at all, including junk and brackets
    st.builds(
        lambda stamps, text: "".join(f"[{_stamp(ms)}]" for ms in stamps) + text,
        st.lists(st.integers(0, 600_000), min_size=1, max_size=3),
        st.text(max_size=12),
    ),
    st.builds(
        lambda start, words: (
            f"[{_stamp(start)}]" + "".join(f"<{_stamp(start + d)}>{w}" for d, w in words)
        ),
        st.integers(0, 600_000),
        st.lists(st.tuples(st.integers(0, 20_000), st.text(max_size=3)), max_size=6),
    ),
    st.sampled_from(["[offset:+500]", "[offset:-300]", "[ti:歌]", "[length:03:00.00]", ""]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(lrc_line, max_size=25))
def test_any_text_parses_into_sorted_non_overlapping_lines(lines: list[str]) -> None:
    lyrics = parse_lrc("\n".join(lines))
    starts = [line.start_ms for line in lyrics.lines]
    assert starts == sorted(starts)
    assert len(set(starts)) == len(starts)
    for line, following in zip(lyrics.lines, lyrics.lines[1:], strict=False):
        assert line.start_ms <= line.end_ms <= following.start_ms
    for line in lyrics.lines:
        assert line.text
        for word in line.words:
            assert line.start_ms <= word.start_ms <= word.end_ms <= line.end_ms


@settings(max_examples=100, deadline=None)
@given(st.lists(lrc_line, max_size=25), st.integers(0, 700_000))
def test_lyric_view_progress_is_always_between_0_and_1(lines: list[str], at_ms: int) -> None:
    moment = LyricTimeline(parse_lrc("\n".join(lines))).at(at_ms)
    assert 0.0 <= moment.line_progress <= 1.0
    assert 0.0 <= moment.word_progress <= 1.0
    if moment.current is not None:
        assert moment.current.start_ms <= at_ms < moment.current.end_ms


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0.001, 0.4), st.integers(-120, 400), st.booleans()),
        min_size=1,
        max_size=60,
    )
)
def test_clock_never_goes_backwards_under_jitter(steps: list[tuple[float, int, bool]]) -> None:
    """Player times that wobble (late, early, paused) but never jump: output is monotonic."""
    clock = PlaybackClock(jump_threshold_ms=1500)
    now_s, player_ms, last = 0.0, 0, 0
    for dt_s, wobble_ms, playing in steps:
        now_s += dt_s
        if playing:
            player_ms = max(player_ms, player_ms + round(dt_s * 1000) + wobble_ms)
        clock.sample(player_ms, now_s, playing=playing)
        position = clock.position_ms(now_s)
        assert position >= last
        last = position


@settings(max_examples=100, deadline=None)
@given(st.lists(lrc_line, max_size=20))
def test_ass_wipe_of_each_line_adds_up_to_its_span(lines: list[str]) -> None:
    lyrics = parse_lrc("\n".join(lines))
    dialogues = [d for d in lyrics_to_ass(lyrics).splitlines() if d.startswith("Dialogue:")]
    assert len(dialogues) == len(lyrics.lines)
    for line, dialogue in zip(lyrics.lines, dialogues, strict=True):
        start, end = dialogue.split(",")[1:3]
        span_cs = _cs(end) - _cs(start)
        ks = [int(n) for n in re.findall(r"\{\\kf?(\d+)\}", dialogue)]
        assert all(k >= 0 for k in ks)
        assert abs(sum(ks) - span_cs) <= 1, (line, dialogue)


def _cs(stamp: str) -> int:
    h, m, s = stamp.split(":")
    return round((int(h) * 3600 + int(m) * 60 + float(s)) * 100)
