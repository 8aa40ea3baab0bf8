"""After a bill is settled: the one hook billing offers to other areas.

At checkout, once the bill is closed and fully paid, billing calls every settled hook with a
:class:`BillSettled` **inside the checkout's own SQLite transaction**: what a hook writes on
the same store commits with the checkout or not at all (a crash can lose neither half). An
exception from a hook fails the checkout, so a hook that must never stop a checkout catches
its own errors (membership does, and a scheduled sweep catches up on what it missed).

Areas install hooks like the stored-value provider, by a factory registered at import::

    register_settled_hook(lambda store, clock: on_settled)

and billing's service module builds them with :func:`settled_hooks` for its desk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from controller.billing.bill import Bill

if TYPE_CHECKING:
    from controller.store.db import Store


@dataclass(frozen=True)
class BillSettled:
    tab_id: str  # the bill that was checked out
    merged_tab_ids: tuple[str, ...]  # tabs merged into it (并房): their guests share the bill
    bill: Bill
    at: datetime


SettledHook = Callable[[BillSettled], None]
SettledHookFactory = Callable[["Store", Callable[[], datetime]], SettledHook]
_factories: list[SettledHookFactory] = []


def register_settled_hook(factory: SettledHookFactory) -> None:
    if factory not in _factories:
        _factories.append(factory)


def settled_hooks(store: Store, clock: Callable[[], datetime]) -> list[SettledHook]:
    return [factory(store, clock) for factory in _factories]
