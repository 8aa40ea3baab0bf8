"""Sales deduct stock: billing's stock keeper (:mod:`controller.billing.stock`).

A room order deducts its products' recipes from the bar, first-expiring first, in the order's
own transaction (out of stock refuses the order: ``OUT_OF_STOCK``, unless the product may
sell below zero); a void returns exactly what the order took, batch for batch; a comp (赠送)
keeps the stock out and reports it as given. A package's items (an included order) deduct
at cost, reported as 套餐子物品.

The cost of each product sold is fixed here, at the time of sale: the FEFO batches' own costs
that the deduction took, per order and product (``inventory_sale_costs``, written in the same
transaction as the ledger lines). Reports read it when the bill closes, so margins and comps
at cost never move with later purchases, and a closed day never changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from controller.billing.records import Actor, Order
from controller.billing.stock import StockNote
from controller.inventory.desk import StockDesk, after_taking
from controller.inventory.ledger import availability, fefo_take, sellable
from controller.inventory.model import BAR, DocumentKind, SalePurpose, StockLine
from ktv.errors import FailedPrecondition

LOW_UNITS = 3  # the menu says "N left" at or below this


class SalesStock:
    """Implements billing's ``StockKeeper`` over the stock desk."""

    def __init__(self, desk: StockDesk) -> None:
        self.desk = desk
        self.records = desk.records
        self.store = desk.store

    def order_placed(self, tab_id: str, order: Order, at: datetime, actor: Actor) -> None:
        recipes = self.records.recipes(line.sku for line in order.lines)
        if not recipes:
            return
        item_ids = {p.item_id for r in recipes.values() for p in r.components}
        items = self.records.items_by_id(item_ids)
        stocks = self.records.stocks(item_ids, BAR)
        today = self.desk.today(at)
        out: list[StockLine] = []
        costs: dict[str, list[int]] = {}  # sku -> [quantity, cost fen] of this order
        for line in order.lines:
            recipe = recipes.get(line.sku)
            if recipe is None:
                continue
            acc = costs.setdefault(line.sku, [0, 0])
            acc[0] += line.quantity
            for part in recipe.components:
                item = items[part.item_id]
                try:
                    taken = fefo_take(
                        item,
                        stocks.get(item.item_id, []),
                        part.quantity * line.quantity,
                        today,
                        allow_negative=recipe.allow_negative,
                        location=BAR,
                    )
                except FailedPrecondition as short:
                    left = sellable(stocks.get(item.item_id, []), today) // part.quantity
                    raise FailedPrecondition(
                        f"{line.name} is sold out ({line.quantity} ordered, {left} left:"
                        f" {item.name} at the bar)",
                        reason="OUT_OF_STOCK",
                    ) from short
                stocks[item.item_id] = after_taking(stocks.get(item.item_id, []), taken)
                acc[1] -= sum(x.cost_fen for x in taken)
                out += taken
        if not out:
            return
        purpose = SalePurpose.PACKAGE if order.included else SalePurpose.SALE
        doc_id = self.records.post(
            DocumentKind.SALE,
            actor,
            at,
            out,
            location=BAR,
            ref=order.order_id,
            purpose=purpose.value,
        )
        self.store.execute(
            "INSERT INTO inventory_sales (order_id, tab_id, doc_id, purpose) VALUES (?, ?, ?, ?)",
            (order.order_id, tab_id, doc_id, purpose.value),
        )
        self.store.conn.executemany(
            "INSERT INTO inventory_sale_costs (order_id, sku, quantity, cost_fen)"
            " VALUES (?, ?, ?, ?)",
            [(order.order_id, sku, q, c) for sku, (q, c) in costs.items()],
        )

    def order_cancelled(self, tab_id: str, order_id: str, at: datetime, actor: Actor) -> None:
        row = self.store.query_one(
            "SELECT doc_id, returned_doc FROM inventory_sales WHERE order_id = ?", (order_id,)
        )
        if row is None or row["returned_doc"]:
            return
        back = [
            StockLine(x.item_id, x.location, x.batch_id, -x.quantity, x.unit_cost_fen)
            for x in self.records.lines_of(row["doc_id"])
        ]
        doc_id = self.records.post(
            DocumentKind.SALE_RETURN, actor, at, back, location=BAR, ref=order_id
        )
        self.store.execute(
            "UPDATE inventory_sales SET returned_doc = ? WHERE order_id = ?", (doc_id, order_id)
        )

    def order_comped(self, tab_id: str, order_id: str, at: datetime, actor: Actor) -> None:
        self.store.execute(
            "UPDATE inventory_sales SET purpose = ? WHERE order_id = ?",
            (SalePurpose.GIFT.value, order_id),
        )

    def stock_notes(self, skus: Iterable[str]) -> Mapping[str, StockNote]:
        recipes = self.records.recipes(skus)
        if not recipes:
            return {}
        item_ids = {p.item_id for r in recipes.values() for p in r.components}
        items = self.records.items_by_id(item_ids)
        stocks = self.records.stocks(item_ids, BAR)
        today = self.desk.today()
        notes: dict[str, StockNote] = {}
        for sku, recipe in recipes.items():
            have = availability(recipe, items, stocks, today)
            if have.units is None:
                continue
            if have.units <= 0:
                expired_only = all(
                    any(s.quantity > 0 for s in stocks.get(p.item_id, []))
                    for p in recipe.components
                    if sellable(stocks.get(p.item_id, []), today) < p.quantity
                )
                if have.allow_negative:
                    notes[sku] = StockNote(False, f"{have.short_item} out: selling below zero")
                else:
                    notes[sku] = StockNote(
                        True, "expired stock blocked" if expired_only else "sold out"
                    )
            elif have.units <= LOW_UNITS:
                notes[sku] = StockNote(False, f"{have.units} left")
        return notes

    def cost_of_sales(self, since: datetime, until: datetime) -> dict[str, int]:
        """Cost (fen) of what orders took from stock in [since, until), by purpose: sold,
        package items, given (赠送); voided orders count nothing."""
        rows = self.store.query(
            "SELECT s.purpose, -SUM(l.quantity * l.unit_cost_fen) AS cost"
            " FROM inventory_sales s JOIN inventory_lines l ON l.doc_id = s.doc_id"
            " WHERE s.returned_doc = '' AND l.at >= ? AND l.at < ? GROUP BY s.purpose",
            (since.isoformat(), until.isoformat()),
        )
        out = {p.value: 0 for p in SalePurpose}
        out.update({r["purpose"]: int(r["cost"] or 0) for r in rows})
        return out
