"""Split tender, cash change, closing, refunds."""

import pytest

from controller.billing.desk import TenderAmount
from controller.billing.records import Tender
from ktv.errors import FailedPrecondition, InvalidArgument, PermissionDenied

from .conftest import CASHIER, TUESDAY, cash, local, wechat


def open_and_sing(desk):
    desk.open("A08", local(TUESDAY, 14))
    desk.order("A08", local(TUESDAY, 14), ("beer", 3), ("water", 1))
    return desk.bill("A08", local(TUESDAY, 15)).total_fen  # 36 + 30 + 5 = 71.00


def test_split_tender_wechat_then_cash_with_change(desk):
    assert open_and_sing(desk) == 7100
    bill = desk.checkout("A08", local(TUESDAY, 15), cash(5000), wechat(3000))
    assert bill.closed and bill.paid_fen == 7100
    payments = desk.tab("A08").payments
    assert [(p.tender, p.amount_fen, p.tendered_fen, p.change_fen) for p in payments] == [
        (Tender.WECHAT, 3000, 3000, 0),
        (Tender.CASH, 4100, 5000, 900),
    ]


def test_every_tender_type_can_share_one_bill(desk):
    open_and_sing(desk)
    tenders = [
        TenderAmount(t, 1000, reference=f"ref-{t.value}")
        for t in Tender
        if t not in (Tender.CASH, Tender.HOSPITALITY)  # 招待 is a manager's (test_tenders.py)
    ]
    bill = desk.checkout("A08", local(TUESDAY, 15), *tenders, cash(7100 - 1000 * len(tenders)))
    assert bill.paid_fen == bill.total_fen == 7100


def test_overpaying_with_a_non_cash_tender_is_refused_and_nothing_is_written(desk):
    open_and_sing(desk)
    with pytest.raises(InvalidArgument, match="more than"):
        desk.pay("A08", local(TUESDAY, 15), wechat(3000), TenderAmount(Tender.ALIPAY, 5000))
    assert desk.tab("A08").payments == ()


def test_a_bill_closes_only_when_payments_equal_the_total(desk):
    open_and_sing(desk)
    desk.pay("A08", local(TUESDAY, 15), wechat(7000))
    with pytest.raises(FailedPrecondition, match=r"1\.00 still due"):
        desk.checkout("A08", local(TUESDAY, 15))
    assert desk.tab("A08").is_open


def test_paying_a_closed_bill_is_refused(desk):
    open_and_sing(desk)
    desk.checkout("A08", local(TUESDAY, 15), wechat(7100))
    with pytest.raises(FailedPrecondition, match="closed"):
        desk.pay("A08", local(TUESDAY, 15, 1), cash(100))


def test_closed_bill_never_changes_even_hours_later(desk):
    open_and_sing(desk)
    closed = desk.checkout("A08", local(TUESDAY, 15), wechat(7100))
    later = desk.bill("A08", local(TUESDAY, 23))
    assert later == closed


def test_partial_refund_by_a_manager_is_a_negative_payment(desk):
    open_and_sing(desk)
    desk.checkout("A08", local(TUESDAY, 15), wechat(7100))
    paid = desk.tab("A08").payments[0]
    desk.refund("A08", paid.payment_id, 1100, local(TUESDAY, 15, 10))
    tab = desk.tab("A08")
    assert tab.payments[0] == paid  # never edited
    assert tab.payments[1].amount_fen == -1100 and tab.payments[1].refund_of == paid.payment_id
    bill = desk.bill("A08", local(TUESDAY, 16))
    assert (bill.total_fen, bill.paid_fen) == (7100, 6000)


def test_refunds_need_a_manager_a_reason_and_cannot_exceed_what_was_paid(desk):
    open_and_sing(desk)
    desk.checkout("A08", local(TUESDAY, 15), wechat(7100))
    pid = desk.tab("A08").payments[0].payment_id
    with pytest.raises(PermissionDenied):
        desk.refund("A08", pid, 100, local(TUESDAY, 15, 10), actor=CASHIER)
    with pytest.raises(InvalidArgument, match="reason"):
        desk.refund("A08", pid, 100, local(TUESDAY, 15, 10), reason="")
    desk.refund("A08", pid, 7000, local(TUESDAY, 15, 10))
    with pytest.raises(InvalidArgument, match=r"more than the 1\.00 left"):
        desk.refund("A08", pid, 200, local(TUESDAY, 15, 11))
    with pytest.raises(InvalidArgument):
        desk.refund("A08", pid, -5, local(TUESDAY, 15, 11))
    assert len(desk.tab("A08").payments) == 2


def test_zero_or_negative_tenders_are_refused(desk):
    open_and_sing(desk)
    with pytest.raises(InvalidArgument):
        desk.pay("A08", local(TUESDAY, 15), cash(0))
    with pytest.raises(InvalidArgument):
        desk.pay("A08", local(TUESDAY, 15), wechat(-100))


def test_a_payment_by_a_role_that_may_not_take_one_is_refused_with_the_roles_named():
    from controller.auth.model import Role
    from controller.billing.ledger import CASHIERS, require_role
    from controller.billing.records import Actor

    with pytest.raises(PermissionDenied) as refused:  # was a TypeError (Role.value is an int)
        require_role(Actor("guest:A08", Role.GUEST), CASHIERS, "taking a payment")
    assert "admin/cashier/manager" in str(refused.value)
