"""The guest listener: a second uvicorn server on the guest network's address, in front of the
same ASGI app as the staff listener, that lets through only :mod:`controller.web.guest_allowlist`
and never carries a staff credential. HTTPS with the guest domain's certificate (from ACME,
reloaded when renewed: new connections get the new one, no restart), or plain HTTP when the
venue chose that (``[guest_web] tls = false``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import ssl
import tempfile
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from controller.deploy.acme_settings import AcmeSettings
from controller.web.guest_allowlist import GuestAllowlist
from controller.web.sessions import SESSION_COOKIE
from controller.web.settings import GuestWebSettings
from controller.web.static import SECURITY_HEADERS
from ktv.errors import FailedPrecondition, InvalidArgument

log = logging.getLogger("controller.web.guest")

NOT_FOUND_JSON = (
    b'{"reason": "NOT_FOUND", "message": "not served on the guest listener", "status": "NOT_FOUND"}'
)


def _strip_staff_credentials(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """Request headers without a staff session cookie or a bearer token: on this listener a
    request is a guest's, whatever it carries."""
    kept = []
    for name, value in headers:
        if name == b"authorization" and value.split(b" ", 1)[0].lower() == b"bearer":
            continue
        if name == b"cookie":
            parts = [
                p
                for p in value.split(b";")
                if p.strip().split(b"=", 1)[0] != SESSION_COOKIE.encode()
            ]
            if not parts:
                continue
            value = b";".join(parts)
        kept.append((name, value))
    return kept


def _set_cookie_name(value: bytes) -> str:
    cookie: SimpleCookie = SimpleCookie()
    with contextlib.suppress(Exception):
        cookie.load(value.decode("latin-1"))
    return next(iter(cookie), "")


def _without_secure(value: bytes) -> bytes:
    parts = [p for p in value.split(b";") if p.strip().lower() != b"secure"]
    return b";".join(parts)


class GuestOnly:
    """ASGI middleware: the allowlist, staff credentials stripped from requests, staff cookies
    never set; cookies are ``Secure`` on HTTPS, and lose it on plain HTTP (the browser would
    drop them)."""

    def __init__(self, app: ASGIApp, allowlist: GuestAllowlist, *, plain_http: bool) -> None:
        self.app = app
        self.allowlist = allowlist
        self.plain_http = plain_http

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":  # websockets: none here
            return
        path = str(scope.get("path", ""))
        decision = self.allowlist.decide(str(scope.get("method", "")), path)
        if not decision.allowed:
            await _answer(send, 404, path.startswith("/api/"))
            return
        if decision.redirect:  # the join code in the query goes along
            query = bytes(scope.get("query_string", b"")).decode("latin-1")
            location = f"{decision.redirect}?{query}" if query else decision.redirect
            await _answer(send, 302, False, location=location)
            return
        scope = dict(scope)
        scope["headers"] = _strip_staff_credentials(list(scope.get("headers", [])))

        async def guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = []
                for name, value in message.get("headers", []):
                    if name.lower() == b"set-cookie":
                        if _set_cookie_name(value) == SESSION_COOKIE:
                            continue
                        value = _without_secure(value)
                        if not self.plain_http:  # HTTPS: Secure always, even beside
                            value += b"; Secure"  # an --insecure-dev staff listener
                    headers.append((name, value))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, guarded)


async def _answer(send: Send, status: int, api: bool, *, location: str = "") -> None:
    body = NOT_FOUND_JSON if api else (b"not found" if status == 404 else b"")
    headers = [
        (b"content-type", b"application/json" if api else b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        *SECURITY_HEADERS,
    ]
    if location:
        headers.append((b"location", location.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _stamp(*paths: Path) -> tuple[tuple[int, int], ...]:
    stamps = []
    for path in paths:
        info = path.stat()
        stamps.append((info.st_mtime_ns, info.st_size))
    return tuple(stamps)


class CertificateReloader:
    """Keeps the listener's SSLContext on the newest certificate: when the files change
    (``ktv-controller cert`` renewed them), the pair is checked in a fresh context and then
    loaded into the live one, which new connections use; open connections keep theirs. A
    half-written or mismatched pair is left for the next look (the old one stays)."""

    def __init__(self, context: ssl.SSLContext, cert_file: Path, key_file: Path) -> None:
        self.context = context
        self.cert_file = cert_file
        self.key_file = key_file
        self.stamp = _stamp(cert_file, key_file)
        self.reloads = 0

    def check(self) -> bool:
        """Loads the files if they changed; True when it did."""
        try:
            stamp = _stamp(self.cert_file, self.key_file)
        except OSError:
            return False
        if stamp == self.stamp:
            return False
        try:
            pem = self.cert_file.read_bytes() + b"\n" + self.key_file.read_bytes()
        except OSError:
            return False
        # load_cert_chain reads files: one private temp file holds what was read once, so the
        # check and the live load see the same bytes even if lego writes again meanwhile.
        fd, name = tempfile.mkstemp(prefix="guest-cert-", suffix=".pem")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(pem)
            try:
                ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(name)
            except (ssl.SSLError, ValueError) as error:
                log.warning("guest certificate %s not loaded yet: %s", self.cert_file, error)
                return False
            self.context.load_cert_chain(name)
        finally:
            os.unlink(name)
        self.stamp = stamp
        self.reloads += 1
        log.info("guest listener: serving the renewed certificate %s", self.cert_file)
        return True

    async def watch(self, every_s: float) -> None:
        while True:
            await asyncio.sleep(every_s)
            try:
                self.check()
            except Exception:  # keep watching; the old certificate stays served
                log.exception("checking the guest certificate failed")


@dataclass(frozen=True)
class GuestTls:
    cert_file: Path
    key_file: Path


def check_certificate_files(tls: GuestTls) -> None:
    for path in (tls.cert_file, tls.key_file):
        if not path.is_file():
            raise FailedPrecondition(
                f"the guest listener's certificate {path} does not exist: run "
                "`ktv-controller cert` first ([acme]), or set [guest_web] cert_file/key_file",
                reason="GUEST_CERT_MISSING",
            )


def guest_tls(
    guest: GuestWebSettings, acme: AcmeSettings | None, data_dir: Path
) -> GuestTls | None:
    """The certificate files the guest listener serves (None: plain HTTP, or no listener);
    BAD_GUEST_WEB_SETTING when TLS has no certificate source, GUEST_CERT_MISSING when its
    files are not there. The controller asks before it starts serving anything."""
    if not guest.enabled or not guest.tls:
        return None
    if guest.cert_file:
        tls = GuestTls(Path(guest.cert_file), Path(guest.key_file))
    elif acme is not None:
        tls = GuestTls(*acme.certificate_files(data_dir))
    else:
        raise InvalidArgument(
            "[guest_web] tls = true needs a certificate: an [acme] table (then run "
            "`ktv-controller cert`) or cert_file and key_file; or tls = false for plain HTTP",
            reason="BAD_GUEST_WEB_SETTING",
        )
    check_certificate_files(tls)
    return tls


def guest_uvicorn_config(app: ASGIApp, tls: GuestTls | None, grace_s: int) -> uvicorn.Config:
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=grace_s,
        ssl_certfile=str(tls.cert_file) if tls else None,
        ssl_keyfile=str(tls.key_file) if tls else None,
        proxy_headers=False,
        server_header=False,
    )
    config.load()  # builds config.ssl now: the reloader keeps that context current
    return config
