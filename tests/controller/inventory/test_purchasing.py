"""Suppliers, reorder levels, the suggested list, purchase orders and deliveries."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from openpyxl import load_workbook

from controller.inventory.channel import EmailOutbox, FileOutbox
from controller.inventory.desk import ReceiptLine, recipe_of
from controller.inventory.model import STORE_ROOM
from controller.inventory.purchasing import PoStatus, Supplier
from ktv.errors import FailedPrecondition

from .conftest import BEER, MANAGER, WATER, WHISKY, Venue

BREWERY = Supplier(
    "tsingtao-sh", "青岛啤酒上海经销", "王经理", "13800001111", "wang@example.com", 2
)


def _delivery(venue: Venue, po_id: str, qty: str) -> str:
    best = venue.today() + timedelta(days=120)
    return venue.inventory.receive(
        [ReceiptLine(BEER.item_id, qty, "箱", "L1", best)], MANAGER, po_id=po_id
    )


def test_a_po_received_in_two_deliveries_closes_once(venue: Venue, tmp_path: Path) -> None:
    buying = venue.inventory.buying
    buying.put_supplier(BREWERY, {BEER.item_id: 7200}, MANAGER)  # ¥72 a case
    po = buying.create(BREWERY.supplier_id, [(BEER.item_id, "5", "箱")], MANAGER)
    assert po.status is PoStatus.DRAFT and po.lines[0].ordered == 120
    with pytest.raises(FailedPrecondition) as draft:
        _delivery(venue, po.po_id, "1")
    assert draft.value.reason == "PO_NOT_OPEN"
    sent, where = buying.send(po.po_id, FileOutbox(tmp_path / "outbox"), MANAGER)
    assert sent.status is PoStatus.SENT and Path(where).exists()
    _delivery(venue, po.po_id, "2")
    assert buying.get(po.po_id).status is PoStatus.PARTLY_RECEIVED
    with pytest.raises(FailedPrecondition) as over:
        _delivery(venue, po.po_id, "4")
    assert over.value.reason == "OVER_RECEIPT"
    _delivery(venue, po.po_id, "3")
    done = buying.get(po.po_id)
    assert done.status is PoStatus.RECEIVED and done.closed_at is not None
    with pytest.raises(FailedPrecondition):
        _delivery(venue, po.po_id, "1")
    assert venue.on_hand(BEER, STORE_ROOM) == 120
    assert buying.receipts_of(po.po_id) == 2
    stocks = venue.stock.records.stocks([BEER.item_id], STORE_ROOM)[BEER.item_id]
    assert {s.unit_cost_fen for s in stocks} == {300}  # ¥72 / 24 bottles


def test_the_order_prints_and_exports(venue: Venue, tmp_path: Path) -> None:
    buying = venue.inventory.buying
    buying.put_supplier(BREWERY, {BEER.item_id: 7200, WATER.item_id: 1800}, MANAGER)
    po = buying.create(
        BREWERY.supplier_id, [(BEER.item_id, "2", "箱"), (WATER.item_id, "24", "")], MANAGER
    )
    sheet = buying.sheet(po)
    assert sheet.total_fen == 2 * 7200 + 2 * 1800
    assert sheet.text().splitlines()[-1].endswith("180.00")
    assert sheet.csv().decode("utf-8-sig").splitlines()[0].startswith("item,name")
    xlsx = tmp_path / "po.xlsx"
    xlsx.write_bytes(sheet.xlsx())
    rows = list(load_workbook(xlsx).active.iter_rows(values_only=True))
    assert rows[-1][-1] == 180.0
    _, path = buying.send(po.po_id, EmailOutbox(tmp_path / "mail"), MANAGER)
    mail = message_from_bytes(Path(path).read_bytes(), policy=policy.default)
    assert mail["To"] == "wang@example.com"
    assert [p.get_filename() for p in mail.iter_attachments()] == [f"{po.po_id}.xlsx"]


def test_suggested_list_from_set_levels_and_from_sales_velocity(venue: Venue) -> None:
    buying = venue.inventory.buying
    buying.put_supplier(BREWERY, {BEER.item_id: 7200, WHISKY.item_id: 15000}, MANAGER)
    from dataclasses import replace

    venue.stock.put_item(replace(WHISKY, reorder_point=2, reorder_target=6), MANAGER)
    venue.receive(WHISKY, "1")
    venue.stock.set_recipe(recipe_of("beer", [(BEER.item_id, 1)], False), MANAGER)
    venue.receive(BEER, "30", days=200)
    venue.open_room()
    for _ in range(7):  # a week of 4 bottles a day: 28 in the 4-week window
        venue.order("A08", ("beer", 4))
        venue.clock.advance(days=1)
    by_item = {s.item.item_id: s for s in buying.suggestions()}
    whisky = by_item[WHISKY.item_id]
    assert (whisky.quantity, whisky.level.derived, whisky.cost_fen) == (5, False, 5 * 15000)
    beer = by_item[BEER.item_id]
    # 28 sold over 28 days: 1 a day; lead 2 days, review 7 days -> point 2, target 9
    assert (beer.level.point, beer.level.target, beer.level.derived) == (2, 9, True)
    assert beer.on_hand == 2 and beer.quantity == 24  # 7 short: one whole case
    venue.billing.update_order("A08", venue.order("A08", ("beer", 1)), "cancel", MANAGER, "点错")
    buying.create(
        BREWERY.supplier_id, [(BEER.item_id, "1", "箱")], MANAGER
    )  # a draft: not on order
    assert BEER.item_id in {s.item.item_id for s in buying.suggestions()}


def test_an_overdue_delivery_raises_an_alert(venue: Venue, tmp_path: Path) -> None:
    buying = venue.inventory.buying
    buying.put_supplier(BREWERY, {BEER.item_id: 7200}, MANAGER)
    po = buying.create(BREWERY.supplier_id, [(BEER.item_id, "1", "箱")], MANAGER)
    buying.send(po.po_id, FileOutbox(tmp_path), MANAGER)
    assert not buying.get(po.po_id).overdue
    venue.clock.advance(days=3)
    assert buying.get(po.po_id).overdue
    kinds = {a.kind.value for a in venue.inventory.alerts()}
    assert "delivery_overdue" in kinds
    closed = buying.close(po.po_id, MANAGER)
    assert closed.status is PoStatus.CLOSED and not closed.overdue
