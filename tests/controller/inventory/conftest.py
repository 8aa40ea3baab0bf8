"""A venue with a bar and a store room: billing (the example price plan) with inventory's
stock keeper, over a real SQLite file and the real room board."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import controller.billing.store
import controller.inventory.schema  # noqa: F401 - registers the inventory migrations
from controller.auth.model import Role
from controller.billing.records import Actor
from controller.billing.service import BillingDesk
from controller.inventory.desk import InventoryConfig, MoveLine, ReceiptLine
from controller.inventory.model import BAR, STORE_ROOM, StockItem
from controller.inventory.service import Inventory
from controller.rooms.board import RoomBoard
from controller.store.db import Store, open_store

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "venue.toml"
MANAGER = Actor("manager-wang", Role.MANAGER)
CASHIER = Actor("cashier-li", Role.CASHIER)
WAITER = Actor("waiter-zhao", Role.WAITER)

BEER = StockItem(
    "tsingtao", "青岛啤酒", "瓶", "箱", 24, "drinks", True, 500, storage_category="beer"
)
WATER = StockItem("water-bottle", "矿泉水", "瓶", "箱", 12, "drinks", False, 100)
MELON = StockItem("melon", "西瓜", "份", "", 1, "fruit", True, 800)
GRAPES = StockItem("grapes", "葡萄", "份", "", 1, "fruit", True, 900)
WHISKY = StockItem(
    "chivas", "芝华士", "瓶", "", 1, "spirits", False, 18000, storage_category="spirits"
)


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@dataclass
class Venue:
    store: Store
    clock: Clock
    billing: BillingDesk
    inventory: Inventory

    @property
    def stock(self):  # type: ignore[no-untyped-def]
        return self.inventory.desk

    def today(self) -> date:
        return self.inventory.desk.today()

    def receive(
        self,
        item: StockItem,
        qty: str,
        *,
        days: int | None = 60,
        where: str = BAR,
        unit: str = "",
        cost: int = 0,
        batch: str = "",
    ) -> str:
        best = self.today() + timedelta(days=days) if days is not None else None
        if not item.tracks_expiry:
            best = None
        return self.stock.receive(
            [ReceiptLine(item.item_id, qty, unit, batch, best, cost)], MANAGER, location=where
        )

    def on_hand(self, item: StockItem, where: str = BAR) -> int:
        return self.stock.records.on_hand().get((item.item_id, where), 0)

    def open_room(self, room: str = "A08") -> None:
        self.billing.open(room, 4, CASHIER)

    def order(self, room: str, *items: tuple[str, int]) -> str:
        return self.billing.order(room, list(items), WAITER).order_id

    def move(self, item: StockItem, qty: str) -> MoveLine:
        return MoveLine(item.item_id, qty)

    def lines(self) -> int:
        row = self.store.query_one("SELECT COUNT(*) AS n FROM inventory_lines")
        return int(row["n"]) if row else 0


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 24, 11, 0, tzinfo=UTC))  # 19:00 in Shanghai


@pytest.fixture
def venue(tmp_path: Path, clock: Clock) -> Iterator[Venue]:
    v = make_venue(tmp_path, clock)
    yield v
    v.store.close()


def make_venue(tmp_path: Path, clock: Clock) -> Venue:
    """A fresh venue in ``tmp_path`` (the caller closes its store)."""
    store = open_store(tmp_path / "controller.db")
    board = RoomBoard(store, tiers=("small", "vip"), clock=clock)
    board.load()
    for room, tier in (("A08", "small"), ("A09", "small"), ("B02", "vip")):
        board.create_room(room, room, tier)
    inventory = Inventory(store, clock=clock, config=InventoryConfig())
    billing = BillingDesk(board, clock=clock, stock=[inventory.sales])
    billing.import_config(EXAMPLE.read_text(encoding="utf-8"), MANAGER)
    for item in (BEER, WATER, MELON, GRAPES, WHISKY):
        inventory.desk.put_item(item, MANAGER)
    return Venue(store, clock, billing, inventory)


__all__ = ["BAR", "STORE_ROOM"]
