"""Wrong-PIN throttling: a 4-digit PIN falls to 10,000 guesses, so after
``login_max_failures`` wrong PINs in a row a staff id is locked for ``login_lockout_s``.

Pure and in memory (a restart forgets, which is acceptable: a restart costs an attacker more
time than it saves). Keyed by staff id, so guessing across ids does not lock anybody else out
of their own account.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from controller import settings
from ktv.errors import Unauthenticated


@dataclass(frozen=True)
class _Failures:
    count: int
    locked_until: datetime | None


class LoginThrottle:
    def __init__(
        self,
        clock: Callable[[], datetime],
        *,
        max_failures: int = settings.login_max_failures,
        lockout_s: float = settings.login_lockout_s,
    ) -> None:
        self.clock = clock
        self.max_failures = max_failures
        self.lockout = timedelta(seconds=lockout_s)
        self._failures: dict[str, _Failures] = {}

    def check(self, staff_id: str) -> None:
        """Raise while ``staff_id`` is locked out."""
        state = self._failures.get(staff_id)
        if state is None or state.locked_until is None:
            return
        now = self.clock()
        if now < state.locked_until:
            wait_s = math.ceil((state.locked_until - now).total_seconds())
            raise Unauthenticated(
                f"too many wrong PINs for {staff_id}; try again in {wait_s} s",
                reason="LOCKED_OUT",
            )
        del self._failures[staff_id]  # the lock expired: a fresh start

    def failed(self, staff_id: str) -> None:
        state = self._failures.get(staff_id, _Failures(0, None))
        count = state.count + 1
        locked = self.clock() + self.lockout if count >= self.max_failures else None
        self._failures[staff_id] = _Failures(count, locked)

    def succeeded(self, staff_id: str) -> None:
        self._failures.pop(staff_id, None)
