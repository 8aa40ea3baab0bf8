"""Points, tiers over time, coupons (validity, stacking, single use under concurrency)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from controller.members.coupons import CouponKind, CouponSpec
from controller.members.desk import MemberDesk
from controller.members.loyalty import LoyaltyDesk
from controller.members.model import Tier
from controller.members.points import PointsEntry, SpendLine, points_to_expire
from controller.store.db import open_store
from ktv.errors import FailedPrecondition


@pytest.fixture
def loyalty(members) -> LoyaltyDesk:
    return LoyaltyDesk(members)


@pytest.fixture
def zhang(members):
    return members.register("13800138000", "张伟", pin="2580")


def evening(room_fen: int, drinks_fen: int = 0) -> list[SpendLine]:
    return [SpendLine("room", room_fen), SpendLine("drinks", drinks_fen)]


def test_a_regular_earns_a_point_per_yuan(loyalty, zhang):
    out = loyalty.record_visit(zhang.member_id, "bills/tab-1", evening(30_000, 8_850))
    assert out.points_earned == 388 and out.tier is Tier.REGULAR


def test_the_same_bill_earns_points_once(loyalty, zhang, members):
    loyalty.record_visit(zhang.member_id, "bills/tab-1", evening(30_000))
    again = loyalty.record_visit(zhang.member_id, "bills/tab-1", evening(30_000))
    assert not again.recorded and members.get(zhang.member_id).points == 300


def test_spending_3000_yuan_in_a_year_makes_silver_and_silver_earns_more(loyalty, zhang):
    assert loyalty.record_visit(zhang.member_id, "b1", evening(300_000)).tier is Tier.SILVER
    assert loyalty.record_visit(zhang.member_id, "b2", evening(10_000)).points_earned == 120


def test_a_tier_falls_back_when_the_spend_rolls_out_of_twelve_months(loyalty, zhang, clock):
    loyalty.record_visit(zhang.member_id, "b1", evening(1_000_000))
    assert loyalty.refresh_tier(zhang.member_id) is Tier.GOLD
    clock.advance(days=200)
    loyalty.record_visit(zhang.member_id, "b2", evening(300_000))
    assert loyalty.refresh_tier(zhang.member_id) is Tier.GOLD
    clock.advance(days=170)  # b1 is now more than 12 months old
    assert loyalty.refresh_tier(zhang.member_id) is Tier.SILVER
    clock.advance(days=200)
    assert loyalty.refresh_tier(zhang.member_id) is Tier.REGULAR


def test_points_redeem_as_a_discount_and_never_below_zero(loyalty, zhang, members):
    loyalty.record_visit(zhang.member_id, "b1", evening(30_000))
    assert loyalty.redeem_points(zhang.member_id, 200, request_id="r1", bill="b2") == 200
    assert loyalty.redeem_points(zhang.member_id, 200, request_id="r1", bill="b2") == 200  # retry
    assert members.get(zhang.member_id).points == 100
    with pytest.raises(FailedPrecondition):
        loyalty.redeem_points(zhang.member_id, 101, request_id="r2", bill="b2")


def test_points_expire_a_year_after_they_were_earned(loyalty, zhang, members, clock):
    loyalty.record_visit(zhang.member_id, "b1", evening(30_000))
    loyalty.redeem_points(zhang.member_id, 100, request_id="r1", bill="b1")
    clock.advance(days=200)
    loyalty.record_visit(zhang.member_id, "b2", evening(10_000))
    clock.advance(days=166)
    assert loyalty.expire_points(zhang.member_id) == 200
    assert members.get(zhang.member_id).points == 100
    assert loyalty.expire_points(zhang.member_id) == 0


def test_spending_takes_the_oldest_points_first():
    from datetime import date

    lots = [
        PointsEntry(100, date(2026, 1, 1)),
        PointsEntry(100, date(2026, 6, 1)),
        PointsEntry(-150, None),
    ]
    assert points_to_expire(lots, date(2026, 2, 1)) == 0
    assert points_to_expire(lots, date(2026, 7, 1)) == 50


def spec(clock, **kw) -> CouponSpec:
    base = dict(
        kind=CouponKind.FIXED,
        value=5_000,
        valid_from=clock.now - timedelta(days=1),
        valid_until=clock.now + timedelta(days=30),
    )
    base.update(kw)
    return CouponSpec(**base)  # type: ignore[arg-type]


def test_a_50_yuan_coupon_with_a_200_minimum_spend(loyalty, zhang, clock):
    c = loyalty.issue_coupon(zhang.member_id, spec(clock, min_spend_fen=20_000))
    with pytest.raises(FailedPrecondition) as err:
        loyalty.use_coupons([c.code], "b1", evening(15_000), request_id="u1")
    assert err.value.reason == "COUPON_MIN_SPEND"
    assert loyalty.use_coupons([c.code], "b1", evening(25_000), request_id="u2") == 5_000


def test_a_percent_coupon_on_drinks_only(loyalty, zhang, clock):
    c = loyalty.issue_coupon(
        zhang.member_id, spec(clock, kind=CouponKind.PERCENT, value=2_000, categories=("drinks",))
    )
    assert loyalty.use_coupons([c.code], "b1", evening(30_000, 10_000), request_id="u1") == 2_000


def test_a_coupon_outside_its_window_is_refused(loyalty, zhang, clock):
    c = loyalty.issue_coupon(zhang.member_id, spec(clock))
    clock.advance(days=31)
    with pytest.raises(FailedPrecondition) as err:
        loyalty.use_coupons([c.code], "b1", evening(30_000), request_id="u1")
    assert err.value.reason == "COUPON_NOT_VALID_NOW"


def test_one_coupon_per_bill_unless_stackable(loyalty, zhang, clock):
    a = loyalty.issue_coupon(zhang.member_id, spec(clock))
    b = loyalty.issue_coupon(zhang.member_id, spec(clock))
    with pytest.raises(FailedPrecondition) as err:
        loyalty.use_coupons([a.code, b.code], "b1", evening(30_000), request_id="u1")
    assert err.value.reason == "COUPON_STACKING"
    s1 = loyalty.issue_coupon(zhang.member_id, spec(clock, stackable=True))
    s2 = loyalty.issue_coupon(zhang.member_id, spec(clock, stackable=True))
    assert loyalty.use_coupons([s1.code, s2.code], "b1", evening(30_000), request_id="u2") == 10_000


def test_a_used_coupon_cannot_be_used_again_but_a_retry_is_fine(loyalty, zhang, clock):
    c = loyalty.issue_coupon(zhang.member_id, spec(clock))
    assert loyalty.use_coupons([c.code], "b1", evening(30_000), request_id="u1") == 5_000
    assert loyalty.use_coupons([c.code], "b1", evening(30_000), request_id="u1") == 5_000
    with pytest.raises(FailedPrecondition) as err:
        loyalty.use_coupons([c.code], "b2", evening(30_000), request_id="u2")
    assert err.value.reason == "COUPON_USED"


def test_two_desks_racing_for_one_coupon_get_one_use(tmp_path, clock):
    path = tmp_path / "controller.db"
    stores = [open_store(path), open_store(path)]
    try:
        desks = [LoyaltyDesk(MemberDesk(s, clock)) for s in stores]
        m = desks[0].members.register("13800138000", "张伟")
        codes = [desks[0].issue_coupon(m.member_id, spec(clock)).code for _ in range(10)]
        wins: list[str] = []
        barrier = threading.Barrier(2)

        def desk(i: int) -> None:
            barrier.wait()
            for code in codes:
                try:
                    desks[i].use_coupons([code], f"b{i}", evening(30_000), request_id=f"{i}-{code}")
                    wins.append(code)
                except FailedPrecondition:
                    pass

        threads = [threading.Thread(target=desk, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(wins) == sorted(codes)  # every coupon used exactly once
    finally:
        for s in stores:
            s.close()
