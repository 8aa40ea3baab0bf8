"""The billing service over a real SQLite file and the real room board."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import controller.billing.store  # noqa: F401 - registers the billing migrations
from controller.billing.desk import TenderAmount, TimePurchase
from controller.billing.payments import SandboxProvider, TerminalProvider
from controller.billing.records import Tender
from controller.billing.service import BillingDesk
from controller.rooms.board import RoomBoard
from controller.rooms.model import RoomState
from controller.store.db import open_store
from ktv.errors import AlreadyExists, FailedPrecondition, InvalidArgument, PaymentDeclined

from .conftest import CASHIER, MANAGER, TUESDAY, local

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "venue.toml"


@dataclass
class FakeClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(local(TUESDAY, 19))


@pytest.fixture
def sandbox() -> SandboxProvider:
    return SandboxProvider(decline_fen=frozenset({12345}))


@pytest.fixture
def venue(tmp_path, clock, sandbox):
    store = open_store(tmp_path / "controller.db")
    board = RoomBoard(store, tiers=("small", "vip"), clock=clock)
    board.load()
    for room, tier in (("A08", "small"), ("A09", "small"), ("B02", "vip")):
        board.create_room(room, room, tier)
    providers = {t: sandbox for t in Tender if t is not Tender.CASH}
    providers[Tender.BANK_CARD] = TerminalProvider()
    billing = BillingDesk(board, clock=clock, providers=providers)
    billing.import_config(EXAMPLE.read_text(encoding="utf-8"), MANAGER)
    yield billing
    store.close()


def events(billing) -> int:
    return billing.store.query_one("SELECT COUNT(*) AS n FROM billing_events")["n"]


def test_open_order_and_checkout_move_the_room_and_close_the_bill(venue, clock):
    out = venue.open("A08", 4, CASHIER)
    assert venue.board.get("A08").state is RoomState.IN_USE
    assert venue.board.get("A08").session == f"sessions/{out.tab.tab_id}"
    clock.advance(30)
    venue.order("A08", [("beer", 12), ("fruit", 1)], CASHIER)
    assert venue.board.get("A08").running_total_fen == 7200 + 12000 + 3800
    clock.advance(30)
    done = venue.checkout(
        "A08", CASHIER, [TenderAmount(Tender.WECHAT, 20000), TenderAmount(Tender.CASH, 5000)]
    )
    assert done.bill.closed and done.bill.total_fen == 23000 and done.bill.paid_fen == 23000
    assert venue.board.get("A08").state is RoomState.CLEANING
    clock.advance(600)
    assert venue.bill(out.tab.tab_id).bill == done.bill


def test_every_action_leaves_an_audit_row_with_who_and_before_after(venue, clock):
    out = venue.open("A08", 4, CASHIER)
    clock.advance(60)
    venue.order("A08", [("beer", 6)], CASHIER)
    venue.discount("A08", MANAGER, reason="老板朋友", amount_fen=1000)
    rows = venue.records.audit(out.tab.tab_id)
    assert [r.kind for r in rows] == ["TabOpened", "OrderPlaced", "DiscountGiven"]
    last = rows[-1]
    assert (last.staff_id, last.role) == ("manager-wang", "manager")
    assert last.total_before_fen - last.total_after_fen == 1000


def test_the_billing_log_is_append_only(venue):
    venue.open("A08", 4, CASHIER)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        venue.store.execute("UPDATE billing_events SET total_after_fen = 0")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        venue.store.execute("DELETE FROM billing_events")


def test_bad_requests_write_nothing(venue, clock):
    venue.open("A08", 4, CASHIER)
    clock.advance(60)
    before = events(venue)
    with pytest.raises(InvalidArgument):
        venue.order("A08", [("beer", -2)], CASHIER)
    with pytest.raises(InvalidArgument, match="more than"):
        venue.pay("A08", [TenderAmount(Tender.ALIPAY, 10**7)], CASHIER)
    with pytest.raises(FailedPrecondition, match="still due"):
        venue.checkout("A08", CASHIER, [TenderAmount(Tender.WECHAT, 100)])
    with pytest.raises(PaymentDeclined):
        venue.pay("A08", [TenderAmount(Tender.WECHAT, 12345)], CASHIER)
    with pytest.raises(InvalidArgument, match="reference"):
        venue.pay("A08", [TenderAmount(Tender.BANK_CARD, 100)], CASHIER)
    assert events(venue) == before
    assert venue.board.get("A08").state is RoomState.IN_USE


def test_a_short_checkout_takes_no_money(venue, clock, sandbox):
    venue.open("A08", 4, CASHIER)
    clock.advance(60)
    with pytest.raises(FailedPrecondition, match="still due"):
        venue.checkout("A08", CASHIER, [TenderAmount(Tender.WECHAT, 100)])
    assert sandbox.charges == {}


def test_a_declined_tender_voids_what_the_other_tenders_took(venue, clock, sandbox):
    venue.open("A08", 4, CASHIER)
    clock.advance(60)
    with pytest.raises(PaymentDeclined):
        venue.pay(
            "A08", [TenderAmount(Tender.ALIPAY, 100), TenderAmount(Tender.WECHAT, 12345)], CASHIER
        )
    assert sorted(c.amount_fen for c in sandbox.charges.values()) == [-100, 100]
    assert venue.bill(venue.tab_id_of("A08")).tab.payments == ()


def test_prepaid_time_must_be_paid_before_the_room_opens(venue):
    with pytest.raises(FailedPrecondition, match="paid up front"):
        venue.open("A08", 4, CASHIER, purchase=TimePurchase(session="golden"))
    assert venue.board.get("A08").state is RoomState.IDLE
    assert events(venue) == 0
    out = venue.open(
        "A08",
        4,
        CASHIER,
        purchase=TimePurchase(session="golden"),
        tenders=[TenderAmount(Tender.CASH, 25000)],
    )
    # the golden session (168) and the prime-time minimum spend top-up (32) are due now
    assert out.tab.payments[0].change_fen == 5000
    assert venue.board.get("A08").session_ends_at == local(TUESDAY, 0, plus_days=1)


def test_extending_prepaid_time_moves_the_end_on_the_board(venue, clock):
    venue.open(
        "A08",
        4,
        CASHIER,
        purchase=TimePurchase(prepaid_minutes=60),
        tenders=[TenderAmount(Tender.WECHAT, 7200)],
    )
    clock.advance(50)
    venue.extend(
        "A08",
        TimePurchase(prepaid_minutes=60),
        CASHIER,
        tenders=[TenderAmount(Tender.WECHAT, 7200)],
    )
    assert venue.board.get("A08").session_ends_at == local(TUESDAY, 21)


def test_a_room_with_an_open_session_cannot_be_opened_again(venue):
    venue.open("A08", 4, CASHIER)
    with pytest.raises(FailedPrecondition, match="already"):
        venue.open("A08", 2, CASHIER)


def test_a_new_price_version_leaves_open_bills_alone(venue, clock):
    out = venue.open("A08", 4, CASHIER)
    dearer = (
        EXAMPLE.read_text(encoding="utf-8")
        .replace('version = "2026-11"', 'version = "2026-12"')
        .replace("prime = 72,", "prime = 99,")
    )
    with pytest.raises(AlreadyExists):
        venue.import_config(dearer.replace('"2026-12"', '"2026-11"'), MANAGER)
    venue.import_config(dearer, MANAGER)
    clock.advance(60)
    venue.order("A08", [("beer", 20)], CASHIER)
    assert venue.bill(out.tab.tab_id).bill.lines[0].amount_fen == 7200
    second = venue.open("A09", 4, CASHIER)
    assert second.tab.plan_version == "2026-12"


def test_moving_sends_the_old_room_to_cleaning_and_opens_the_new_one(venue, clock):
    out = venue.open("A08", 4, CASHIER)
    clock.advance(60)
    venue.move("A08", "B02", CASHIER)
    assert venue.board.get("A08").state is RoomState.CLEANING
    assert venue.board.get("B02").session == f"sessions/{out.tab.tab_id}"
    assert venue.tab_id_of("B02") == out.tab.tab_id


def test_merged_rooms_check_out_together(venue, clock):
    a = venue.open("A08", 4, CASHIER)
    b = venue.open("A09", 3, CASHIER)
    venue.order("A09", [("beer", 6)], CASHIER)
    clock.advance(60)
    merged = venue.merge("A09", "A08", CASHIER)
    assert set(merged.bill.rooms) == {"A08", "A09"}
    assert venue.tab_id_of("A09") == a.tab.tab_id
    total = merged.bill.total_fen
    venue.checkout("A09", CASHIER, [TenderAmount(Tender.ALIPAY, total)])
    assert {venue.board.get(r).state for r in ("A08", "A09")} == {RoomState.CLEANING}
    assert venue.bill(b.tab.tab_id).bill.total_fen == 0


def test_refund_after_checkout_is_a_negative_payment_by_a_manager(venue, clock, sandbox):
    out = venue.open("A08", 4, CASHIER)
    clock.advance(60)
    done = venue.checkout("A08", CASHIER, [TenderAmount(Tender.WECHAT, 20000)])
    paid = done.tab.payments[0]
    refunded = venue.refund(out.tab.tab_id, paid.payment_id, 5000, "歌曲故障", MANAGER)
    assert refunded.bill.paid_fen == 15000 and refunded.bill.total_fen == 20000
    assert refunded.tab.payments[-1].amount_fen == -5000
    assert any(c.amount_fen == -5000 for c in sandbox.charges.values())


def test_replaying_the_log_reproduces_every_stored_total(venue, clock):
    venue.open("A08", 4, CASHIER)
    venue.open(
        "B02",
        6,
        CASHIER,
        purchase=TimePurchase(prepaid_minutes=120),
        tenders=[TenderAmount(Tender.WECHAT, 36000)],
    )
    clock.advance(75)
    venue.order("A08", [("beer", 3)], CASHIER)
    venue.change_guests("B02", 8, CASHIER)
    venue.checkout("A08", CASHIER, [TenderAmount(Tender.CASH, 50000)])
    for row in venue.store.query("SELECT tab_id, total_fen, paid_fen FROM billing_tabs"):
        replayed = venue.bill(row["tab_id"], clock.now).bill
        last = venue.records.audit(row["tab_id"])[-1]
        assert replayed.paid_fen == row["paid_fen"] == last.paid_after_fen
        if replayed.closed:
            assert replayed.total_fen == row["total_fen"] == last.total_after_fen


def test_the_boards_running_total_follows_the_clock_between_actions(venue, clock):
    venue.open("A08", 4, CASHIER)
    venue.order("A08", [("beer", 12), ("fruit", 1), ("water", 4)], CASHIER)
    assert venue.board.get("A08").running_total_fen == 20000  # orders 178 < minimum spend 200
    clock.advance(120)
    venue.refresh_running_totals()
    assert venue.board.get("A08").running_total_fen == 2 * 7200 + 12000 + 3800 + 2000


def test_verifying_the_ledger_replays_the_log_and_finds_a_tampered_total(venue, clock):
    venue.open(
        "A08",
        4,
        CASHIER,
        purchase=TimePurchase(prepaid_minutes=90),
        tenders=[TenderAmount(Tender.WECHAT, 20000)],
    )
    venue.open("B02", 6, CASHIER)
    venue.order("B02", [("beer", 6)], CASHIER)
    clock.advance(200)
    venue.merge("A08", "B02", CASHIER)
    venue.checkout("B02", CASHIER, [TenderAmount(Tender.CASH, 10**6)])
    assert venue.records.verify(clock.now) == []
    venue.store.execute(
        "UPDATE billing_tabs SET total_fen = total_fen - 100 WHERE status = 'closed'"
    )
    problems = venue.records.verify(clock.now)
    assert len(problems) == 1 and "total" in problems[0]


def test_the_venue_file_seeds_prices_once_and_a_managers_import_survives_a_restart(venue):
    source = EXAMPLE.read_text(encoding="utf-8")
    newer = source.replace('version = "2026-11"', 'version = "2026-12"')
    venue.import_config(newer, MANAGER)
    venue.import_config(source, MANAGER, seed=True)  # restart with the old file
    assert venue.active_plan().version == "2026-12"
    venue.import_config(
        source.replace('version = "2026-11"', 'version = "2027-01"'), MANAGER, seed=True
    )  # the file was edited to a new version: it becomes active
    assert venue.active_plan().version == "2027-01"


def test_prices_are_changed_by_managers_only(venue):
    from ktv.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        venue.import_config(EXAMPLE.read_text(encoding="utf-8"), CASHIER)
