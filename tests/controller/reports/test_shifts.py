"""交班: the cash drawer as a chain (expected = last count + cash in - cash out), variances
with reasons, the operations of the shift with who did them (a refused over-cap attempt too),
and the next shift starting from the count."""

from __future__ import annotations

import pytest

from controller.billing.desk import TenderAmount
from controller.billing.records import Tender
from controller.reports.service import ShiftDesk
from ktv.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied

from .conftest import CASHIER, MANAGER, TUE


def test_a_shift_counts_the_drawer_and_hands_over_to_the_next_cashier(venue):
    shifts = ShiftDesk(venue.reports)
    b = venue.billing
    venue.at(TUE, 11)
    shift = shifts.start("cashier-li", float_fen=50_000)
    assert shift.opening_fen == 50_000
    with pytest.raises(FailedPrecondition) as err:
        shifts.start("cashier-zhang")
    assert err.value.reason == "SHIFT_OPEN"
    member = venue.members.register("13800138000", "张伟", pin="2580")
    venue.members.top_up(member.member_id, 30_000, tender="cash", request_id="t1")  # cash in
    venue.at(TUE, 12)
    b.open("A08", 2, CASHIER)
    order = b.order("A08", [("fruit", 1)], CASHIER).order_id
    with pytest.raises(PermissionDenied) as refused:  # a cashier's cap is 0 by default
        b.update_order("A08", order, "comp", CASHIER, "老客户")
    assert refused.value.reason == "APPROVAL_REQUIRED"
    b.update_order("A08", order, "comp", MANAGER, "老客户")
    b.order("A08", [("beer", 2)], CASHIER)
    venue.at(TUE, 13)
    done = b.checkout("A08", CASHIER, [TenderAmount(Tender.CASH, 10_000)])  # 36 + 20 = 56
    assert done.bill.total_fen == 5600
    cash = next(p for p in done.tab.payments if p.tender is Tender.CASH)
    b.refund(done.tab.tab_id, cash.payment_id, 600, "多收", MANAGER)  # cash out
    venue.at(TUE, 14)
    sheet = shifts.current()[1]
    expected = 50_000 + 30_000 + 5600 - 600
    assert sheet.figure("expected_fen") == expected
    assert sheet.figure("takings_fen") == 5000
    ops = sheet.section("operations")
    assert sheet.figure("refused") == 1 and sheet.figure("operations") == 2
    assert [(r[1], r[3], r[5], r[6]) for r in ops.rows] == [
        ("越权被拒", "cashier-li", 3800, "赠送 38.00 超出上限 0.00 (超 38.00): 无审批"),
        ("赠送", "manager-wang", -3800, "老客户"),
        ("退款", "manager-wang", -600, "多收"),
    ]
    with pytest.raises(PermissionDenied):
        shifts.hand_over("cashier-zhang", False, expected)
    with pytest.raises(InvalidArgument) as err:
        shifts.hand_over("cashier-li", False, expected - 1000)
    assert err.value.reason == "VARIANCE_REASON_REQUIRED"
    handed = shifts.hand_over(
        "cashier-li", False, expected - 1000, reason="找错零钱", handed_to="cashier-zhang"
    )
    assert handed.figure("counted_fen") == expected - 1000
    assert handed.figure("variance_fen") == -1000
    nxt, sheet2 = shifts.current()
    assert nxt.staff_id == "cashier-zhang" and nxt.opening_fen == expected - 1000
    assert sheet2.figure("expected_fen") == expected - 1000  # the chain starts from the count
    venue.at(TUE, 22)
    shifts.hand_over("manager-wang", True, expected - 1000)  # a manager may close it
    with pytest.raises(NotFound):
        shifts.current()
    third = shifts.start("cashier-li", float_fen=1)  # the float counts only the first time
    assert third.opening_fen == expected - 1000
