"""Roles and principals, and what a staff id or a PIN may be (pure)."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from ktv.errors import InvalidArgument, PermissionDenied
from ktv.limits import PIN_MAX_DIGITS, PIN_MIN_DIGITS, PIN_SET_MAX_DIGITS, STAFF_ID_MAX_CHARS
from ktv.text import half_width_digits, is_ascii_digits, nfkc, short

STAFF_ID_RE = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._-]{{0,{STAFF_ID_MAX_CHARS - 1}}}", re.ASCII)


class Role(enum.Enum):
    """Who a caller is, everywhere: the permission table, the audit log's actors (billing's
    ``Actor.role``), ktv.v1.Role (same numbers)."""

    AGENT = 1
    GUEST = 2
    WAITER = 3
    CASHIER = 4
    TECHNICIAN = 5
    MANAGER = 6
    ADMIN = 7
    WALL_BOARD = 8  # a wall TV's read-only board key (web): watch and list rooms, nothing else

    @property
    def is_staff(self) -> bool:
        return self not in (Role.AGENT, Role.GUEST, Role.WALL_BOARD)

    @property
    def room_scoped(self) -> bool:
        return self in (Role.AGENT, Role.GUEST)

    @property
    def key(self) -> str:
        """The role as stored in the audit log and events ("cashier"): stable text, not the
        wire number."""
        return self.name.lower()

    @classmethod
    def from_key(cls, key: str) -> Role:
        return cls[key.upper()]


STAFF_ROLES = frozenset(r for r in Role if r.is_staff)


@dataclass(frozen=True)
class Principal:
    """The caller as the controller sees it."""

    role: Role
    room_id: str = ""  # agents and guests
    staff_id: str = ""  # staff
    credential_id: str = ""  # which credential (for audit), never the secret; a guest's id
    session: str = ""  # guests: the room session their credential was issued in

    def describe(self) -> str:
        if self.role is Role.WALL_BOARD:
            return f"wall key {self.credential_id[:8]}"
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


def pin_input(pin: str) -> str:
    """A PIN as typed, for checking: ASCII digits (full-width ones mapped, surrounding
    whitespace dropped), PIN_MIN_DIGITS..PIN_MAX_DIGITS long; else InvalidArgument BAD_PIN,
    before any hash is tried. ``'²'``, Arabic-Indic digits and ``'12 34'`` are refused. The
    message never quotes the PIN."""
    pin = pin or ""
    if len(pin) > 4 * PIN_MAX_DIGITS + 16:
        raise InvalidArgument(f"PIN is too long ({len(pin)} characters)", reason="BAD_PIN")
    digits = half_width_digits(pin)
    if not is_ascii_digits(digits) or not PIN_MIN_DIGITS <= len(digits) <= PIN_MAX_DIGITS:
        raise InvalidArgument(
            f"a PIN is {PIN_MIN_DIGITS}-{PIN_SET_MAX_DIGITS} digits 0-9", reason="BAD_PIN"
        )
    return digits


def new_pin(pin: str) -> str:
    """A PIN being set: :func:`pin_input`, and at most PIN_SET_MAX_DIGITS digits."""
    digits = pin_input(pin)
    if len(digits) > PIN_SET_MAX_DIGITS:
        raise InvalidArgument(
            f"a PIN is {PIN_MIN_DIGITS}-{PIN_SET_MAX_DIGITS} digits 0-9", reason="BAD_PIN"
        )
    return digits


def staff_id_input(staff_id: str) -> str:
    """A staff id as typed: NFKC (full-width letters and digits typed by an IME become ASCII),
    1-STAFF_ID_MAX_CHARS of ASCII letters, digits, '.', '_' or '-'; else InvalidArgument."""
    staff_id = staff_id or ""
    value = nfkc(staff_id) if len(staff_id) <= 4 * STAFF_ID_MAX_CHARS + 16 else staff_id
    if not STAFF_ID_RE.fullmatch(value):
        raise InvalidArgument(
            f"staff id {short(staff_id)} is malformed: 1-{STAFF_ID_MAX_CHARS} letters, digits,"
            " '.', '_' or '-'",
            reason="BAD_STAFF_ID",
        )
    return value
