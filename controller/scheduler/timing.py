"""When a job runs: a cadence (daily at a wall-clock time, monthly on a day, every N
minutes) in the venue's timezone, and the *period* an instant belongs to. A job runs once per
period: the period's key is what makes a run idempotent and a missed run visible.

Pure: no asyncio, no sqlite.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from controller.scheduler import settings
from ktv.errors import InvalidArgument

_EVERY = re.compile(r"every\s+(\d+)\s*([smh])")
_UNIT_S = {"s": 1, "m": 60, "h": 3600}


@dataclass(frozen=True)
class Daily:
    at: time

    def __str__(self) -> str:
        return f"daily {self.at:%H:%M}"


@dataclass(frozen=True)
class Monthly:
    day: int  # 1-31; a shorter month runs on its last day
    at: time

    def __str__(self) -> str:
        return f"monthly {self.day} {self.at:%H:%M}"


@dataclass(frozen=True)
class Every:
    seconds: int

    def __str__(self) -> str:
        s = self.seconds
        if s % 3600 == 0:
            return f"every {s // 3600}h"
        return f"every {s // 60}m" if s % 60 == 0 else f"every {s}s"


Cadence = Daily | Monthly | Every


@dataclass(frozen=True)
class Period:
    key: str  # "2026-11-24" (daily), "2026-11" (monthly), start instant (every)
    start: datetime  # UTC: when this period's run became due


def parse_cadence(text: str) -> Cadence:
    """``daily 04:00`` | ``monthly 1 10:00`` | ``every 5m`` (s, m or h)."""
    words = text.strip().lower().split()
    try:
        if len(words) == 2 and words[0] == "daily":
            return Daily(_hhmm(words[1]))
        if len(words) == 3 and words[0] == "monthly" and 1 <= int(words[1]) <= 31:
            return Monthly(int(words[1]), _hhmm(words[2]))
        every = _EVERY.fullmatch(" ".join(words))
        if every and int(every[1]) > 0:
            return Every(int(every[1]) * _UNIT_S[every[2]])
    except ValueError:
        pass
    raise InvalidArgument(
        f"schedule {text!r}: use 'daily HH:MM', 'monthly DAY HH:MM' or 'every N[s|m|h]'",
        reason="BAD_SCHEDULE",
    )


def _hhmm(text: str) -> time:
    hh, _, mm = text.partition(":")
    return time(int(hh), int(mm))


def period_at(cadence: Cadence, now: datetime, tz: ZoneInfo) -> Period:
    """The period ``now`` falls in: the latest scheduled instant at or before ``now``."""
    if isinstance(cadence, Every):
        epoch = int(now.timestamp()) // cadence.seconds * cadence.seconds
        start = datetime.fromtimestamp(epoch, UTC)
        return Period(start.strftime("%Y-%m-%dT%H:%M:%SZ"), start)
    local = now.astimezone(tz)
    if isinstance(cadence, Daily):
        day = local.date()
        if local.time() < cadence.at:
            day -= timedelta(days=1)
        return Period(day.isoformat(), _instant(day, cadence.at, tz))
    year, month = local.year, local.month
    start_day = _month_day(year, month, cadence.day)
    if (local.date(), local.time()) < (start_day, cadence.at):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        start_day = _month_day(year, month, cadence.day)
    return Period(f"{year:04d}-{month:02d}", _instant(start_day, cadence.at, tz))


def next_run(cadence: Cadence, now: datetime, tz: ZoneInfo) -> datetime:
    """The first scheduled instant after ``now`` (UTC)."""
    current = period_at(cadence, now, tz).start
    if isinstance(cadence, Every):
        return current + timedelta(seconds=cadence.seconds)
    probe = current + timedelta(days=1 if isinstance(cadence, Daily) else 32)
    start = period_at(cadence, probe, tz).start
    return start if start > now else next_run(cadence, probe, tz)


def _month_day(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def venue_schedule(data: Mapping[str, Any]) -> tuple[ZoneInfo, dict[str, Cadence]]:
    """The venue config's timezone (``[venue] timezone``) and ``[scheduler]`` cadences."""
    name = str(data.get("venue", {}).get("timezone", settings.default_timezone))
    try:
        tz = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidArgument(f"[venue] timezone {name!r} is not a timezone") from None
    section = data.get("scheduler", {})
    if not isinstance(section, Mapping):
        raise InvalidArgument('[scheduler] is a table of JOB = "daily HH:MM" lines')
    return tz, {str(k): parse_cadence(str(v)) for k, v in section.items()}
