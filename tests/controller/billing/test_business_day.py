from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from controller.billing.clock import VenueClock, business_day
from ktv.errors import InvalidArgument

from .conftest import TUESDAY, local

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_night_that_runs_to_six_belongs_to_the_day_it_began():
    assert business_day(local(TUESDAY, 6, plus_days=1), SHANGHAI, time(10)) == TUESDAY


def test_the_cut_off_instant_starts_the_new_business_day():
    assert business_day(local(TUESDAY, 10), SHANGHAI, time(10)) == TUESDAY
    assert business_day(local(TUESDAY, 9, 59), SHANGHAI, time(10)) == date(2026, 11, 23)


def test_a_noon_cut_off_moves_the_morning_to_the_previous_day():
    assert business_day(local(TUESDAY, 11, 30), SHANGHAI, time(12)) == date(2026, 11, 23)
    assert business_day(local(TUESDAY, 11, 30), SHANGHAI, time(10)) == TUESDAY


def test_business_day_uses_the_venue_timezone_not_utc():
    # 2026-11-24 23:30 UTC is 07:30 on the 25th in Shanghai: still the 24th's business day.
    instant = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    assert business_day(instant, SHANGHAI, time(10)) == TUESDAY
    assert business_day(instant, ZoneInfo("UTC"), time(10)) == TUESDAY
    assert business_day(instant, ZoneInfo("UTC"), time(0)) == TUESDAY
    assert business_day(instant, SHANGHAI, time(0)) == date(2026, 11, 25)


def test_naive_datetimes_are_refused():
    with pytest.raises(InvalidArgument):
        business_day(datetime(2026, 11, 24, 12), SHANGHAI, time(10))


def test_venue_clock_places_after_midnight_times_on_the_next_calendar_day():
    clock = VenueClock("Asia/Shanghai", time(10))
    assert clock.at(TUESDAY, time(2)) == local(TUESDAY, 2, plus_days=1)
    assert clock.at(TUESDAY, time(18)) == local(TUESDAY, 18)
    assert clock.day_start(TUESDAY) == local(TUESDAY, 10)
    assert clock.day_end(TUESDAY) == local(TUESDAY, 10, plus_days=1)


def test_an_unknown_timezone_is_a_clear_error():
    with pytest.raises(InvalidArgument, match="Mars/Olympus"):
        VenueClock("Mars/Olympus")
