"""Jittered exponential backoff between reconnect attempts (pure: the caller sleeps)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from room_agent.link import settings


@dataclass(frozen=True)
class BackoffPolicy:
    initial_s: float = settings.backoff_initial_s
    max_s: float = settings.backoff_max_s
    multiplier: float = settings.backoff_multiplier
    jitter_ratio: float = settings.backoff_jitter_ratio

    def __post_init__(self) -> None:
        if self.initial_s <= 0 or self.max_s < self.initial_s:
            raise ValueError("backoff needs 0 < initial_s <= max_s")
        if self.multiplier < 1 or not 0 <= self.jitter_ratio <= 1:
            raise ValueError("backoff needs multiplier >= 1 and 0 <= jitter_ratio <= 1")


class Backoff:
    """Waits grow ``initial * multiplier**n`` up to ``max``; each is jittered down by up to
    ``jitter_ratio`` so rooms that lost the controller together do not return together."""

    def __init__(
        self, policy: BackoffPolicy | None = None, *, rand: Callable[[], float] = random.random
    ) -> None:
        self.policy = policy or BackoffPolicy()
        self._rand = rand
        self.failures = 0

    def next_wait_s(self) -> float:
        p = self.policy
        base = min(p.max_s, p.initial_s * p.multiplier**self.failures)
        self.failures += 1
        return base * (1 - p.jitter_ratio * self._rand())

    def reset(self) -> None:
        self.failures = 0
