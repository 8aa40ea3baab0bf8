"""The stock ledger: units, FEFO, documents, bad input writes nothing, lines are append-only."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from controller.inventory.desk import MoveLine, ReceiptLine
from controller.inventory.model import BAR, STORE_ROOM
from ktv.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied

from .conftest import BEER, MANAGER, WAITER, WATER, WHISKY, Venue


def test_a_case_is_received_as_its_bottles_and_half_cases_only_when_whole(venue: Venue) -> None:
    venue.receive(BEER, "1.5", unit="箱", where=STORE_ROOM)
    assert venue.on_hand(BEER, STORE_ROOM) == 36
    with pytest.raises(InvalidArgument) as half:
        venue.receive(WATER, "0.5", where=STORE_ROOM)
    assert half.value.reason == "FRACTIONAL_QUANTITY"
    venue.receive(WATER, "0.25", unit="箱", where=STORE_ROOM)  # a quarter case: 3 bottles
    assert venue.on_hand(WATER, STORE_ROOM) == 3


@pytest.mark.parametrize(
    ("qty", "unit", "reason"),
    [
        ("-3", "", "BAD_QUANTITY"),
        ("0", "", "BAD_QUANTITY"),
        ("2.5", "", "FRACTIONAL_QUANTITY"),
        ("abc", "", "BAD_QUANTITY"),
        ("nan", "", "BAD_QUANTITY"),
        ("1e12", "", "BAD_QUANTITY"),
        ("1", "桶", "UNKNOWN_UNIT"),
    ],
)
def test_bad_quantities_are_refused_and_nothing_is_written(
    venue: Venue, qty: str, unit: str, reason: str
) -> None:
    with pytest.raises(InvalidArgument) as bad:
        venue.stock.receive([ReceiptLine(WATER.item_id, qty, unit)], MANAGER, location=BAR)
    assert bad.value.reason == reason
    assert venue.lines() == 0


def test_unknown_items_and_locations_and_missing_best_before_write_nothing(venue: Venue) -> None:
    with pytest.raises(NotFound) as unknown:
        venue.stock.receive(
            [ReceiptLine(WATER.item_id, "1"), ReceiptLine("nope", "1")], MANAGER, location=BAR
        )
    assert unknown.value.reason == "UNKNOWN_ITEM"
    with pytest.raises(InvalidArgument) as where:
        venue.stock.receive([ReceiptLine(WATER.item_id, "1")], MANAGER, location="roof")
    assert where.value.reason == "UNKNOWN_LOCATION"
    with pytest.raises(InvalidArgument) as dated:
        venue.stock.receive([ReceiptLine(BEER.item_id, "1")], MANAGER, location=BAR)
    assert dated.value.reason == "BEST_BEFORE_REQUIRED"
    past = venue.today() - timedelta(days=1)
    with pytest.raises(InvalidArgument) as stale:
        venue.stock.receive([ReceiptLine(BEER.item_id, "1", best_before=past)], MANAGER)
    assert stale.value.reason == "EXPIRED_ON_ARRIVAL"
    assert venue.lines() == 0


def test_fefo_takes_the_first_expiring_batch_first(venue: Venue) -> None:
    venue.receive(BEER, "6", days=90, batch="late", where=STORE_ROOM)
    venue.receive(BEER, "6", days=10, batch="soon", where=STORE_ROOM)
    venue.receive(BEER, "6", days=40, batch="middle", where=STORE_ROOM)
    venue.stock.transfer(
        [MoveLine(BEER.item_id, "8")], MANAGER, from_location=STORE_ROOM, to_location=BAR
    )
    stocks = venue.stock.records.stocks([BEER.item_id], BAR)[BEER.item_id]
    codes = {
        venue.store.query_one(
            "SELECT code FROM inventory_batches WHERE batch_id = ?", (s.batch_id,)
        )["code"]: s.quantity
        for s in stocks
    }
    assert codes == {"soon": 6, "middle": 2}
    assert venue.on_hand(BEER, STORE_ROOM) == 10


def test_issue_waste_and_transfer_need_stock_and_reasons(venue: Venue) -> None:
    venue.receive(WHISKY, "3", where=STORE_ROOM)
    with pytest.raises(FailedPrecondition) as short:
        venue.stock.issue(
            [MoveLine(WHISKY.item_id, "4")], MANAGER, location=STORE_ROOM, reason="品鉴"
        )
    assert short.value.reason == "INSUFFICIENT_STOCK"
    with pytest.raises(InvalidArgument) as why:
        venue.stock.waste([MoveLine(WHISKY.item_id, "1")], MANAGER, location=STORE_ROOM, reason=" ")
    assert why.value.reason == "REASON_REQUIRED"
    venue.stock.waste([MoveLine(WHISKY.item_id, "1")], WAITER, location=STORE_ROOM, reason="打碎")
    venue.stock.issue([MoveLine(WHISKY.item_id, "1")], WAITER, location=STORE_ROOM, reason="品鉴")
    assert venue.on_hand(WHISKY, STORE_ROOM) == 1
    kinds = [d.kind.value for d in venue.stock.records.documents(10)]
    assert sorted(kinds) == ["issue", "receipt", "waste"]


def test_only_a_manager_defines_items(venue: Venue) -> None:
    with pytest.raises(PermissionDenied):
        venue.stock.put_item(WATER, WAITER)


def test_the_ledger_is_append_only(venue: Venue) -> None:
    venue.receive(WATER, "2")
    with pytest.raises(sqlite3.IntegrityError):
        venue.store.execute("UPDATE inventory_lines SET quantity = 99")
    with pytest.raises(sqlite3.IntegrityError):
        venue.store.execute("DELETE FROM inventory_lines")


def test_verify_finds_a_balance_that_drifted_from_the_ledger(venue: Venue) -> None:
    venue.receive(WATER, "2")
    assert venue.stock.verify() == []
    venue.store.execute("UPDATE inventory_balances SET quantity = 5")
    assert len(venue.stock.verify()) == 1
