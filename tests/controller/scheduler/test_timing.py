"""Periods and next runs at the venue's wall clock (Shanghai, UTC+8)."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from controller.scheduler.timing import (
    Daily,
    Every,
    Monthly,
    next_run,
    parse_cadence,
    period_at,
    venue_schedule,
)
from ktv.errors import InvalidArgument

from .conftest import SHANGHAI


def shanghai(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SHANGHAI).astimezone(UTC)


def test_the_schedules_a_venue_writes_are_understood():
    assert parse_cadence("daily 04:00") == Daily(time(4))
    assert parse_cadence("Monthly 1 10:30") == Monthly(1, time(10, 30))
    assert parse_cadence("every 5m") == Every(300)
    assert parse_cadence("every 2h") == Every(7200)
    assert [str(parse_cadence(t)) for t in ("daily 04:00", "monthly 31 09:05", "every 90s")] == [
        "daily 04:00",
        "monthly 31 09:05",
        "every 90s",
    ]


@pytest.mark.parametrize(
    "text", ["daily", "daily 25:00", "monthly 0 10:00", "monthly 32 10:00", "every 0m", "hourly"]
)
def test_a_schedule_that_makes_no_sense_is_refused_in_one_line(text):
    with pytest.raises(InvalidArgument) as err:
        parse_cadence(text)
    assert err.value.reason == "BAD_SCHEDULE" and "\n" not in str(err.value)


def test_before_9_the_birthday_run_still_belongs_to_yesterday_and_after_9_to_today():
    daily = Daily(time(9))
    assert period_at(daily, shanghai(2026, 11, 24, 8, 59), SHANGHAI).key == "2026-11-23"
    today = period_at(daily, shanghai(2026, 11, 24, 9, 0), SHANGHAI)
    assert today.key == "2026-11-24" and today.start == shanghai(2026, 11, 24, 9)
    # 01:00 in Shanghai is still the previous UTC day: the venue's date counts
    assert period_at(daily, shanghai(2026, 11, 25, 1), SHANGHAI).key == "2026-11-24"


def test_a_monthly_run_on_the_31st_happens_on_the_last_day_of_a_short_month():
    monthly = Monthly(31, time(10))
    feb = period_at(monthly, shanghai(2026, 3, 1, 12), SHANGHAI)
    assert feb.key == "2026-02" and feb.start == shanghai(2026, 2, 28, 10)
    assert next_run(monthly, shanghai(2026, 3, 1, 12), SHANGHAI) == shanghai(2026, 3, 31, 10)
    assert next_run(Monthly(1, time(10)), shanghai(2026, 12, 5, 0), SHANGHAI) == shanghai(
        2027, 1, 1, 10
    )


def test_next_runs():
    assert next_run(Daily(time(4)), shanghai(2026, 11, 24, 3), SHANGHAI) == shanghai(
        2026, 11, 24, 4
    )
    assert next_run(Daily(time(4)), shanghai(2026, 11, 24, 4), SHANGHAI) == shanghai(
        2026, 11, 25, 4
    )
    at = datetime(2026, 11, 24, 10, 7, 30, tzinfo=UTC)
    assert period_at(Every(300), at, SHANGHAI).start == datetime(2026, 11, 24, 10, 5, tzinfo=UTC)
    assert next_run(Every(300), at, SHANGHAI) == datetime(2026, 11, 24, 10, 10, tzinfo=UTC)


def test_the_venue_config_gives_the_timezone_and_the_schedules():
    tz, cadences = venue_schedule(
        {"venue": {"timezone": "Asia/Urumqi"}, "scheduler": {"birthday": "daily 08:00"}}
    )
    assert str(tz) == "Asia/Urumqi" and cadences == {"birthday": Daily(time(8))}
    assert str(venue_schedule({})[0]) == "Asia/Shanghai"
    with pytest.raises(InvalidArgument):
        venue_schedule({"venue": {"timezone": "Mars/Olympus"}})
