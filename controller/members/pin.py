"""Member PINs for balance payments and room sign-in: salted scrypt, and a lock after
repeated wrong tries.

``pin_max_failures`` wrong PINs in a row lock that member's balance payments (and room
sign-in) for ``pin_lockout_s``. The count is :class:`controller.auth.pin_attempts.PinAttempts`
(``member:ID``; ``phone:DIGITS`` for a sign-in with a phone that is no member's): kept in
SQLite, so a restart keeps a lock, and counted before the hash, so parallel guesses cannot
outrun it. A wrong PIN usually fails the payment whose transaction then rolls back; the count
is written after that transaction ends, in a short transaction of its own.

Room devices get one answer for a stranger's phone, a member's wrong PIN and a member with
no PIN (:meth:`PinGuard.check_uniform`): same status, reason and message, and the same cost
(a dummy hash for strangers), so the touchscreen cannot tell members from strangers.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable
from datetime import datetime

from controller.auth.credentials import hash_pin
from controller.auth.lockout import Failures, LockoutPolicy, member_subject
from controller.auth.model import new_pin, pin_input
from controller.auth.pin_attempts import PinAttempts
from controller.members import settings
from controller.store.db import Store
from ktv.errors import FailedPrecondition, PermissionDenied

_NO_SALT = b"\0" * 16
_NO_HASH = b"\0" * 32  # no scrypt output is all zeros: a stranger's PIN never matches


def new_pin_hash(pin: str) -> tuple[bytes, bytes]:
    salt = os.urandom(16)
    return salt, hash_pin(new_pin(pin), salt)


def pin_matches(pin: str, stored: tuple[bytes, bytes] | None) -> bool:
    """One scrypt either way (a missing PIN is compared with a dummy)."""
    salt, digest = stored or (_NO_SALT, _NO_HASH)
    return hmac.compare_digest(hash_pin(pin, bytes(salt)), bytes(digest)) and stored is not None


def uniform_locked(wait_s: int) -> FailedPrecondition:
    return FailedPrecondition(
        f"too many wrong PINs for this phone number; try again in {wait_s} s, or see the desk",
        reason="PIN_LOCKED",
    )


UNIFORM_WRONG = "wrong phone number or PIN (no PIN yet? set one at the front desk)"


class PinGuard:
    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock
        self.attempts = PinAttempts(
            store, clock, LockoutPolicy(settings.pin_max_failures, settings.pin_lockout_s)
        )

    def failures(self, member_id: str) -> Failures:
        return self.attempts.failures(member_subject(member_id))

    def check(self, member_id: str, pin: str, stored: tuple[bytes, bytes] | None) -> None:
        """Raise unless ``pin`` is the member's PIN (and the member is not locked out).
        For staff-facing paths: the errors name the member and say NO_PIN."""
        subject = member_subject(member_id)

        def locked(wait_s: int) -> FailedPrecondition:
            return FailedPrecondition(
                f"member {member_id}: balance payments locked after "
                f"{settings.pin_max_failures} wrong PINs; try again in {wait_s} s",
                reason="PIN_LOCKED",
            )

        if stored is None:
            self.attempts.refuse_if_locked(subject, locked)
            raise FailedPrecondition(
                f"member {member_id} has no PIN yet: set one first", reason="NO_PIN"
            )
        pin = pin_input(pin)
        if not self.attempts.attempt(subject, lambda: pin_matches(pin, stored), locked):
            raise PermissionDenied(f"wrong PIN for member {member_id}", reason="WRONG_PIN")

    def check_uniform(self, subject: str, pin: str, stored: tuple[bytes, bytes] | None) -> None:
        """For room devices: a stranger's phone (``stored`` None, subject ``phone:…``), a
        member with no PIN and a wrong PIN all answer PermissionDenied WRONG_PIN with one
        message after one hash, and all count towards a lock."""
        pin = pin_input(pin)
        if not self.attempts.attempt(subject, lambda: pin_matches(pin, stored), uniform_locked):
            raise PermissionDenied(UNIFORM_WRONG, reason="WRONG_PIN")
