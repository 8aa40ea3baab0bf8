"""Member PINs for balance payments: salted scrypt, and a lock after repeated wrong tries.

The throttle is the staff one (``controller.auth.lockout``) with the membership numbers:
``pin_max_failures`` wrong PINs in a row lock that member's balance payments for
``pin_lockout_s``. It lives in memory, outside any transaction, so a payment that fails
(and rolls back) still counts its wrong PIN.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable
from datetime import datetime

from controller.auth.credentials import hash_pin
from controller.auth.lockout import LoginThrottle
from controller.members import settings
from controller.members.model import check_pin
from ktv.errors import FailedPrecondition, PermissionDenied, Unauthenticated


def new_pin_hash(pin: str) -> tuple[bytes, bytes]:
    salt = os.urandom(16)
    return salt, hash_pin(check_pin(pin), salt)


class PinGuard:
    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.throttle = LoginThrottle(
            clock, max_failures=settings.pin_max_failures, lockout_s=settings.pin_lockout_s
        )

    def check(self, member_id: str, pin: str, stored: tuple[bytes, bytes] | None) -> None:
        """Raise unless ``pin`` is the member's PIN (and the member is not locked out)."""
        try:
            self.throttle.check(member_id)
        except Unauthenticated as locked:
            raise FailedPrecondition(
                f"member {member_id}: balance payments locked after "
                f"{settings.pin_max_failures} wrong PINs ({locked})",
                reason="PIN_LOCKED",
            ) from None
        if stored is None:
            raise FailedPrecondition(
                f"member {member_id} has no PIN yet: set one first", reason="NO_PIN"
            )
        salt, digest = stored
        if not pin or not hmac.compare_digest(hash_pin(pin, salt), digest):
            self.throttle.failed(member_id)
            raise PermissionDenied(f"wrong PIN for member {member_id}", reason="WRONG_PIN")
        self.throttle.succeeded(member_id)
