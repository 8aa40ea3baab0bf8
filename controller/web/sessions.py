"""Staff web sessions: the cookie names a session held here; the session holds the bearer
token ``AuthService.Login`` issued (never sent to the browser). Idle timeout here, absolute
lifetime the token's. Pure: the clock is injected."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from controller.auth.model import Role
from ktv.errors import Unauthenticated

SESSION_COOKIE = "ktv_session"
CSRF_COOKIE = "ktv_csrf"
CSRF_HEADER = "x-csrf-token"
GUEST_COOKIE = "ktv_guest"  # a guest phone's credential (HttpOnly): GuestService, own room only
# A phone's own CSRF cookie: cookies are per host, not per port, so a desk browser that opens
# the guest page must not overwrite the staff session's ktv_csrf (nor use it).
GUEST_CSRF_COOKIE = "ktv_guest_csrf"
# The guest page says so on every call: its requests then use the phone's cookie even where
# the browser also holds a staff session (a desk that scanned a room's code).
GUEST_HEADER = "x-ktv-guest"


@dataclass(frozen=True)
class WebSession:
    token: str  # the staff member's bearer token (the gateway's credential for their calls)
    csrf: str
    staff_id: str
    display_name: str
    role: Role
    expires_at: datetime  # the token's expiry: the session's absolute lifetime
    last_seen: datetime


def _key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class WebSessions:
    """Live sessions by (hashed) cookie value. A controller restart forgets them: staff sign
    in again (their tokens stay revocable and expire on their own)."""

    def __init__(self, clock: Callable[[], datetime], idle_timeout_s: float) -> None:
        self.clock = clock
        self.idle_timeout = timedelta(seconds=idle_timeout_s)
        self._sessions: dict[str, WebSession] = {}
        self.ended: list[str] = []  # tokens of sessions that ended unused: to revoke

    def open(
        self, token: str, staff_id: str, display_name: str, role: Role, expires_at: datetime
    ) -> tuple[str, WebSession]:
        """A new session; returns the cookie value (shown once) and the session."""
        session_id = secrets.token_urlsafe(32)
        session = WebSession(
            token=token,
            csrf=secrets.token_urlsafe(32),
            staff_id=staff_id,
            display_name=display_name,
            role=role,
            expires_at=expires_at,
            last_seen=self.clock(),
        )
        self._sessions[_key(session_id)] = session
        return session_id, session

    def find(self, session_id: str | None) -> WebSession:
        """The live session the cookie names, its idle clock restarted; Unauthenticated
        (SIGN_IN_REQUIRED, SESSION_IDLE, TOKEN_EXPIRED) otherwise."""
        key = _key(session_id) if session_id else ""
        session = self._sessions.get(key)
        if session is None:
            raise Unauthenticated("sign in first (POST /api/session)", reason="SIGN_IN_REQUIRED")
        now = self.clock()
        if now >= session.expires_at:
            del self._sessions[key]
            raise Unauthenticated("the session has ended; sign in again", reason="TOKEN_EXPIRED")
        if now - session.last_seen >= self.idle_timeout:
            del self._sessions[key]
            self.ended.append(session.token)
            raise Unauthenticated(
                f"signed out after {int(self.idle_timeout.total_seconds() // 60)} minutes "
                "without use; sign in again",
                reason="SESSION_IDLE",
            )
        session = replace(session, last_seen=now)
        self._sessions[key] = session
        return session

    def peek(self, session_id: str | None) -> WebSession | None:
        """The session without restarting its idle clock (a board stream is not use)."""
        session = self._sessions.get(_key(session_id)) if session_id else None
        if session is None:
            return None
        now = self.clock()
        if now >= session.expires_at or now - session.last_seen >= self.idle_timeout:
            return None
        return session

    def close(self, session_id: str | None) -> WebSession | None:
        return self._sessions.pop(_key(session_id), None) if session_id else None

    def close_token(self, token: str) -> None:
        """Forgets every session holding ``token`` (the controller refused it: revoked)."""
        for key in [k for k, s in self._sessions.items() if s.token == token]:
            del self._sessions[key]

    def sweep(self) -> int:
        """Forgets ended sessions; how many."""
        now = self.clock()
        ended = [
            k
            for k, s in self._sessions.items()
            if now >= s.expires_at or now - s.last_seen >= self.idle_timeout
        ]
        for key in ended:
            if now < self._sessions[key].expires_at:
                self.ended.append(self._sessions[key].token)
            del self._sessions[key]
        return len(ended)

    def take_ended(self) -> list[str]:
        """Tokens of sessions that went idle, once each (the server revokes them)."""
        taken, self.ended = self.ended, []
        return taken

    def __len__(self) -> int:
        return len(self._sessions)

    def tokens(self) -> list[str]:
        return [s.token for s in self._sessions.values()]
