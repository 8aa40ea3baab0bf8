"""Credentials in the store: bearer tokens (kept as SHA-256), staff PINs (scrypt),
one-time agent enrollment codes."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from controller import settings
from controller.auth.lockout import staff_subject
from controller.auth.model import (
    STAFF_ROLES,
    Principal,
    Role,
    new_pin,
    pin_input,
    staff_id_input,
)
from controller.auth.pin_attempts import PinAttempts
from controller.store.db import Store
from ktv.errors import InvalidArgument, NotFound, Unauthenticated
from ktv.limits import NAME_MAX_CHARS
from ktv.text import bounded

TOKEN_PREFIX = "ktv_"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_CHARS = 8
ADMIN_TOKEN_FILE = "admin.token"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_pin(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, n=settings.scrypt_n, r=8, p=1, dklen=32)


def normalize_code(code: str) -> str:
    return code.replace("-", "").replace(" ", "").upper()


@dataclass(frozen=True)
class IssuedToken:
    token: str
    credential_id: str
    expire_time: datetime | None


@dataclass(frozen=True)
class EnrollmentCode:
    code: str
    room_id: str
    expire_time: datetime


@dataclass(frozen=True)
class StaffAccount:
    """A staff account as managers see it: never its PIN."""

    staff_id: str
    display_name: str
    role: Role
    created_at: datetime
    updated_at: datetime


class Credentials:
    def __init__(self, store: Store) -> None:
        self.store = store

    # --- tokens -----------------------------------------------------------------------------
    def issue_token(
        self,
        role: Role,
        *,
        now: datetime,
        room_id: str = "",
        staff_id: str = "",
        ttl_s: float | None = None,
        label: str = "",
    ) -> IssuedToken:
        """A new bearer token (shown once; only its hash is stored)."""
        if role.room_scoped and not room_id:
            raise InvalidArgument(f"a {role.name.lower()} token needs a room")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        credential_id = uuid.uuid4().hex
        expire = now + timedelta(seconds=ttl_s) if ttl_s is not None else None
        self.store.execute(
            "INSERT INTO credentials (credential_id, token_hash, role, room_id, staff_id, label,"
            " created_at, expire_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                credential_id,
                token_hash(token),
                role.value,
                room_id,
                staff_id,
                label,
                now.isoformat(),
                expire.isoformat() if expire else None,
            ),
        )
        return IssuedToken(token, credential_id, expire)

    def resolve_token(self, token: str, now: datetime) -> Principal:
        row = self.store.query_one(
            "SELECT credential_id, role, room_id, staff_id, expire_time, revoked_at"
            " FROM credentials WHERE token_hash = ?",
            (token_hash(token),),
        )
        if row is None or row["revoked_at"] is not None:
            raise Unauthenticated("unknown or revoked token", reason="BAD_TOKEN")
        if row["expire_time"] and datetime.fromisoformat(row["expire_time"]) <= now:
            raise Unauthenticated("token expired; log in again", reason="TOKEN_EXPIRED")
        return Principal(
            role=Role(row["role"]),
            room_id=row["room_id"],
            staff_id=row["staff_id"],
            credential_id=row["credential_id"],
        )

    def revoke(self, credential_id: str, now: datetime) -> None:
        """Revokes one credential (a sign-out); revoking a revoked one changes nothing."""
        self.store.execute(
            "UPDATE credentials SET revoked_at = ? WHERE credential_id = ? AND revoked_at IS NULL",
            (now.isoformat(), credential_id),
        )

    def wall_keys(self) -> list[dict[str, object]]:
        """Wall-board keys, newest first (never the secrets)."""
        return self.store.query(
            "SELECT credential_id, label, staff_id, created_at, revoked_at FROM credentials"
            " WHERE role = ? ORDER BY created_at DESC, credential_id",
            (Role.WALL_BOARD.value,),
        )

    def wall_key(self, credential_id: str) -> dict[str, object]:
        row = self.store.query_one(
            "SELECT credential_id, label, staff_id, created_at, revoked_at FROM credentials"
            " WHERE role = ? AND credential_id = ?",
            (Role.WALL_BOARD.value, credential_id),
        )
        if row is None:
            raise NotFound(f"no wall key {credential_id[:40]!r}", reason="UNKNOWN_WALL_KEY")
        return row

    def display_name(self, staff_id: str) -> str:
        row = self.store.query_one("SELECT display_name FROM staff WHERE staff_id = ?", (staff_id,))
        return str(row["display_name"]) if row is not None else ""

    def revoke_room_agents(self, room_id: str, now: datetime) -> None:
        self.store.execute(
            "UPDATE credentials SET revoked_at = ? WHERE role = ? AND room_id = ?"
            " AND revoked_at IS NULL",
            (now.isoformat(), Role.AGENT.value, room_id),
        )

    def revoke_enrollment(self, room_id: str, label: str, now: datetime, since: datetime) -> int:
        """Revokes the room's live agent tokens issued under ``label`` since ``since``; how
        many there were (0: a later enrollment replaced them, or they are too old)."""
        cur = self.store.execute(
            "UPDATE credentials SET revoked_at = ? WHERE role = ? AND room_id = ? AND label = ?"
            " AND revoked_at IS NULL AND created_at >= ?",
            (now.isoformat(), Role.AGENT.value, room_id, label, since.isoformat()),
        )
        return cur.rowcount

    def revoke_labelled(self, staff_id: str, label: str, now: datetime) -> int:
        """Revokes a staff member's live tokens carrying ``label``; how many there were."""
        cur = self.store.execute(
            "UPDATE credentials SET revoked_at = ? WHERE staff_id = ? AND label = ?"
            " AND revoked_at IS NULL",
            (now.isoformat(), staff_id, label),
        )
        return cur.rowcount

    # --- staff ------------------------------------------------------------------------------
    def put_staff(
        self, staff_id: str, display_name: str, role: Role, pin: str, now: datetime
    ) -> str:
        """Create or update a staff member; returns the staff id as stored (normalised)."""
        staff_id = staff_id_input(staff_id)
        display_name = bounded(
            display_name or "", what="display name", max_len=NAME_MAX_CHARS, reason="BAD_NAME"
        )
        if role not in STAFF_ROLES:
            raise InvalidArgument(
                "staff role must be waiter, cashier, technician, manager or admin",
                reason="BAD_ROLE",
            )
        pin = new_pin(pin)
        salt = os.urandom(16)
        self.store.execute(
            "INSERT INTO staff (staff_id, display_name, role, pin_salt, pin_hash, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(staff_id) DO UPDATE SET"
            " display_name=excluded.display_name, role=excluded.role,"
            " pin_salt=excluded.pin_salt, pin_hash=excluded.pin_hash,"
            " updated_at=excluded.updated_at",
            (
                staff_id,
                display_name or staff_id,
                role.value,
                salt,
                hash_pin(pin, salt),
                now.isoformat(),
                now.isoformat(),
            ),
        )
        return staff_id

    def list_staff(self, after: str | None, limit: int) -> list[StaffAccount]:
        """Staff accounts ordered by staff id, the ones after ``after``: at most ``limit``."""
        rows = self.store.query(
            "SELECT staff_id, display_name, role, created_at, updated_at FROM staff"
            " WHERE staff_id > ? ORDER BY staff_id LIMIT ?",
            (after or "", limit),
        )
        return [
            StaffAccount(
                staff_id=r["staff_id"],
                display_name=r["display_name"],
                role=Role(r["role"]),
                created_at=datetime.fromisoformat(r["created_at"]),
                updated_at=datetime.fromisoformat(r["updated_at"]),
            )
            for r in rows
        ]

    def verify_pin(self, staff_id: str, pin: str) -> Role | None:
        """The staff member's role if ``pin`` is theirs, else None; an unknown id costs the
        same hash (callers count the try first: controller.auth.lockout)."""
        row = self.store.query_one(
            "SELECT role, pin_salt, pin_hash FROM staff WHERE staff_id = ?", (staff_id,)
        )
        salt = bytes(row["pin_salt"]) if row else b"\0" * 16
        expected = bytes(row["pin_hash"]) if row else b"\0" * 32
        ok = hmac.compare_digest(hash_pin(pin, salt), expected)  # same cost either way
        return Role(row["role"]) if row is not None and ok else None

    def login(self, staff_id: str, pin: str, attempts: PinAttempts) -> Role:
        """Staff id + PIN to a role: both normalised and bounded before any hash, the try
        counted before the hash (a lock refuses even the right PIN), Unauthenticated
        BAD_LOGIN alike for an unknown id and a wrong PIN. Blocks for the hash (~50 ms):
        run it off the event loop."""
        staff_id = staff_id_input(staff_id)
        pin = pin_input(pin)
        role: Role | None = None

        def verify() -> bool:
            nonlocal role
            role = self.verify_pin(staff_id, pin)
            return role is not None

        def locked(wait_s: int) -> Unauthenticated:
            return Unauthenticated(
                f"too many wrong PINs for {staff_id}; try again in {wait_s} s",
                reason="PIN_LOCKED",
            )

        if not attempts.attempt(staff_subject(staff_id), verify, locked) or role is None:
            raise Unauthenticated("wrong staff id or PIN", reason="BAD_LOGIN")
        return role

    # --- enrollment -------------------------------------------------------------------------
    def create_enrollment_code(self, room_id: str, now: datetime) -> EnrollmentCode:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_CHARS))
        code = f"{raw[:4]}-{raw[4:]}"
        expire = now + timedelta(seconds=settings.enrollment_code_ttl_s)
        self.store.execute(
            "INSERT INTO enrollment_codes (code_hash, room_id, created_at, expire_time)"
            " VALUES (?, ?, ?, ?)",
            (token_hash(raw), room_id, now.isoformat(), expire.isoformat()),
        )
        return EnrollmentCode(code, room_id, expire)

    def redeem_enrollment_code(self, code: str, now: datetime) -> str:
        """Use the code once; returns the room it was issued for."""
        digest = token_hash(normalize_code(code))
        row = self.store.query_one(
            "SELECT room_id, expire_time, used_at FROM enrollment_codes WHERE code_hash = ?",
            (digest,),
        )
        if row is None:
            raise NotFound("unknown enrollment code", reason="BAD_ENROLLMENT_CODE")
        if row["used_at"] is not None:
            raise Unauthenticated("enrollment code already used", reason="CODE_USED")
        if datetime.fromisoformat(row["expire_time"]) <= now:
            raise Unauthenticated("enrollment code expired", reason="CODE_EXPIRED")
        self.store.execute(
            "UPDATE enrollment_codes SET used_at = ? WHERE code_hash = ?",
            (now.isoformat(), digest),
        )
        return str(row["room_id"])


def ensure_admin_token(store: Store, data_dir: Path, now: datetime) -> Path:
    """First start: write an admin token to DATA_DIR/admin.token (mode 0600); later starts
    keep a working one and replace a missing or revoked one."""
    path = data_dir / ADMIN_TOKEN_FILE
    creds = Credentials(store)
    if path.exists():
        try:
            creds.resolve_token(path.read_text().strip(), now)
            return path
        except Unauthenticated:
            pass
    with store.transaction():
        issued = creds.issue_token(Role.ADMIN, now=now, staff_id="admin", label="bootstrap")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(issued.token + "\n")
    os.chmod(path, 0o600)
    return path
