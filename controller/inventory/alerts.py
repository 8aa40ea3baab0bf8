"""Venue-level stock alerts for the board's alert list: low stock, expiring or expired
batches, overdue deliveries, stored bottles about to expire. Room alerts
(``controller/rooms/alerts.py``) are per room; these belong to no room, so they have their
own list (``InventoryService.ListStockAlerts``), read by the board beside the rooms'."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from controller.inventory.buying import Purchasing
from controller.inventory.desk import StockDesk
from controller.inventory.model import in_purchase_units
from controller.inventory.storage import BottleStorage


class StockAlertKind(Enum):
    LOW_STOCK = "low_stock"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    DELIVERY_OVERDUE = "delivery_overdue"
    STORAGE_EXPIRING = "storage_expiring"


@dataclass(frozen=True)
class StockAlert:
    kind: StockAlertKind
    subject: str  # the item id, purchase order id or bottle label
    text: str
    days: int = 0  # expiring: the warning level (30/15/7); storage: days left


def stock_alerts(desk: StockDesk, buying: Purchasing, storage: BottleStorage) -> list[StockAlert]:
    out: list[StockAlert] = []
    levels = desk.levels()
    reorder = buying.levels([lv.item for lv in levels])
    for lv in levels:
        item = lv.item
        level = reorder[item.item_id]
        if level.target > 0 and lv.on_hand <= level.point:
            out.append(
                StockAlert(
                    StockAlertKind.LOW_STOCK,
                    item.item_id,
                    f"{item.name}: {in_purchase_units(item, lv.on_hand)} left"
                    f" (reorder at {in_purchase_units(item, level.point)})",
                )
            )
        if lv.expired:
            out.append(
                StockAlert(
                    StockAlertKind.EXPIRED,
                    item.item_id,
                    f"{item.name}: {lv.expired}{item.base_unit} expired, blocked from sale"
                    " (write it off)",
                )
            )
        elif lv.expiry_warning:
            out.append(
                StockAlert(
                    StockAlertKind.EXPIRING,
                    item.item_id,
                    f"{item.name}: best before {lv.next_best_before}"
                    f" (within {lv.expiry_warning} days)",
                    lv.expiry_warning,
                )
            )
    for po in buying.orders(open_only=True):
        if po.overdue:
            out.append(
                StockAlert(
                    StockAlertKind.DELIVERY_OVERDUE,
                    po.po_id,
                    f"{po.supplier.name}: delivery {po.po_id} due {po.expected_on}"
                    f" ({po.status.value})",
                )
            )
    today = desk.today()
    for bottle in storage.expiring(storage.rules.reminder_days):
        left = (bottle.expires_on - today).days
        when = "expired" if left < 0 else f"expires in {left} days"
        out.append(
            StockAlert(
                StockAlertKind.STORAGE_EXPIRING,
                bottle.label_code,
                f"存酒 {bottle.label_code} {bottle.item_name} of {bottle.phone}: {when}"
                f" ({bottle.expires_on})",
                left,
            )
        )
    return out
