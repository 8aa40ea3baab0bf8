"""盘点: a count sheet per location. Counting never blocks sales: each counted line keeps what
the ledger expected *at the moment it was counted*, so sales after the count do not show as
variance. Stock changes only when a manager approves, and then only by the variance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from controller.billing.records import Actor, new_id
from controller.inventory.desk import StockDesk, require_manager
from controller.inventory.ledger import CountLine, variance_lines
from controller.inventory.model import (
    LOCATIONS,
    DocumentKind,
    StockItem,
    check_location,
    parse_quantity,
)
from ktv.errors import FailedPrecondition, NotFound
from ktv.text import short


class StocktakeStatus(Enum):
    COUNTING = "counting"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class SheetLine:
    item: StockItem
    expected_now: int  # what the ledger holds now (the printed sheet's column)
    count: CountLine | None  # None: not counted yet


@dataclass(frozen=True)
class Stocktake:
    stocktake_id: str
    location: str
    status: StocktakeStatus
    opened_at: datetime
    opened_by: str
    lines: tuple[SheetLine, ...]
    doc_id: str = ""

    @property
    def variance_fen(self) -> int:
        return sum(x.count.variance_fen for x in self.lines if x.count is not None)


class Stocktakes:
    def __init__(self, desk: StockDesk) -> None:
        self.desk = desk
        self.store = desk.store
        self.records = desk.records

    def open(self, location: str, actor: Actor) -> Stocktake:
        check_location(location)
        with self.store.transaction():
            busy = self.store.query_one(
                "SELECT stocktake_id FROM inventory_stocktakes WHERE location = ? AND status = ?",
                (location, StocktakeStatus.COUNTING.value),
            )
            if busy is not None:
                raise FailedPrecondition(
                    f"{LOCATIONS[location]} is being counted ({busy['stocktake_id']}):"
                    " approve or reject that count first",
                    reason="STOCKTAKE_OPEN",
                )
            stocktake_id = new_id("stocktake")
            self.store.execute(
                "INSERT INTO inventory_stocktakes (stocktake_id, location, opened_at, opened_by,"
                " status) VALUES (?, ?, ?, ?, ?)",
                (
                    stocktake_id,
                    location,
                    self.desk.clock().isoformat(),
                    actor.staff_id,
                    StocktakeStatus.COUNTING.value,
                ),
            )
        return self.get(stocktake_id)

    def _row(self, stocktake_id: str) -> dict:  # type: ignore[type-arg]
        row = self.store.query_one(
            "SELECT * FROM inventory_stocktakes WHERE stocktake_id = ?", (stocktake_id,)
        )
        if row is None:
            raise NotFound(f"no stocktake {short(stocktake_id)}", reason="UNKNOWN_STOCKTAKE")
        return row

    def get(self, stocktake_id: str) -> Stocktake:
        """The sheet: every item (printable), expected now, and what was counted."""
        row = self._row(stocktake_id)
        on_hand = self.records.on_hand()
        counts = {
            r["item_id"]: CountLine(r["item_id"], r["expected"], r["counted"], r["unit_cost_fen"])
            for r in self.store.query(
                "SELECT * FROM inventory_count_lines WHERE stocktake_id = ?", (stocktake_id,)
            )
        }
        lines = tuple(
            SheetLine(
                item, on_hand.get((item.item_id, row["location"]), 0), counts.get(item.item_id)
            )
            for item in self.records.items().values()
        )
        return Stocktake(
            stocktake_id,
            row["location"],
            StocktakeStatus(row["status"]),
            datetime.fromisoformat(row["opened_at"]),
            row["opened_by"],
            lines,
            row["doc_id"],
        )

    def list(self, open_only: bool, closed_limit: int) -> list[Stocktake]:
        """Every open count, then up to ``closed_limit`` decided ones; newest first."""
        rows = self.store.query(
            "SELECT stocktake_id FROM inventory_stocktakes WHERE status = ?"
            " ORDER BY opened_at DESC, stocktake_id DESC",
            (StocktakeStatus.COUNTING.value,),
        )
        if not open_only:
            rows += self.store.query(
                "SELECT stocktake_id FROM inventory_stocktakes WHERE status != ?"
                " ORDER BY opened_at DESC, stocktake_id DESC LIMIT ?",
                (StocktakeStatus.COUNTING.value, closed_limit),
            )
        return [self.get(r["stocktake_id"]) for r in rows]

    def _counting(self, stocktake_id: str) -> dict:  # type: ignore[type-arg]
        row = self._row(stocktake_id)
        if row["status"] != StocktakeStatus.COUNTING.value:
            raise FailedPrecondition(
                f"stocktake {stocktake_id} is {row['status']}", reason="STOCKTAKE_CLOSED"
            )
        return row

    def count(
        self, stocktake_id: str, item_id: str, counted: str, actor: Actor, unit: str = ""
    ) -> CountLine:
        """Record one item's count; the expected quantity is the ledger's at this moment. A
        recount replaces the line (with the expected of its own moment)."""
        with self.store.transaction():
            row = self._counting(stocktake_id)
            item = self.records.item(item_id)
            quantity = parse_quantity(counted, item, unit, allow_zero=True)
            stocks = self.records.stocks([item_id], row["location"]).get(item_id, [])
            expected = sum(s.quantity for s in stocks)
            value = sum(s.quantity * s.unit_cost_fen for s in stocks if s.quantity > 0)
            units = sum(s.quantity for s in stocks if s.quantity > 0)
            cost = value // units if units else item.unit_cost_fen
            self.store.execute(
                "INSERT INTO inventory_count_lines (stocktake_id, item_id, expected, counted,"
                " unit_cost_fen, counted_at, counted_by) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (stocktake_id, item_id) DO UPDATE SET expected = excluded.expected,"
                " counted = excluded.counted, unit_cost_fen = excluded.unit_cost_fen,"
                " counted_at = excluded.counted_at, counted_by = excluded.counted_by",
                (
                    stocktake_id,
                    item_id,
                    expected,
                    quantity,
                    cost,
                    self.desk.clock().isoformat(),
                    actor.staff_id,
                ),
            )
        return CountLine(item_id, expected, quantity, cost)

    def approve(self, stocktake_id: str, actor: Actor) -> Stocktake:
        """The manager's approval: one stocktake document of the counted variances."""
        require_manager(actor, "approving a stocktake")
        now = self.desk.clock()
        today = self.desk.today(now)
        with self.store.transaction():
            row = self._counting(stocktake_id)
            location = row["location"]
            sheet = self.get(stocktake_id)
            counted = [x for x in sheet.lines if x.count is not None]
            stocks = self.records.stocks([x.item.item_id for x in counted], location)
            out = []
            for x in counted:
                assert x.count is not None
                out += variance_lines(
                    x.item, x.count, stocks.get(x.item.item_id, []), today, location
                )
            doc_id = self.records.post(
                DocumentKind.STOCKTAKE,
                actor,
                now,
                out,
                location=location,
                reason=f"盘点 {stocktake_id}",
                ref=stocktake_id,
            )
            self._decide(stocktake_id, StocktakeStatus.APPROVED, actor, now, doc_id)
        return self.get(stocktake_id)

    def reject(self, stocktake_id: str, actor: Actor) -> Stocktake:
        require_manager(actor, "rejecting a stocktake")
        with self.store.transaction():
            self._counting(stocktake_id)
            self._decide(stocktake_id, StocktakeStatus.REJECTED, actor, self.desk.clock(), "")
        return self.get(stocktake_id)

    def _decide(
        self, stocktake_id: str, status: StocktakeStatus, actor: Actor, at: datetime, doc_id: str
    ) -> None:
        self.store.execute(
            "UPDATE inventory_stocktakes SET status = ?, decided_at = ?, decided_by = ?,"
            " doc_id = ? WHERE stocktake_id = ?",
            (status.value, at.isoformat(), actor.staff_id, doc_id, stocktake_id),
        )
