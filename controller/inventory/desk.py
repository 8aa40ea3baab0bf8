"""The stock desk: each action (receive, issue, transfer, waste, write off what expired) is one
SQLite transaction that checks everything first and then writes one document, its lines and
the balances. Nothing edits a past line: a correction is a new document.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any

from controller.billing.clock import VenueClock
from controller.billing.records import Actor, new_id
from controller.inventory import settings
from controller.inventory.ledger import expiry_level, fefo_take, is_expired
from controller.inventory.model import (
    LOCATIONS,
    NO_BATCH,
    Batch,
    BatchStock,
    DocumentKind,
    Recipe,
    RecipeComponent,
    StockItem,
    StockLine,
    check_item,
    check_location,
    parse_quantity,
)
from controller.inventory.records import StockRecords
from controller.inventory.storage_rules import StorageRules
from controller.store.db import Store
from ktv.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from ktv.text import bounded, short

REASON_MAX_CHARS = 200
MANAGER_ROLES = ("manager", "admin")


@dataclass(frozen=True)
class InventoryConfig:
    """The venue's inventory settings: ``[inventory]`` of the venue config."""

    clock: VenueClock = field(default_factory=VenueClock)
    warn_days: tuple[int, ...] = settings.expiry_warning_days
    velocity_weeks: int = settings.velocity_weeks
    review_days: int = settings.review_days
    storage: StorageRules = field(default_factory=StorageRules)

    @classmethod
    def from_toml(cls, text: str) -> InventoryConfig:
        """From the venue config's text; a malformed ``[inventory]`` is one clear error."""
        data: dict[str, Any] = tomllib.loads(text) if text else {}
        try:
            return cls._from(data)
        except (TypeError, ValueError, AttributeError) as error:
            raise InvalidArgument(
                f"[inventory] in the venue config: {error}", reason="BAD_INVENTORY_CONFIG"
            ) from None

    @classmethod
    def _from(cls, data: dict[str, Any]) -> InventoryConfig:
        venue = data.get("venue", {})
        hh, _, mm = str(venue.get("business_day_starts", "10:00")).partition(":")
        clock = VenueClock(str(venue.get("timezone", "Asia/Shanghai")), time(int(hh), int(mm or 0)))
        section = data.get("inventory", {})
        warn = tuple(
            int(d) for d in section.get("expiry_warning_days", settings.expiry_warning_days)
        )
        if not warn or any(not 0 < d <= 366 for d in warn):
            raise ValueError("expiry_warning_days are 1-366 days")
        storage = section.get("storage", {})
        rules = StorageRules(
            days={**settings.storage_days, **_days(storage.get("days", {}))},
            opened_days={**settings.storage_opened_days, **_days(storage.get("opened_days", {}))},
            default_days=int(storage.get("default_days", settings.storage_default_days)),
            reminder_days=int(storage.get("reminder_days", settings.storage_reminder_days)),
        )
        weeks = int(section.get("velocity_weeks", settings.velocity_weeks))
        review = int(section.get("review_days", settings.review_days))
        if not 1 <= weeks <= 52 or not 0 <= review <= 90:
            raise ValueError("velocity_weeks is 1-52, review_days 0-90")
        if not 1 <= rules.default_days <= 3660 or not 0 <= rules.reminder_days <= 60:
            raise ValueError("storage default_days is 1-3660, reminder_days 0-60")
        return cls(clock, warn, weeks, review, rules)


def _days(table: Any) -> dict[str, int]:
    out = {str(k): int(v) for k, v in dict(table).items()}
    if any(not 1 <= v <= 3660 for v in out.values()):
        raise ValueError("storage days are 1-3660")
    return out


@dataclass(frozen=True)
class ReceiptLine:
    item_id: str
    quantity: str  # typed: whole base units, or purchase units ("1.5" cases)
    unit: str = ""
    batch_code: str = ""
    best_before: date | None = None
    unit_cost_fen: int = 0  # per base unit; 0: the order's price, else the standard cost


@dataclass(frozen=True)
class MoveLine:
    item_id: str
    quantity: str
    unit: str = ""


@dataclass(frozen=True)
class ItemLevel:
    """One item's stock for the on-hand list, with its warnings."""

    item: StockItem
    by_location: Mapping[str, int]
    expired: int
    next_best_before: date | None
    expiry_warning: int | None  # 0 expired stock present, else 30/15/7 days ahead
    value_fen: int

    @property
    def on_hand(self) -> int:
        return sum(self.by_location.values())


def require_manager(actor: Actor, what: str) -> None:
    if actor.role.key not in MANAGER_ROLES:
        raise PermissionDenied(f"{what} needs a manager", reason="MANAGER_REQUIRED")


class StockDesk:
    def __init__(
        self,
        store: Store,
        *,
        clock: Callable[[], datetime],
        config: InventoryConfig | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.config = config or InventoryConfig()
        self.records = StockRecords(store)

    def today(self, now: datetime | None = None) -> date:
        """The venue's calendar date: best-before dates are calendar dates."""
        return (now or self.clock()).astimezone(self.config.clock.tz).date()

    # --- items and recipes ---------------------------------------------------------------
    def put_item(self, item: StockItem, actor: Actor) -> StockItem:
        require_manager(actor, "defining stock items")
        item = check_item(
            replace(
                item,
                name=bounded(item.name, what="an item name", max_len=80, reason="BAD_ITEM"),
                category=bounded(item.category, what="a category", max_len=40, reason="BAD_ITEM"),
            )
        )
        with self.store.transaction():
            try:
                old: StockItem | None = self.records.item(item.item_id)
            except NotFound:
                old = None
            if (
                old is not None
                and old.base_unit != item.base_unit
                and self.records.has_movements(item.item_id)
            ):
                raise FailedPrecondition(
                    f"{old.name} has stock movements in {old.base_unit}: its base unit stays",
                    reason="BASE_UNIT_FIXED",
                )
            self.records.put_item(item)
        return item

    def set_recipe(self, recipe: Recipe, actor: Actor) -> Recipe:
        require_manager(actor, "changing recipes")
        if not recipe.sku or len(recipe.sku) > 64:
            raise InvalidArgument("a recipe needs the product's sku", reason="BAD_RECIPE")
        seen = set()
        for part in recipe.components:
            if part.item_id in seen:
                raise InvalidArgument(
                    f"{short(part.item_id)} is listed twice in the recipe", reason="BAD_RECIPE"
                )
            seen.add(part.item_id)
            if not 0 < part.quantity <= settings.quantity_max:
                raise InvalidArgument(
                    f"a recipe takes a positive whole quantity of {short(part.item_id)}",
                    reason="BAD_QUANTITY",
                )
        if len(recipe.components) > 20:
            raise InvalidArgument("a recipe has at most 20 components", reason="BAD_RECIPE")
        with self.store.transaction():
            self.records.items_by_id(seen)
            self.records.put_recipe(recipe)
        return recipe

    # --- documents -----------------------------------------------------------------------
    def receive(
        self,
        lines: Sequence[ReceiptLine],
        actor: Actor,
        *,
        location: str = "store",
        po_id: str = "",
        on_po: Callable[[str, Mapping[str, int], str], Mapping[str, int]] | None = None,
    ) -> str:
        """入库: each line becomes a batch (with its best-before date where the item needs
        one). ``on_po`` (purchasing's) checks and books a delivery against ``po_id`` and
        answers each item's cost per base unit from the order."""
        check_location(location)
        if not lines:
            raise InvalidArgument("a receipt needs at least one line", reason="BAD_DOCUMENT")
        now = self.clock()
        today = self.today(now)
        with self.store.transaction():
            items = self.records.items_by_id(line.item_id for line in lines)
            quantities: dict[str, int] = defaultdict(int)
            parsed = []
            for line in lines:
                item = items[line.item_id]
                qty = parse_quantity(line.quantity, item, line.unit)
                if item.tracks_expiry and line.best_before is None:
                    raise InvalidArgument(
                        f"{item.name} needs a best-before date", reason="BEST_BEFORE_REQUIRED"
                    )
                if line.best_before is not None and line.best_before < today:
                    raise InvalidArgument(
                        f"{item.name}: best before {line.best_before} is past: refuse the goods"
                        " or receive and waste them",
                        reason="EXPIRED_ON_ARRIVAL",
                    )
                if not 0 <= line.unit_cost_fen <= 10_000_000:
                    raise InvalidArgument("a unit cost is 0-100000 yuan", reason="BAD_AMOUNT")
                quantities[item.item_id] += qty
                parsed.append((line, item, qty))
            costs: Mapping[str, int] = {}
            if po_id:
                if on_po is None:
                    raise FailedPrecondition("purchasing is not set up", reason="PO_NOT_OPEN")
                costs = on_po(po_id, quantities, actor.staff_id)
            out: list[StockLine] = []
            for line, item, qty in parsed:
                cost = line.unit_cost_fen or costs.get(item.item_id, 0) or item.unit_cost_fen
                batch = Batch(
                    new_id("batch"),
                    item.item_id,
                    bounded(line.batch_code, what="a batch code", max_len=40, reason="BAD_BATCH")
                    or now.astimezone(self.config.clock.tz).strftime("%Y%m%d"),
                    line.best_before,
                    now,
                    cost,
                )
                self.records.add_batch(batch)
                out.append(StockLine(item.item_id, location, batch.batch_id, qty, cost))
                out += self._settle_below_zero(item, location, batch.batch_id, qty, cost, out)
            return self.records.post(
                DocumentKind.RECEIPT, actor, now, out, location=location, ref=po_id
            )

    def _settle_below_zero(
        self,
        item: StockItem,
        location: str,
        batch_id: str,
        qty: int,
        cost: int,
        so_far: Sequence[StockLine],
    ) -> list[StockLine]:
        """Stock sold below zero (a product that may) is settled by the next receipt: the
        new batch covers the no-batch shortfall, so FEFO never sells it twice."""
        below = sum(
            s.quantity
            for s in self.records.stocks([item.item_id], location).get(item.item_id, [])
            if s.batch_id == NO_BATCH
        ) + sum(x.quantity for x in so_far if x.item_id == item.item_id and x.batch_id == NO_BATCH)
        settle = min(-below, qty)
        if settle <= 0:
            return []
        return [
            StockLine(item.item_id, location, batch_id, -settle, cost),
            StockLine(item.item_id, location, NO_BATCH, settle, cost),
        ]

    def _takes(
        self,
        lines: Sequence[MoveLine],
        location: str,
        *,
        include_expired: bool,
    ) -> list[StockLine]:
        if not lines:
            raise InvalidArgument("a document needs at least one line", reason="BAD_DOCUMENT")
        today = self.today()
        items = self.records.items_by_id(line.item_id for line in lines)
        stocks = self.records.stocks(items, location)
        out: list[StockLine] = []
        for line in lines:
            item = items[line.item_id]
            qty = parse_quantity(line.quantity, item, line.unit)
            taken = fefo_take(
                item,
                stocks.get(item.item_id, []),
                qty,
                today,
                include_expired=include_expired,
                location=LOCATIONS[location],
            )
            stocks[item.item_id] = after_taking(stocks.get(item.item_id, []), taken)
            out += taken
        return out

    def issue(self, lines: Sequence[MoveLine], actor: Actor, *, location: str, reason: str) -> str:
        """领用: stock leaves for use (kitchen, staff, tasting), first-expiring first."""
        check_location(location)
        reason = _reason(reason, "an issue's purpose")
        with self.store.transaction():
            out = self._takes(lines, location, include_expired=False)
            return self.records.post(
                DocumentKind.ISSUE, actor, self.clock(), out, location=location, reason=reason
            )

    def transfer(
        self, lines: Sequence[MoveLine], actor: Actor, *, from_location: str, to_location: str
    ) -> str:
        """调拨: batch for batch from one location to the other."""
        check_location(from_location)
        check_location(to_location)
        if from_location == to_location:
            raise InvalidArgument("a transfer goes between two locations", reason="BAD_DOCUMENT")
        with self.store.transaction():
            out = self._takes(lines, from_location, include_expired=False)
            moved = out + [replace(x, location=to_location, quantity=-x.quantity) for x in out]
            items = self.records.items_by_id(x.item_id for x in out)
            for x in out:  # stock sold below zero at the target is settled first
                moved += self._settle_below_zero(
                    items[x.item_id], to_location, x.batch_id, -x.quantity, x.unit_cost_fen, moved
                )
            return self.records.post(
                DocumentKind.TRANSFER,
                actor,
                self.clock(),
                moved,
                location=from_location,
                to_location=to_location,
            )

    def waste(self, lines: Sequence[MoveLine], actor: Actor, *, location: str, reason: str) -> str:
        """报损: broken, spoilt or expired, with the reason; expired batches go first."""
        check_location(location)
        reason = _reason(reason, "a waste reason")
        with self.store.transaction():
            out = self._takes(lines, location, include_expired=True)
            return self.records.post(
                DocumentKind.WASTE, actor, self.clock(), out, location=location, reason=reason
            )

    def write_off_expired(self, actor: Actor, location: str = "") -> str:
        """Every expired batch (at one location, or everywhere) to waste in one document;
        ``""`` when nothing had expired."""
        if location:
            check_location(location)
        now = self.clock()
        today = self.today(now)
        with self.store.transaction():
            out = [
                StockLine(s.item_id, s.location, s.batch_id, -s.quantity, s.unit_cost_fen)
                for s in self.records.all_stocks()
                if s.quantity > 0 and is_expired(s, today) and location in ("", s.location)
            ]
            if not out:
                return ""
            return self.records.post(
                DocumentKind.WASTE,
                actor,
                now,
                out,
                location=location,
                reason="过期 expired: written off",
            )

    # --- reading -------------------------------------------------------------------------
    def levels(self) -> list[ItemLevel]:
        """Every item's stock by location, expired stock, and its nearest best-before."""
        today = self.today()
        by_item: dict[str, list[BatchStock]] = defaultdict(list)
        for s in self.records.all_stocks():
            by_item[s.item_id].append(s)
        out = []
        for item in self.records.items().values():
            stocks = by_item.get(item.item_id, [])
            where: dict[str, int] = defaultdict(int)
            for s in stocks:
                where[s.location] += s.quantity
            dated = [s.best_before for s in stocks if s.quantity > 0 and s.best_before]
            nearest = min(dated) if dated else None
            out.append(
                ItemLevel(
                    item,
                    dict(where),
                    sum(s.quantity for s in stocks if s.quantity > 0 and is_expired(s, today)),
                    nearest,
                    expiry_level(nearest, today, self.config.warn_days),
                    sum(s.quantity * s.unit_cost_fen for s in stocks),
                )
            )
        return out

    def verify(self) -> list[str]:
        """The balances against the ledger's sum: every difference, or nothing."""
        ledger = self.records.on_hand_from_ledger()
        kept = {k: v for k, v in self.records.balances().items() if v != 0}
        problems = []
        for key in sorted(set(ledger) | set(kept)):
            if ledger.get(key, 0) != kept.get(key, 0):
                item, location, batch = key
                problems.append(
                    f"{item} at {location} (batch {batch or '-'}): ledger {ledger.get(key, 0)},"
                    f" balance {kept.get(key, 0)}"
                )
        return problems


def after_taking(stocks: Sequence[BatchStock], taken: Sequence[StockLine]) -> list[BatchStock]:
    """The stocks once ``taken`` (negative lines) left them: for the next line of a document."""
    less: dict[str, int] = defaultdict(int)
    for line in taken:
        less[line.batch_id] += line.quantity
    return [replace(s, quantity=s.quantity + less.pop(s.batch_id, 0)) for s in stocks]


def _reason(text: str, what: str) -> str:
    value = bounded(text, what=what, max_len=REASON_MAX_CHARS, reason="REASON_REQUIRED")
    if not value:
        raise InvalidArgument(f"{what} is required", reason="REASON_REQUIRED")
    return value


def recipe_of(sku: str, parts: Sequence[tuple[str, int]], allow_negative: bool) -> Recipe:
    return Recipe(sku, tuple(RecipeComponent(i, q) for i, q in parts), allow_negative)
