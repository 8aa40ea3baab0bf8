"""When the TV's standby picture (the backdrop between songs) goes up or down. Pure: fed a
monotonic time, it answers what to apply now and how long nothing can change; the libVLC side
(``room_agent.player.tv.TvStandby``) waits and applies.

Up after ``delay_s`` without a song (the gap between two songs stays as it is), down at once
when a song starts; when the backdrop file is not there yet, tried again ``retry_s`` later.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from room_agent.tv import settings


@dataclass
class StandbyTimer:
    delay_s: float
    retry_s: float = settings.standby_backdrop_retry_s
    wanted: bool = True  # nothing plays when the agent starts
    changed_at_s: float = -math.inf  # so the first standby goes up at once
    showing: bool = False
    not_before_s: float = -math.inf

    def want(self, shown: bool, now_s: float) -> None:
        if shown != self.wanted:
            self.wanted, self.changed_at_s = shown, now_s

    def due(self, now_s: float) -> bool | None:
        """The state to apply now (True: put the standby up), or None: nothing to do."""
        if self.wanted == self.showing:
            return None
        return self.wanted if now_s >= self._at() else None

    def wait_s(self, now_s: float) -> float | None:
        """How long until something can be due; None: not before the next ``want``."""
        if self.wanted == self.showing:
            return None
        return max(0.0, self._at() - now_s)

    def applied(self, shown: bool) -> None:
        self.showing = shown

    def unavailable(self, now_s: float) -> None:
        """The backdrop is not there yet: try again ``retry_s`` from now."""
        self.not_before_s = now_s + self.retry_s

    def _at(self) -> float:
        return max(self.changed_at_s + (self.delay_s if self.wanted else 0.0), self.not_before_s)
