"""The venue's inventory: the stock desk and the parts that hold it (sales' stock keeper,
stocktakes, purchasing, bottle storage, alerts), built once per controller."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from controller.billing.records import Actor
from controller.inventory.alerts import StockAlert, stock_alerts
from controller.inventory.buying import Purchasing
from controller.inventory.desk import InventoryConfig, ReceiptLine, StockDesk
from controller.inventory.model import STORE_ROOM
from controller.inventory.sales import SalesStock
from controller.inventory.stocktakes import Stocktakes
from controller.inventory.storage import BottleStorage
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
        self.stocktakes = Stocktakes(self.desk)
        self.buying = Purchasing(self.desk)
        self.storage = BottleStorage(self.desk)

    def receive(
        self,
        lines: Sequence[ReceiptLine],
        actor: Actor,
        *,
        location: str = STORE_ROOM,
        po_id: str = "",
    ) -> str:
        """入库, against a purchase order when ``po_id`` names one (the delivery is booked on
        it in the same transaction)."""
        return self.desk.receive(
            lines, actor, location=location, po_id=po_id, on_po=self.buying.book_delivery
        )

    def alerts(self) -> list[StockAlert]:
        return stock_alerts(self.desk, self.buying, self.storage)
