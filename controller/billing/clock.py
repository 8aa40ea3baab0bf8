"""Business days: KTVs sell past midnight, so a night that runs to 06:00 belongs to the day
it began. Pure functions over UTC instants, reused by reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ktv.errors import InvalidArgument


def require_utc(instant: datetime) -> datetime:
    """Reject naive datetimes: every instant in billing is timezone-aware UTC."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise InvalidArgument(f"naive datetime {instant.isoformat()}: use UTC instants")
    return instant.astimezone(UTC)


def business_day(instant: datetime, tz: ZoneInfo, cutoff: time) -> date:
    """The business day an instant belongs to: its local date, minus one day before cutoff."""
    local = require_utc(instant).astimezone(tz)
    day = local.date()
    if local.time() < cutoff:
        day -= timedelta(days=1)
    return day


def local_instant(day: date, clock_time: time, tz: ZoneInfo) -> datetime:
    """A local wall-clock time on a calendar day, as a UTC instant (DST gaps move forward)."""
    naive = datetime.combine(day, clock_time)
    aware = naive.replace(tzinfo=tz)
    # Round-trip through UTC normalises non-existent local times (DST gap) forward.
    return aware.astimezone(UTC)


@dataclass(frozen=True)
class VenueClock:
    """The venue's timezone and business-day cut-off (commercial KTVs: 10:00-12:00)."""

    timezone: str = "Asia/Shanghai"
    cutoff: time = time(10, 0)

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise InvalidArgument(f"unknown timezone {self.timezone!r}") from exc

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def business_day(self, instant: datetime) -> date:
        """See :func:`business_day`."""
        return business_day(instant, self.tz, self.cutoff)

    def day_start(self, day: date) -> datetime:
        """UTC instant at which business day ``day`` starts (its cut-off)."""
        return local_instant(day, self.cutoff, self.tz)

    def day_end(self, day: date) -> datetime:
        """UTC instant at which business day ``day`` ends (the next day's cut-off)."""
        return self.day_start(day + timedelta(days=1))

    def at(self, day: date, clock_time: time) -> datetime:
        """The UTC instant of a wall-clock time *within business day* ``day``.

        Times before the cut-off fall after midnight: with a 10:00 cut-off, 02:00 of business
        day 5 May is 02:00 on 6 May.
        """
        calendar_day = day if clock_time >= self.cutoff else day + timedelta(days=1)
        return local_instant(calendar_day, clock_time, self.tz)

    def minutes_into_day(self, instant: datetime) -> int:
        """Wall-clock minutes since local midnight (0..1439) of an instant."""
        local = require_utc(instant).astimezone(self.tz)
        return local.hour * 60 + local.minute
