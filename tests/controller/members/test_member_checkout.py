"""Coupons and points as a discount on a real bill, and a closed bill crediting its members."""

from __future__ import annotations

from datetime import timedelta

import pytest

from controller.billing.bill import LineKind
from controller.billing.desk import TenderAmount
from controller.billing.records import Tender
from controller.members.checkout import MemberCheckout
from controller.members.coupons import CouponKind, CouponSpec
from controller.members.loyalty import LoyaltyDesk
from controller.members.points import SpendLine
from ktv.errors import FailedPrecondition

from .test_pay_from_balance import CASHIER, venue_at


@pytest.fixture
def desk(tmp_path, clock):
    billing, members = venue_at(tmp_path / "controller.db", clock, seed=True)
    loyalty = LoyaltyDesk(members)
    yield MemberCheckout(billing, loyalty)
    billing.store.close()


def fifty(clock) -> CouponSpec:
    return CouponSpec(
        CouponKind.FIXED, 5_000, clock.now - timedelta(hours=1), clock.now + timedelta(days=30)
    )


def test_a_coupon_and_points_become_one_discount_line_then_checkout_credits_the_member(desk, clock):
    members, loyalty, billing = desk.loyalty.members, desk.loyalty, desk.billing
    m = members.register("13800138000", "张伟", pin="2580")
    loyalty.record_visit(m.member_id, "bills/earlier", [SpendLine("room", 50_000)])  # 500 points
    coupon = loyalty.issue_coupon(m.member_id, fifty(clock))
    billing.open("A08", 4, CASHIER)
    billing.order("A08", [("beer", 12)], CASHIER)
    clock.advance(hours=2)
    before = billing.bill(billing.tab_id_of("A08")).bill
    got = desk.apply("A08", m.member_id, coupons=[coupon.code], points=300, request_id="b1")
    assert (got.coupons_fen, got.points_fen) == (5_000, 300)
    discounts = [line for line in got.outcome.bill.lines if line.kind is LineKind.DISCOUNT]
    assert len(discounts) == 1 and coupon.code in discounts[0].label
    assert got.outcome.bill.total_fen < before.total_fen
    due = got.outcome.bill.due_fen
    out = billing.checkout("A08", CASHIER, [TenderAmount(Tender.CASH, due)], "co-1")
    credited = desk.credit(out.tab.tab_id)
    assert credited[m.member_id].recorded and credited[m.member_id].points_earned > 0
    assert desk.credit(out.tab.tab_id)[m.member_id].recorded is False  # once per bill


def test_benefits_larger_than_what_is_due_use_nothing(desk, clock):
    members, loyalty, billing = desk.loyalty.members, desk.loyalty, desk.billing
    m = members.register("13800138000", "张伟")
    loyalty.record_visit(m.member_id, "bills/earlier", [SpendLine("room", 10_000_000)])
    coupon = loyalty.issue_coupon(m.member_id, fifty(clock))
    billing.open("A08", 4, CASHIER)
    billing.order("A08", [("beer", 12)], CASHIER)
    due = billing.bill(billing.tab_id_of("A08")).bill.due_fen
    points_before = members.get(m.member_id).points
    with pytest.raises(FailedPrecondition) as err:
        desk.apply("A08", m.member_id, coupons=[coupon.code], points=due, request_id="b1")
    assert err.value.reason == "BENEFIT_TOO_LARGE"
    assert loyalty.coupon(coupon.code).used_at is None
    assert members.get(m.member_id).points == points_before


def test_someone_elses_coupon_is_refused(desk, clock):
    members, loyalty, billing = desk.loyalty.members, desk.loyalty, desk.billing
    a = members.register("13800138000", "张伟")
    b = members.register("13900139000", "李四")
    coupon = loyalty.issue_coupon(a.member_id, fifty(clock))
    billing.open("A08", 4, CASHIER)
    billing.order("A08", [("beer", 12)], CASHIER)
    with pytest.raises(FailedPrecondition) as err:
        desk.apply("A08", b.member_id, coupons=[coupon.code], request_id="b1")
    assert err.value.reason == "NOT_YOUR_COUPON"


def test_a_gold_member_gets_the_tier_discount_on_room_and_orders(desk, clock):
    members, loyalty, billing = desk.loyalty.members, desk.loyalty, desk.billing
    m = members.register("13800138000", "张伟")
    loyalty.record_visit(m.member_id, "bills/earlier", [SpendLine("room", 1_000_000)])  # gold
    billing.open("A08", 4, CASHIER)
    billing.order("A08", [("beer", 10)], CASHIER)
    clock.advance(hours=2)
    from controller.members.checkout import spend_lines

    lines = {
        x.category: x.amount_fen for x in spend_lines(billing.bill(billing.tab_id_of("A08")).bill)
    }
    got = desk.apply("A08", m.member_id, tier_discount=True, request_id="t1")
    expected = (lines["room"] * 1_000 + 5_000) // 10_000 + (lines["orders"] * 800 + 5_000) // 10_000
    assert got.tier_fen == expected > 0
    label = next(x.label for x in got.outcome.bill.lines if x.kind is LineKind.DISCOUNT)
    assert "gold" in label


def test_a_regular_member_has_no_tier_discount_to_give(desk, clock):
    members, billing = desk.loyalty.members, desk.billing
    m = members.register("13800138000", "张伟")
    billing.open("A08", 4, CASHIER)
    billing.order("A08", [("beer", 10)], CASHIER)
    with pytest.raises(FailedPrecondition) as err:
        desk.apply("A08", m.member_id, tier_discount=True, request_id="t1")
    assert err.value.reason == "NO_BENEFIT"
