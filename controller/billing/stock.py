"""Stock: the hook billing offers inventory, so a room order deducts stock in the order's own
SQLite transaction.

Billing tells every :class:`StockKeeper` about each order event as :meth:`BillingDesk.commit`
applies it, **inside the action's transaction**: a keeper that raises (out of stock) refuses
the order and nothing of it is written; what it writes commits with the order or not at all.
The menu asks the keepers which products are sold out (ListProducts shows it).

Areas install a keeper by a factory registered at import (billing never imports them)::

    register_stock_keeper(lambda app: keeper)

and billing's service module builds them with :func:`stock_keepers` for its desk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from controller.billing.records import Actor, Order

if TYPE_CHECKING:
    from controller.app import ControllerApp


@dataclass(frozen=True)
class StockNote:
    """What the menu shows of a product's stock."""

    sold_out: bool
    warning: str = ""  # "2 left", "selling below zero", "expired stock blocked"


class StockKeeper(Protocol):
    def order_placed(self, tab_id: str, order: Order, at: datetime, actor: Actor) -> None:
        """Deduct the order's stock (raise to refuse the order)."""

    def order_cancelled(self, tab_id: str, order_id: str, at: datetime, actor: Actor) -> None:
        """A void: what the order deducted comes back."""

    def order_comped(self, tab_id: str, order_id: str, at: datetime, actor: Actor) -> None:
        """赠送: the order's stock stays out, reported as given."""

    def stock_notes(self, skus: Iterable[str]) -> Mapping[str, StockNote]:
        """Notes for the products that have any (sold out, low, below zero)."""


StockKeeperFactory = Callable[["ControllerApp"], StockKeeper]
_factories: list[StockKeeperFactory] = []


def register_stock_keeper(factory: StockKeeperFactory) -> None:
    if factory not in _factories:
        _factories.append(factory)


def stock_keepers(app: ControllerApp) -> list[StockKeeper]:
    return [factory(app) for factory in _factories]
