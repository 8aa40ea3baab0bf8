"""储值: top-ups with promotions, principal and bonus apart, refunds, the ledger as the truth."""

from __future__ import annotations

import pytest

from controller.members.desk import MemberDesk, MemberPolicy
from controller.members.model import BonusOrder, EntryKind
from ktv.errors import Conflict, FailedPrecondition, InvalidArgument


@pytest.fixture
def zhang(members):
    return members.register("13800138000", "张伟", pin="2580")


def test_top_up_500_get_100_bonus_kept_apart_from_the_principal(members, zhang):
    entry = members.top_up(zhang.member_id, 50_000, tender="wechat", request_id="t1")
    assert (entry.principal_fen, entry.bonus_fen) == (50_000, 10_000)
    balance = members.get(zhang.member_id).balance
    assert (balance.principal_fen, balance.bonus_fen, balance.total_fen) == (50_000, 10_000, 60_000)


def test_a_small_top_up_gets_no_bonus(members, zhang):
    entry = members.top_up(zhang.member_id, 20_000, tender="cash", request_id="t1")
    assert entry.bonus_fen == 0


def test_bonus_is_spent_after_the_principal_by_default(members, zhang):
    members.top_up(zhang.member_id, 50_000, tender="cash", request_id="t1")
    pay = members.pay(zhang.member_id, "2580", 55_000, request_id="p1")
    assert (pay.principal_fen, pay.bonus_fen) == (-50_000, -5_000)


def test_bonus_can_be_spent_pro_rata(store, clock):
    desk = MemberDesk(store, clock, MemberPolicy(bonus_order=BonusOrder.PRO_RATA))
    m = desk.register("13800138000", "张伟", pin="2580")
    desk.top_up(m.member_id, 50_000, tender="cash", request_id="t1")  # 500 + 100
    pay = desk.pay(m.member_id, "2580", 30_000, request_id="p1")
    assert (pay.principal_fen, pay.bonus_fen) == (-25_000, -5_000)


def test_the_balance_never_goes_negative(members, zhang, store):
    members.top_up(zhang.member_id, 10_000, tender="cash", request_id="t1")
    with pytest.raises(FailedPrecondition) as err:
        members.pay(zhang.member_id, "2580", 10_001, request_id="p1")
    assert err.value.reason == "INSUFFICIENT_BALANCE"
    assert store.query_one("SELECT COUNT(*) AS n FROM member_ledger")["n"] == 1


def test_refunding_unused_stored_value_returns_principal_only(members, zhang):
    members.top_up(zhang.member_id, 50_000, tender="cash", request_id="t1")
    out = members.cash_out(zhang.member_id, 50_000, request_id="r1", reason="搬家")
    assert (out.principal_fen, out.bonus_fen) == (-50_000, -10_000)
    assert members.get(zhang.member_id).balance.total_fen == 0


def test_bonus_is_never_refunded_as_cash(members, zhang):
    members.top_up(zhang.member_id, 50_000, tender="cash", request_id="t1")
    members.pay(zhang.member_id, "2580", 50_000, request_id="p1")  # principal gone
    with pytest.raises(FailedPrecondition) as err:
        members.cash_out(zhang.member_id, 1, request_id="r1", reason="退卡")
    assert err.value.reason == "REFUND_TOO_LARGE"


def test_a_retried_top_up_applies_once(members, zhang):
    first = members.top_up(zhang.member_id, 50_000, tender="cash", request_id="t1")
    again = members.top_up(zhang.member_id, 50_000, tender="cash", request_id="t1")
    assert again == first
    assert members.get(zhang.member_id).balance.total_fen == 60_000


def test_a_request_id_reused_for_another_amount_is_refused(members, zhang):
    members.top_up(zhang.member_id, 50_000, tender="cash", request_id="t1")
    with pytest.raises(Conflict):
        members.top_up(zhang.member_id, 40_000, tender="cash", request_id="t1")


def test_a_payment_refund_gives_back_principal_and_bonus_as_taken(members, zhang):
    members.top_up(zhang.member_id, 50_000, tender="cash", request_id="t1")
    pay = members.pay(zhang.member_id, "2580", 55_000, request_id="p1")  # 500 + 50 bonus
    back = members.refund_payment(pay.entry_id, 11_000, request_id="r1")
    assert (back.principal_fen, back.bonus_fen) == (10_000, 1_000)
    rest = members.refund_payment(pay.entry_id, 44_000, request_id="r2")
    assert (rest.principal_fen, rest.bonus_fen) == (40_000, 4_000)
    with pytest.raises(InvalidArgument):
        members.refund_payment(pay.entry_id, 1, request_id="r3")


def test_verify_finds_a_balance_that_disagrees_with_its_ledger(members, zhang, store):
    members.top_up(zhang.member_id, 50_000, tender="cash", request_id="t1")
    assert members.verify() == (1, [])
    store.execute("UPDATE members SET principal_fen = 1 WHERE member_id = ?", (zhang.member_id,))
    checked, bad = members.verify()
    assert checked == 1 and bad[0].member_id == zhang.member_id
    assert bad[0].ledger.principal_fen == 50_000


def test_the_ledger_cannot_be_edited(members, zhang, store):
    import sqlite3

    members.top_up(zhang.member_id, 50_000, tender="cash", request_id="t1")
    with pytest.raises(sqlite3.IntegrityError):
        store.execute("UPDATE member_ledger SET principal_fen = 1")
    with pytest.raises(sqlite3.IntegrityError):
        store.execute("DELETE FROM member_ledger")


def test_history_lists_every_change_newest_first(members, zhang):
    members.top_up(zhang.member_id, 50_000, tender="cash", request_id="t1")
    members.pay(zhang.member_id, "2580", 100, request_id="p1")
    kinds = [e.kind for e in members.history(zhang.member_id)]
    assert kinds == [EntryKind.PAYMENT, EntryKind.TOPUP]
