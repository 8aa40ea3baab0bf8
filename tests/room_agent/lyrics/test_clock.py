"""The lyric clock between libVLC's coarse time updates, with a hand-driven monotonic clock."""

from __future__ import annotations

import itertools

from room_agent.lyrics import LyricTimeline, PlaybackClock, parse_lrc


def test_clock_interpolates_between_coarse_player_updates() -> None:
    clock = PlaybackClock()
    clock.sample(0, 10.0, playing=True)
    assert clock.position_ms(10.1) == 100
    clock.sample(0, 10.2, playing=True)  # libVLC has not moved: keep counting
    assert clock.position_ms(10.2) == 200
    clock.sample(250, 10.25, playing=True)
    assert clock.position_ms(10.3) == 300


def test_clock_never_runs_backwards_when_the_player_reports_a_little_late() -> None:
    clock = PlaybackClock(catch_up_rate=0.5)
    clock.sample(1000, 0.0, playing=True)
    seen = [clock.position_ms(0.3)]
    clock.sample(1220, 0.31, playing=True)  # player says 1220 while we estimated 1310
    for t in (0.31, 0.33, 0.35, 0.40, 0.45):
        seen.append(clock.position_ms(t))
    assert seen == sorted(seen)
    assert seen[-1] == 1310 + 70  # 140 ms at half speed: 90 ms ahead becomes 20 ms ahead
    assert clock.position_ms(0.49) == 1220 + 180  # caught up: the player's time again
    assert clock.position_ms(0.60) == 1220 + 290


def test_a_clock_ahead_of_the_player_slows_down_instead_of_standing_still() -> None:
    """The karaoke wipe is drawn from this clock every frame: a held position is a frozen
    wipe (two or three frames at libVLC's usual 20-40 ms of jitter)."""
    clock = PlaybackClock(catch_up_rate=0.5)
    clock.sample(10_000, 0.0, playing=True)
    clock.position_ms(0.25)
    clock.sample(10_210, 0.25, playing=True)  # 40 ms behind the estimate of 10_250
    frames = [clock.position_ms(0.25 + n / 60) for n in range(12)]
    steps = [b - a for a, b in itertools.pairwise(frames)]
    assert all(step > 0 for step in steps), frames  # it moves on every frame
    assert min(steps) >= 7  # half of a 16.7 ms frame, at least
    assert frames[-1] == 10_210 + round(11 / 60 * 1000)  # and it has caught up


def test_a_stalled_player_holds_the_clock_within_a_bounded_lead() -> None:
    clock = PlaybackClock(max_extrapolation_ms=1000, catch_up_rate=0.5, max_lead_ms=250)
    clock.sample(2000, 0.0, playing=True)
    assert clock.position_ms(1.0) == 3000
    clock.sample(2100, 1.0, playing=True)  # it moved a little, then stalls there
    for n in range(1, 200):
        clock.position_ms(1.0 + n / 60)
    held = clock.position_ms(5.0)
    assert held == clock.position_ms(60.0)  # it stops...
    assert 2100 + 1000 <= held <= 2100 + 1000 + 250  # ...within the cap plus the bounded lead


def test_callers_a_moment_apart_lose_no_time_while_catching_up() -> None:
    clock = PlaybackClock(catch_up_rate=0.5)
    clock.sample(0, 0.0, playing=True)
    clock.position_ms(0.3)
    clock.sample(240, 0.3, playing=True)  # 60 ms ahead
    for n in range(1, 101):  # the screen and the core asking every millisecond
        clock.position_ms(0.3 + n / 1000)
    assert clock.position_ms(0.4) == 300 + 50  # 100 ms at half speed, no rounding lost


def test_clock_follows_a_seek_backwards_at_once() -> None:
    clock = PlaybackClock()
    clock.sample(60_000, 0.0, playing=True)
    clock.sample(0, 0.3, playing=True)  # 重唱: the player jumped to the start
    assert clock.position_ms(0.3) == 0


def test_clock_follows_a_forward_jump_at_once() -> None:
    clock = PlaybackClock()
    clock.sample(1_000, 0.0, playing=True)
    clock.sample(30_000, 0.25, playing=True)
    assert clock.position_ms(0.25) == 30_000


def test_stale_player_time_right_after_a_seek_is_ignored() -> None:
    clock = PlaybackClock(resync_grace_ms=1000)
    clock.resync(90_000, 0.0, playing=True)  # restored after a restart at 1:30
    clock.sample(0, 0.1, playing=True)  # libVLC has not applied the seek yet
    assert clock.position_ms(0.1) == 90_100
    clock.sample(90_150, 0.3, playing=True)
    assert clock.position_ms(0.3) == 90_300
    clock.sample(5_000, 2.0, playing=True)  # a real jump, after the grace period
    assert clock.position_ms(2.0) == 5_000


def test_resync_moves_the_clock_to_the_given_position() -> None:
    clock = PlaybackClock()
    clock.sample(50_000, 0.0, playing=True)
    clock.resync(0, 1.0, playing=True)
    assert clock.position_ms(1.5) == 500


def test_clock_stops_on_pause_and_resumes_from_the_same_place() -> None:
    clock = PlaybackClock()
    clock.sample(5000, 0.0, playing=True)
    clock.sample(5000, 0.2, playing=False)
    assert clock.position_ms(0.2) == 5200
    assert clock.position_ms(9.0) == 5200  # paused: no movement
    clock.sample(5200, 9.0, playing=True)
    assert clock.position_ms(9.1) == 5300


def test_stalled_player_does_not_let_the_lyrics_run_away() -> None:
    clock = PlaybackClock(max_extrapolation_ms=1000)
    clock.sample(2000, 0.0, playing=True)
    assert clock.position_ms(5.0) == 3000


LRC = "[00:01.00]一二三\n[00:04.00]<00:04.00>四<00:04.50>五<00:05.50>六<00:06.00>\n[00:08.00]七\n"


def test_lyric_view_answers_current_and_next_line() -> None:
    timeline = LyricTimeline(parse_lrc(LRC))
    before = timeline.at(500)
    assert before.current is None and before.next is not None and before.next.text == "一二三"
    first = timeline.at(2500)
    assert first.current is not None and first.current.text == "一二三"
    assert first.next is not None and first.next.text == "四五六"
    assert first.line_progress == 0.5  # no word timings: still a smooth line progress


def test_lyric_view_gives_progress_within_the_current_word() -> None:
    timeline = LyricTimeline(parse_lrc(LRC))
    moment = timeline.at(4750)
    assert moment.word_index == 1
    assert moment.word_progress == 0.25
    assert moment.line_progress == (1 + 0.25) / 3


def test_lyric_view_between_lines_shows_the_next_line_only() -> None:
    moment = LyricTimeline(parse_lrc(LRC)).at(7000)
    assert moment.current is None
    assert moment.next is not None and moment.next.text == "七"


def test_lyric_view_after_the_last_line_is_empty() -> None:
    moment = LyricTimeline(parse_lrc(LRC)).at(60_000)
    assert moment.current is None and moment.next is None
