"""Business-day periods: weeks (Monday first), months, quarters, and what a period is
compared with (the period before, the same period a year before). Pure date arithmetic."""

from __future__ import annotations

from datetime import date, timedelta

from controller.reports.model import PeriodKind
from ktv.errors import InvalidArgument

RANGE_DAYS_MAX = 400  # a range report covers at most this many business days


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def bounds(kind: PeriodKind, day: date, last: date | None = None) -> tuple[date, date]:
    """The period of ``kind`` that holds ``day`` (a range: ``day`` .. ``last``)."""
    if kind is PeriodKind.DAY:
        return day, day
    if kind is PeriodKind.WEEK:
        first = day - timedelta(days=day.weekday())
        return first, first + timedelta(days=6)
    if kind is PeriodKind.MONTH:
        first = _month_start(day)
        return first, _add_months(first, 1) - timedelta(days=1)
    if kind is PeriodKind.QUARTER:
        first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return first, _add_months(first, 3) - timedelta(days=1)
    if last is None or last < day:
        raise InvalidArgument("a range needs a last day on or after its first", reason="BAD_DAY")
    if (last - day).days + 1 > RANGE_DAYS_MAX:
        raise InvalidArgument(
            f"a range report covers at most {RANGE_DAYS_MAX} days", reason="RANGE_TOO_LONG"
        )
    return day, last


def previous(kind: PeriodKind, first: date, last: date) -> tuple[date, date]:
    """The period just before (a range: as many days right before it)."""
    if kind in (PeriodKind.MONTH, PeriodKind.QUARTER):
        months = 1 if kind is PeriodKind.MONTH else 3
        start = _add_months(first, -months)
        return start, first - timedelta(days=1)
    length = (last - first).days + 1
    return first - timedelta(days=length), first - timedelta(days=1)


def year_before(kind: PeriodKind, first: date, last: date) -> tuple[date, date]:
    """The same period a year before: months and quarters by the calendar, days and weeks
    364 days back (the same weekdays: a Friday is compared with a Friday)."""
    if kind in (PeriodKind.MONTH, PeriodKind.QUARTER):
        months = 1 if kind is PeriodKind.MONTH else 3
        start = _add_months(first, -12)
        return start, _add_months(start, months) - timedelta(days=1)
    return first - timedelta(days=364), last - timedelta(days=364)


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def sub_periods(kind: PeriodKind, first: date, last: date) -> list[tuple[str, date, date]]:
    """The trend's points: days of a week or month (or a short range), months of a quarter
    (or a long range)."""
    if kind is PeriodKind.QUARTER or (kind is PeriodKind.RANGE and (last - first).days > 62):
        out = []
        start = first
        while start <= last:
            end = min(_add_months(_month_start(start), 1) - timedelta(days=1), last)
            out.append((start.strftime("%Y-%m"), start, end))
            start = end + timedelta(days=1)
        return out
    return [(d.isoformat(), d, d) for d in days(first, last)]
