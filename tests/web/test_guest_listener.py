"""The plain-HTTP guest listener of a real controller process (``[guest_web] tls = false``):
every route of the gateway (its OpenAPI document and the route table) and every staff page is
404 there, the guest-callable methods answer exactly as on the staff listener, and a staff
session cookie or bearer token is never honoured there. One controller for the module, no room
agents (nothing here needs a room to be online)."""

from __future__ import annotations

import importlib
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from controller.app import service_modules
from controller.auth.permissions import INFRASTRUCTURE, PermissionTable
from controller.server import SERVICE_MODULE_PATHS
from controller.web.guest_allowlist import guest_methods
from controller.web.routes import routed
from ktv.v1 import auth_pb2, auth_pb2_grpc
from ktv.v1.billing_pb2 import OpenSessionRequest
from ktv.v1.billing_pb2_grpc import BillingServiceStub
from ktv.v1.guest_pb2 import GetGuestCodeRequest
from ktv.v1.guest_pb2_grpc import GuestServiceStub
from tests.support.controller import RunningController, bearer, launch
from tests.web.venue import read_web_addr, venue_toml

GUEST_PAY_PATHS = ("/api/pay/notify/", "/api/pay/sandbox/")
GUEST_WEB = '\n[guest_web]\nenabled = true\ntls = false\nhost = "127.0.0.1"\n'


def venue_table() -> PermissionTable:
    for path in SERVICE_MODULE_PATHS:
        importlib.import_module(path)
    table = PermissionTable(INFRASTRUCTURE)
    for factory in service_modules():
        table.allow(factory().permissions())
    return table


class GuestVenue:
    def __init__(self, data_dir: Path) -> None:
        config = data_dir / "venue.toml"
        config.parent.mkdir(parents=True, exist_ok=True)
        venue_id = f"guest-{uuid.uuid4().hex[:8]}"
        config.write_text(venue_toml(venue_id) + GUEST_WEB, encoding="utf-8")
        self.ctl: RunningController = launch(data_dir, ["--venue-config", str(config)])
        try:
            addr = read_web_addr(data_dir)
            self.staff_url, self.guest_url = addr["url"], addr["guest_url"]
            assert addr["guest_listen_url"] == self.guest_url
            auth_pb2_grpc.AuthServiceStub(self.ctl.channel()).CreateStaff(
                auth_pb2.CreateStaffRequest(
                    staff_id="c1", role=auth_pb2.ROLE_CASHIER, pin="1111", request_id="s1"
                ),
                metadata=bearer(self.ctl.admin_token),
                timeout=10,
            )
        except BaseException:
            self.ctl.stop()
            raise

    def client(self, url: str) -> httpx.Client:
        return httpx.Client(base_url=url, headers={"origin": url}, timeout=10)


@pytest.fixture(scope="module")
def guest_venue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GuestVenue]:
    venue = GuestVenue(tmp_path_factory.mktemp("guest-listener"))
    try:
        yield venue
    finally:
        venue.ctl.stop()


def refused_here(answer: httpx.Response) -> bool:
    """The guest listener's own 404: the allowlist refused it before the app saw it."""
    if answer.status_code != 404:
        return False
    if answer.headers["content-type"].startswith("application/json"):
        return answer.json()["message"] == "not served on the guest listener"  # type: ignore[no-any-return]
    return answer.text == "not found"


def test_every_staff_route_and_page_is_404_on_the_guest_listener(guest_venue: GuestVenue) -> None:
    table = venue_table()
    guest = guest_methods(table)
    with (
        guest_venue.client(guest_venue.staff_url) as staff,
        guest_venue.client(guest_venue.guest_url) as phone,
    ):
        document = staff.get("/api/openapi.json").json()
        calls = {(verb.upper(), path) for path, item in document["paths"].items() for verb in item}
        rpcs = {("POST", f"/api/v1/{key}") for key in routed(table)}
        assert rpcs <= calls  # the document is the whole route table, and more
        calls |= {("GET", p) for p in ("/", "/index.html", "/api/docs", "/api/openapi.json", "/ca")}
        let_through = []
        for verb, template in sorted(calls):
            path = re.sub(r"\{[a-z_]+\}", "x1", template)
            key = path.removeprefix("/api/v1/")
            if verb == "POST" and key in guest:
                let_through.append(key)
                continue
            if path.startswith(GUEST_PAY_PATHS):  # a gateway's notices, the sandbox's page
                continue
            answer = phone.request(verb, path, json={} if verb == "POST" else None)
            if path == "/":
                assert answer.status_code == 302 and answer.headers["location"] == "/g/"
                continue
            assert refused_here(answer), (verb, path, answer.status_code, answer.text[:200])
            assert "set-cookie" not in answer.headers
            # ... and it is the guest listener that refuses: the staff one serves it
            if path.startswith("/api/v1/"):
                assert not refused_here(staff.request(verb, path, json={})), path
        # guest-callable methods answer on both listeners alike (no credential: 401)
        assert "BillingService/PlaceOrder" in let_through
        for key in let_through:
            on_phone = phone.post(f"/api/v1/{key}", json={})
            on_desk = staff.post(f"/api/v1/{key}", json={})
            assert not refused_here(on_phone), key
            assert (on_phone.status_code, on_phone.json()["reason"]) == (
                on_desk.status_code,
                on_desk.json()["reason"],
            ), key


def test_a_staff_session_or_token_is_never_honoured_on_the_guest_listener(
    guest_venue: GuestVenue,
) -> None:
    with (
        guest_venue.client(guest_venue.staff_url) as staff,
        guest_venue.client(guest_venue.guest_url) as phone,
    ):
        signed_in = staff.post("/api/session", json={"staff_id": "c1", "pin": "1111"})
        assert signed_in.status_code == 200, signed_in.text
        cookies = {
            "ktv_session": staff.cookies["ktv_session"],
            "ktv_csrf": staff.cookies["ktv_csrf"],
        }
        csrf = {"x-csrf-token": cookies["ktv_csrf"]}
        # ListProducts: a cashier and a guest may both call it
        assert staff.post("/api/v1/BillingService/ListProducts", json={}, headers=csrf).is_success
        phone.cookies.update(cookies)
        answer = phone.post("/api/v1/BillingService/ListProducts", json={}, headers=csrf)
        assert (answer.status_code, answer.json()["reason"]) == (401, "SIGN_IN_REQUIRED")
        token = (
            auth_pb2_grpc.AuthServiceStub(guest_venue.ctl.channel())
            .Login(auth_pb2.LoginRequest(staff_id="c1", pin="1111"), timeout=10)
            .token
        )
        authorized = {"authorization": f"Bearer {token}"}
        assert staff.post(
            "/api/v1/BillingService/ListProducts", json={}, headers=authorized
        ).is_success
        answer = phone.post("/api/v1/BillingService/ListProducts", json={}, headers=authorized)
        assert answer.status_code == 401
        # no way to get a staff session there
        answer = phone.post("/api/session", json={"staff_id": "c1", "pin": "1111"})
        assert refused_here(answer) and "set-cookie" not in answer.headers


def test_the_room_qr_code_opens_the_guest_listener(guest_venue: GuestVenue) -> None:
    """With the guest listener on, the join URL the room's screens encode points at it (not at
    the staff listener), and its /g?c=... keeps the code on the way to the page."""
    channel = guest_venue.ctl.channel()
    BillingServiceStub(channel).OpenSession(
        OpenSessionRequest(room="rooms/A01", guest_count=2, request_id=uuid.uuid4().hex),
        metadata=guest_venue.ctl.admin_md,
        timeout=10,
    )
    url = (
        GuestServiceStub(channel)
        .GetGuestCode(
            GetGuestCodeRequest(room="rooms/A01"), metadata=guest_venue.ctl.admin_md, timeout=10
        )
        .url
    )
    assert url.startswith(f"{guest_venue.guest_url}/g/?c=")
    code = url.rsplit("=", 1)[1]
    with guest_venue.client(guest_venue.guest_url) as phone:
        answer = phone.get(f"/g?c={code}")
    assert answer.status_code in (302, 308) and answer.headers["location"] == f"/g/?c={code}"
