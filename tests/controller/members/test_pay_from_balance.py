"""Paying a bill from stored value through billing's split payments, and two rooms paying
from one member's balance at the same time."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from controller.auth.model import Role
from controller.billing.desk import TenderAmount
from controller.billing.payments import SandboxProvider
from controller.billing.records import Actor, Tender
from controller.billing.service import BillingDesk
from controller.members.desk import MemberDesk
from controller.members.stored_value import StoredValueProvider
from controller.rooms.board import RoomBoard
from controller.store.db import open_store
from ktv.errors import FailedPrecondition, PaymentDeclined, PermissionDenied

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "venue.toml"
CASHIER = Actor("cashier-li", Role.CASHIER)
MANAGER = Actor("manager-wang", Role.MANAGER)


def venue_at(path: Path, clock, *, seed: bool) -> tuple[BillingDesk, MemberDesk]:
    store = open_store(path)
    board = RoomBoard(store, tiers=("small", "vip"), clock=clock)
    board.load()
    if seed:
        for room in ("A08", "A09"):
            board.create_room(room, room, "small")
    members = MemberDesk(store, clock)
    providers = {t: SandboxProvider(decline_fen=frozenset({12345})) for t in Tender}
    providers[Tender.STORED_VALUE] = StoredValueProvider(members)
    billing = BillingDesk(board, clock=clock, providers=providers)
    if seed:
        billing.import_config(EXAMPLE.read_text(encoding="utf-8"), MANAGER)
    return billing, members


@pytest.fixture
def venue(tmp_path, clock):
    billing, members = venue_at(tmp_path / "controller.db", clock, seed=True)
    yield billing, members
    billing.store.close()


def sv(amount_fen: int, ref: str = "13800138000:2580") -> TenderAmount:
    return TenderAmount(Tender.STORED_VALUE, amount_fen, ref)


def test_a_bill_paid_part_from_balance_part_by_wechat(venue, clock):
    billing, members = venue
    m = members.register("13800138000", "张伟", pin="2580")
    members.top_up(m.member_id, 50_000, tender="cash", request_id="t1")
    billing.open("A08", 4, CASHIER)
    clock.advance(hours=2)
    due = billing.bill(billing.tab_id_of("A08")).bill.due_fen
    assert due > 1000
    out = billing.checkout(
        "A08", CASHIER, [sv(1000), TenderAmount(Tender.WECHAT, due - 1000, "WX1")], "co-1"
    )
    assert out.bill.due_fen == 0 and not out.tab.is_open
    assert members.get(m.member_id).balance.total_fen == 60_000 - 1000
    payment = next(p for p in out.tab.payments if p.tender is Tender.STORED_VALUE)
    assert payment.reference.startswith(m.member_id + "#") and "2580" not in payment.reference


def test_a_declined_later_tender_leaves_the_balance_untouched(venue, clock):
    billing, members = venue
    m = members.register("13800138000", "张伟", pin="2580")
    members.top_up(m.member_id, 50_000, tender="cash", request_id="t1")
    billing.open("A08", 4, CASHIER)
    clock.advance(hours=3)
    with pytest.raises(PaymentDeclined):
        billing.pay("A08", [sv(1000), TenderAmount(Tender.WECHAT, 12345, "WX1")], CASHIER, "p1")
    assert members.get(m.member_id).balance.total_fen == 60_000
    assert members.verify() == (1, [])
    assert len(members.history(m.member_id)) == 1


def test_a_wrong_pin_takes_nothing_from_the_bill_or_the_balance(venue, clock):
    billing, members = venue
    m = members.register("13800138000", "张伟", pin="2580")
    members.top_up(m.member_id, 50_000, tender="cash", request_id="t1")
    billing.open("A08", 4, CASHIER)
    clock.advance(hours=1)
    with pytest.raises(PermissionDenied):
        billing.pay("A08", [sv(1000, "13800138000:1111")], CASHIER, "p1")
    assert billing.bill(billing.tab_id_of("A08")).bill.paid_fen == 0
    assert members.get(m.member_id).balance.total_fen == 60_000


def test_not_enough_balance_is_refused_cleanly(venue, clock):
    billing, members = venue
    members.register("13800138000", "张伟", pin="2580")
    billing.open("A08", 4, CASHIER)
    clock.advance(hours=1)
    with pytest.raises(FailedPrecondition) as err:
        billing.pay("A08", [sv(1000)], CASHIER, "p1")
    assert err.value.reason == "INSUFFICIENT_BALANCE"


def test_a_refund_of_a_balance_payment_goes_back_to_the_balance(venue, clock):
    billing, members = venue
    m = members.register("13800138000", "张伟", pin="2580")
    members.top_up(m.member_id, 50_000, tender="cash", request_id="t1")
    billing.open("A08", 4, CASHIER)
    clock.advance(hours=1)
    out = billing.pay("A08", [sv(3000)], CASHIER, "p1")
    payment = next(p for p in out.tab.payments if p.tender is Tender.STORED_VALUE)
    billing.refund(out.tab.tab_id, payment.payment_id, 1000, "多收", MANAGER, "r1")
    assert members.get(m.member_id).balance.total_fen == 60_000 - 2000
    assert members.verify() == (1, [])


def test_a_retried_payment_takes_the_balance_once(venue, clock):
    billing, members = venue
    m = members.register("13800138000", "张伟", pin="2580")
    members.top_up(m.member_id, 50_000, tender="cash", request_id="t1")
    billing.open("A08", 4, CASHIER)
    clock.advance(hours=1)
    provider = billing.providers[Tender.STORED_VALUE]
    from controller.billing.payments import Charge

    charge = Charge(Tender.STORED_VALUE, 500, "same-key:0", "13800138000:2580", "bills/x")
    assert provider.charge(charge) == provider.charge(charge)
    assert members.get(m.member_id).balance.total_fen == 60_000 - 500


def test_two_rooms_paying_from_one_balance_at_once_never_overspend(tmp_path, clock):
    """Two connections to one SQLite file (two desks, two threads), 20 payments each of
    30 yuan against a 500 yuan balance: exactly 16 succeed."""
    path = tmp_path / "controller.db"
    billing_a, members_a = venue_at(path, clock, seed=True)
    billing_b, members_b = venue_at(path, clock, seed=False)
    try:
        m = members_a.register("13800138000", "张伟", pin="2580")
        members_a.top_up(m.member_id, 48_000, tender="cash", request_id="t1")  # no bonus
        ok: list[str] = []
        refused: list[str] = []
        barrier = threading.Barrier(2)

        def room(desk: MemberDesk, name: str) -> None:
            barrier.wait()
            for i in range(20):
                try:
                    desk.pay(m.member_id, "2580", 3_000, request_id=f"{name}-{i}")
                    ok.append(name)
                except FailedPrecondition:
                    refused.append(name)

        threads = [
            threading.Thread(target=room, args=(members_a, "A08")),
            threading.Thread(target=room, args=(members_b, "A09")),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert len(ok) == 16 and len(refused) == 24
        assert members_a.get(m.member_id).balance.total_fen == 0
        assert members_b.verify() == (1, [])
    finally:
        billing_b.store.close()
        billing_a.store.close()


def test_wrong_pins_at_checkout_count_even_though_each_payment_rolls_back(venue, clock):
    billing, members = venue
    m = members.register("13800138000", "张伟", pin="2580")
    members.top_up(m.member_id, 50_000, tender="cash", request_id="t1")
    billing.open("A08", 4, CASHIER)
    clock.advance(hours=1)
    for i in range(5):
        with pytest.raises(PermissionDenied):
            billing.pay("A08", [sv(1000, f"{m.phone}:0000")], CASHIER, f"p{i}")
    with pytest.raises(FailedPrecondition) as err:
        billing.pay("A08", [sv(1000)], CASHIER, "p-right")
    assert err.value.reason == "PIN_LOCKED"
    assert members.get(m.member_id).balance.total_fen == 60_000
