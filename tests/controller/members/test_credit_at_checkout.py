"""Checkout credits every member on the bill by itself (billing's settled hook), exactly once,
in the checkout's own transaction; ``member credit`` stays for members attached later."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from controller.billing.desk import TenderAmount
from controller.billing.records import Tender
from controller.billing.settlement import BillSettled
from controller.members.checkout import MemberCheckout, credit_on_settle
from controller.members.loyalty import LoyaltyDesk
from controller.rooms.model import RoomState
from ktv.errors import FailedPrecondition

from .conftest import FakeClock
from .test_pay_from_balance import CASHIER, venue_at


@pytest.fixture
def venue(tmp_path, clock):
    billing, members = venue_at(tmp_path / "controller.db", clock, seed=True)
    loyalty = LoyaltyDesk(members)
    billing.on_settled = (credit_on_settle(loyalty),)
    yield MemberCheckout(billing, loyalty)
    billing.store.close()


def pay_all(billing, room: str, request_id: str):
    due = billing.bill(billing.tab_id_of(room)).bill.due_fen
    return billing.checkout(room, CASHIER, [TenderAmount(Tender.CASH, due)], request_id)


def visits(store, member_id: str) -> list[dict]:
    return store.query(
        "SELECT bill, spend_fen FROM member_visits WHERE member_id = ?", (member_id,)
    )


def earned(store, member_id: str) -> list[dict]:
    return store.query(
        "SELECT points, reference FROM member_points WHERE member_id = ? AND kind = 'earn'",
        (member_id,),
    )


def test_a_member_signed_in_in_the_room_is_credited_at_checkout_without_member_credit(venue, clock):
    billing, members = venue.billing, venue.loyalty.members
    m = members.register("13800138000", "张伟", pin="2580")
    billing.open("A08", 4, CASHIER)
    members.sign_in("13800138000", "2580", "A08", billing.tab_id_of("A08"))
    billing.order("A08", [("beer", 12)], CASHIER)
    clock.advance(hours=2)
    out = pay_all(billing, "A08", "co-1")
    bill = f"bills/{out.tab.tab_id}"
    assert visits(billing.store, m.member_id) == [{"bill": bill, "spend_fen": out.bill.total_fen}]
    points = members.get(m.member_id).points
    assert points == out.bill.total_fen // 100  # 1 point per yuan, regular tier
    assert earned(billing.store, m.member_id) == [{"points": points, "reference": bill}]
    again = venue.credit(out.tab.tab_id)  # the old manual command changes nothing now
    assert again[m.member_id].recorded is False
    assert members.get(m.member_id).points == points


def test_a_retried_checkout_credits_nobody_twice(venue, clock):
    billing, members = venue.billing, venue.loyalty.members
    m = members.register("13800138000", "张伟", pin="2580")
    billing.open("A08", 4, CASHIER)
    members.sign_in("13800138000", "2580", "A08", billing.tab_id_of("A08"))
    clock.advance(hours=1)
    out = pay_all(billing, "A08", "co-1")
    with pytest.raises(FailedPrecondition):  # the room is closed: checking out again is refused
        billing.checkout("A08", CASHIER, [], "co-1")
    assert len(visits(billing.store, m.member_id)) == 1
    assert len(earned(billing.store, m.member_id)) == 1
    assert venue.sweep(clock.now - timedelta(days=1)) == 0
    assert out.tab.tab_id


def test_two_members_on_merged_rooms_are_both_credited_with_the_merged_bill(venue, clock):
    billing, members = venue.billing, venue.loyalty.members
    a = members.register("13800138000", "张伟", pin="2580")
    b = members.register("13900139000", "李娜", pin="1357")
    billing.open("A08", 4, CASHIER)
    billing.open("A09", 2, CASHIER)
    members.sign_in("13800138000", "2580", "A08", billing.tab_id_of("A08"))
    members.sign_in("13900139000", "1357", "A09", billing.tab_id_of("A09"))
    clock.advance(hours=1)
    billing.merge("A09", "A08", CASHIER)
    clock.advance(hours=1)
    out = pay_all(billing, "A08", "co-1")
    bill = f"bills/{out.tab.tab_id}"
    assert [v["bill"] for v in visits(billing.store, a.member_id)] == [bill]
    assert [v["bill"] for v in visits(billing.store, b.member_id)] == [bill]


def test_a_member_attached_after_checkout_is_credited_by_member_credit(venue, clock):
    billing, members = venue.billing, venue.loyalty.members
    m = members.register("13800138000", "张伟")
    billing.open("A08", 4, CASHIER)
    clock.advance(hours=1)
    out = pay_all(billing, "A08", "co-1")
    assert visits(billing.store, m.member_id) == []
    members.records.attach(out.tab.tab_id, m.member_id, "A08", clock.now)  # the desk forgot
    credited = venue.credit(out.tab.tab_id)
    assert credited[m.member_id].recorded and credited[m.member_id].points_earned > 0
    assert venue.credit(out.tab.tab_id)[m.member_id].recorded is False


def test_when_crediting_fails_the_checkout_still_closes_and_the_sweep_credits_later(venue, clock):
    billing, loyalty = venue.billing, venue.loyalty
    members = loyalty.members
    m = members.register("13800138000", "张伟", pin="2580")
    billing.open("A08", 4, CASHIER)
    members.sign_in("13800138000", "2580", "A08", billing.tab_id_of("A08"))
    clock.advance(hours=1)
    real = loyalty.record_visit

    def broken(*args, **kwargs):
        real(*args, **kwargs)  # writes, then fails: the savepoint must undo the write
        raise RuntimeError("disk hiccup")

    loyalty.record_visit = broken  # type: ignore[method-assign]
    out = pay_all(billing, "A08", "co-1")
    loyalty.record_visit = real  # type: ignore[method-assign]
    assert not out.tab.is_open and out.bill.due_fen == 0
    assert visits(billing.store, m.member_id) == [] and members.get(m.member_id).points == 0
    assert venue.sweep(clock.now - timedelta(days=1)) == 1
    assert len(visits(billing.store, m.member_id)) == 1
    assert venue.sweep(clock.now - timedelta(days=1)) == 0


def test_a_hook_that_raises_fails_the_checkout_and_writes_nothing(venue, clock):
    billing = venue.billing
    billing.open("A08", 4, CASHIER)
    clock.advance(hours=1)

    def refuse(settled: BillSettled) -> None:
        raise FailedPrecondition("not today", reason="TEST")

    billing.on_settled = (refuse,)
    with pytest.raises(FailedPrecondition):
        pay_all(billing, "A08", "co-1")
    assert billing.bill(billing.tab_id_of("A08")).tab.is_open


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    plan=st.lists(
        st.tuples(
            st.sampled_from(["A08", "A09"]),
            st.frozensets(st.integers(0, 2), max_size=3),  # members who sign in
            st.sampled_from(["none", "retry", "credit", "sweep", "broken"]),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_every_member_on_a_settled_bill_is_credited_exactly_once(plan, clock):
    """Random evenings: checkouts (some with a failing credit), retried checkouts, manual
    credits and sweeps in any order: each (member, bill) has one visit, one earn entry, and
    the cached points equal the points ledger."""
    with tempfile.TemporaryDirectory() as tmp:
        billing, members = venue_at(Path(tmp) / "controller.db", FakeClock(clock.now), seed=True)
        loyalty = LoyaltyDesk(members)
        desk = MemberCheckout(billing, loyalty)
        hook = credit_on_settle(loyalty)
        billing.on_settled = (hook,)
        try:
            ids = [
                members.register(f"1380013800{i}", f"会员{i}", pin="2580").member_id
                for i in range(3)
            ]
            expected: set[tuple[str, str]] = set()
            for n, (room, who, extra) in enumerate(plan):
                if billing.board.get(room).state is RoomState.CLEANING:
                    billing.board.set_state(room, RoomState.IDLE, "cleaned", "waiter")
                billing.open(room, 2, CASHIER)
                tab_id = billing.tab_id_of(room)
                for i in who:
                    members.sign_in(f"1380013800{i}", "2580", room, tab_id)
                billing.clock.advance(minutes=40)  # type: ignore[attr-defined]
                real = loyalty.record_visit
                if extra == "broken":
                    loyalty.record_visit = _explode  # type: ignore[method-assign]
                due = billing.bill(tab_id).bill.due_fen
                billing.checkout(room, CASHIER, [TenderAmount(Tender.CASH, due)], f"co-{n}")
                loyalty.record_visit = real  # type: ignore[method-assign]
                if extra == "credit":
                    desk.credit(tab_id)
                elif extra == "retry":
                    hook(BillSettled(tab_id, (), billing.bill(tab_id).bill, clock.now))
                elif extra in ("sweep", "broken"):
                    desk.sweep(clock.now - timedelta(days=1))
                expected |= {(ids[i], f"bills/{tab_id}") for i in who}
            store = billing.store
            visits = store.query("SELECT member_id, bill FROM member_visits")
            assert sorted((v["member_id"], v["bill"]) for v in visits) == sorted(expected)
            earns = store.query("SELECT member_id, reference FROM member_points WHERE kind='earn'")
            assert len(earns) == len({(e["member_id"], e["reference"]) for e in earns})
            for mid in ids:
                ledger = store.query_one(
                    "SELECT COALESCE(SUM(points), 0) AS s FROM member_points WHERE member_id = ?",
                    (mid,),
                )
                assert members.get(mid).points == ledger["s"]
        finally:
            billing.store.close()


def _explode(*args, **kwargs):
    raise RuntimeError("crediting failed")
