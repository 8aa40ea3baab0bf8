"""Idle timeout and absolute lifetime of a staff web session, with the session clock injected:
the HTTP app is built in this process (httpx's ASGI transport) over a real gateway channel to
the fixture's controller, so only time is fake."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from controller.api.modules import AuthModule, RoomsModule
from controller.auth.permissions import INFRASTRUCTURE, WEB_ROUTES, PermissionTable
from controller.billing.api import BillingModule
from controller.web.gateway import Gateway
from controller.web.http_app import WebContext, build_app, revoke_ended_sessions
from controller.web.sessions import WebSessions
from tests.web.aio import run_async
from tests.web.test_session import live_tokens
from tests.web.venue import WebVenue

ORIGIN = "https://desk.test"  # https: the cookies are Secure


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def table() -> PermissionTable:
    permissions = PermissionTable(INFRASTRUCTURE)
    for module in (RoomsModule(), AuthModule(), BillingModule()):
        permissions.allow(module.permissions())
    permissions.allow(WEB_ROUTES)
    return permissions


async def scenario(address: str, check) -> None:  # type: ignore[no-untyped-def]
    clock = Clock()
    gateway = Gateway(address)
    sessions = WebSessions(clock, idle_timeout_s=15 * 60)
    context = WebContext(gateway=gateway, sessions=sessions, permissions=table())
    app = build_app(context)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url=ORIGIN, headers={"origin": ORIGIN}
        ) as client:
            await check(client, clock, context)
    finally:
        await gateway.close()


def test_a_session_unused_for_the_idle_timeout_is_signed_out(web_venue: WebVenue) -> None:
    async def check(client: httpx.AsyncClient, clock: Clock, context: WebContext) -> None:
        sessions = context.sessions
        before = live_tokens(web_venue, "c1")
        signed = await client.post("/api/session", json={"staff_id": "c1", "pin": "1111"})
        assert signed.status_code == 200, signed.text
        assert live_tokens(web_venue, "c1") == before + 1
        client.headers["x-csrf-token"] = client.cookies["ktv_csrf"]
        clock.advance(minutes=14, seconds=59)
        assert (await client.get("/api/session")).status_code == 200  # use restarts the clock
        clock.advance(minutes=14, seconds=59)
        listed = await client.post("/api/v1/RoomService/ListRooms", json={})
        assert listed.status_code == 200
        clock.advance(minutes=15)
        idle = await client.post("/api/v1/RoomService/ListRooms", json={})
        assert idle.status_code == 401, idle.text
        assert idle.json()["reason"] == "SESSION_IDLE"
        assert (await client.get("/api/session")).status_code == 401
        assert len(sessions) == 0
        assert await revoke_ended_sessions(context) == 1  # the server's sweeper does this
        assert await revoke_ended_sessions(context) == 0
        assert live_tokens(web_venue, "c1") == before  # the credential ended with the session

    run_async(scenario(web_venue.ctl.address, check))


def test_a_session_ends_with_its_token_however_busy(web_venue: WebVenue) -> None:
    async def check(client: httpx.AsyncClient, clock: Clock, context: WebContext) -> None:
        clock.now = datetime.now(UTC)  # the token's expiry is the controller's real time
        signed = await client.post("/api/session", json={"staff_id": "c1", "pin": "1111"})
        expires = datetime.fromisoformat(signed.json()["expires_at"])
        while clock.now < expires - timedelta(minutes=1):  # a busy shift: never idle
            clock.now = min(clock.now + timedelta(minutes=14), expires - timedelta(minutes=1))
            assert (await client.get("/api/session")).status_code == 200
        clock.now = expires
        ended = await client.get("/api/session")
        assert ended.status_code == 401 and ended.json()["reason"] == "TOKEN_EXPIRED"

    run_async(scenario(web_venue.ctl.address, check))
