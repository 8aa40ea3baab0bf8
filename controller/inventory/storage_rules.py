"""存酒 bottle storage rules: how long a stored bottle keeps (per category, opened or sealed),
when the guest is reminded, what a monthly check found. Pure.

A stored bottle is the guest's property, not the venue's stock and never money: storing and
withdrawing write no stock ledger lines and nothing on any bill. Only a forfeit (the guest
did not come back) moves the bottle into the venue's stock, at cost.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum

from controller.inventory import settings


class BottleStatus(Enum):
    STORED = "stored"
    EMPTY = "empty"  # withdrawn to the last drop
    FORFEITED = "forfeited"  # expired: into the venue's stock at cost
    SERVED = "served"  # expired: served to the guest anyway (non-revenue)
    MISSING = "missing"  # a monthly check did not find it


class ExpiryAction(Enum):
    EXTEND = "extend"
    FORFEIT = "forfeit"
    SERVE = "serve"


@dataclass(frozen=True)
class StorageRules:
    days: Mapping[str, int] = field(default_factory=lambda: dict(settings.storage_days))
    opened_days: Mapping[str, int] = field(
        default_factory=lambda: dict(settings.storage_opened_days)
    )
    default_days: int = settings.storage_default_days
    reminder_days: int = settings.storage_reminder_days

    def keep_days(self, category: str, opened: bool) -> int:
        table = self.opened_days if opened else self.days
        return int(table.get(category, self.days.get(category, self.default_days)))

    def expires_on(self, category: str, opened: bool, stored_on: date) -> date:
        """The last day the bottle may be collected (the venue's business day)."""
        return stored_on + timedelta(days=self.keep_days(category, opened))

    def remind_on(self, expires_on: date) -> date:
        return expires_on - timedelta(days=self.reminder_days)


@dataclass(frozen=True)
class CheckResult:
    """A monthly check of the storage shelves against the register."""

    matched: tuple[str, ...]
    missing: tuple[str, ...]  # registered as stored, not on the shelf
    extra: tuple[str, ...]  # on the shelf, not registered (or not stored any more)


def check_shelves(registered: Iterable[str], found: Iterable[str]) -> CheckResult:
    expected, seen = set(registered), set(found)
    return CheckResult(
        tuple(sorted(expected & seen)),
        tuple(sorted(expected - seen)),
        tuple(sorted(seen - expected)),
    )
