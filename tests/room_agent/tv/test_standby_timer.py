"""When the standby picture goes up and down (pure, on a manual clock)."""

from __future__ import annotations

from room_agent.tv.standby import StandbyTimer


def test_up_at_once_when_the_agent_starts_then_down_at_once_for_a_song() -> None:
    timer = StandbyTimer(delay_s=2.0)
    assert timer.due(100.0) is True
    timer.applied(True)
    assert timer.due(100.0) is None and timer.wait_s(100.0) is None
    timer.want(False, 101.0)
    assert timer.due(101.0) is False  # a song takes it down with no delay
    timer.applied(False)
    assert timer.due(500.0) is None


def test_up_only_after_the_delay_without_a_song() -> None:
    timer = StandbyTimer(delay_s=2.0, showing=False, wanted=False)
    timer.want(True, 10.0)
    assert timer.due(11.9) is None
    assert timer.wait_s(11.5) == 0.5
    assert timer.due(12.0) is True


def test_a_short_gap_between_two_songs_never_puts_it_up() -> None:
    timer = StandbyTimer(delay_s=1.0, wanted=False)
    timer.want(True, 10.0)  # a song ended
    assert timer.due(10.2) is None
    timer.want(False, 10.2)  # the next one started 0.2 s later
    for now in (10.5, 11.0, 12.0, 100.0):
        assert timer.due(now) is None


def test_a_missing_backdrop_is_tried_again_after_retry_s() -> None:
    timer = StandbyTimer(delay_s=0.1, retry_s=1.0)
    assert timer.due(5.0) is True
    timer.unavailable(5.0)
    assert timer.due(5.5) is None and timer.wait_s(5.5) == 0.5
    assert timer.due(6.0) is True
