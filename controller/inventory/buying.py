"""Purchasing at the desk: suppliers and their prices, reorder levels and the suggested
purchase list, purchase orders from draft to received, deliveries booked against them.
Sending goes through a :class:`controller.inventory.channel.SupplierChannel`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from controller.billing.records import Actor, new_id
from controller.inventory.channel import PurchaseOrderSheet, SupplierChannel
from controller.inventory.desk import StockDesk, require_manager
from controller.inventory.model import DocumentKind, StockItem, parse_quantity
from controller.inventory.purchasing import (
    PoLine,
    PoStatus,
    ReorderLevel,
    Suggestion,
    Supplier,
    SupplierPrice,
    check_delivery,
    overdue,
    reorder_level,
    status_after_delivery,
    suggest,
)
from ktv.errors import FailedPrecondition, InvalidArgument, NotFound
from ktv.text import bounded, short


@dataclass(frozen=True)
class PurchaseOrder:
    po_id: str
    supplier: Supplier
    status: PoStatus
    created_at: datetime
    created_by: str
    expected_on: date | None
    lines: tuple[PoLine, ...]
    sent_at: datetime | None = None
    closed_at: datetime | None = None
    note: str = ""
    overdue: bool = False


class Purchasing:
    def __init__(self, desk: StockDesk) -> None:
        self.desk = desk
        self.store = desk.store
        self.records = desk.records

    # --- suppliers -----------------------------------------------------------------------
    def put_supplier(self, supplier: Supplier, prices: Mapping[str, int], actor: Actor) -> Supplier:
        require_manager(actor, "changing suppliers")
        if not supplier.supplier_id or len(supplier.supplier_id) > 64:
            raise InvalidArgument("a supplier id is 1-64 characters", reason="BAD_SUPPLIER")
        name = bounded(supplier.name, what="a supplier name", max_len=80, reason="BAD_SUPPLIER")
        if not name:
            raise InvalidArgument("a supplier needs a name", reason="BAD_SUPPLIER")
        if not 0 <= supplier.lead_days <= 90:
            raise InvalidArgument("lead time is 0-90 days", reason="BAD_SUPPLIER")
        for what, value in (
            ("contact", supplier.contact),
            ("phone", supplier.phone),
            ("e-mail", supplier.email),
        ):
            bounded(value, what=f"a supplier's {what}", max_len=80, reason="BAD_SUPPLIER")
        for item_id, price in prices.items():
            if not 0 <= price <= 100_000_000:
                raise InvalidArgument(
                    f"price of {short(item_id)} is out of range", reason="BAD_AMOUNT"
                )
        with self.store.transaction():
            self.records.items_by_id(prices)
            self.store.execute(
                "INSERT INTO inventory_suppliers (supplier_id, name, contact, phone, email,"
                " lead_days) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (supplier_id) DO UPDATE SET"
                " name = excluded.name, contact = excluded.contact, phone = excluded.phone,"
                " email = excluded.email, lead_days = excluded.lead_days",
                (
                    supplier.supplier_id,
                    name,
                    supplier.contact,
                    supplier.phone,
                    supplier.email,
                    supplier.lead_days,
                ),
            )
            for item_id, price in prices.items():
                self.store.execute(
                    "INSERT INTO inventory_supplier_prices (supplier_id, item_id, price_fen)"
                    " VALUES (?, ?, ?) ON CONFLICT (supplier_id, item_id) DO UPDATE SET"
                    " price_fen = excluded.price_fen",
                    (supplier.supplier_id, item_id, price),
                )
        return self.supplier(supplier.supplier_id)

    def supplier(self, supplier_id: str) -> Supplier:
        row = self.store.query_one(
            "SELECT * FROM inventory_suppliers WHERE supplier_id = ?", (supplier_id,)
        )
        if row is None:
            raise NotFound(f"no supplier {short(supplier_id)}", reason="UNKNOWN_SUPPLIER")
        return _supplier(row)

    def suppliers(self) -> list[Supplier]:
        return [
            _supplier(r)
            for r in self.store.query("SELECT * FROM inventory_suppliers ORDER BY supplier_id")
        ]

    def prices(self, supplier_id: str = "") -> list[SupplierPrice]:
        where, params = ("WHERE supplier_id = ?", [supplier_id]) if supplier_id else ("", [])
        return [
            SupplierPrice(r["supplier_id"], r["item_id"], r["price_fen"])
            for r in self.store.query(
                f"SELECT * FROM inventory_supplier_prices {where} ORDER BY supplier_id, item_id",
                params,
            )
        ]

    # --- reorder levels and the suggested list -------------------------------------------
    def usage(self, since: datetime) -> dict[str, int]:
        """Base units that left through sales, issues and waste since ``since`` (net of voids)."""
        rows = self.store.query_read_only(
            "SELECT item_id, -SUM(quantity) AS used FROM inventory_lines"
            " WHERE kind IN ('sale', 'sale_return', 'issue') AND at >= ? GROUP BY item_id",
            (since.isoformat(),),
        )
        return {r["item_id"]: max(int(r["used"] or 0), 0) for r in rows}

    def levels(self, items: Sequence[StockItem] | None = None) -> dict[str, ReorderLevel]:
        config = self.desk.config
        days = config.velocity_weeks * 7
        used = self.usage(self.desk.clock() - timedelta(days=days))
        lead = self._lead_days()
        return {
            item.item_id: reorder_level(
                item,
                used.get(item.item_id, 0),
                days,
                lead.get(item.item_id, 2),
                config.review_days,
            )
            for item in (items if items is not None else self.records.items().values())
        }

    def _lead_days(self) -> dict[str, int]:
        return {
            r["item_id"]: r["lead_days"]
            for r in self.store.query(
                "SELECT p.item_id, MIN(s.lead_days) AS lead_days FROM inventory_supplier_prices p"
                " JOIN inventory_suppliers s USING (supplier_id) GROUP BY p.item_id"
            )
        }

    def on_order(self) -> dict[str, int]:
        return {
            r["item_id"]: r["q"]
            for r in self.store.query(
                "SELECT l.item_id, SUM(MAX(l.ordered - l.received, 0)) AS q"
                " FROM inventory_po_lines l JOIN inventory_pos p USING (po_id)"
                " WHERE p.status IN ('sent', 'partly_received') GROUP BY l.item_id"
            )
        }

    def suggestions(self) -> list[Suggestion]:
        items = list(self.records.items().values())
        on_hand: dict[str, int] = {}
        for (item_id, _), qty in self.records.on_hand().items():
            on_hand[item_id] = on_hand.get(item_id, 0) + qty
        cheapest: dict[str, SupplierPrice] = {}
        for price in self.prices():
            known = cheapest.get(price.item_id)
            if known is None or price.price_fen < known.price_fen:
                cheapest[price.item_id] = price
        return suggest(items, on_hand, self.on_order(), self.levels(items), cheapest)

    # --- purchase orders -----------------------------------------------------------------
    def create(
        self,
        supplier_id: str,
        lines: Sequence[tuple[str, str, str]],
        actor: Actor,
        *,
        expected_on: date | None = None,
        note: str = "",
    ) -> PurchaseOrder:
        """A draft order: (item, quantity, unit) lines at the supplier's prices."""
        if not lines:
            raise InvalidArgument("a purchase order needs lines", reason="BAD_DOCUMENT")
        note = bounded(note, what="a note", max_len=200)
        now = self.desk.clock()
        with self.store.transaction():
            supplier = self.supplier(supplier_id)
            if expected_on is None:
                expected_on = self.desk.today(now) + timedelta(days=supplier.lead_days)
            items = self.records.items_by_id(item for item, _, _ in lines)
            prices = {p.item_id: p.price_fen for p in self.prices(supplier_id)}
            quantities: dict[str, int] = {}
            for item_id, qty, unit in lines:
                item = items[item_id]
                if item_id not in prices:
                    raise FailedPrecondition(
                        f"{supplier.name} has no price for {item.name}", reason="NOT_SUPPLIED"
                    )
                quantities[item_id] = quantities.get(item_id, 0) + parse_quantity(qty, item, unit)
            po_id = new_id("po")
            self.store.execute(
                "INSERT INTO inventory_pos (po_id, supplier_id, status, created_at, created_by,"
                " expected_on, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    po_id,
                    supplier_id,
                    PoStatus.DRAFT.value,
                    now.isoformat(),
                    actor.staff_id,
                    expected_on.isoformat(),
                    note,
                ),
            )
            for item_id, qty in quantities.items():
                self.store.execute(
                    "INSERT INTO inventory_po_lines (po_id, item_id, ordered, price_fen)"
                    " VALUES (?, ?, ?, ?)",
                    (po_id, item_id, qty, prices[item_id]),
                )
        return self.get(po_id)

    def get(self, po_id: str) -> PurchaseOrder:
        row = self.store.query_one("SELECT * FROM inventory_pos WHERE po_id = ?", (po_id,))
        if row is None:
            raise NotFound(f"no purchase order {short(po_id)}", reason="UNKNOWN_PO")
        return self._po(row)

    def _po(self, row: dict) -> PurchaseOrder:  # type: ignore[type-arg]
        lines = tuple(
            PoLine(r["item_id"], r["ordered"], r["price_fen"], r["received"])
            for r in self.store.query(
                "SELECT * FROM inventory_po_lines WHERE po_id = ? ORDER BY item_id",
                (row["po_id"],),
            )
        )
        status = PoStatus(row["status"])
        expected = date.fromisoformat(row["expected_on"]) if row["expected_on"] else None
        return PurchaseOrder(
            row["po_id"],
            self.supplier(row["supplier_id"]),
            status,
            datetime.fromisoformat(row["created_at"]),
            row["created_by"],
            expected,
            lines,
            datetime.fromisoformat(row["sent_at"]) if row["sent_at"] else None,
            datetime.fromisoformat(row["closed_at"]) if row["closed_at"] else None,
            row["note"],
            overdue(status, expected, self.desk.today()),
        )

    def orders(self, *, open_only: bool = False) -> list[PurchaseOrder]:
        where = "WHERE status IN ('draft', 'sent', 'partly_received')" if open_only else ""
        return [
            self._po(r)
            for r in self.store.query(
                f"SELECT * FROM inventory_pos {where} ORDER BY created_at DESC, po_id"
            )
        ]

    def sheet(self, po: PurchaseOrder) -> PurchaseOrderSheet:
        items = self.records.items_by_id(x.item_id for x in po.lines)
        return PurchaseOrderSheet.of(po, items)

    def send(self, po_id: str, channel: SupplierChannel, actor: Actor) -> tuple[PurchaseOrder, str]:
        """Draft -> sent through ``channel``; a sent order is sent again (a lost e-mail)."""
        require_manager(actor, "sending a purchase order")
        with self.store.transaction():
            po = self.get(po_id)
            if po.status not in (PoStatus.DRAFT, PoStatus.SENT):
                raise FailedPrecondition(
                    f"purchase order {po_id} is {po.status.value}", reason="PO_NOT_OPEN"
                )
            now = self.desk.clock()
            self.store.execute(
                "UPDATE inventory_pos SET status = ?, sent_at = COALESCE(sent_at, ?)"
                " WHERE po_id = ?",
                (PoStatus.SENT.value, now.isoformat(), po_id),
            )
            sent = self.get(po_id)
            receipt = channel.send(self.sheet(sent))  # a failure rolls the status back
        return sent, receipt

    def book_delivery(self, po_id: str, quantities: Mapping[str, int], by: str) -> dict[str, int]:
        """Inside a receipt's transaction: check and book a delivery; each item's cost per
        base unit at the order's price. The delivery that completes the order closes it."""
        po = self.get(po_id)
        lines = {x.item_id: x for x in po.lines}
        items = self.records.items_by_id(quantities)
        for item_id, qty in quantities.items():
            check_delivery(po_id, po.status, lines.get(item_id), items[item_id], qty)
        for item_id, qty in quantities.items():
            self.store.execute(
                "UPDATE inventory_po_lines SET received = received + ? WHERE po_id = ?"
                " AND item_id = ?",
                (qty, po_id, item_id),
            )
        after = self.get(po_id)
        status = status_after_delivery(after.lines)
        self.store.execute(
            "UPDATE inventory_pos SET status = ?, closed_at = ? WHERE po_id = ?",
            (
                status.value,
                self.desk.clock().isoformat() if status is PoStatus.RECEIVED else None,
                po_id,
            ),
        )
        return {
            item_id: round(lines[item_id].price_fen / max(items[item_id].purchase_factor, 1))
            for item_id in quantities
        }

    def close(self, po_id: str, actor: Actor, *, cancel: bool = False) -> PurchaseOrder:
        """Close short (the rest will not come) or cancel an order nothing was received on."""
        require_manager(actor, "closing a purchase order")
        with self.store.transaction():
            po = self.get(po_id)
            if po.status.finished:
                raise FailedPrecondition(
                    f"purchase order {po_id} is already {po.status.value}", reason="PO_NOT_OPEN"
                )
            received = any(x.received for x in po.lines)
            if cancel and received:
                raise FailedPrecondition(
                    f"purchase order {po_id} has deliveries: close it instead of cancelling",
                    reason="PO_NOT_OPEN",
                )
            status = PoStatus.CANCELLED if cancel else PoStatus.CLOSED
            self.store.execute(
                "UPDATE inventory_pos SET status = ?, closed_at = ? WHERE po_id = ?",
                (status.value, self.desk.clock().isoformat(), po_id),
            )
        return self.get(po_id)

    def receipts_of(self, po_id: str) -> int:
        row = self.store.query_one(
            "SELECT COUNT(*) AS n FROM inventory_documents WHERE ref = ? AND kind = ?",
            (po_id, DocumentKind.RECEIPT.value),
        )
        return int(row["n"]) if row else 0


def _supplier(r: dict) -> Supplier:  # type: ignore[type-arg]
    return Supplier(
        r["supplier_id"], r["name"], r["contact"], r["phone"], r["email"], r["lead_days"]
    )
