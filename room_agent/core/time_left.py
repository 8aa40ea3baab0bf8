"""Prepaid time in the room (买钟 / 续钟): how long is left, which warning is due, when time is up.

Pure: takes UTC instants, keeps no clock. The core asks :meth:`PrepaidTime.poll` on every tick
and acts on what it returns (a warning on both screens, the fade-out and the time-up screen,
playback resuming after an extension). Each warning is given once per end time; an extension
(a later end) re-arms the marks that lie ahead again, so a guest who extends by 1 h hears the
10- and 5-minute warnings again before the new end.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ktv.errors import InvalidArgument


class TimePhase(enum.Enum):
    UNLIMITED = "unlimited"  # pay-at-checkout: no end time
    RUNNING = "running"  # time left above every warning mark
    WARNING = "warning"  # inside the first warning mark (e.g. the last 10 minutes)
    GRACE = "grace"  # past the end, inside the venue's grace: singing goes on
    OVERTIME = "overtime"  # past the end of a continue_hourly plan: singing goes on, billed
    TIME_UP = "time_up"  # 到钟: the song fades out, the time-up screen shows


@dataclass(frozen=True)
class TimePolicy:
    """The venue's choices. Marks in minutes before the end, largest first."""

    warn_at_minutes: tuple[int, ...] = (10, 5)
    grace_s: int = 0  # keep singing this long past the end (0: stop on time)
    fade_ms: int = 3000  # the current song fades out over this before it pauses

    def __post_init__(self) -> None:
        if any(m <= 0 for m in self.warn_at_minutes):
            raise InvalidArgument("warning marks must be positive minutes")
        if self.grace_s < 0 or self.fade_ms < 0:
            raise InvalidArgument("grace and fade must not be negative")
        object.__setattr__(self, "warn_at_minutes", tuple(sorted(set(self.warn_at_minutes))[::-1]))


@dataclass(frozen=True)
class TimeLeft:
    """What the badge shows."""

    phase: TimePhase
    ends_at: datetime | None
    seconds_left: int  # negative once the end has passed; 0 when unlimited

    @property
    def minutes_left(self) -> int:
        """Whole minutes, rounded up while time is left (59 s left shows "1 min")."""
        if self.seconds_left <= 0:
            return 0
        return -(-self.seconds_left // 60)

    @property
    def badge_text(self) -> str:
        """ "剩余 1:05" / "剩余 9分" style; hours:minutes above an hour."""
        if self.phase is TimePhase.UNLIMITED:
            return ""
        if self.phase is TimePhase.OVERTIME:
            return "超时计费 overtime"
        if self.phase in (TimePhase.TIME_UP, TimePhase.GRACE):
            return "到钟 time up"
        minutes = self.minutes_left
        if minutes >= 60:
            return f"剩余 {minutes // 60}:{minutes % 60:02d}"
        return f"剩余 {minutes}分 / {minutes} min"

    @property
    def short_text(self) -> str:
        """The badge in the top bar's clock slot: "剩1:30", "剩9分", "到钟", "超时"."""
        if self.phase is TimePhase.UNLIMITED:
            return ""
        if self.phase is TimePhase.OVERTIME:
            return "超时"
        if self.phase in (TimePhase.TIME_UP, TimePhase.GRACE):
            return "到钟"
        minutes = self.minutes_left
        if minutes >= 60:
            return f"剩{minutes // 60}:{minutes % 60:02d}"
        return f"剩{minutes}分"


def parse_prepaid(raw: Mapping[str, Any], src: str) -> TimePolicy:
    """The agent.toml ``[prepaid]`` table; one clear line for a bad key or value."""
    known = {"warn_at_minutes", "grace_s", "fade_ms"}
    unknown = set(raw) - known
    if unknown:
        raise InvalidArgument(f"{src}: unknown key prepaid.{sorted(unknown)[0]}")
    marks = raw.get("warn_at_minutes", [10, 5])
    if not isinstance(marks, list) or not all(
        isinstance(m, int) and not isinstance(m, bool) for m in marks
    ):
        raise InvalidArgument(f"{src}: prepaid.warn_at_minutes must be a list of minutes")
    numbers = {}
    for key in ("grace_s", "fade_ms"):
        value = raw.get(key, 0 if key == "grace_s" else 3000)
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidArgument(f"{src}: prepaid.{key} must be a whole number")
        numbers[key] = value
    try:
        return TimePolicy(tuple(marks), numbers["grace_s"], numbers["fade_ms"])
    except InvalidArgument as exc:
        raise InvalidArgument(f"{src}: prepaid: {exc.message}") from None


class TimeSignal(enum.Enum):
    WARNING = "warning"
    TIME_UP = "time_up"
    EXTENDED = "extended"  # time was up (or in grace) and a later end arrived


@dataclass(frozen=True)
class TimeEvent:
    signal: TimeSignal
    minutes: int = 0  # the warning mark, for WARNING


@dataclass
class PrepaidTime:
    """The room's copy of its end time and which warnings it has given."""

    policy: TimePolicy = field(default_factory=TimePolicy)
    ends_at: datetime | None = None
    # the venue's plan continues at the hourly rate after the end (continue_hourly): the
    # room never stops by itself; False: stop after the agent's own grace
    continues: bool = False
    _given: set[int] = field(default_factory=set)
    _up: bool = False

    @property
    def is_up(self) -> bool:
        """True from the time-up moment until a later end (or no end) arrives."""
        return self._up

    def set_end(self, ends_at: datetime | None, now: datetime) -> list[TimeEvent]:
        """A new end from the desk (open, 续钟, move, reconnect). The same end twice changes
        nothing. Returns EXTENDED when this lifts a time-up."""
        if ends_at == self.ends_at:
            return []
        self.ends_at = ends_at
        left = self._seconds_left(now)
        self._given = {m for m in self._given if left is not None and left <= m * 60}
        was_up = self._up
        self._up = False
        events = self.poll(now)
        if was_up and self._up:
            return []  # still up (an end that has passed too): nothing new to do
        if was_up:
            events.insert(0, TimeEvent(TimeSignal.EXTENDED))
        return events

    def set_continues(self, continues: bool, now: datetime) -> list[TimeEvent]:
        """The plan's after-end policy from the desk. Switching to continue lifts a time-up
        (EXTENDED); switching to stop may make time up at once."""
        if continues == self.continues:
            return []
        self.continues = continues
        if continues and self._up:
            self._up = False
            return [TimeEvent(TimeSignal.EXTENDED)]
        return self.poll(now)

    def forget(self) -> None:
        """The session closed."""
        self.ends_at = None
        self.continues = False
        self._given = set()
        self._up = False

    def restore(self, ends_at: datetime | None, now: datetime, continues: bool = False) -> None:
        """After an agent restart: take the saved end silently (warnings already passed are
        not repeated; a time that ran out while the agent was down is up at once)."""
        self.ends_at = ends_at
        self.continues = continues
        left = self._seconds_left(now)
        self._given = (
            set() if left is None else {m for m in self.policy.warn_at_minutes if left <= m * 60}
        )
        self._up = left is not None and not continues and left <= -self.policy.grace_s

    def poll(self, now: datetime) -> list[TimeEvent]:
        """Signals due at ``now``: at most one warning (the nearest mark crossed) and the
        time-up, each once."""
        left = self._seconds_left(now)
        if left is None or self._up:
            return []
        if left <= -self.policy.grace_s and not self.continues:
            self._up = True
            self._given = set(self.policy.warn_at_minutes)
            return [TimeEvent(TimeSignal.TIME_UP)]
        crossed = [
            m for m in self.policy.warn_at_minutes if left <= m * 60 and m not in self._given
        ]
        if not crossed or left <= 0:
            self._given.update(crossed)
            return []
        self._given.update(crossed)
        return [TimeEvent(TimeSignal.WARNING, min(crossed))]

    def at(self, now: datetime) -> TimeLeft:
        left = self._seconds_left(now)
        if left is None:
            return TimeLeft(TimePhase.UNLIMITED, None, 0)
        if self.continues and left <= 0:
            phase = TimePhase.OVERTIME
        elif self._up or left <= -self.policy.grace_s:
            phase = TimePhase.TIME_UP
        elif left <= 0:
            phase = TimePhase.GRACE
        elif self.policy.warn_at_minutes and left <= self.policy.warn_at_minutes[0] * 60:
            phase = TimePhase.WARNING
        else:
            phase = TimePhase.RUNNING
        return TimeLeft(phase, self.ends_at, left)

    def _seconds_left(self, now: datetime) -> int | None:
        if self.ends_at is None:
            return None
        return math.ceil((self.ends_at - now) / timedelta(seconds=1))
