"""Draws over a real venue's SQLite file: the commitment is stored before the run, a run
before the window ends is refused, only the eligible bills can win, prizes land once (a
second run answers the first result), and the revealed draw verifies."""

from __future__ import annotations

from datetime import timedelta

import pytest

from controller.club import draws
from controller.club.draws import DrawRule, Eligibility, Prize, PrizeKind
from ktv.errors import FailedPrecondition, NotFound
from tests.controller.members.test_pay_from_balance import CASHIER


def open_rooms(club) -> None:  # type: ignore[no-untyped-def]
    club.billing.open("A08", 4, CASHIER)
    club.billing.open("A09", 2, CASHIER)
    club.billing.order("A08", [("beer", 40)], CASHIER)  # ¥400 of beer on A08


def total(club, room: str) -> int:  # type: ignore[no-untyped-def]
    return club.billing.bill(club.billing.tab_id_of(room)).bill.total_fen


def bill_over(club, prize: Prize, winners: int = 2) -> DrawRule:  # type: ignore[no-untyped-def]
    now = club.clock()
    a08, a09 = total(club, "A08"), total(club, "A09")
    assert a08 > a09
    return DrawRule(
        now - timedelta(hours=1),
        now + timedelta(hours=2),
        Eligibility.BILL_OVER,
        prize,
        winners,
        min_bill_fen=(a08 + a09) // 2,
    )


def test_the_seed_is_committed_at_creation_and_the_run_waits_for_the_window(club) -> None:  # type: ignore[no-untyped-def]
    open_rooms(club)
    made = club.draws.create("周二抽奖", bill_over(club, Prize(PrizeKind.COMP_AMOUNT, 5000)), "m1")
    assert made.seed_sha256 == draws.commitment(made.seed)
    assert not made.drawn and made.winners == ()
    with pytest.raises(FailedPrecondition) as err:
        club.draws.run(made.draw_id, "m1")
    assert err.value.reason == "DRAW_NOT_DUE"
    with pytest.raises(NotFound):
        club.draws.run("nosuchdraw", "m1")


def test_only_the_bill_over_the_line_wins_and_the_amount_off_lands_once(club) -> None:  # type: ignore[no-untyped-def]
    open_rooms(club)
    made = club.draws.create("周二抽奖", bill_over(club, Prize(PrizeKind.COMP_AMOUNT, 5000)), "m1")
    before = total(club, "A08")
    club.clock.advance(hours=2, minutes=1)
    running = total(club, "A08")  # room time went on
    drawn = club.draws.run(made.draw_id, "m1")
    tab = club.billing.tab_id_of("A08")
    assert drawn.entrants == (f"bills/{tab}",)  # A09 stayed under the line
    assert [(w.rank, w.entrant, w.room_id) for w in drawn.winners] == [(1, f"bills/{tab}", "A08")]
    assert drawn.winners[0].prize_reference.startswith(f"bills/{tab}#")
    assert total(club, "A08") == running - 5000 and running >= before
    again = club.draws.run(made.draw_id, "m2")  # a second run: the first result, nothing new
    assert again == drawn
    assert len(club.billing.bill(tab).tab.discounts) == 1
    assert draws.verify(drawn.published()) == []


def test_a_product_prize_goes_on_the_bill_comped(club) -> None:  # type: ignore[no-untyped-def]
    open_rooms(club)
    rule = bill_over(club, Prize(PrizeKind.COMP_PRODUCT, 0, "fruit"))
    made = club.draws.create("果盘抽奖", rule, "m1")
    club.clock.advance(hours=3)
    drawn = club.draws.run(made.draw_id, "m1")
    tab = club.billing.tab_id_of("A08")
    order_id = drawn.winners[0].prize_reference.split("#")[1]
    order = club.billing.bill(tab).tab.order(order_id)
    assert [(line.sku, line.quantity) for line in order.lines] == [("fruit", 1)]
    assert order.comped and order.note == "抽奖 果盘抽奖"
    with pytest.raises(NotFound):
        club.draws.create(
            "没有的", bill_over(club, Prize(PrizeKind.COMP_PRODUCT, 0, "caviar")), "m"
        )


def test_a_coupon_prize_goes_to_the_member_signed_in_to_the_bill(club) -> None:  # type: ignore[no-untyped-def]
    open_rooms(club)
    member = club.members.register("13800138000", "张伟", pin="2580")
    tab = club.billing.tab_id_of("A08")
    club.members.sign_in("13800138000", "2580", "A08", tab)
    made = club.draws.create(
        "券", bill_over(club, Prize(PrizeKind.COUPON, 8800, coupon_days_valid=7)), "m1"
    )
    club.clock.advance(hours=3)
    drawn = club.draws.run(made.draw_id, "m1")
    (winner,) = drawn.winners
    coupons = club.loyalty.coupons(member.member_id)
    assert [(c.code, c.spec.value) for c in coupons] == [(winner.prize_reference, 8800)]
    club.draws.run(made.draw_id, "m1")
    assert len(club.loyalty.coupons(member.member_id)) == 1


def test_a_run_that_fails_half_way_lands_nothing(club, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    open_rooms(club)
    club.billing.order("A09", [("beer", 40)], CASHIER)
    now = club.clock()
    rule = DrawRule(
        now - timedelta(hours=1),
        now + timedelta(hours=1),
        Eligibility.ROOM_OPEN,
        Prize(PrizeKind.COMP_AMOUNT, 1000),
        2,
    )
    made = club.draws.create("两个", rule, "m1")
    club.clock.advance(hours=2)
    real = club.draws._land_on_bill
    calls = []

    def second_fails(record, bill):  # type: ignore[no-untyped-def]
        calls.append(bill)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return real(record, bill)

    monkeypatch.setattr(club.draws, "_land_on_bill", second_fails)
    with pytest.raises(RuntimeError):
        club.draws.run(made.draw_id, "m1")
    for room in ("A08", "A09"):
        assert club.billing.bill(club.billing.tab_id_of(room)).tab.discounts == ()
    assert not club.draws.get(made.draw_id).drawn
    monkeypatch.setattr(club.draws, "_land_on_bill", real)
    drawn = club.draws.run(made.draw_id, "m1")
    assert len(drawn.winners) == 2
    assert draws.verify(drawn.published()) == []
