from __future__ import annotations

import pytest

from room_agent.link.backoff import Backoff, BackoffPolicy


def test_waits_double_until_the_ceiling_without_jitter() -> None:
    backoff = Backoff(BackoffPolicy(initial_s=0.5, max_s=4, jitter_ratio=0), rand=lambda: 0.7)
    assert [backoff.next_wait_s() for _ in range(6)] == [0.5, 1, 2, 4, 4, 4]


def test_jitter_only_shortens_a_wait_and_by_at_most_the_ratio() -> None:
    policy = BackoffPolicy(initial_s=1, max_s=8, jitter_ratio=0.5)
    low = Backoff(policy, rand=lambda: 0.999999)
    high = Backoff(policy, rand=lambda: 0.0)
    lows = [low.next_wait_s() for _ in range(5)]
    highs = [high.next_wait_s() for _ in range(5)]
    assert highs == [1, 2, 4, 8, 8]
    assert all(h / 2 <= lo < h for lo, h in zip(lows, highs, strict=True))


def test_rooms_that_lost_the_controller_together_do_not_all_return_together() -> None:
    waits = {round(Backoff().next_wait_s(), 6) for _ in range(50)}
    assert len(waits) > 40


def test_a_stable_connection_starts_the_waits_over() -> None:
    backoff = Backoff(BackoffPolicy(initial_s=1, max_s=30, jitter_ratio=0))
    for _ in range(4):
        backoff.next_wait_s()
    backoff.reset()
    assert backoff.next_wait_s() == 1


@pytest.mark.parametrize(
    "kwargs", [{"initial_s": 0}, {"initial_s": 5, "max_s": 1}, {"multiplier": 0.5}]
)
def test_a_nonsense_policy_is_refused(kwargs) -> None:
    with pytest.raises(ValueError):
        BackoffPolicy(**kwargs)
