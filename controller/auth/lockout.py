"""Wrong-PIN lockout, the pure part: whose count it is and when a count locks.

One counter for every PIN the controller checks: staff logins (``staff:ID``), members'
payments and sign-ins (``member:ID``) and sign-ins with a phone that is no member's
(``phone:DIGITS``, so probing a stranger's number is throttled like a member's). A 4-digit PIN
falls to 10,000 guesses, so after ``max_failures`` wrong PINs in a row a subject is locked for
``lockout_s``. The atomic, persistent check-and-count is :mod:`controller.auth.pin_attempts`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta


def staff_subject(staff_id: str) -> str:
    return f"staff:{staff_id}"


def member_subject(member_id: str) -> str:
    return f"member:{member_id}"


def phone_subject(phone: str) -> str:
    return f"phone:{phone}"


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int  # wrong PINs in a row ...
    lockout_s: float  # ... lock the subject this long


@dataclass(frozen=True)
class Failures:
    """Wrong PINs in a row, and the end of the lock once there were too many (pure)."""

    count: int = 0
    locked_until: datetime | None = None

    def locked_at(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def wait_s(self, now: datetime) -> int:
        """Whole seconds until the lock ends (0 when not locked)."""
        if self.locked_until is None or now >= self.locked_until:
            return 0
        return math.ceil((self.locked_until - now).total_seconds())

    def after_wrong_pin(self, now: datetime, policy: LockoutPolicy) -> Failures:
        expired = self.locked_until is not None and now >= self.locked_until
        count = 1 if expired else self.count + 1
        lock = now + timedelta(seconds=policy.lockout_s)
        return Failures(count, lock if count >= policy.max_failures else None)
