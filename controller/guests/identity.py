"""Join codes and guest credentials in the store.

A room's join code is bound to the room's session: issued for the session open now (when the
session opens, or on the first ask after a controller restart, since only its hash is kept),
replaced by the next session's, dead once the session closes, revocable by the desk. A phone
that joins with the current code gets a credential bound to the same session: it works while
that session is the room's open one, its code is not revoked and its time is not up.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from controller.auth.model import Principal, Role
from controller.guests.model import JOIN_PATH, nickname_input
from controller.store.db import Store
from ktv.errors import FailedPrecondition, NotFound, Unauthenticated

CODE_BYTES = 18  # 144 random bits, 24 URL-safe characters
CREDENTIAL_BYTES = 32


def secret_hash(secret: str) -> str:
    """SHA-256 of a random secret (codes and credentials carry >= 128 bits: no salt needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class JoinCode:
    room_id: str
    session: str
    code: str  # the secret (in memory only)
    code_id: str
    issued_at: datetime


@dataclass(frozen=True)
class JoinedGuest:
    guest_id: str
    credential: str  # the secret, shown once
    room_id: str
    session: str
    nickname: str
    expire_time: datetime


@dataclass(frozen=True)
class GuestRecord:
    guest_id: str
    room_id: str
    session: str
    nickname: str


SessionOf = Callable[[str], str]  # room id -> the room's open session ("" when none)


class GuestRegistry:
    """The guests area: codes and credentials. ``session_of`` reads the board (the one truth
    of which session a room has open); nothing here is told about checkouts."""

    def __init__(self, store: Store, session_of: SessionOf, credential_ttl_s: int) -> None:
        self.store = store
        self.session_of = session_of
        self.credential_ttl = timedelta(seconds=credential_ttl_s)
        self._current: dict[str, JoinCode] = {}  # room id -> this run's code for its session

    # --- codes ------------------------------------------------------------------------------
    def code_for(self, room_id: str, now: datetime, session: str | None = None) -> JoinCode | None:
        """The room's live code (issued now if its open session has none in this run); None
        when no session is open. ``session``: the session opening now (the board asks while
        it opens one, before the room shows it)."""
        session = self.session_of(room_id) if session is None else session
        if not session:
            return None
        held = self._current.get(room_id)
        if held is not None and held.session == session:
            return held
        return self._issue(room_id, session, now)

    def _issue(self, room_id: str, session: str, now: datetime) -> JoinCode:
        code = secrets.token_urlsafe(CODE_BYTES)
        code_id = uuid.uuid4().hex
        with self.store.transaction():
            self.store.execute(
                "UPDATE guest_codes SET replaced_at = ? WHERE room_id = ? AND replaced_at IS NULL"
                " AND revoked_at IS NULL",
                (now.isoformat(), room_id),
            )
            self.store.execute(
                "INSERT INTO guest_codes (code_id, code_hash, room_id, session, issued_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (code_id, secret_hash(code), room_id, session, now.isoformat()),
            )
        issued = JoinCode(room_id, session, code, code_id, now)
        self._current[room_id] = issued
        return issued

    def guests_joined(self, code_id: str) -> int:
        row = self.store.query_one("SELECT COUNT(*) AS n FROM guests WHERE code_id = ?", (code_id,))
        return int(row["n"]) if row else 0

    def revoke(self, room_id: str, now: datetime) -> tuple[JoinCode | None, int]:
        """Every code of the room and every credential issued from them stop now; the room's
        open session (if any) gets a new code. Returns (new code, credentials revoked)."""
        at = now.isoformat()
        with self.store.transaction():
            self.store.execute(
                "UPDATE guest_codes SET revoked_at = ? WHERE room_id = ? AND revoked_at IS NULL",
                (at, room_id),
            )
            revoked = self.store.execute(
                "UPDATE guests SET revoked_at = ? WHERE room_id = ? AND revoked_at IS NULL"
                " AND session = ?",
                (at, room_id, self.session_of(room_id)),
            ).rowcount
        self._current.pop(room_id, None)
        return self.code_for(room_id, now), revoked

    # --- joining ----------------------------------------------------------------------------
    def join(self, code: str, nickname: str, now: datetime) -> JoinedGuest:
        """A phone joins with a code from the room's QR: only the room's live code for its
        open session works; a photo of an old one opens nothing."""
        name = nickname_input(nickname)
        row = self.store.query_one(
            "SELECT code_id, room_id, session, replaced_at, revoked_at FROM guest_codes"
            " WHERE code_hash = ?",
            (secret_hash(code.strip()),),
        )
        if row is None:
            raise NotFound("this room code is unknown; scan the room's QR code again",
                           reason="UNKNOWN_GUEST_CODE")  # fmt: skip
        if (
            row["revoked_at"] is not None
            or row["replaced_at"] is not None
            or self.session_of(row["room_id"]) != row["session"]
        ):
            raise FailedPrecondition(
                "this room code has expired; scan the code on the room's screen again",
                reason="GUEST_CODE_EXPIRED",
            )
        credential = secrets.token_urlsafe(CREDENTIAL_BYTES)
        guest_id = uuid.uuid4().hex[:16]
        expire = now + self.credential_ttl
        self.store.execute(
            "INSERT INTO guests (guest_id, credential_hash, code_id, room_id, session, nickname,"
            " joined_at, expire_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guest_id,
                secret_hash(credential),
                row["code_id"],
                row["room_id"],
                row["session"],
                name,
                now.isoformat(),
                expire.isoformat(),
            ),
        )
        return JoinedGuest(guest_id, credential, row["room_id"], row["session"], name, expire)

    # --- credentials ------------------------------------------------------------------------
    def resolve(self, credential: str, now: datetime) -> Principal:
        row = self.store.query_one(
            "SELECT g.guest_id, g.room_id, g.session, g.expire_time, g.revoked_at,"
            " c.revoked_at AS code_revoked FROM guests g JOIN guest_codes c USING (code_id)"
            " WHERE g.credential_hash = ?",
            (secret_hash(credential),),
        )
        if row is None or row["revoked_at"] is not None or row["code_revoked"] is not None:
            raise Unauthenticated(
                "this phone's room pass is unknown or revoked; scan the room's QR code again",
                reason="BAD_GUEST_CREDENTIAL",
            )
        if datetime.fromisoformat(row["expire_time"]) <= now or (
            self.session_of(row["room_id"]) != row["session"]
        ):
            raise Unauthenticated(
                "the room's session this phone joined has ended; scan the room's QR code again",
                reason="GUEST_SESSION_ENDED",
            )
        return Principal(
            role=Role.GUEST,
            room_id=row["room_id"],
            credential_id=row["guest_id"],
            session=row["session"],
        )

    def guest(self, guest_id: str) -> GuestRecord | None:
        row = self.store.query_one(
            "SELECT guest_id, room_id, session, nickname FROM guests WHERE guest_id = ?",
            (guest_id,),
        )
        if row is None:
            return None
        return GuestRecord(row["guest_id"], row["room_id"], row["session"], row["nickname"])


def join_url(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}{JOIN_PATH}?c={code}"
