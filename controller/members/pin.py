"""Member PINs for balance payments: salted scrypt, and a lock after repeated wrong tries.

``pin_max_failures`` wrong PINs in a row lock that member's balance payments (and room
sign-in) for ``pin_lockout_s``. The count is kept in SQLite (``member_pin_failures``), so a
restart of the controller keeps a lock. A wrong PIN usually fails the payment whose
transaction then rolls back, so the count is written **after** that transaction ends
(``Store.after_transaction``: committed or rolled back), in a short transaction of its own.
(A second connection could not write while the payment's transaction holds SQLite's write
lock; the after-transaction write runs under the store's lock, so no other request can slip
in between the wrong PIN and its count.)
"""

from __future__ import annotations

import hmac
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from controller.auth.credentials import hash_pin
from controller.members import settings
from controller.members.model import check_pin
from controller.store.db import Store
from ktv.errors import FailedPrecondition, PermissionDenied


def new_pin_hash(pin: str) -> tuple[bytes, bytes]:
    salt = os.urandom(16)
    return salt, hash_pin(check_pin(pin), salt)


@dataclass(frozen=True)
class PinFailures:
    """Wrong PINs in a row, and the end of the lock once there were too many."""

    count: int = 0
    locked_until: datetime | None = None

    def locked_at(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def after_wrong_pin(self, now: datetime) -> PinFailures:
        count = 1 if self.locked_until is not None and now >= self.locked_until else self.count + 1
        lock = now + timedelta(seconds=settings.pin_lockout_s)
        return PinFailures(count, lock if count >= settings.pin_max_failures else None)


class PinGuard:
    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock

    def failures(self, member_id: str) -> PinFailures:
        row = self.store.query_one(
            "SELECT failures, locked_until FROM member_pin_failures WHERE member_id = ?",
            (member_id,),
        )
        if row is None:
            return PinFailures()
        until = row["locked_until"]
        return PinFailures(row["failures"], datetime.fromisoformat(until) if until else None)

    def check(self, member_id: str, pin: str, stored: tuple[bytes, bytes] | None) -> None:
        """Raise unless ``pin`` is the member's PIN (and the member is not locked out)."""
        now = self.clock()
        state = self.failures(member_id)
        if state.locked_at(now) and state.locked_until is not None:
            wait_s = math.ceil((state.locked_until - now).total_seconds())
            raise FailedPrecondition(
                f"member {member_id}: balance payments locked after "
                f"{settings.pin_max_failures} wrong PINs; try again in {wait_s} s",
                reason="PIN_LOCKED",
            )
        if stored is None:
            raise FailedPrecondition(
                f"member {member_id} has no PIN yet: set one first", reason="NO_PIN"
            )
        salt, digest = stored
        if not pin or not hmac.compare_digest(hash_pin(pin, salt), digest):
            self.store.after_transaction(lambda: self._count_wrong(member_id))
            raise PermissionDenied(f"wrong PIN for member {member_id}", reason="WRONG_PIN")
        if state.count:
            self.store.after_transaction(lambda: self._forget(member_id))

    def _count_wrong(self, member_id: str) -> None:
        with self.store.transaction():
            state = self.failures(member_id).after_wrong_pin(self.clock())
            self.store.execute(
                "INSERT INTO member_pin_failures (member_id, failures, locked_until)"
                " VALUES (?, ?, ?) ON CONFLICT (member_id) DO UPDATE SET"
                " failures = excluded.failures, locked_until = excluded.locked_until",
                (
                    member_id,
                    state.count,
                    state.locked_until.isoformat() if state.locked_until else None,
                ),
            )

    def _forget(self, member_id: str) -> None:
        with self.store.transaction():
            self.store.execute("DELETE FROM member_pin_failures WHERE member_id = ?", (member_id,))
