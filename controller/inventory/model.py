"""Stock items, units, locations, batches and documents: the inventory's vocabulary.

Every quantity is a whole number of the item's **base unit** (瓶, 罐, ml, g): a case of 24 is
24 bottles. Purchase units convert by a whole factor; a quantity typed in either unit must
come to whole base units (1.5 cases of 24 is 36 bottles; half a bottle is refused).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum

from controller.inventory import settings
from ktv.errors import InvalidArgument
from ktv.text import half_width_digits, short

STORE_ROOM = "store"  # 库房
BAR = "bar"  # 吧台: sales deduct here
LOCATIONS = {STORE_ROOM: "库房", BAR: "吧台"}
NO_BATCH = ""  # a balance with no batch: stock sold below zero where a product allows it


class DocumentKind(Enum):
    """What a stock document records; each is one transaction of ledger lines."""

    RECEIPT = "receipt"  # 入库: goods received (against a purchase order or not)
    ISSUE = "issue"  # 领用: taken out for use (kitchen, staff, samples)
    TRANSFER = "transfer"  # 调拨: store room <-> bar
    WASTE = "waste"  # 报损: breakage, expiry, spoilage (with a reason)
    STOCKTAKE = "stocktake"  # 盘点: an approved count's variance
    SALE = "sale"  # a room order (or a package's items) deducted from the bar
    SALE_RETURN = "sale_return"  # a voided order's stock back, batch for batch
    FORFEIT = "forfeit"  # 存酒 not collected: the bottle joins the venue's stock at cost


class SalePurpose(Enum):
    """How a sale's cost is reported: sold, part of a package (套餐子物品), or given (赠送)."""

    SALE = "sale"
    PACKAGE = "package"
    GIFT = "gift"


@dataclass(frozen=True)
class StockItem:
    item_id: str
    name: str
    base_unit: str = "瓶"
    purchase_unit: str = ""  # 箱; empty: bought in base units
    purchase_factor: int = 1  # base units in one purchase unit
    category: str = ""
    tracks_expiry: bool = False  # receipts must carry a best-before date
    unit_cost_fen: int = 0  # standard cost of one base unit (stock with no batch cost)
    reorder_point: int = 0  # 0 with reorder_target 0: derived from sales velocity
    reorder_target: int = 0
    storage_category: str = ""  # 存酒 rule: spirits / wine / beer


@dataclass(frozen=True)
class Batch:
    batch_id: str
    item_id: str
    code: str  # the supplier's lot code, or one made at receipt
    best_before: date | None
    received_at: datetime
    unit_cost_fen: int  # per base unit


@dataclass(frozen=True)
class BatchStock:
    """What one batch holds at one location."""

    item_id: str
    location: str
    batch_id: str
    best_before: date | None
    received_at: datetime | None
    unit_cost_fen: int
    quantity: int


@dataclass(frozen=True)
class StockLine:
    """One ledger line: ``quantity`` base units in (+) or out (-) of a batch at a location."""

    item_id: str
    location: str
    batch_id: str
    quantity: int
    unit_cost_fen: int

    @property
    def cost_fen(self) -> int:
        return self.quantity * self.unit_cost_fen


@dataclass(frozen=True)
class RecipeComponent:
    item_id: str
    quantity: int  # base units per product sold


@dataclass(frozen=True)
class Recipe:
    """What one product on the menu takes from stock. No components: a service (no stock)."""

    sku: str
    components: tuple[RecipeComponent, ...] = ()
    allow_negative: bool = False  # sell on with a warning when stock runs out


def check_location(code: str) -> str:
    if code not in LOCATIONS:
        raise InvalidArgument(
            f"no location {short(code)}: one of {', '.join(sorted(LOCATIONS))}",
            reason="UNKNOWN_LOCATION",
        )
    return code


def parse_quantity(text: str, item: StockItem, unit: str = "", *, allow_zero: bool = False) -> int:
    """A typed quantity (``"2"``, ``"1.5"`` cases, full-width digits) as whole base units."""
    raw = half_width_digits(text).strip()
    if len(raw) > 32:
        raise InvalidArgument(f"quantity {short(text)} is too long", reason="BAD_QUANTITY")
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        raise InvalidArgument(
            f"quantity {short(text)} is not a number (e.g. 24 or 1.5)", reason="BAD_QUANTITY"
        )
    factor = unit_factor(item, unit)
    base = amount * factor
    if base < 0 or (base == 0 and not allow_zero):
        raise InvalidArgument(
            f"quantity of {item.name} must be positive, got {short(text)}", reason="BAD_QUANTITY"
        )
    if base != base.to_integral_value():
        raise InvalidArgument(
            f"{item.name} is counted in whole {item.base_unit}: {short(text)}"
            f" {unit or item.base_unit} is {base.normalize()} {item.base_unit}",
            reason="FRACTIONAL_QUANTITY",
        )
    if base > settings.quantity_max:
        raise InvalidArgument(
            f"quantity {short(text)} is more than {settings.quantity_max} {item.base_unit}",
            reason="BAD_QUANTITY",
        )
    return int(base)


def unit_factor(item: StockItem, unit: str) -> int:
    if unit in ("", item.base_unit):
        return 1
    if item.purchase_unit and unit == item.purchase_unit:
        return item.purchase_factor
    known = ", ".join(u for u in (item.base_unit, item.purchase_unit) if u)
    raise InvalidArgument(f"{item.name} comes in {known}, not {short(unit)}", reason="UNKNOWN_UNIT")


def in_purchase_units(item: StockItem, quantity: int) -> str:
    """``30`` bottles of a 24-case as ``"1箱6瓶"`` (just ``"30瓶"`` without a purchase unit)."""
    if not item.purchase_unit or item.purchase_factor <= 1:
        return f"{quantity}{item.base_unit}"
    sign = "-" if quantity < 0 else ""
    cases, rest = divmod(abs(quantity), item.purchase_factor)
    text = f"{cases}{item.purchase_unit}" if cases else ""
    if rest or not cases:
        text += f"{rest}{item.base_unit}"
    return sign + text


def check_item(item: StockItem) -> StockItem:
    """The bounds an item's definition must keep (before anything is stored)."""
    if not item.item_id or len(item.item_id) > 64 or not item.item_id.isprintable():
        raise InvalidArgument("an item id is 1-64 printable characters", reason="BAD_ITEM")
    if not item.name or len(item.name) > 80:
        raise InvalidArgument("an item name is 1-80 characters", reason="BAD_ITEM")
    if not item.base_unit or len(item.base_unit) > 8 or len(item.purchase_unit) > 8:
        raise InvalidArgument("a unit is 1-8 characters", reason="BAD_ITEM")
    if not 1 <= item.purchase_factor <= 10_000:
        raise InvalidArgument("a purchase unit holds 1-10000 base units", reason="BAD_ITEM")
    if not 0 <= item.unit_cost_fen <= 10_000_000:
        raise InvalidArgument("a unit cost is 0-100000 yuan", reason="BAD_ITEM")
    if not (0 <= item.reorder_point <= settings.quantity_max) or not (
        0 <= item.reorder_target <= settings.quantity_max
    ):
        raise InvalidArgument("reorder levels are 0 or more", reason="BAD_ITEM")
    if item.reorder_target and item.reorder_target < item.reorder_point:
        raise InvalidArgument(
            "the reorder target must be at least the reorder point", reason="BAD_ITEM"
        )
    return item
