"""The guest listener's allowlist and its middleware, in process: which paths reach the app,
which files of a build are the guest page's, that staff credentials never pass and staff
cookies are never set, and the ``[guest_web]`` settings. The running listener is tested in
test_guest_listener.py (plain HTTP) and tests/deploy/test_acme.py (TLS with an ACME
certificate)."""

from __future__ import annotations

import asyncio
import importlib
import ssl
from pathlib import Path

import pytest

from controller.app import service_modules
from controller.auth.model import Role
from controller.auth.permissions import INFRASTRUCTURE, PermissionTable
from controller.server import SERVICE_MODULE_PATHS
from controller.web.guest_allowlist import GuestAllowlist, GuestAssets, guest_methods
from controller.web.guest_listener import CertificateReloader, GuestOnly
from controller.web.routes import routed
from controller.web.settings import GuestWebSettings, guest_web_settings
from ktv.errors import InvalidArgument
from ktv.security import certs


def venue_table() -> PermissionTable:
    """The permission table as the server composes it."""
    for path in SERVICE_MODULE_PATHS:
        importlib.import_module(path)
    table = PermissionTable(INFRASTRUCTURE)
    for factory in service_modules():
        table.allow(factory().permissions())
    return table


def fake_build(dist: Path) -> None:
    """A Vite build with two entries sharing a chunk: guest.html and the staff index.html."""
    assets = dist / "assets"
    assets.mkdir(parents=True)
    (dist / "guest.html").write_text(
        '<script type="module" src="/assets/guest-a1.js"></script>'
        '<link rel="stylesheet" href="/assets/guest-b2.css">'
    )
    (dist / "index.html").write_text('<script type="module" src="/assets/index-c3.js"></script>')
    (assets / "guest-a1.js").write_text(
        'import{c as x}from"./vue-d4.js";const m=["assets/QueuePage-e5.js","assets/q-f6.css"];'
    )
    (assets / "vue-d4.js").write_text("export const c=1;")
    (assets / "QueuePage-e5.js").write_text('import"./vue-d4.js";')
    (assets / "q-f6.css").write_text("a{}")
    (assets / "guest-b2.css").write_text("@font-face{src:url(/assets/vant-icon-g7.woff2)}")
    (assets / "vant-icon-g7.woff2").write_bytes(b"\0font")
    (assets / "index-c3.js").write_text('import"./vue-d4.js";import"./Desk-h8.js";')
    (assets / "Desk-h8.js").write_text("export default 1;")


def test_the_guest_page_files_are_followed_from_guest_html_and_the_staff_ones_are_not(
    tmp_path: Path,
) -> None:
    fake_build(tmp_path)
    assets = GuestAssets(tmp_path)
    assert assets.names() == {
        "guest-a1.js",
        "guest-b2.css",
        "vue-d4.js",
        "QueuePage-e5.js",
        "q-f6.css",
        "vant-icon-g7.woff2",
    }
    allow = GuestAllowlist(frozenset(), assets)
    assert allow.decide("GET", "/assets/vue-d4.js").allowed
    assert not allow.decide("GET", "/assets/index-c3.js").allowed
    assert not allow.decide("GET", "/assets/Desk-h8.js").allowed
    assert not allow.decide("GET", "/assets/../index.html").allowed
    # a new build is read again
    (tmp_path / "assets" / "guest-z9.js").write_text("")
    (tmp_path / "guest.html").write_text('<script src="/assets/guest-z9.js"></script>')
    assert assets.names() == {"guest-z9.js"}


def test_no_build_means_no_assets(tmp_path: Path) -> None:
    assert GuestAssets(tmp_path / "nothing").names() == frozenset()


def test_guest_methods_are_exactly_the_rows_that_admit_a_guest() -> None:
    table = venue_table()
    methods = guest_methods(table)
    assert {"BillingService/PlaceOrder", "BillingService/GetBill"} <= methods
    staff_only = set(routed(table)) - methods
    assert {"BillingService/Checkout", "BillingService/TakePayment", "AuthService/CreateStaff"} <= (
        staff_only
    )
    for key in staff_only:
        rule = routed(table)[key].rule
        assert rule.roles is not None and Role.GUEST not in rule.roles, key
    for key in methods - {"GuestService/JoinRoom"}:
        service, method = key.split("/")
        rule = table.rule_for(f"/ktv.v1.{service}/{method}")
        assert rule is not None and rule.roles is not None and Role.GUEST in rule.roles, key


def test_the_decisions(tmp_path: Path) -> None:
    allow = GuestAllowlist(frozenset({"GuestService/QueueSong"}), GuestAssets(tmp_path))
    yes = [
        ("GET", "/g/"),
        ("GET", "/g/index.html"),
        ("HEAD", "/g/"),
        ("GET", "/favicon.svg"),
        ("POST", "/api/v1/GuestService/QueueSong"),
        ("POST", "/api/pay/notify/wechatpay"),
        ("GET", "/api/pay/sandbox/pay_1a2b"),
        ("POST", "/api/pay/sandbox/pay_1a2b"),
    ]
    no = [
        ("GET", "/index.html"),
        ("GET", "/api/openapi.json"),
        ("GET", "/api/docs"),
        ("GET", "/api/session"),
        ("POST", "/api/session"),
        ("DELETE", "/api/session"),
        ("GET", "/api/board/events"),
        ("POST", "/api/wall-keys"),
        ("GET", "/api/v1/RoomService/ListRooms"),
        ("GET", "/api/v1/GuestService/QueueSong"),
        ("POST", "/api/v1/BillingService/Checkout"),
        ("POST", "/api/v1/GuestService/QueueSong/x"),
        ("PUT", "/api/v1/GuestService/QueueSong"),
        ("POST", "/api/pay/notify/../../session"),
        ("GET", "/ca"),
        ("GET", "/ca.crt"),
        ("GET", "/gx"),
        ("GET", "/api/pay/sandbox/../session"),
        ("GET", "/api/pay/notify/wechat"),
    ]
    assert [p for p in yes if not allow.decide(*p).allowed] == []
    assert [p for p in no if allow.decide(*p).allowed] == []
    assert allow.decide("GET", "/").redirect == "/g/"
    assert allow.decide("GET", "/g").redirect == "/g/"


class Recorder:
    """An inner ASGI app that records what reached it and answers with the given cookies."""

    def __init__(self, set_cookies: list[bytes]) -> None:
        self.seen: list[tuple[str, str, dict[bytes, bytes]]] = []
        self.set_cookies = set_cookies

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        self.seen.append((scope["method"], scope["path"], dict(scope["headers"])))
        headers = [(b"set-cookie", c) for c in self.set_cookies]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok"})


def call(app, method: str, path: str, headers: list[tuple[bytes, bytes]], query: bytes = b""):  # type: ignore[no-untyped-def]
    sent: list[dict] = []

    async def receive():  # type: ignore[no-untyped-def]
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):  # type: ignore[no-untyped-def]
        sent.append(message)

    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "headers": headers,
        "query_string": query,
    }
    asyncio.run(app(scope, receive, send))
    start = sent[0]
    return start["status"], start["headers"], sent[1]["body"]


@pytest.mark.parametrize("plain", [True, False])
def test_staff_credentials_never_pass_and_staff_cookies_are_never_set(
    tmp_path: Path, plain: bool
) -> None:
    inner = Recorder(
        [
            b"ktv_session=s3cret; HttpOnly; Path=/; SameSite=strict; Secure",
            b"ktv_guest=g1; HttpOnly; Path=/; SameSite=strict; Secure",
            b"ktv_csrf=c2; Path=/; SameSite=strict",
        ]
    )
    allow = GuestAllowlist(frozenset({"GuestService/QueueSong"}), GuestAssets(tmp_path))
    app = GuestOnly(inner, allow, plain_http=plain)
    status, headers, _ = call(
        app,
        "POST",
        "/api/v1/GuestService/QueueSong",
        [
            (b"cookie", b"ktv_session=staff1; ktv_csrf=c1; ktv_guest=g1"),
            (b"authorization", b"Bearer staff-token"),
            (b"x-csrf-token", b"c1"),
        ],
    )
    assert status == 200
    (_, _, passed) = inner.seen[-1]
    assert b"authorization" not in passed
    assert b"ktv_session" not in passed[b"cookie"]
    assert b"ktv_guest=g1" in passed[b"cookie"] and b"ktv_csrf=c1" in passed[b"cookie"]
    cookies = [v for k, v in headers if k == b"set-cookie"]
    secure = b"" if plain else b"; Secure"
    assert cookies == [
        b"ktv_guest=g1; HttpOnly; Path=/; SameSite=strict" + secure,
        b"ktv_csrf=c2; Path=/; SameSite=strict" + secure,
    ]
    # a guest's own scheme passes untouched; a refused path never reaches the app
    call(app, "POST", "/api/v1/GuestService/QueueSong", [(b"authorization", b"Guest g-secret")])
    assert inner.seen[-1][2][b"authorization"] == b"Guest g-secret"
    before = len(inner.seen)
    status, headers, body = call(app, "POST", "/api/session", [])
    assert (status, len(inner.seen)) == (404, before)
    assert b'"NOT_FOUND"' in body and (b"content-type", b"application/json") in headers
    status, headers, _ = call(app, "GET", "/", [])
    assert status == 302 and (b"location", b"/g/") in headers
    status, headers, _ = call(app, "GET", "/g", [], query=b"c=Join-Code_1")
    assert status == 302 and (b"location", b"/g/?c=Join-Code_1") in headers


def write_pair(directory: Path, name: str) -> tuple[Path, Path]:
    ca = certs.create_venue_ca(name)
    leaf = certs.issue_controller_certificate(ca, ["guest.ktv.test"], [])
    cert, key = directory / "guest.crt", directory / "guest.key"
    cert.write_bytes(leaf.cert_pem)
    key.write_bytes(leaf.key_pem)
    return cert, key


def test_the_reloader_takes_a_renewed_pair_and_waits_out_a_half_written_one(
    tmp_path: Path,
) -> None:
    cert, key = write_pair(tmp_path, "first")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    reloader = CertificateReloader(context, cert, key)
    assert not reloader.check()  # unchanged
    old_key = key.read_bytes()
    write_pair(tmp_path, "second")
    new_key = key.read_bytes()
    key.write_bytes(old_key)  # the certificate is new, its key not yet written
    assert not reloader.check() and reloader.reloads == 0
    key.write_bytes(new_key)
    assert reloader.check() and reloader.reloads == 1
    assert not reloader.check()


def test_guest_web_settings() -> None:
    assert guest_web_settings({}) == GuestWebSettings()
    assert not GuestWebSettings().enabled and GuestWebSettings().tls
    plain = guest_web_settings(
        {"guest_web": {"enabled": True, "tls": False, "host": "10.9.0.1", "port": 80}}
    )
    assert (plain.enabled, plain.tls, plain.host, plain.port) == (True, False, "10.9.0.1", 80)
    for bad in (
        {"enabled": "yes"},
        {"port": 70000},
        {"port": True},
        {"cert_file": "a.crt"},
        {"tls": False, "cert_file": "a", "key_file": "b"},
        {"public_url": "https://ktv.example.com"},
        {"cert_check_s": 0},
        {"surprise": 1},
    ):
        with pytest.raises(InvalidArgument) as refused:
            guest_web_settings({"guest_web": bad})
        assert refused.value.reason == "BAD_GUEST_WEB_SETTING"
