"""The stock ledger's rules: first-expiring-first-out deduction, what a product can still
sell, expiry warning levels, stocktake variance. Pure: batches and balances come in, lines
and verdicts go out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from controller.inventory.model import NO_BATCH, BatchStock, Recipe, StockItem, StockLine
from ktv.errors import FailedPrecondition

_LATEST = date.max


def fefo_order(stocks: Iterable[BatchStock]) -> list[BatchStock]:
    """Batches first-expiring first; without a best-before date, oldest received first."""
    return sorted(
        stocks,
        key=lambda s: (
            s.best_before or _LATEST,
            s.received_at.timestamp() if s.received_at else 0.0,
            s.batch_id,
        ),
    )


def is_expired(stock: BatchStock, today: date) -> bool:
    return stock.best_before is not None and stock.best_before < today


def sellable(stocks: Iterable[BatchStock], today: date) -> int:
    """Base units that may be sold now: positive balances, expired batches left out."""
    return sum(s.quantity for s in stocks if s.quantity > 0 and not is_expired(s, today))


def fefo_take(
    item: StockItem,
    stocks: Sequence[BatchStock],
    quantity: int,
    today: date,
    *,
    include_expired: bool = False,
    allow_negative: bool = False,
    location: str = "",
) -> list[StockLine]:
    """The lines (negative) that take ``quantity`` from ``stocks``, first-expiring first.

    Expired batches are never sold (``include_expired`` for waste and stocktakes). Short of
    stock: refused (``INSUFFICIENT_STOCK``), or with ``allow_negative`` the rest goes below
    zero on the no-batch balance at the item's standard cost.
    """
    lines: list[StockLine] = []
    left = quantity
    for stock in fefo_order(stocks):
        if left <= 0:
            break
        if stock.quantity <= 0 or (is_expired(stock, today) and not include_expired):
            continue
        take = min(stock.quantity, left)
        lines.append(
            StockLine(item.item_id, stock.location, stock.batch_id, -take, stock.unit_cost_fen)
        )
        left -= take
    if left > 0:
        if not allow_negative:
            have = quantity - left
            raise FailedPrecondition(
                f"{item.name}: {quantity} {item.base_unit} wanted, {have} in stock"
                + ("" if not location else f" at {location}"),
                reason="INSUFFICIENT_STOCK",
            )
        where = location or (stocks[0].location if stocks else "")
        lines.append(StockLine(item.item_id, where, NO_BATCH, -left, item.unit_cost_fen))
    return lines


@dataclass(frozen=True)
class Availability:
    """What a product can still sell from the bar."""

    sku: str
    units: int | None  # None: no stock-managed component (a service)
    allow_negative: bool
    short_item: str = ""  # the component that runs out first

    @property
    def sold_out(self) -> bool:
        return self.units is not None and self.units <= 0 and not self.allow_negative


def availability(
    recipe: Recipe,
    items: Mapping[str, StockItem],
    stocks: Mapping[str, Sequence[BatchStock]],
    today: date,
) -> Availability:
    """How many of the product the bar can make now (the scarcest component decides)."""
    if not recipe.components:
        return Availability(recipe.sku, None, recipe.allow_negative)
    best: tuple[int, str] | None = None
    for part in recipe.components:
        units = sellable(stocks.get(part.item_id, ()), today) // part.quantity
        if best is None or units < best[0]:
            best = (units, items[part.item_id].name if part.item_id in items else part.item_id)
    assert best is not None
    return Availability(recipe.sku, best[0], recipe.allow_negative, best[1])


def expiry_level(best_before: date | None, today: date, warn_days: Sequence[int]) -> int | None:
    """The warning a batch is at: ``0`` expired, else the smallest of ``warn_days`` its days
    left fit in (30/15/7), ``None`` when not due for a warning."""
    if best_before is None:
        return None
    left = (best_before - today).days
    if left < 0:
        return 0
    fitting = [d for d in warn_days if left <= d]
    return min(fitting) if fitting else None


@dataclass(frozen=True)
class CountLine:
    """One item on a stocktake sheet: expected at the moment it was counted."""

    item_id: str
    expected: int
    counted: int
    unit_cost_fen: int

    @property
    def variance(self) -> int:
        return self.counted - self.expected

    @property
    def variance_fen(self) -> int:
        return self.variance * self.unit_cost_fen


def variance_lines(
    item: StockItem, line: CountLine, stocks: Sequence[BatchStock], today: date, location: str
) -> list[StockLine]:
    """The ledger lines an approved count writes: only its variance, whatever was sold since
    the count. A shortage comes out first-expiring first (expired batches too); a surplus goes
    onto the newest batch (or the no-batch balance at standard cost)."""
    if line.variance == 0:
        return []
    if line.variance < 0:
        return fefo_take(
            item,
            stocks,
            -line.variance,
            today,
            include_expired=True,
            allow_negative=True,
            location=location,
        )
    newest = [s for s in fefo_order(stocks) if s.batch_id != NO_BATCH]
    if newest:
        last = newest[-1]
        return [StockLine(item.item_id, location, last.batch_id, line.variance, last.unit_cost_fen)]
    return [StockLine(item.item_id, location, NO_BATCH, line.variance, line.unit_cost_fen)]
