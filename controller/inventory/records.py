"""Inventory's SQLite adapter for the ledger: items, batches, documents and their lines, the
balances kept beside them, recipes. Callers hold ``store.transaction()`` around writes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import controller.inventory.schema  # noqa: F401 - registers the inventory migrations
from controller.billing.records import Actor, new_id
from controller.inventory.model import (
    Batch,
    BatchStock,
    DocumentKind,
    Recipe,
    RecipeComponent,
    StockItem,
    StockLine,
)
from controller.store.db import Store
from ktv.errors import NotFound
from ktv.text import short


@dataclass(frozen=True)
class Document:
    doc_id: str
    kind: DocumentKind
    at: datetime
    staff_id: str
    role: str
    location: str = ""
    to_location: str = ""
    reason: str = ""
    ref: str = ""
    purpose: str = ""
    lines: tuple[StockLine, ...] = ()


def _item(r: dict) -> StockItem:  # type: ignore[type-arg]
    return StockItem(
        r["item_id"],
        r["name"],
        r["base_unit"],
        r["purchase_unit"],
        r["purchase_factor"],
        r["category"],
        bool(r["tracks_expiry"]),
        r["unit_cost_fen"],
        r["reorder_point"],
        r["reorder_target"],
        r["storage_category"],
    )


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


class StockRecords:
    def __init__(self, store: Store) -> None:
        self.store = store

    # --- items ---------------------------------------------------------------------------
    def items(self) -> dict[str, StockItem]:
        rows = self.store.query("SELECT * FROM inventory_items ORDER BY category, item_id")
        return {r["item_id"]: _item(r) for r in rows}

    def item(self, item_id: str) -> StockItem:
        row = self.store.query_one("SELECT * FROM inventory_items WHERE item_id = ?", (item_id,))
        if row is None:
            raise NotFound(f"no stock item {short(item_id)}", reason="UNKNOWN_ITEM")
        return _item(row)

    def items_by_id(self, item_ids: Iterable[str]) -> dict[str, StockItem]:
        ids = sorted(set(item_ids))
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.store.query(f"SELECT * FROM inventory_items WHERE item_id IN ({marks})", ids)
        found = {r["item_id"]: _item(r) for r in rows}
        for item_id in ids:
            if item_id not in found:
                raise NotFound(f"no stock item {short(item_id)}", reason="UNKNOWN_ITEM")
        return found

    def put_item(self, item: StockItem) -> None:
        self.store.execute(
            "INSERT INTO inventory_items (item_id, name, base_unit, purchase_unit,"
            " purchase_factor, category, tracks_expiry, unit_cost_fen, reorder_point,"
            " reorder_target, storage_category) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(item_id) DO UPDATE SET name = excluded.name,"
            " base_unit = excluded.base_unit, purchase_unit = excluded.purchase_unit,"
            " purchase_factor = excluded.purchase_factor, category = excluded.category,"
            " tracks_expiry = excluded.tracks_expiry, unit_cost_fen = excluded.unit_cost_fen,"
            " reorder_point = excluded.reorder_point, reorder_target = excluded.reorder_target,"
            " storage_category = excluded.storage_category",
            (
                item.item_id,
                item.name,
                item.base_unit,
                item.purchase_unit,
                item.purchase_factor,
                item.category,
                int(item.tracks_expiry),
                item.unit_cost_fen,
                item.reorder_point,
                item.reorder_target,
                item.storage_category,
            ),
        )

    def has_movements(self, item_id: str) -> bool:
        return (
            self.store.query_one(
                "SELECT 1 FROM inventory_lines WHERE item_id = ? LIMIT 1", (item_id,)
            )
            is not None
        )

    # --- batches and balances ------------------------------------------------------------
    def add_batch(self, batch: Batch) -> None:
        self.store.execute(
            "INSERT INTO inventory_batches (batch_id, item_id, code, best_before, received_at,"
            " unit_cost_fen) VALUES (?, ?, ?, ?, ?, ?)",
            (
                batch.batch_id,
                batch.item_id,
                batch.code,
                batch.best_before.isoformat() if batch.best_before else None,
                batch.received_at.isoformat(),
                batch.unit_cost_fen,
            ),
        )

    def stocks(
        self, item_ids: Iterable[str], location: str | None = None
    ) -> dict[str, list[BatchStock]]:
        """Every non-zero balance of the items (at one location, or everywhere), with its
        batch's best-before date and cost."""
        ids = sorted(set(item_ids))
        out: dict[str, list[BatchStock]] = defaultdict(list)
        if not ids:
            return out
        marks = ",".join("?" * len(ids))
        where = f"b.item_id IN ({marks})"
        params: list[object] = list(ids)
        if location is not None:
            where += " AND b.location = ?"
            params.append(location)
        rows = self.store.query(
            "SELECT b.item_id, b.location, b.batch_id, b.quantity, t.best_before,"
            " t.received_at, COALESCE(t.unit_cost_fen, i.unit_cost_fen) AS cost"
            " FROM inventory_balances b JOIN inventory_items i USING (item_id)"
            " LEFT JOIN inventory_batches t ON t.batch_id = b.batch_id"
            f" WHERE {where}",
            params,
        )
        for r in rows:
            out[r["item_id"]].append(_stock(r))
        return out

    def all_stocks(self) -> list[BatchStock]:
        rows = self.store.query(
            "SELECT b.item_id, b.location, b.batch_id, b.quantity, t.best_before,"
            " t.received_at, COALESCE(t.unit_cost_fen, i.unit_cost_fen) AS cost"
            " FROM inventory_balances b JOIN inventory_items i USING (item_id)"
            " LEFT JOIN inventory_batches t ON t.batch_id = b.batch_id"
        )
        return [_stock(r) for r in rows]

    def on_hand(self) -> dict[tuple[str, str], int]:
        """(item, location) -> base units, from the balances."""
        rows = self.store.query(
            "SELECT item_id, location, SUM(quantity) AS q FROM inventory_balances"
            " GROUP BY item_id, location"
        )
        return {(r["item_id"], r["location"]): r["q"] for r in rows}

    def on_hand_from_ledger(self) -> dict[tuple[str, str, str], int]:
        rows = self.store.query(
            "SELECT item_id, location, batch_id, SUM(quantity) AS q FROM inventory_lines"
            " GROUP BY item_id, location, batch_id HAVING q != 0"
        )
        return {(r["item_id"], r["location"], r["batch_id"]): r["q"] for r in rows}

    def balances(self) -> dict[tuple[str, str, str], int]:
        rows = self.store.query(
            "SELECT item_id, location, batch_id, quantity FROM inventory_balances"
        )
        return {(r["item_id"], r["location"], r["batch_id"]): r["quantity"] for r in rows}

    # --- documents -----------------------------------------------------------------------
    def post(
        self,
        kind: DocumentKind,
        actor: Actor,
        at: datetime,
        lines: Sequence[StockLine],
        *,
        location: str = "",
        to_location: str = "",
        reason: str = "",
        ref: str = "",
        purpose: str = "",
    ) -> str:
        """One document and its lines; the balances move with them."""
        doc_id = new_id(kind.value)
        stamp = at.isoformat()
        self.store.execute(
            "INSERT INTO inventory_documents (doc_id, kind, purpose, at, staff_id, role,"
            " location, to_location, reason, ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                doc_id,
                kind.value,
                purpose,
                stamp,
                actor.staff_id,
                actor.role.key,
                location,
                to_location,
                reason,
                ref,
            ),
        )
        moving = [line for line in lines if line.quantity != 0]
        self.store.executemany(
            "INSERT INTO inventory_lines (doc_id, kind, item_id, location, batch_id, quantity,"
            " unit_cost_fen, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    doc_id,
                    kind.value,
                    x.item_id,
                    x.location,
                    x.batch_id,
                    x.quantity,
                    x.unit_cost_fen,
                    stamp,
                )
                for x in moving
            ],
        )
        self.store.executemany(
            "INSERT INTO inventory_balances (item_id, location, batch_id, quantity)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (item_id, location, batch_id)"
            " DO UPDATE SET quantity = quantity + excluded.quantity",
            [(x.item_id, x.location, x.batch_id, x.quantity) for x in moving],
        )
        self.store.executemany(
            "DELETE FROM inventory_balances WHERE item_id = ? AND location = ?"
            " AND batch_id = ? AND quantity = 0",
            [(x.item_id, x.location, x.batch_id) for x in moving],
        )
        return doc_id

    def lines_of(self, doc_id: str) -> list[StockLine]:
        rows = self.store.query(
            "SELECT item_id, location, batch_id, quantity, unit_cost_fen FROM inventory_lines"
            " WHERE doc_id = ? ORDER BY line_id",
            (doc_id,),
        )
        return [
            StockLine(r["item_id"], r["location"], r["batch_id"], r["quantity"], r["unit_cost_fen"])
            for r in rows
        ]

    def document(self, doc_id: str) -> Document:
        rows = self.store.query("SELECT * FROM inventory_documents WHERE doc_id = ?", (doc_id,))
        if not rows:
            raise NotFound(f"no stock document {short(doc_id)}", reason="UNKNOWN_DOCUMENT")
        return self._documents(rows)[0]

    def documents(
        self, limit: int, before: str = "", kind: str = "", item_id: str = ""
    ) -> list[Document]:
        """Newest first; ``before`` is the ``at|doc_id`` key of the last one already seen;
        ``item_id``: only documents with a line of that item (the item's ledger)."""
        where, params = [], []
        if item_id:
            where.append("doc_id IN (SELECT doc_id FROM inventory_lines WHERE item_id = ?)")
            params.append(item_id)
        if before:
            at, _, doc = before.partition("|")
            where.append("(at < ? OR (at = ? AND doc_id < ?))")
            params += [at, at, doc]
        if kind:
            where.append("kind = ?")
            params.append(kind)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        rows = self.store.query(
            f"SELECT * FROM inventory_documents {clause} ORDER BY at DESC, doc_id DESC LIMIT ?",
            [*params, limit],
        )
        return self._documents(rows)

    def _documents(self, rows: list[dict]) -> list[Document]:  # type: ignore[type-arg]
        return [
            Document(
                r["doc_id"],
                DocumentKind(r["kind"]),
                datetime.fromisoformat(r["at"]),
                r["staff_id"],
                r["role"],
                r["location"],
                r["to_location"],
                r["reason"],
                r["ref"],
                r["purpose"],
                tuple(self.lines_of(r["doc_id"])),
            )
            for r in rows
        ]

    # --- recipes -------------------------------------------------------------------------
    def recipes(self, skus: Iterable[str]) -> dict[str, Recipe]:
        """The recipes of the skus that have one (a sku without components is not stocked)."""
        ids = sorted(set(skus))
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        parts: dict[str, list[RecipeComponent]] = defaultdict(list)
        for r in self.store.query(
            f"SELECT sku, item_id, quantity FROM inventory_recipes WHERE sku IN ({marks})"
            " ORDER BY sku, item_id",
            ids,
        ):
            parts[r["sku"]].append(RecipeComponent(r["item_id"], r["quantity"]))
        negative = {
            r["sku"]
            for r in self.store.query(
                "SELECT sku FROM inventory_recipe_rules WHERE allow_negative = 1"
                f" AND sku IN ({marks})",
                ids,
            )
        }
        return {sku: Recipe(sku, tuple(c), sku in negative) for sku, c in parts.items()}

    def put_recipe(self, recipe: Recipe) -> None:
        self.store.execute("DELETE FROM inventory_recipes WHERE sku = ?", (recipe.sku,))
        for part in recipe.components:
            self.store.execute(
                "INSERT INTO inventory_recipes (sku, item_id, quantity) VALUES (?, ?, ?)",
                (recipe.sku, part.item_id, part.quantity),
            )
        self.store.execute(
            "INSERT INTO inventory_recipe_rules (sku, allow_negative) VALUES (?, ?)"
            " ON CONFLICT(sku) DO UPDATE SET allow_negative = excluded.allow_negative",
            (recipe.sku, int(recipe.allow_negative)),
        )


def _stock(r: dict) -> BatchStock:  # type: ignore[type-arg]
    return BatchStock(
        r["item_id"],
        r["location"],
        r["batch_id"],
        _date(r["best_before"]),
        datetime.fromisoformat(r["received_at"]) if r["received_at"] else None,
        r["cost"],
        r["quantity"],
    )
