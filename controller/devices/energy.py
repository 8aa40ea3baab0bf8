"""Energy per room over a span (a business day): pure, from what the rooms reported.

Each room's load in watts is a step function (``PowerSwitched.load_watts``: level x rated
watts over its outputs, so on-time x watts is exactly its integral); a real meter's
cumulative readings, where a room has one, replace the estimate between its first and last
reading (linear between readings). The span is cut wherever the load, the business state
or presence changes, and each piece is booked to:

- the room's state: in session (IN_USE), idle (IDLE, RESERVED), cleaning, other
  (MAINTENANCE);
- the session that ran (kWh per session, and per hour of it: the session's time in use
  stands for its paid hours, which billing rounds by its own rules);
- **waste**: energy used while nobody was present and no session ran.
"""

from __future__ import annotations

import bisect
import enum
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ktv.room_link import RoomState


class Bucket(enum.Enum):
    SESSION = "session"
    IDLE = "idle"
    CLEANING = "cleaning"
    OTHER = "other"


_BUCKET = {
    RoomState.IN_USE: Bucket.SESSION,
    RoomState.IDLE: Bucket.IDLE,
    RoomState.RESERVED: Bucket.IDLE,
    RoomState.CLEANING: Bucket.CLEANING,
    RoomState.MAINTENANCE: Bucket.OTHER,
}


@dataclass(frozen=True)
class LoadChange:
    at: datetime
    watts: int


@dataclass(frozen=True)
class StateChange:
    at: datetime
    state: RoomState
    session: str = ""  # sessions/{id} while IN_USE


@dataclass(frozen=True)
class PresenceChange:
    at: datetime
    present: bool


@dataclass(frozen=True)
class MeterReading:
    at: datetime
    total_wh: float  # the meter's cumulative count


@dataclass(frozen=True)
class RoomHistory:
    """Everything known about one room, each list sorted by time; changes before the span
    give the values it starts with."""

    room_id: str
    loads: Sequence[LoadChange] = ()
    states: Sequence[StateChange] = ()
    presence: Sequence[PresenceChange] = ()
    meter: Sequence[MeterReading] = ()


@dataclass(frozen=True)
class SessionEnergy:
    session: str
    wh: float
    seconds: float

    @property
    def wh_per_hour(self) -> float:
        return self.wh / (self.seconds / 3600) if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class RoomEnergy:
    room_id: str
    start: datetime
    end: datetime
    by_bucket: dict[Bucket, float] = field(default_factory=dict)
    waste_wh: float = 0.0
    on_seconds: float = 0.0  # time with any load
    sessions: tuple[SessionEnergy, ...] = ()
    metered: bool = False  # a meter's readings gave (some of) the energy

    @property
    def total_wh(self) -> float:
        return sum(self.by_bucket.values())


class _Cumulative:
    """The meter's cumulative Wh at any instant within its readings (linear between);
    instants are POSIX seconds."""

    def __init__(self, readings: Sequence[MeterReading]) -> None:
        self.times = [r.at.timestamp() for r in readings]
        self.values = [r.total_wh for r in readings]

    def covers(self, a: float, b: float) -> bool:
        return len(self.times) >= 2 and self.times[0] <= a and b <= self.times[-1]

    def at(self, t: float) -> float:
        i = bisect.bisect_right(self.times, t)
        if i <= 0:
            return self.values[0]
        if i >= len(self.times):
            return self.values[-1]
        t0, t1 = self.times[i - 1], self.times[i]
        v0, v1 = self.values[i - 1], self.values[i]
        return v0 + (v1 - v0) * ((t - t0) / (t1 - t0) if t1 > t0 else 1.0)


class _Steps:
    """A step function over sorted (time, value) changes, read at rising instants."""

    def __init__(self, times: list[float], values: list, default) -> None:  # type: ignore[no-untyped-def]
        self.times = times
        self.values = values
        self.value = default
        self.i = 0

    def at(self, t: float):  # type: ignore[no-untyped-def]
        times = self.times
        while self.i < len(times) and times[self.i] <= t:
            self.value = self.values[self.i]
            self.i += 1
        return self.value


def room_energy(history: RoomHistory, start: datetime, end: datetime) -> RoomEnergy:
    """The room's energy in [start, end), booked by state, session and waste."""
    t_start, t_end = start.timestamp(), end.timestamp()
    load_t = [c.at.timestamp() for c in history.loads]
    state_t = [c.at.timestamp() for c in history.states]
    pres_t = [c.at.timestamp() for c in history.presence]
    loads = _Steps(load_t, [c.watts for c in history.loads], 0)
    states = _Steps(state_t, [(_BUCKET[c.state], c.session) for c in history.states],
                    (Bucket.IDLE, ""))  # fmt: skip
    presence = _Steps(pres_t, [c.present for c in history.presence], False)
    meter = _Cumulative(history.meter)
    points = sorted(
        {t_start, t_end, *(t for t in (*load_t, *state_t, *pres_t) if t_start < t < t_end)}
    )
    by_bucket = dict.fromkeys(Bucket, 0.0)
    sessions: dict[str, list[float]] = {}
    waste = on_s = 0.0
    metered = False
    for a, b in itertools.pairwise(points):
        seconds = b - a
        watts = loads.at(a)
        bucket, session = states.at(a)
        present = presence.at(a)
        if meter.covers(a, b):
            wh = meter.at(b) - meter.at(a)
            metered = True
        else:
            wh = watts * seconds / 3600
        by_bucket[bucket] += wh
        if watts > 0:
            on_s += seconds
        if bucket is Bucket.SESSION:
            acc = sessions.setdefault(session, [0.0, 0.0])
            acc[0] += wh
            acc[1] += seconds
        elif not present:
            waste += wh
    return RoomEnergy(
        history.room_id,
        start,
        end,
        by_bucket,
        waste,
        on_s,
        tuple(SessionEnergy(s, wh, secs) for s, (wh, secs) in sessions.items()),
        metered,
    )


def venue_energy(
    histories: Sequence[RoomHistory], start: datetime, end: datetime
) -> list[RoomEnergy]:
    """Every room's energy over the span, in the order given (the day close)."""
    return [room_energy(h, start, end) for h in histories]
