"""Roles and principals (pure)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ktv.errors import PermissionDenied


class Role(enum.Enum):
    """Mirrors ktv.v1.Role (same numbers)."""

    AGENT = 1
    GUEST = 2
    WAITER = 3
    CASHIER = 4
    TECHNICIAN = 5
    MANAGER = 6
    ADMIN = 7

    @property
    def is_staff(self) -> bool:
        return self not in (Role.AGENT, Role.GUEST)

    @property
    def room_scoped(self) -> bool:
        return self in (Role.AGENT, Role.GUEST)


STAFF_ROLES = frozenset(r for r in Role if r.is_staff)


@dataclass(frozen=True)
class Principal:
    """The caller as the controller sees it."""

    role: Role
    room_id: str = ""  # agents and guests
    staff_id: str = ""  # staff
    credential_id: str = ""  # which credential (for audit), never the secret

    def describe(self) -> str:
        if self.role.room_scoped:
            return f"{self.role.name.lower()} of rooms/{self.room_id}"
        return f"{self.role.name.lower()} {self.staff_id}".strip()

    def require_room(self, room_id: str) -> None:
        """Agents and guests act only for their own room; staff for any."""
        if self.role.room_scoped and self.room_id != room_id:
            raise PermissionDenied(
                f"{self.describe()} may not act for rooms/{room_id}", reason="WRONG_ROOM"
            )


ANONYMOUS = None  # the interceptor uses None for "no credential presented"
