"""The venue's inventory: the stock desk and the parts that hold it (sales' stock keeper,
stocktakes, purchasing, bottle storage, alerts), built once per controller."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from controller.inventory.desk import InventoryConfig, StockDesk
from controller.inventory.sales import SalesStock
from controller.store.db import Store


class Inventory:
    def __init__(
        self,
        store: Store,
        *,
        clock: Callable[[], datetime],
        config: InventoryConfig | None = None,
    ) -> None:
        self.store = store
        self.desk = StockDesk(store, clock=clock, config=config)
        self.sales = SalesStock(self.desk)
