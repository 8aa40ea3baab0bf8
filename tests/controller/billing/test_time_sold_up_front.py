"""Packages (套餐), prepaid blocks (买钟/续钟) and 场次 sessions."""

import pytest

from controller.billing.bill import LineKind
from controller.billing.desk import TimePurchase
from controller.billing.plan import TierChange
from controller.billing.records import CoverKind, OpeningMode
from ktv.errors import FailedPrecondition, NotFound

from .conftest import FRIDAY, TUESDAY, FrontDesk, build_plan, local, wechat


def kinds(bill):
    return [(ln.kind, ln.amount_fen) for ln in bill.lines]


def test_package_runs_into_prime_time_and_overtime_is_charged_at_the_prime_rate(desk):
    desk.open("A08", local(TUESDAY, 16), purchase=TimePurchase(package="happy3"))
    cover = desk.tab("A08").stays[0].covers[0]
    assert cover.end == local(TUESDAY, 19)
    assert desk.bill("A08", local(TUESDAY, 18, 59)).total_fen == 9900
    bill = desk.bill("A08", local(TUESDAY, 19, 20))  # 20 min over: one block, 5 min forgiven
    assert (LineKind.ROOM_TIME, 1800) in kinds(bill)
    assert bill.total_fen == 9900 + 1800


def test_package_items_are_on_the_bill_but_not_charged(desk):
    desk.open("A08", local(TUESDAY, 14), purchase=TimePurchase(package="happy3"))
    bill = desk.bill("A08", local(TUESDAY, 15))
    included = [
        (ln.label, ln.quantity, ln.amount_fen) for ln in bill.lines if ln.kind is LineKind.INCLUDED
    ]
    assert included == [("果盘", 1, 0), ("青岛啤酒", 6, 0)]
    assert bill.total_fen == 9900


def test_package_sold_only_in_the_day_band_is_refused_at_prime_time(desk):
    with pytest.raises(FailedPrecondition, match="happy3"):
        desk.open("A08", local(TUESDAY, 19), purchase=TimePurchase(package="happy3"))
    assert desk.ledger.tabs == {}


def test_unknown_package_is_not_found(desk):
    with pytest.raises(NotFound):
        desk.open("A08", local(TUESDAY, 14), purchase=TimePurchase(package="nope"))


def test_golden_session_bought_40_minutes_before_its_end_still_ends_at_midnight(desk):
    tab = desk.open(
        "A08",
        local(TUESDAY, 23, 20),
        purchase=TimePurchase(session="黄金场"),
        tenders=[wechat(16800)],
    )
    assert tab.mode is OpeningMode.PREPAID
    cover = tab.stays[0].covers[0]
    assert (cover.kind, cover.end) == (CoverKind.SESSION, local(TUESDAY, 0, plus_days=1))
    assert [ln.amount_fen for ln in desk.bill("A08", local(TUESDAY, 23, 59)).lines][:1] == [16800]


def test_checkout_of_a_prepaid_room_settles_only_orders_and_overtime(desk):
    desk.open(
        "A08", local(TUESDAY, 18), purchase=TimePurchase(session="golden"), tenders=[wechat(16800)]
    )
    desk.order("A08", local(TUESDAY, 20), ("beer", 6))
    bill = desk.bill("A08", local(TUESDAY, 0, 30, plus_days=1))
    # 30 min overtime after midnight at the weekday late rate 48/h; min spend 200 is met
    assert bill.due_fen == 6000 + 2400
    assert desk.checkout("A08", local(TUESDAY, 0, 30, plus_days=1), wechat(8400)).closed


def test_session_not_running_now_cannot_be_sold(desk):
    with pytest.raises(FailedPrecondition, match="not running"):
        desk.open("A08", local(TUESDAY, 11), purchase=TimePurchase(session="afternoon"))


def test_midnight_session_bought_at_half_past_midnight_belongs_to_the_previous_business_day(desk):
    tab = desk.open(
        "A08",
        local(FRIDAY, 0, 30, plus_days=1),
        purchase=TimePurchase(session="午夜场"),
        tenders=[wechat(6800)],
    )
    cover = tab.stays[0].covers[0]
    assert cover.end == local(FRIDAY, 6, plus_days=1)
    assert desk.plan.clock.business_day(tab.opened_at) == FRIDAY


def test_prepaid_block_crossing_into_prime_time_is_priced_per_band(desk):
    tab = desk.open(
        "A08",
        local(TUESDAY, 17),
        purchase=TimePurchase(prepaid_minutes=120),
        tenders=[wechat(10800)],
    )
    lines = [(ln.label, ln.amount_fen) for ln in tab.stays[0].covers[0].lines]
    assert lines == [
        ("买钟 白天档 1:00 @36.00/h", 3600),
        ("买钟 黄金档 1:00 @72.00/h", 7200),
        ("买钟赠送 30 分钟", 0),
    ]


def test_every_two_hours_bought_give_thirty_bonus_minutes(desk):
    tab = desk.open("A08", local(TUESDAY, 14), purchase=TimePurchase(prepaid_minutes=270))
    cover = tab.stays[0].covers[0]
    assert cover.bonus_minutes == 60
    assert cover.end == local(TUESDAY, 19, 30)  # 14:00 + 4h30 + 1h bonus


def test_bonus_time_is_free_and_overtime_starts_after_it(desk):
    desk.open(
        "A08",
        local(TUESDAY, 14),
        purchase=TimePurchase(prepaid_minutes=120),
        tenders=[wechat(7200)],
    )
    assert desk.bill("A08", local(TUESDAY, 16, 30)).due_fen == 0
    assert desk.bill("A08", local(TUESDAY, 16, 45)).due_fen == 900  # 15 min at 36/h


def test_extension_starts_when_the_bought_time_ends(desk):
    desk.open(
        "A08", local(TUESDAY, 14), purchase=TimePurchase(prepaid_minutes=60), tenders=[wechat(3600)]
    )
    tab = desk.extend("A08", local(TUESDAY, 14, 50), TimePurchase(prepaid_minutes=60))
    second = tab.stays[0].covers[1]
    assert (second.start, second.end) == (local(TUESDAY, 15), local(TUESDAY, 16))


def test_extension_after_the_time_ran_out_charges_the_gap_as_overtime(desk):
    desk.open(
        "A08", local(TUESDAY, 14), purchase=TimePurchase(prepaid_minutes=60), tenders=[wechat(3600)]
    )
    desk.extend("A08", local(TUESDAY, 15, 30), TimePurchase(prepaid_minutes=60))
    bill = desk.bill("A08", local(TUESDAY, 16, 30))
    assert bill.total_fen == 3600 + 1800 + 3600  # gap 15:00-15:30 + the second hour


def test_opening_gift_shows_the_package_and_takes_it_off(desk):
    desk.open("A08", local(TUESDAY, 14), purchase=TimePurchase(package="happy3", gift=True))
    bill = desk.bill("A08", local(TUESDAY, 16))
    assert (LineKind.GIFT, -9900) in kinds(bill)
    assert bill.total_fen == 0


def test_per_head_fee_is_charged_for_new_guests_at_the_band_they_arrive_in(desk):
    desk.open("B02", local(TUESDAY, 19), guests=4)
    desk.guests("B02", 6, local(TUESDAY, 23))  # +2 at prime 20/head
    desk.guests("B02", 8, local(TUESDAY, 0, 30, plus_days=1))  # +2 at late night 10/head
    desk.guests("B02", 5, local(TUESDAY, 1, plus_days=1))  # leaving guests get nothing back
    desk.guests("B02", 7, local(TUESDAY, 1, 30, plus_days=1))  # still below the 8 who paid
    fees = [
        ln.amount_fen
        for ln in desk.bill("B02", local(TUESDAY, 2, plus_days=1)).lines
        if ln.kind is LineKind.FEE
    ]
    assert fees == [8000, 4000, 2000]


def test_moving_a_prepaid_room_up_a_tier_charges_the_difference_on_time_left(desk):
    desk.open(
        "A08", local(TUESDAY, 19), purchase=TimePurchase(prepaid_minutes=60), tenders=[wechat(7200)]
    )
    desk.move("A08", "B02", local(TUESDAY, 19, 30))
    fees = [
        (ln.label, ln.amount_fen)
        for ln in desk.bill("B02", local(TUESDAY, 19, 45)).lines
        if ln.kind is LineKind.FEE
    ]
    assert fees == [("换房补差 A08->B02", 5400)]  # 30 min x (180 - 72)/h


def test_moving_a_prepaid_room_carries_time_over_free_when_the_plan_says_so():
    desk = FrontDesk(build_plan(tier_change=TierChange.CARRY_OVER))
    desk.open(
        "A08", local(TUESDAY, 19), purchase=TimePurchase(prepaid_minutes=60), tenders=[wechat(7200)]
    )
    tab = desk.move("A08", "B02", local(TUESDAY, 19, 30))
    assert tab.fees == ()
    assert tab.stays[0].paid_until == local(TUESDAY, 20)


def test_time_after_a_package_is_shown_as_overtime(desk):
    desk.open("A08", local(TUESDAY, 16), purchase=TimePurchase(package="happy3"))
    bill = desk.bill("A08", local(TUESDAY, 19, 30))
    overtime = [ln.label for ln in bill.lines if ln.kind is LineKind.ROOM_TIME]
    assert overtime == ["超时 A08 黄金档 0:30 @72.00/h"]
