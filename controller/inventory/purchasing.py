"""Purchasing rules: reorder levels (set per item or derived from sales velocity and the
supplier's lead time), the suggested purchase list, and a purchase order's life
(draft -> sent -> partly received -> received, or closed short / cancelled). Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum

from controller.inventory.model import StockItem
from ktv.errors import FailedPrecondition


class PoStatus(Enum):
    DRAFT = "draft"
    SENT = "sent"
    PARTLY_RECEIVED = "partly_received"
    RECEIVED = "received"  # every line in full: closed by the last delivery
    CLOSED = "closed"  # closed short by a manager (the rest will not come)
    CANCELLED = "cancelled"

    @property
    def open_for_delivery(self) -> bool:
        return self in (PoStatus.SENT, PoStatus.PARTLY_RECEIVED)

    @property
    def finished(self) -> bool:
        return self in (PoStatus.RECEIVED, PoStatus.CLOSED, PoStatus.CANCELLED)


@dataclass(frozen=True)
class Supplier:
    supplier_id: str
    name: str
    contact: str = ""
    phone: str = ""
    email: str = ""
    lead_days: int = 2


@dataclass(frozen=True)
class SupplierPrice:
    supplier_id: str
    item_id: str
    price_fen: int  # per purchase unit (per base unit when the item has none)


@dataclass(frozen=True)
class PoLine:
    item_id: str
    ordered: int  # base units
    price_fen: int  # per purchase unit
    received: int = 0

    @property
    def outstanding(self) -> int:
        return max(self.ordered - self.received, 0)


@dataclass(frozen=True)
class ReorderLevel:
    item_id: str
    point: int
    target: int
    derived: bool  # from sales velocity (the item sets no levels of its own)
    daily_use: float = 0.0


def reorder_level(
    item: StockItem, used: int, days: int, lead_days: int, review_days: int
) -> ReorderLevel:
    """The item's own levels, or derived: the point covers sales during the lead time, the
    target that plus ``review_days`` more (``used`` base units went out over ``days``)."""
    if item.reorder_point or item.reorder_target:
        target = max(item.reorder_target, item.reorder_point)
        return ReorderLevel(item.item_id, item.reorder_point, target, False)
    daily = used / days if days > 0 else 0.0
    point = -(-used * lead_days // days) if days > 0 else 0
    target = -(-used * (lead_days + review_days) // days) if days > 0 else 0
    return ReorderLevel(item.item_id, point, target, True, daily)


@dataclass(frozen=True)
class Suggestion:
    item: StockItem
    on_hand: int
    on_order: int
    level: ReorderLevel
    quantity: int  # base units, whole purchase units
    supplier_id: str
    price_fen: int  # per purchase unit; 0 when no supplier sells it

    @property
    def purchase_units(self) -> int:
        return self.quantity // max(self.item.purchase_factor, 1)

    @property
    def cost_fen(self) -> int:
        return self.purchase_units * self.price_fen


def suggest(
    items: Sequence[StockItem],
    on_hand: Mapping[str, int],
    on_order: Mapping[str, int],
    levels: Mapping[str, ReorderLevel],
    cheapest: Mapping[str, SupplierPrice],
) -> list[Suggestion]:
    """Items at or below their reorder point (counting what is on order), topped up to the
    target in whole purchase units, cheapest supplier first."""
    out = []
    for item in items:
        level = levels[item.item_id]
        if level.target <= 0:
            continue
        have = on_hand.get(item.item_id, 0) + on_order.get(item.item_id, 0)
        if have > level.point:
            continue
        need = level.target - have
        if need <= 0:
            continue
        factor = max(item.purchase_factor, 1)
        quantity = -(-need // factor) * factor
        price = cheapest.get(item.item_id)
        out.append(
            Suggestion(
                item,
                on_hand.get(item.item_id, 0),
                on_order.get(item.item_id, 0),
                level,
                quantity,
                price.supplier_id if price else "",
                price.price_fen if price else 0,
            )
        )
    out.sort(key=lambda s: (s.supplier_id, s.item.category, s.item.item_id))
    return out


def status_after_delivery(lines: Sequence[PoLine]) -> PoStatus:
    """A delivery leaves the order received (every line in full) or partly received."""
    if all(line.received >= line.ordered for line in lines):
        return PoStatus.RECEIVED
    return PoStatus.PARTLY_RECEIVED


def check_delivery(
    po_id: str, status: PoStatus, line: PoLine | None, item: StockItem, qty: int
) -> None:
    """Receiving against an order: only sent orders, only their items, never more than is
    outstanding (the extra is refused: receive it without the order, so it is seen)."""
    if not status.open_for_delivery:
        raise FailedPrecondition(
            f"purchase order {po_id} is {status.value}: it takes no deliveries",
            reason="PO_NOT_OPEN",
        )
    if line is None:
        raise FailedPrecondition(f"purchase order {po_id} has no {item.name}", reason="NOT_ON_PO")
    if qty > line.outstanding:
        raise FailedPrecondition(
            f"{item.name}: {qty} {item.base_unit} delivered, {line.outstanding} outstanding on "
            f"{po_id}; receiving more than ordered is refused: receive the extra without the "
            "order (ktvctl stock receive ... without --po)",
            reason="OVER_RECEIPT",
        )


def overdue(status: PoStatus, expected_on: date | None, today: date) -> bool:
    return status.open_for_delivery and expected_on is not None and expected_on < today
