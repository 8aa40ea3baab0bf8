"""Top-ups by card, WeChat or Alipay go through billing's payment providers: a declined
charge writes nothing, a retry charges once, an entry that cannot be written voids the
charge."""

from __future__ import annotations

import pytest

from controller.billing.payments import SandboxProvider, TerminalProvider
from controller.billing.records import Tender
from controller.members.desk import MemberDesk
from ktv.errors import InvalidArgument, PaymentDeclined


@pytest.fixture
def sandbox() -> SandboxProvider:
    return SandboxProvider(decline_fen=frozenset({66_600}))


@pytest.fixture
def desk(store, clock, sandbox) -> MemberDesk:
    return MemberDesk(store, clock, providers={t: sandbox for t in Tender})


def ledger_rows(store) -> int:
    return store.query("SELECT COUNT(*) AS n FROM member_ledger")[0]["n"]


def test_a_wechat_top_up_is_charged_through_the_provider_with_the_bonus(desk, sandbox):
    m = desk.register("13800138000", "张伟")
    e = desk.top_up(m.member_id, 50_000, tender="wechat", request_id="t1", reference="WX1")
    assert (e.principal_fen, e.bonus_fen, e.tender) == (50_000, 10_000, "wechat")
    charge = sandbox.charges["t1:topup"]
    assert (charge.tender, charge.amount_fen, charge.bill) == (
        Tender.WECHAT,
        50_000,
        f"members/{m.member_id}",
    )
    assert e.reference == "WX1"


def test_a_declined_card_top_up_writes_nothing(desk, sandbox):
    m = desk.register("13800138000", "张伟")
    with pytest.raises(PaymentDeclined):
        desk.top_up(m.member_id, 66_600, tender="bank_card", request_id="t1")
    assert desk.get(m.member_id).balance.total_fen == 0
    assert ledger_rows(desk.store) == 0


def test_a_retried_alipay_top_up_charges_and_credits_once(desk, sandbox):
    m = desk.register("13800138000", "张伟")
    first = desk.top_up(m.member_id, 20_000, tender="alipay", request_id="t1", reference="AL1")
    again = desk.top_up(m.member_id, 20_000, tender="alipay", request_id="t1", reference="AL1")
    assert first == again
    assert list(sandbox.charges) == ["t1:topup"]
    assert desk.get(m.member_id).balance.total_fen == 20_000


def test_cash_top_ups_never_call_a_provider(desk, sandbox):
    m = desk.register("13800138000", "张伟")
    desk.top_up(m.member_id, 10_000, tender="cash", request_id="t1")
    assert sandbox.charges == {}


def test_a_terminal_top_up_without_the_slip_reference_is_refused_and_writes_nothing(store, clock):
    desk = MemberDesk(store, clock, providers={Tender.BANK_CARD: TerminalProvider()})
    m = desk.register("13800138000", "张伟")
    with pytest.raises(InvalidArgument) as err:
        desk.top_up(m.member_id, 10_000, tender="bank_card", request_id="t1")
    assert err.value.reason == "REFERENCE_REQUIRED"
    assert ledger_rows(store) == 0
    e = desk.top_up(m.member_id, 10_000, tender="bank_card", request_id="t2", reference="POS77")
    assert e.reference == "POS77"


def test_topping_up_stored_value_from_stored_value_is_refused(desk):
    m = desk.register("13800138000", "张伟")
    for tender in ("stored_value", "bitcoin"):
        with pytest.raises(InvalidArgument) as err:
            desk.top_up(m.member_id, 10_000, tender=tender, request_id=f"t-{tender}")
        assert err.value.reason == "BAD_TENDER"


def test_money_taken_for_an_entry_that_cannot_be_written_is_voided(desk, sandbox, monkeypatch):
    m = desk.register("13800138000", "张伟")

    def disk_full(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(desk.records, "append", disk_full)
    with pytest.raises(OSError):
        desk.top_up(m.member_id, 30_000, tender="wechat", request_id="t1", reference="WX1")
    void = sandbox.charges["t1:void"]
    assert void.amount_fen == -30_000 and sandbox.charges["t1:topup"].amount_fen == 30_000
    assert ledger_rows(desk.store) == 0
