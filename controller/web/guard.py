"""What every /api request passes before the gateway calls anything: who the caller is (the
session cookie, a bearer header, or a wall-board key), the CSRF defence for state-changing
requests, JSON only, and the body bound. Refusals are ``KtvError``s with their reasons."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from controller.web import settings
from controller.web.errors import BodyTooLarge, CsrfRefused, NotJson
from controller.web.sessions import (
    CSRF_COOKIE,
    CSRF_HEADER,
    GUEST_COOKIE,
    GUEST_CSRF_COOKIE,
    GUEST_HEADER,
    SESSION_COOKIE,
    WebSession,
    WebSessions,
)
from ktv.errors import Unauthenticated

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Caller:
    """The credential a request carries to the gateway (never shown to the browser)."""

    token: str
    session: WebSession | None = None  # a staff cookie session
    kind: str = "session"  # "session", "bearer", "wall" or "guest" (a phone's cookie)


def bearer_of(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Authorization must be 'Bearer <token>'", reason="BAD_AUTH_HEADER")
    return token.strip()


def caller_of(request: Request, sessions: WebSessions, *, allow_wall: bool = False) -> Caller:
    """Who is asking: a bearer header (API clients), else the staff session cookie, else (where
    allowed: board stream, room list) ``?wall=KEY``, else a guest phone's ``ktv_guest`` cookie
    (sent as ``Guest <credential>``: the permission table keeps it to its own room's guest
    methods). Unauthenticated SIGN_IN_REQUIRED when none."""
    token = bearer_of(request)
    if token is not None:
        return Caller(token, kind="bearer")
    guest = request.cookies.get(GUEST_COOKIE)
    if request.headers.get(GUEST_HEADER) == "1":  # the guest page: never a staff session
        if guest and len(guest) <= 256:
            return Caller(guest, kind="guest")
        raise Unauthenticated("join the room from its QR code first", reason="SIGN_IN_REQUIRED")
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        session = sessions.find(cookie)
        return Caller(session.token, session)
    wall = request.query_params.get("wall")
    if allow_wall and wall:
        return Caller(wall, kind="wall")
    if guest and len(guest) <= 256:  # a phone: the controller checks it on every call
        return Caller(guest, kind="guest")
    raise Unauthenticated("sign in first (POST /api/session)", reason="SIGN_IN_REQUIRED")


def check_same_origin(request: Request) -> None:
    """The request comes from a page of this server: ``Origin`` is ours, or (no Origin)
    the browser says ``Sec-Fetch-Site: same-origin``. CsrfRefused otherwise."""
    origin = request.headers.get("origin")
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    if origin is not None:
        if origin != own:
            raise CsrfRefused(
                f"cross-site request refused (Origin {origin[:100]!r} is not {own!r})",
                reason="CSRF_REFUSED",
            )
        return
    if request.headers.get("sec-fetch-site") != "same-origin":
        raise CsrfRefused(
            "cross-site request refused: no Origin or Sec-Fetch-Site: same-origin header",
            reason="CSRF_REFUSED",
        )


def check_csrf(request: Request, caller: Caller | None) -> None:
    """A state-changing request on a cookie session: same origin, and ``X-CSRF-Token`` equal
    to the ``ktv_csrf`` cookie and to the session's own token. Bearer callers carry no ambient
    credential a foreign page could use, so they need neither."""
    if request.method in SAFE_METHODS or (caller is not None and caller.kind == "bearer"):
        return
    check_same_origin(request)
    header = request.headers.get(CSRF_HEADER, "")
    guest = caller is not None and caller.kind == "guest"
    cookie = request.cookies.get(GUEST_CSRF_COOKIE if guest else CSRF_COOKIE, "")
    expected = caller.session.csrf if caller is not None and caller.session else cookie
    if not header or header != cookie or header != expected:
        raise CsrfRefused(
            f"the X-CSRF-Token header must equal the {GUEST_CSRF_COOKIE if guest else CSRF_COOKIE}"
            " cookie",
            reason="CSRF_REFUSED",
        )


async def json_body(request: Request, max_bytes: int = settings.body_max_bytes) -> bytes:
    """The body of a JSON request, read up to ``max_bytes`` (BodyTooLarge past it, before
    anything is parsed); NotJson for another Content-Type."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if request.method == "POST" and kind != "application/json":
        raise NotJson(
            f"send Content-Type: application/json (got {kind[:60] or 'none'!r})",
            reason="NOT_JSON",
        )
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLarge(
            f"the body is {declared} bytes; at most {max_bytes} are accepted",
            reason="BODY_TOO_LARGE",
        )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise BodyTooLarge(
                f"the body is over {max_bytes} bytes, the most accepted", reason="BODY_TOO_LARGE"
            )
        chunks.append(chunk)
    return b"".join(chunks)
