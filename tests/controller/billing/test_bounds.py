"""The venue's bounds in the billing service itself (a real SQLite file, a clock the tests
move): each refusal names its reason and writes nothing; a bill already past a bound still
checks out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import controller.billing.store  # noqa: F401 - registers the billing migrations
from controller.billing import bounds
from controller.billing.desk import Product, TenderAmount
from controller.billing.records import Tender
from controller.billing.service import BillingDesk
from controller.rooms.board import RoomBoard
from controller.store.db import open_store
from ktv.errors import InvalidArgument
from ktv.limits import DEFAULT, Limits

from .conftest import CASHIER, MANAGER, TUESDAY, local

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "venue.toml"


@dataclass
class FakeClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(local(TUESDAY, 19))


@pytest.fixture
def make_desk(tmp_path, clock):
    stores = []

    def make(limits: Limits = DEFAULT) -> BillingDesk:
        store = open_store(tmp_path / f"controller-{len(stores)}.db")
        stores.append(store)
        board = RoomBoard(store, tiers=("small", "vip"), clock=clock)
        board.load()
        for room in ("A08", "A09"):
            board.create_room(room, room, "small")
        desk = BillingDesk(board, clock=clock, limits=limits)
        desk.import_config(EXAMPLE.read_text(encoding="utf-8"), MANAGER)
        return desk

    yield make
    for store in stores:
        store.close()


def events(desk: BillingDesk) -> int:
    return desk.store.query_one("SELECT COUNT(*) AS n FROM billing_events")["n"]


def refused(reason: str, action, *args, **kwargs) -> None:
    with pytest.raises(InvalidArgument) as err:
        action(*args, **kwargs)
    assert err.value.reason == reason, err.value.message


def test_a_venue_with_short_orders_and_short_bills_refuses_what_passes_them(make_desk):
    desk = make_desk(Limits(order_lines_max=2, bill_lines_max=5, order_line_quantity_max=24))
    desk.open("A08", 2, CASHIER)
    before = events(desk)
    refused("ORDER_TOO_LONG", desk.order, "A08", [("beer", 1)] * 3, CASHIER)
    refused("QUANTITY_TOO_LARGE", desk.order, "A08", [("beer", 25)], CASHIER)
    assert events(desk) == before
    desk.order("A08", [("beer", 24), ("fruit", 1)], CASHIER)
    desk.order("A08", [("water", 1), ("water", 1)], CASHIER)
    refused("BILL_TOO_LONG", desk.order, "A08", [("beer", 1), ("beer", 1)], CASHIER)
    desk.order("A08", [("beer", 1)], CASHIER)  # the fifth line still fits


def test_merging_two_bills_into_one_too_long_is_refused(make_desk):
    desk = make_desk(Limits(bill_lines_max=4))
    for room in ("A08", "A09"):
        desk.open(room, 2, CASHIER)
        desk.order(room, [("beer", 1), ("fruit", 1), ("water", 1)], CASHIER)
    before = events(desk)
    refused("BILL_TOO_LONG", desk.merge, "A09", "A08", CASHIER)
    assert events(desk) == before
    assert desk.records.open_tab_of("A09") != desk.records.open_tab_of("A08")


def test_room_time_may_take_a_bill_past_its_bound_and_it_still_checks_out(make_desk, clock):
    desk = make_desk(Limits(bill_fen_max=100_000))  # ¥1,000; the room is ¥72/h from 19:00
    desk.open("A08", 2, CASHIER)
    desk.order("A08", [("beer", 24)] * 3 + [("fruit", 5)], CASHIER)  # ¥910 + ¥72 of room
    clock.now += timedelta(hours=2)
    refused("BILL_TOO_LARGE", desk.order, "A08", [("beer", 1)], CASHIER)
    total = desk.bill(desk.tab_id_of("A08")).bill.total_fen
    assert total > 100_000
    done = desk.checkout("A08", CASHIER, [TenderAmount(Tender.CASH, total)])
    assert done.bill.closed and done.bill.due_fen == 0


def test_a_tender_over_the_venues_payment_bound_is_refused_before_anything(make_desk):
    desk = make_desk(Limits(payment_fen_max=50_000))
    desk.open("A08", 2, CASHIER)
    desk.order("A08", [("beer", 3)], CASHIER)
    before = events(desk)
    refused("AMOUNT_OUT_OF_RANGE", desk.pay, "A08", [TenderAmount(Tender.CASH, 50_001)], CASHIER)
    assert events(desk) == before


def test_a_bill_takes_at_most_so_many_payments(make_desk, monkeypatch):
    monkeypatch.setattr(bounds, "BILL_PAYMENTS_MAX", 2)
    desk = make_desk()
    desk.open("A08", 2, CASHIER)
    desk.order("A08", [("beer", 3)], CASHIER)
    desk.pay("A08", [TenderAmount(Tender.CASH, 100), TenderAmount(Tender.CASH, 100)], CASHIER)
    refused("TOO_MANY_PAYMENTS", desk.pay, "A08", [TenderAmount(Tender.CASH, 100)], CASHIER)


def test_the_menu_is_bounded_but_a_product_already_on_it_can_change(make_desk, monkeypatch):
    desk = make_desk()
    monkeypatch.setattr(bounds, "MENU_PRODUCTS_MAX", len(desk.records.products()))
    refused("MENU_FULL", desk.put_product, Product("nuts", "坚果", "snacks", 1500), MANAGER)
    desk.put_product(Product("beer", "青岛啤酒", "drinks", 1200), MANAGER)
    assert desk.records.products()["beer"].base_fen == 1200


def test_a_products_text_is_normalised_and_bounded(make_desk):
    desk = make_desk()
    stored = desk.put_product(Product(" ｎｕｔｓ ", "坚果", "snacks", 1500), MANAGER)
    assert stored.sku == "nuts"
    refused("BAD_PRODUCT", desk.put_product, Product("n" * 65, "坚果", "snacks", 1), MANAGER)
    refused("BAD_PRODUCT", desk.put_product, Product("x", "名" * 65, "snacks", 1), MANAGER)
    refused("PRICE_OUT_OF_RANGE", desk.put_product, Product("x", "贵", "", -1), MANAGER)


def test_a_price_plan_too_large_or_with_a_too_long_version_is_refused(make_desk):
    desk = make_desk()
    text = EXAMPLE.read_text(encoding="utf-8")
    refused("PLAN_TOO_LARGE", desk.import_config, text + "#" * 300_000, MANAGER)
    long_version = text.replace('version = "2026-11"', f'version = "{"v" * 65}"')
    refused("PRICE_OUT_OF_RANGE", desk.import_config, long_version, MANAGER)
    assert desk.records.versions() == ["2026-11"]


def test_a_menu_price_in_superscript_digits_is_refused_not_an_internal_error(make_desk):
    desk = make_desk()
    text = EXAMPLE.read_text(encoding="utf-8").replace('version = "2026-11"', 'version = "sup"')
    refused(
        "INVALID_ARGUMENT",
        desk.import_config,
        text.replace("price = 5\n", 'price = "²"\n'),
        MANAGER,
    )
    full_width = text.replace("price = 5\n", 'price = "５"\n')
    desk.import_config(full_width, MANAGER)  # an IME's full-width digits are digits
    assert desk.records.products()["water"].base_fen == 500


def test_a_venue_that_raises_its_money_bounds_can_take_and_refund_more(make_desk):
    desk = make_desk(Limits(bill_fen_max=200_000_000, payment_fen_max=200_000_000))
    desk.put_product(Product("louis13", "路易十三", "wine", 10_000_000), MANAGER)
    desk.open("A08", 2, CASHIER)
    desk.order("A08", [("louis13", 15)], CASHIER)  # ¥1,500,000
    due = desk.bill(desk.tab_id_of("A08")).bill.due_fen
    paid = desk.pay("A08", [TenderAmount(Tender.CASH, due)], CASHIER)
    payment = paid.tab.payments[-1]
    out = desk.refund(paid.tab.tab_id, payment.payment_id, 120_000_000, "退酒", MANAGER)
    assert out.bill.paid_fen == due - 120_000_000
