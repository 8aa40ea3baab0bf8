"""The ASGI app: staff sessions, the RPC gateway routes, the live board stream, the web app's
files. Handlers only translate (JSON <-> proto, cookies, SSE); every decision is the
controller's, reached through :class:`controller.web.gateway.Gateway`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route as HttpRoute

from controller import __version__
from controller.auth.model import Role
from controller.auth.permissions import WEB_BOARD_EVENTS, PermissionTable
from controller.web import pay_pages
from controller.web.api_docs import docs_html
from controller.web.board_stream import BoardFanout, sse_message
from controller.web.errors import MethodNotRouted, from_ktv_error
from controller.web.gateway import Gateway, RpcRefused
from controller.web.guard import (
    Caller,
    caller_of,
    check_csrf,
    check_same_origin,
    json_body,
)
from controller.web.openapi import openapi_document
from controller.web.protojson import parse, to_dict, to_json
from controller.web.routes import GET_ROUTED, Route, methods_for, routed
from controller.web.sessions import (
    CSRF_COOKIE,
    GUEST_COOKIE,
    GUEST_CSRF_COOKIE,
    SESSION_COOKIE,
    WebSession,
    WebSessions,
)
from controller.web.static import SecurityHeaders, StaticApp
from ktv.errors import KtvError, PermissionDenied, Unauthenticated, Unavailable
from ktv.v1 import auth_pb2, guest_pb2

log = logging.getLogger("controller.web")

LOGIN = "/ktv.v1.AuthService/Login"
LOGOUT = "/ktv.v1.AuthService/Logout"
WHOAMI = "/ktv.v1.AuthService/WhoAmI"
JOIN_ROOM = "/ktv.v1.GuestService/JoinRoom"
CLIENT_ADDR_KEY = "x-ktv-client-addr"  # the phone's address, for JoinRoom's pace per address
CREATE_WALL_KEY = "/ktv.v1.AuthService/CreateWallKey"
LIST_WALL_KEYS = "/ktv.v1.AuthService/ListWallKeys"
REVOKE_WALL_KEY = "/ktv.v1.AuthService/RevokeWallKey"


@dataclass
class WebContext:
    """What the HTTP side is built from (the server composes it; tests build their own)."""

    gateway: Gateway
    sessions: WebSessions
    permissions: PermissionTable
    secure_cookies: bool = True  # False only with --insecure-dev (plain HTTP)
    fanout: BoardFanout | None = None
    sse_ping_s: float = 15.0  # `[web] sse_ping_s`
    static: StaticApp = field(default_factory=StaticApp)
    routes: dict[str, Route] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.routes:
            self.routes = routed(self.permissions)


def _error(error: KtvError) -> JSONResponse:
    refused = from_ktv_error(error)
    return JSONResponse(refused.body(), status_code=refused.http_status)


def _refused(error: RpcRefused) -> JSONResponse:
    return JSONResponse(error.error.body(), status_code=error.error.http_status)


def _http_refusal(request: Request, error: HTTPException) -> Response:
    """Starlette's own 404/405 (no such path, wrong verb): JSON like every /api answer."""
    if not request.url.path.startswith("/api/"):
        return Response(error.detail, status_code=error.status_code, media_type="text/plain")
    status = {404: "NOT_FOUND", 405: "UNIMPLEMENTED"}.get(error.status_code, "INVALID_ARGUMENT")
    body = {
        "reason": "UNKNOWN_METHOD" if error.status_code == 405 else "NOT_FOUND",
        "message": f"{request.method} {request.url.path[:200]}: {error.detail}",
        "status": status,
    }
    return JSONResponse(body, status_code=error.status_code)


def _internal(request: Request, error: Exception) -> JSONResponse:
    log.error("internal error answering %s %s", request.method, request.url.path, exc_info=error)
    body = {
        "reason": "INTERNAL",
        "message": "internal error in the controller (see its log)",
        "status": "INTERNAL",
    }
    return JSONResponse(body, status_code=500)


def _json(message) -> Response:  # type: ignore[no-untyped-def]
    return Response(to_json(message), media_type="application/json")


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def session_body(ctx: WebContext, session: WebSession) -> dict[str, object]:
    return {
        "staff_id": session.staff_id,
        "display_name": session.display_name,
        "role": auth_pb2.Role.Name(session.role.value),  # type: ignore[arg-type]
        "expires_at": _rfc3339(session.expires_at),
        "idle_timeout_s": int(ctx.sessions.idle_timeout.total_seconds()),
        "methods": methods_for(ctx.routes, session.role),
    }


async def revoke_ended_sessions(ctx: WebContext) -> int:
    """Revokes the tokens of web sessions that went idle (AuthService.Logout as their holder),
    so an idle timeout ends the credential too, not only the cookie. How many."""
    tokens = ctx.sessions.take_ended()
    for token in tokens:
        with contextlib.suppress(RpcRefused):  # revoked or expired already
            await ctx.gateway.invoke(
                LOGOUT,
                auth_pb2.LogoutRequest(request_id=uuid.uuid4().hex),
                auth_pb2.LogoutResponse,
                token,
            )
    return len(tokens)


def build_app(ctx: WebContext) -> SecurityHeaders:
    """The ASGI app. Starlette's router (FastAPI's base): the handlers need no dependency
    injection or models, and FastAPI caches every endpoint function module-wide, which would
    keep a test's app (and its gRPC channel) alive after it ends."""
    http_routes: list[HttpRoute] = []

    def handle(method: str, path: str):  # type: ignore[no-untyped-def]
        def register(handler):  # type: ignore[no-untyped-def]
            async def endpoint(request: Request) -> Response:
                return await handler(request, **request.path_params)  # type: ignore[no-any-return]

            http_routes.append(HttpRoute(path, endpoint, methods=[method]))
            return handler

        return register

    gateway, sessions = ctx.gateway, ctx.sessions

    async def whoami(token: str) -> auth_pb2.WhoAmIResponse:
        return await gateway.invoke(
            WHOAMI, auth_pb2.WhoAmIRequest(), auth_pb2.WhoAmIResponse, token
        )

    async def logout(token: str) -> None:
        """Revokes ``token`` as its holder; one already revoked or expired is fine."""
        with contextlib.suppress(RpcRefused):
            await gateway.invoke(
                LOGOUT,
                auth_pb2.LogoutRequest(request_id=uuid.uuid4().hex),
                auth_pb2.LogoutResponse,
                token,
            )

    def set_cookies(response: Response, session_id: str, session: WebSession) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            session_id,
            httponly=True,
            secure=ctx.secure_cookies,
            samesite="strict",
            path="/",
        )
        response.set_cookie(
            CSRF_COOKIE,
            session.csrf,
            httponly=False,
            secure=ctx.secure_cookies,
            samesite="strict",
            path="/",
        )

    def clear_cookies(response: Response) -> None:
        for name in (SESSION_COOKIE, CSRF_COOKIE):
            response.delete_cookie(
                name,
                path="/",
                secure=ctx.secure_cookies,
                samesite="strict",
                httponly=name == SESSION_COOKIE,
            )

    async def call(caller: Caller, route: Route, message) -> Response:  # type: ignore[no-untyped-def]
        try:
            scheme = "Guest" if caller.kind == "guest" else "Bearer"
            answer = await gateway.call(route, message, caller.token, scheme=scheme)
        except RpcRefused as refused:
            if refused.error.http_status == 401 and caller.session is not None:
                sessions.close_token(caller.token)
            raise
        return _json(answer)

    @handle("POST", "/api/session")
    async def sign_in(request: Request) -> Response:
        check_same_origin(request)
        login = parse(await json_body(request), auth_pb2.LoginRequest)
        answer = await gateway.invoke(LOGIN, login, auth_pb2.LoginResponse, "")
        who = await whoami(answer.token)
        replaced = sessions.close(request.cookies.get(SESSION_COOKIE))
        if replaced is not None:  # the desk's PC changes hands: the previous staff's token ends
            await logout(replaced.token)
        session_id, session = sessions.open(
            answer.token,
            who.staff_id,
            who.display_name or who.staff_id,
            Role(answer.role),
            answer.expire_time.ToDatetime(tzinfo=UTC),
        )
        response = JSONResponse(session_body(ctx, session))
        set_cookies(response, session_id, session)
        return response

    @handle("GET", "/api/session")
    async def current_session(request: Request) -> Response:
        caller = caller_of(request, sessions)
        if caller.session is None:
            raise Unauthenticated(
                "GET /api/session is for cookie sessions", reason="SIGN_IN_REQUIRED"
            )
        try:
            await whoami(caller.token)
        except RpcRefused:
            sessions.close_token(caller.token)
            raise
        return JSONResponse(session_body(ctx, caller.session))

    @handle("DELETE", "/api/session")
    async def sign_out(request: Request) -> Response:
        caller = caller_of(request, sessions)
        check_csrf(request, caller)
        sessions.close(request.cookies.get(SESSION_COOKIE))
        if caller.session is not None:
            await logout(caller.token)
        response = Response(status_code=204)
        clear_cookies(response)
        return response

    @handle("POST", "/api/v1/GuestService/JoinRoom")
    async def join_room(request: Request) -> Response:
        """A phone joins from the room's QR code: the credential goes into the HttpOnly
        ``ktv_guest`` cookie (never to page scripts), with a CSRF token for its calls."""
        check_same_origin(request)
        join = parse(await json_body(request), guest_pb2.JoinRoomRequest)
        address = request.client.host if request.client else ""
        answer = await gateway.invoke(
            JOIN_ROOM,
            join,
            guest_pb2.JoinRoomResponse,
            "",
            extra_metadata=[(CLIENT_ADDR_KEY, address)] if address else [],
        )
        credential, answer.credential = answer.credential, ""
        response = _json(answer)
        expires = answer.expire_time.ToDatetime(tzinfo=UTC)
        for name, value, http_only in (
            (GUEST_COOKIE, credential, True),
            (GUEST_CSRF_COOKIE, uuid.uuid4().hex, False),
        ):
            response.set_cookie(
                name,
                value,
                expires=expires,
                httponly=http_only,
                secure=ctx.secure_cookies,
                samesite="strict",
                path="/",
            )
        return response

    @handle("POST", "/api/v1/{service}/{method}")
    async def rpc(request: Request, service: str, method: str) -> Response:
        caller = caller_of(request, sessions)
        route = ctx.routes.get(f"{service}/{method}")
        if route is None:
            raise MethodNotRouted(
                f"{service}/{method} is not an RPC this API serves (see /api/openapi.json)",
                reason="UNKNOWN_METHOD",
            )
        check_csrf(request, caller)
        message = parse(await json_body(request), route.request_type)
        return await call(caller, route, message)

    @handle("GET", "/api/v1/{service}/{method}")
    async def rpc_get(request: Request, service: str, method: str) -> Response:
        caller = caller_of(request, sessions, allow_wall=True)
        key = f"{service}/{method}"
        route = ctx.routes.get(key)
        if route is None or key not in GET_ROUTED:
            raise MethodNotRouted(
                f"{key} is not answered to GET (POST /api/v1/{key} with a JSON body)",
                reason="UNKNOWN_METHOD",
            )
        fields = {k: v for k, v in request.query_params.items() if k != "wall"}
        message = parse(_query_json(fields), route.request_type)
        return await call(caller, route, message)

    @handle("POST", "/api/wall-keys")
    async def create_wall_key(request: Request) -> Response:
        caller = caller_of(request, sessions)
        check_csrf(request, caller)
        asked = parse(await json_body(request), auth_pb2.CreateWallKeyRequest)
        if not asked.request_id:
            asked.request_id = uuid.uuid4().hex
        answer = await gateway.invoke(
            CREATE_WALL_KEY, asked, auth_pb2.CreateWallKeyResponse, caller.token
        )
        origin = f"{request.url.scheme}://{request.headers.get('host', '')}"
        return JSONResponse(
            {
                "id": answer.wall_key.id,
                "key": answer.key,
                "url": f"{origin}/#/wall?wall={answer.key}",
                "wall_key": to_dict(answer.wall_key),
            }
        )

    @handle("GET", "/api/wall-keys")
    async def list_wall_keys(request: Request) -> Response:
        caller = caller_of(request, sessions)
        answer = await gateway.invoke(
            LIST_WALL_KEYS,
            auth_pb2.ListWallKeysRequest(),
            auth_pb2.ListWallKeysResponse,
            caller.token,
        )
        return _json(answer)

    @handle("DELETE", "/api/wall-keys/{key_id}")
    async def revoke_wall_key(request: Request, key_id: str) -> Response:
        caller = caller_of(request, sessions)
        check_csrf(request, caller)
        asked = auth_pb2.RevokeWallKeyRequest(
            id=key_id[:128],
            request_id=request.headers.get("x-request-id", "")[:128] or uuid.uuid4().hex,
        )
        answer = await gateway.invoke(
            REVOKE_WALL_KEY, asked, auth_pb2.RevokeWallKeyResponse, caller.token
        )
        return _json(answer)

    @handle("GET", "/api/board/events")
    async def board_events(request: Request) -> Response:
        caller = caller_of(request, sessions, allow_wall=True)
        role = await _role_of(caller)
        rule = ctx.permissions.rule_for(WEB_BOARD_EVENTS)
        if rule is None or rule.roles is None or role not in rule.roles:
            raise PermissionDenied(
                f"a {role.key} credential may not watch the board", reason="ROLE_NOT_ALLOWED"
            )
        if ctx.fanout is None:
            raise Unavailable("the live board is not running", reason="UNAVAILABLE")
        client = ctx.fanout.subscribe()
        cookie = request.cookies.get(SESSION_COOKIE)

        async def still_allowed() -> bool:
            if caller.session is not None and sessions.peek(cookie) is None:
                return False
            try:
                await _role_of(caller)
            except (RpcRefused, KtvError):
                return False
            return True

        def ping() -> bytes:
            # named (not a comment): the page sees it and calls a silent stream half-open
            assert ctx.fanout is not None
            sent = ctx.fanout.clock().astimezone(UTC).isoformat().replace("+00:00", "Z")
            return sse_message("ping", json.dumps({"every_s": ctx.sse_ping_s, "send_time": sent}))

        async def stream() -> AsyncIterator[bytes]:
            loop = asyncio.get_running_loop()
            try:
                yield b"retry: 2000\n\n" + ping()
                next_ping = loop.time() + ctx.sse_ping_s
                while True:
                    # on a schedule, busy or not: a stream of changes still re-checks the
                    # credential, and the page hears from the server at least this often
                    wait_s = next_ping - loop.time()
                    if wait_s <= 0:
                        if not await still_allowed():
                            return
                        next_ping = loop.time() + ctx.sse_ping_s
                        yield ping()
                        continue
                    try:
                        message = await asyncio.wait_for(client.queue.get(), wait_s)
                    except TimeoutError:
                        continue
                    if message is None:
                        return
                    yield message
            finally:
                assert ctx.fanout is not None
                ctx.fanout.unsubscribe(client)

        return StreamingResponse(
            stream(),
            media_type="text/event-stream",
            headers={"cache-control": "no-store", "x-accel-buffering": "no"},
        )

    async def _role_of(caller: Caller) -> Role:
        who = await gateway.invoke(
            WHOAMI,
            auth_pb2.WhoAmIRequest(),
            auth_pb2.WhoAmIResponse,
            caller.token,
            scheme="Guest" if caller.kind == "guest" else "Bearer",
        )
        return Role(who.role)

    document: dict[str, object] = {}

    def openapi() -> dict[str, object]:
        if not document:
            document.update(openapi_document(ctx.routes, __version__))
        return document

    @handle("POST", "/api/pay/notify/{provider}")
    async def pay_notify(request: Request, provider: str) -> Response:
        return await pay_pages.notify(gateway, request, provider)  # public: signed by the gateway

    @handle("GET", "/api/pay/sandbox/{payment_id}")
    async def sandbox_pay_page(request: Request, payment_id: str) -> Response:
        return pay_pages.sandbox_page(request, payment_id)

    @handle("POST", "/api/pay/sandbox/{payment_id}")
    async def sandbox_pay_submit(request: Request, payment_id: str) -> Response:
        return await pay_pages.sandbox_submit(gateway, request, payment_id)

    @handle("GET", "/api/openapi.json")
    async def openapi_json(request: Request) -> Response:
        return JSONResponse(openapi())

    @handle("GET", "/api/docs")
    async def api_docs(request: Request) -> Response:
        return HTMLResponse(docs_html(openapi()))

    @handle("GET", "/")
    @handle("GET", "/index.html")
    async def index(request: Request) -> Response:
        return ctx.static.index(request.headers.get("accept-encoding", ""))

    @handle("GET", "/g/")
    async def guest_page(request: Request) -> Response:
        return ctx.static.guest_page(request.headers.get("accept-encoding", ""))

    @handle("GET", "/g")
    async def guest_page_slash(request: Request) -> Response:
        query = request.url.query
        return RedirectResponse(f"/g/?{query}" if query else "/g/", status_code=308)

    @handle("GET", "/assets/{path:path}")
    async def asset(request: Request, path: str) -> Response:
        return ctx.static.asset(path, request.headers.get("accept-encoding", ""))

    @handle("GET", "/favicon.ico")
    async def favicon_ico(request: Request) -> Response:
        return ctx.static.favicon("favicon.ico")

    @handle("GET", "/favicon.svg")
    async def favicon_svg(request: Request) -> Response:
        return ctx.static.favicon("favicon.svg")

    app = Starlette(
        routes=http_routes,
        exception_handlers={
            KtvError: lambda request, error: _error(error),
            RpcRefused: lambda request, error: _refused(error),
            HTTPException: _http_refusal,
            Exception: _internal,
        },
    )
    return SecurityHeaders(app)


def _query_json(fields: dict[str, str]) -> bytes:
    return json.dumps(fields).encode()
