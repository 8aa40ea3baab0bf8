"""Door debounce and the "someone is in the room" model. Pure: every input carries its own
monotonic timestamp (seconds), so tests drive time by hand and never sleep.

Presence follows the "wasp in a box" idea: a PIR sensor misses people who sit still, but if
motion was seen while the door was shut, whoever moved is still inside until the door opens.
"""

from __future__ import annotations

from dataclasses import dataclass


class DoorDebouncer:
    """Reed-switch contact bounce filter.

    The first edge after a quiet ``debounce_ms`` is taken at once (no added latency); edges
    inside the window are bounce. Once the window has been quiet, ``poll`` settles on the
    level the contact actually rests at, so a bounce that ends the other way is not lost.
    """

    def __init__(self, debounce_ms: int, initial_open: bool = False) -> None:
        self._window_s = debounce_ms / 1000.0
        self.open = initial_open
        self._raw = initial_open
        self._last_edge_s: float | None = None

    def edge(self, raw_open: bool, now_s: float) -> bool | None:
        """Feed a raw level; returns the new debounced state if it changed, else None."""
        quiet = self._last_edge_s is None or now_s - self._last_edge_s >= self._window_s
        self._raw = raw_open
        self._last_edge_s = now_s
        if quiet and raw_open != self.open:
            self.open = raw_open
            return raw_open
        return None

    def poll(self, now_s: float) -> bool | None:
        """Call periodically; returns the settled state if bounce left it different."""
        if self._last_edge_s is None or self._raw == self.open:
            return None
        if now_s - self._last_edge_s >= self._window_s:
            self.open = self._raw
            return self.open
        return None


@dataclass(frozen=True)
class PresenceTimeouts:
    vacancy_s: float  # nobody present after this long without motion/door activity
    sealed_s: float  # upper bound for "moved with the door shut, so still inside"


class PresenceModel:
    """Derives presence from motion and (debounced) door events."""

    def __init__(self, timeouts: PresenceTimeouts, *, door_open: bool = False) -> None:
        self._timeouts = timeouts
        self.present = False
        self._door_open = door_open
        self._last_activity_s: float | None = None
        self._sealed = False  # motion seen since the door last closed

    @property
    def sealed(self) -> bool:
        return self._sealed

    def motion(self, active: bool, now_s: float) -> bool | None:
        """A PIR edge; returns the new presence if it changed."""
        if not active:
            return None  # end of motion: the vacancy timer runs from the last activity
        self._last_activity_s = now_s
        if not self._door_open:
            self._sealed = True
        return self._set(True)

    def door(self, open_: bool, now_s: float) -> bool | None:
        """A debounced door change: someone used the door, so someone is here right now."""
        self._door_open = open_
        self._sealed = False
        self._last_activity_s = now_s
        return self._set(True)

    def poll(self, now_s: float) -> bool | None:
        """Apply the timeouts; returns the new presence if it changed."""
        if not self.present or self._last_activity_s is None:
            return None
        idle_s = now_s - self._last_activity_s
        limit_s = self._timeouts.sealed_s if self._sealed else self._timeouts.vacancy_s
        if idle_s >= limit_s:
            self._sealed = False
            return self._set(False)
        return None

    def _set(self, present: bool) -> bool | None:
        if present == self.present:
            return None
        self.present = present
        return present
