"""Hourly room time: bands, day types, first block, granularity and grace."""

from dataclasses import replace
from datetime import timedelta

from controller.billing.bill import LineKind
from controller.billing.plan import BlockRule

from .conftest import (
    FRIDAY,
    MAKEUP_SATURDAY,
    NATIONAL_DAY,
    SATURDAY,
    TUESDAY,
    FrontDesk,
    W,
    build_plan,
    local,
)


def room_lines(bill):
    return [
        (ln.label.split()[2], ln.amount_fen) for ln in bill.lines if ln.kind is LineKind.ROOM_TIME
    ]


def test_session_from_17_30_to_19_15_pays_day_rate_then_prime_rate(desk):
    desk.open("A08", local(TUESDAY, 17, 30))
    bill = desk.bill("A08", local(TUESDAY, 19, 15))
    # 30 min x 36/h + 75 min x 72/h
    assert room_lines(bill) == [("白天档", 1800), ("黄金档", 9000)]


def test_session_across_midnight_pays_prime_then_late_night_rate(desk):
    desk.open("A08", local(TUESDAY, 23))
    bill = desk.bill("A08", local(TUESDAY, 1, 30, plus_days=1))
    assert room_lines(bill) == [("黄金档", 7200), ("午夜档", 7200)]


def test_friday_night_after_midnight_is_still_a_weekday_business_day(desk):
    desk.open("A08", local(FRIDAY, 23))
    bill = desk.bill("A08", local(FRIDAY, 1, plus_days=1))  # Saturday 01:00, Friday's night
    assert room_lines(bill) == [("黄金档", 7200), ("午夜档", 4800)]


def test_session_across_the_cut_off_into_saturday_pays_weekend_rate_after_10_00(desk):
    desk.open("A08", local(SATURDAY, 9))
    bill = desk.bill("A08", local(SATURDAY, 11))
    # 09:00-10:00 is Friday's business day (weekday late night), 10:00-11:00 Saturday day band
    assert room_lines(bill) == [("午夜档", 4800), ("白天档", 4800)]


def test_weekend_prime_time_costs_the_weekend_rate(desk):
    desk.open("A08", local(SATURDAY, 19))
    assert room_lines(desk.bill("A08", local(SATURDAY, 21))) == [("黄金档", 19200)]


def test_holiday_prime_time_uses_the_holiday_rate(desk):
    desk.open("A08", local(NATIONAL_DAY, 19))
    assert room_lines(desk.bill("A08", local(NATIONAL_DAY, 20))) == [("黄金档", 12000)]


def test_holiday_without_its_own_rate_falls_back_to_the_weekend_rate(desk):
    desk.open("A08", local(NATIONAL_DAY, 14))
    assert room_lines(desk.bill("A08", local(NATIONAL_DAY, 15))) == [("白天档", 4800)]


def test_saturday_worked_in_lieu_is_priced_as_a_weekday(desk):
    desk.open("A08", local(MAKEUP_SATURDAY, 19))
    assert room_lines(desk.bill("A08", local(MAKEUP_SATURDAY, 20))) == [("黄金档", 7200)]


def test_under_one_hour_counts_as_one_hour(desk):
    desk.open("A08", local(TUESDAY, 19))
    assert room_lines(desk.bill("A08", local(TUESDAY, 19, 20))) == [("黄金档", 7200)]


def test_ten_minutes_over_a_block_are_free_the_eleventh_starts_a_block(desk):
    desk.open("A08", local(TUESDAY, 19))
    assert room_lines(desk.bill("A08", local(TUESDAY, 20, 10))) == [("黄金档", 7200)]
    assert room_lines(desk.bill("A08", local(TUESDAY, 20, 11))) == [("黄金档", 9000)]
    assert room_lines(desk.bill("A08", local(TUESDAY, 20, 25))) == [("黄金档", 9000)]
    assert room_lines(desk.bill("A08", local(TUESDAY, 20, 26))) == [("黄金档", 10800)]


def test_per_minute_after_the_first_hour():
    desk = FrontDesk(build_plan(blocks=BlockRule(first_block_minutes=60, block_minutes=1)))
    desk.open("A08", local(TUESDAY, 19))
    assert room_lines(desk.bill("A08", local(TUESDAY, 20, 7))) == [("黄金档", 8040)]
    # a started minute counts
    late = local(TUESDAY, 20, 7) + timedelta(seconds=1)
    assert room_lines(desk.bill("A08", late)) == [("黄金档", 8160)]


def test_the_minutes_added_by_rounding_up_are_charged_at_the_band_the_session_ends_in(desk):
    desk.open("A08", local(TUESDAY, 17, 50))
    # 17:50-18:20 used; the first hour is billed: 10 min day + 50 min prime
    assert room_lines(desk.bill("A08", local(TUESDAY, 18, 20))) == [
        ("白天档", 600),
        ("黄金档", 6000),
    ]


def test_grace_time_comes_off_the_last_band(desk):
    desk.open("A08", local(TUESDAY, 16, 55))
    # 16:55-18:05 = 70 min -> 60 billed: 65 min of day band would exceed; day keeps 60
    assert room_lines(desk.bill("A08", local(TUESDAY, 18, 5))) == [("白天档", 3600)]


def test_leaving_within_the_free_minutes_pays_no_room_time():
    plan = build_plan(blocks=BlockRule(first_block_minutes=60, block_minutes=15, free_minutes=5))
    desk = FrontDesk(plan)
    desk.open("A08", local(TUESDAY, 19))
    assert room_lines(desk.bill("A08", local(TUESDAY, 19, 4))) == []
    assert room_lines(desk.bill("A08", local(TUESDAY, 19, 6))) == [("黄金档", 7200)]


def test_a_price_change_does_not_touch_a_session_opened_under_the_old_plan(desk, plan):
    desk.open("A08", local(TUESDAY, 19))
    small = plan.tiers["small"]
    dearer_small = replace(small, hourly_fen={**small.hourly_fen, (W, "prime"): 9900})
    dearer = replace(plan, version="2026-12", tiers={**plan.tiers, "small": dearer_small})
    desk.ledger.plans[dearer.version] = dearer
    desk.plan = dearer
    desk.open("A09", local(TUESDAY, 19))
    assert desk.tab("A08").plan_version == "2026-11"
    assert room_lines(desk.bill("A08", local(TUESDAY, 20))) == [("黄金档", 7200)]
    assert room_lines(desk.bill("A09", local(TUESDAY, 20))) == [("黄金档", 9900)]


def test_a_venue_whose_weekend_is_friday_and_saturday_charges_friday_night_at_weekend_rates():
    from dataclasses import replace as _replace

    plan = build_plan()
    desk = FrontDesk(build_plan(calendar=_replace(plan.calendar, weekend_days=frozenset({4, 5}))))
    desk.open("A08", local(FRIDAY, 19))
    assert room_lines(desk.bill("A08", local(FRIDAY, 20))) == [("黄金档", 9600)]


def test_sunday_night_is_weekend_until_the_monday_cut_off(desk):
    sunday = SATURDAY + timedelta(days=1)
    desk.open("A08", local(sunday, 23))
    bill = desk.bill("A08", local(sunday, 11, plus_days=1))  # Monday 11:00
    # Sunday prime 1 h, Sunday's late night 00:00-10:00 at the weekend rate, Monday day 1 h
    assert room_lines(bill) == [("黄金档", 9600), ("午夜档", 60000), ("白天档", 3600)]


def test_a_stay_under_one_second_counts_as_the_first_hour(desk):
    desk.open("A08", local(TUESDAY, 19))  # free_minutes = 0: no time is free
    half_a_second = local(TUESDAY, 19) + timedelta(microseconds=500_000)
    assert room_lines(desk.bill("A08", half_a_second)) == [("黄金档", 7200)]
    assert room_lines(desk.bill("A08", local(TUESDAY, 19) + timedelta(microseconds=1))) == [
        ("黄金档", 7200)
    ]


def test_a_stay_of_no_time_at_all_pays_no_room_time(desk):
    desk.open("A08", local(TUESDAY, 19))  # opened and closed at the same instant
    assert room_lines(desk.bill("A08", local(TUESDAY, 19))) == []


def test_a_started_second_counts_like_a_started_block():
    desk = FrontDesk(build_plan(blocks=BlockRule(first_block_minutes=60, block_minutes=1)))
    desk.open("A08", local(TUESDAY, 19))
    past_the_hour = local(TUESDAY, 20) + timedelta(microseconds=300_000)
    assert room_lines(desk.bill("A08", past_the_hour)) == [("黄金档", 7320)]  # 61 minutes


def test_under_a_second_within_the_free_minutes_is_still_free():
    plan = build_plan(blocks=BlockRule(first_block_minutes=60, block_minutes=15, free_minutes=5))
    desk = FrontDesk(plan)
    desk.open("A08", local(TUESDAY, 19))
    assert room_lines(desk.bill("A08", local(TUESDAY, 19) + timedelta(milliseconds=400))) == []
