"""The live bill: orders, comps, minimum spend, service charge, discounts, rounding, moves
and merges."""

import pytest

from controller.billing.bill import LineKind
from controller.billing.money import RoundingRule
from controller.billing.plan import MinimumSpendBasis
from controller.billing.records import OrderSource
from controller.billing.tab import TabStatus
from ktv.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied

from .conftest import CASHIER, GUEST, MANAGER, TUESDAY, WAITER, FrontDesk, build_plan, local, wechat


def amounts(bill, kind):
    return [ln.amount_fen for ln in bill.lines if ln.kind is kind]


def test_bill_under_the_minimum_spend_is_topped_up_with_a_visible_line(desk):
    desk.open("A08", local(TUESDAY, 19))
    desk.order("A08", local(TUESDAY, 19, 5), ("beer", 6))
    bill = desk.bill("A08", local(TUESDAY, 20))
    assert amounts(bill, LineKind.MINIMUM_SPEND) == [20000 - 7200 - 6000]
    assert bill.total_fen == 20000


def test_no_top_up_once_the_minimum_is_reached(desk):
    desk.open("A08", local(TUESDAY, 19))
    desk.order("A08", local(TUESDAY, 19, 5), ("beer", 12), ("fruit", 1))
    bill = desk.bill("A08", local(TUESDAY, 20))
    assert amounts(bill, LineKind.MINIMUM_SPEND) == []
    assert bill.total_fen == 7200 + 12000 + 3800


def test_minimum_spend_on_orders_only_ignores_room_time():
    desk = FrontDesk(build_plan(minimum_basis=MinimumSpendBasis.ORDERS_ONLY))
    desk.open("A08", local(TUESDAY, 19))
    desk.order("A08", local(TUESDAY, 19, 5), ("beer", 6))
    assert amounts(desk.bill("A08", local(TUESDAY, 20)), LineKind.MINIMUM_SPEND) == [14000]


def test_the_same_beer_costs_more_in_a_vip_room(desk):
    desk.open("A08", local(TUESDAY, 14))
    desk.open("B02", local(TUESDAY, 14))
    desk.order("A08", local(TUESDAY, 14), ("beer", 2))
    desk.order("B02", local(TUESDAY, 14), ("beer", 2))
    assert amounts(desk.bill("A08", local(TUESDAY, 15)), LineKind.ORDER) == [2000]
    assert amounts(desk.bill("B02", local(TUESDAY, 15)), LineKind.ORDER) == [3000]


def test_service_charge_discount_and_rounding_to_the_yuan():
    desk = FrontDesk(build_plan(service_charge_bp=1000, rounding=RoundingRule.FLOOR_YUAN))
    desk.open("A08", local(TUESDAY, 14))
    desk.order("A08", local(TUESDAY, 14), ("beer", 3), ("water", 1))
    desk.discount("A08", local(TUESDAY, 15), percent_bp=500)
    bill = desk.bill("A08", local(TUESDAY, 15, 7))
    assert bill.subtotal_fen == 3600 + 3000 + 500
    assert bill.service_charge_fen == 710
    assert bill.discount_fen == 391  # 5 % of 78.10, half up
    assert bill.rounding_fen == -19
    assert bill.total_fen == 7400
    labels = [ln.kind for ln in bill.lines][-3:]
    assert labels == [LineKind.SERVICE_CHARGE, LineKind.DISCOUNT, LineKind.ROUNDING]


def test_half_up_rounding_can_round_the_total_up():
    desk = FrontDesk(build_plan(rounding=RoundingRule.HALF_UP_YUAN))
    desk.open("A08", local(TUESDAY, 14))
    desk.discount("A08", local(TUESDAY, 14), amount_fen=50)
    bill = desk.bill("A08", local(TUESDAY, 15))
    assert (bill.total_fen, bill.rounding_fen) == (3600, 50)


def test_a_discount_never_takes_the_bill_below_zero(desk):
    desk.open("A08", local(TUESDAY, 14))
    desk.discount("A08", local(TUESDAY, 14), amount_fen=999_999)
    assert desk.bill("A08", local(TUESDAY, 15)).total_fen == 0


def test_discounts_need_a_manager_and_a_reason(desk):
    desk.open("A08", local(TUESDAY, 14))
    with pytest.raises(PermissionDenied, match="manager"):
        desk.discount("A08", local(TUESDAY, 14), amount_fen=100, actor=CASHIER)
    with pytest.raises(InvalidArgument, match="reason"):
        desk.discount("A08", local(TUESDAY, 14), amount_fen=100, reason=" ")
    assert desk.tab("A08").discounts == ()


def test_comp_by_a_manager_keeps_the_line_and_adds_an_equal_negative_one(desk):
    desk.open("A08", local(TUESDAY, 14))
    order = desk.order("A08", local(TUESDAY, 14), ("fruit", 1))
    with pytest.raises(PermissionDenied):
        desk.comp("A08", order, local(TUESDAY, 14), actor=WAITER)
    desk.comp("A08", order, local(TUESDAY, 14, 5))
    bill = desk.bill("A08", local(TUESDAY, 15))
    assert amounts(bill, LineKind.ORDER) == [3800]
    assert amounts(bill, LineKind.COMP) == [-3800]


def test_cancelling_a_delivered_order_needs_a_manager(desk):
    desk.open("A08", local(TUESDAY, 14))
    order = desk.order("A08", local(TUESDAY, 14), ("beer", 6))
    desk.deliver("A08", order, local(TUESDAY, 14, 10))
    with pytest.raises(PermissionDenied):
        desk.cancel("A08", order, local(TUESDAY, 14, 20))
    desk.cancel("A08", order, local(TUESDAY, 14, 20), actor=MANAGER, reason="啤酒是温的")
    assert amounts(desk.bill("A08", local(TUESDAY, 15)), LineKind.ORDER) == []


def test_a_placed_order_can_be_cancelled_by_the_waiter_with_a_reason(desk):
    desk.open("A08", local(TUESDAY, 14))
    order = desk.order("A08", local(TUESDAY, 14), ("beer", 6))
    with pytest.raises(InvalidArgument):
        desk.cancel("A08", order, local(TUESDAY, 14, 1), reason="")
    desk.cancel("A08", order, local(TUESDAY, 14, 1))
    with pytest.raises(FailedPrecondition):
        desk.deliver("A08", order, local(TUESDAY, 14, 2))


def test_guests_can_order_from_the_room_touchscreen(desk):
    desk.open("A08", local(TUESDAY, 14))
    desk.order("A08", local(TUESDAY, 14), ("water", 2), actor=GUEST, source=OrderSource.ROOM)
    assert desk.tab("A08").orders[0].source is OrderSource.ROOM


def test_bad_orders_are_refused_and_change_nothing(desk):
    desk.open("A08", local(TUESDAY, 14))
    with pytest.raises(InvalidArgument, match="quantity"):
        desk.order("A08", local(TUESDAY, 14), ("beer", -1))
    with pytest.raises(NotFound, match="caviar"):
        desk.order("A08", local(TUESDAY, 14), ("beer", 1), ("caviar", 1))
    with pytest.raises(FailedPrecondition, match="薯片"):
        desk.order("A08", local(TUESDAY, 14), ("chips", 1))
    with pytest.raises(InvalidArgument):
        desk.order("A08", local(TUESDAY, 14))
    assert desk.tab("A08").orders == ()


def test_room_change_keeps_charges_so_far_and_the_new_tier_applies_from_the_move(desk):
    desk.open("A08", local(TUESDAY, 19))
    desk.move("A08", "B02", local(TUESDAY, 20))
    bill = desk.bill("B02", local(TUESDAY, 21))
    assert [(ln.room, ln.amount_fen) for ln in bill.lines if ln.kind is LineKind.ROOM_TIME] == [
        ("A08", 7200),
        ("B02", 18000),
    ]
    # the highest minimum of the rooms used applies
    assert bill.total_fen == 80000


def test_moving_does_not_restart_the_first_hour(desk):
    desk.open("A08", local(TUESDAY, 14))
    desk.move("A08", "A09", local(TUESDAY, 14, 30))
    bill = desk.bill("A09", local(TUESDAY, 15))
    assert amounts(bill, LineKind.ROOM_TIME) == [1800, 1800]


def test_merged_rooms_share_one_bill_and_one_checkout(desk):
    desk.open("A08", local(TUESDAY, 19))
    desk.open("A09", local(TUESDAY, 19))
    desk.order("A09", local(TUESDAY, 19, 30), ("beer", 6))
    source_tab = desk.tab("A09").tab_id
    desk.merge("A09", "A08", local(TUESDAY, 20))
    bill = desk.bill("A08", local(TUESDAY, 21))
    assert set(bill.rooms) == {"A08", "A09"}
    assert amounts(bill, LineKind.ROOM_TIME) == [14400, 14400]
    assert bill.total_fen == 40000  # two rooms' minimum spend
    closed = desk.checkout("A08", local(TUESDAY, 21), wechat(40000))
    assert closed.closed
    assert desk.ledger.tab(source_tab).status is TabStatus.MERGED
    assert desk.ledger.bill(source_tab, local(TUESDAY, 21)).total_fen == 0


def test_a_room_cannot_be_merged_into_its_own_tab(desk):
    desk.open("A08", local(TUESDAY, 19))
    with pytest.raises(InvalidArgument):
        desk.merge("A08", "A08", local(TUESDAY, 20))
