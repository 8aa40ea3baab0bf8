"""Tender classes (实收 vs deferred vs non-revenue) and the two tenders reports need:
招待 (hospitality, a manager's) and 签单 (signed credit to a named account)."""

import pytest

from controller.billing.desk import TenderAmount, decide_payments
from controller.billing.records import Tender
from controller.billing.tenders import TENDER_CLASSES, TenderClass, is_revenue, tender_class
from ktv.errors import InvalidArgument, PermissionDenied

from .conftest import MANAGER, TUESDAY, cash, local


def test_every_tender_billing_knows_has_a_class():
    assert {t.value for t in Tender} <= set(TENDER_CLASSES)


def test_real_takings_are_cash_card_and_the_three_qr_wallets_only():
    revenue = {t for t in Tender if is_revenue(t)}
    assert revenue == {
        Tender.CASH,
        Tender.BANK_CARD,
        Tender.WECHAT,
        Tender.ALIPAY,
        Tender.UNIONPAY_QR,
    }
    assert tender_class(Tender.STORED_VALUE) is TenderClass.DEFERRED
    assert tender_class(Tender.SIGNED_CREDIT) is TenderClass.DEFERRED
    assert tender_class(Tender.HOSPITALITY) is TenderClass.NON_REVENUE
    # ready for tenders billing does not have yet
    assert tender_class("deposit") is TenderClass.DEFERRED
    assert tender_class("stored_wine") is TenderClass.NON_REVENUE


def test_an_unknown_tender_code_is_refused_not_guessed():
    with pytest.raises(InvalidArgument):
        tender_class("bitcoin")


def _sing(desk):
    desk.open("A08", local(TUESDAY, 14))
    desk.order("A08", local(TUESDAY, 14), ("beer", 3))
    return desk.bill("A08", local(TUESDAY, 15)).total_fen  # 36 + 30 = 66.00


def test_a_cashier_cannot_put_a_bill_on_the_house(desk):
    _sing(desk)
    with pytest.raises(PermissionDenied, match="招待"):
        desk.pay("A08", local(TUESDAY, 15), TenderAmount(Tender.HOSPITALITY, 6600, "张总的客人"))
    assert desk.tab("A08").payments == ()


def test_a_manager_hosts_with_a_reference_and_the_bill_closes(desk):
    total = _sing(desk)
    tab = desk.tab("A08")
    at = local(TUESDAY, 15)
    with pytest.raises(InvalidArgument, match="for whom"):
        events = decide_payments(
            tab, desk.plan, [TenderAmount(Tender.HOSPITALITY, total)], at, MANAGER, desk.new_id
        )
        desk._apply(events)
    events = decide_payments(
        tab,
        desk.plan,
        [TenderAmount(Tender.HOSPITALITY, total, "张总的客人")],
        at,
        MANAGER,
        desk.new_id,
    )
    desk._apply(events)
    assert desk.checkout("A08", at).paid_fen == total


def test_signed_credit_names_its_account(desk):
    total = _sing(desk)
    at = local(TUESDAY, 15)
    with pytest.raises(InvalidArgument) as err:
        desk.pay("A08", at, TenderAmount(Tender.SIGNED_CREDIT, 1000))
    assert err.value.reason == "ACCOUNT_REQUIRED"
    desk.pay("A08", at, TenderAmount(Tender.SIGNED_CREDIT, 5000, "华为行政部"), cash(total - 5000))
    assert desk.checkout("A08", at).paid_fen == total
