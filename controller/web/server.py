"""The HTTP side inside the controller's process and event loop: uvicorn serving the ASGI app
(HTTPS with the venue's certificate; plain HTTP only with --insecure-dev), the plain-HTTP CA
page, and the gateway's channel into the controller's own gRPC server."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp

from controller.app import ControllerApp
from controller.auth.permissions import WEB_ROUTES
from controller.deploy.acme_settings import AcmeSettings
from controller.web import settings
from controller.web.board_stream import BoardFanout
from controller.web.gateway import Gateway
from controller.web.http_app import WebContext, build_app, revoke_ended_sessions
from controller.web.sessions import WebSessions
from controller.web.settings import GuestWebSettings, WebSettings, guest_port_for, ports_for
from ktv.errors import InvalidArgument

log = logging.getLogger("controller.web")

WEB_ADDR_FILE = "controller.web.json"
GATEWAY_SOCKET = "gateway.sock"
UNIX_PATH_MAX = 100  # sun_path is 108 bytes on Linux; keep a margin


class _Uvicorn(uvicorn.Server):
    """uvicorn's server without its signal handlers: the controller owns SIGTERM/SIGINT and
    stops the HTTP side itself (``should_exit``)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def gateway_target(data_dir: Path) -> str:
    """Where the gateway's channel reaches the gRPC server: a unix socket in the data dir
    (mode 0600 once bound), or loopback TCP when that path is too long for a socket."""
    path = Path(data_dir).resolve() / GATEWAY_SOCKET
    if len(str(path)) <= UNIX_PATH_MAX:
        path.unlink(missing_ok=True)
        return f"unix:{path}"
    return "127.0.0.1:0"


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY only on connections of such sockets; without
    # it every keep-alive answer waited ~40 ms for a delayed ACK (Nagle), measured.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise InvalidArgument(f"cannot listen for HTTP on {host}:{port}: {error}") from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _url(scheme: str, host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"{scheme}://{shown}:{port}"


@dataclass
class WebServer:
    """The running HTTP side; :meth:`stop` ends it (board streams first)."""

    context: WebContext
    url: str
    ca_url: str
    guest_url: str = ""  # what guests' phones open (QR codes), "" when [guest_web] is off
    guest_listen_url: str = ""  # where the guest listener really listens
    servers: list[_Uvicorn] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    sweeper: asyncio.Task[None] | None = None
    watchers: list[asyncio.Task[None]] = field(default_factory=list)  # certificate reloads

    async def stop(self) -> None:
        for watcher in self.watchers:
            watcher.cancel()
        if self.context.fanout is not None:
            await self.context.fanout.stop()
        for server in self.servers:
            server.should_exit = True
        if self.tasks:
            await asyncio.wait(self.tasks, timeout=settings.shutdown_grace_s + 3)
        for task in self.tasks:
            task.cancel()
        if self.sweeper is not None:
            self.sweeper.cancel()
        await self.context.gateway.close()


async def start_web(
    app: ControllerApp,
    web: WebSettings,
    *,
    host: str,
    listen_port: int,
    internal_target: str,
    guest: GuestWebSettings | None = None,
    acme: AcmeSettings | None = None,
) -> WebServer:
    """Serve the HTTP side on ``host`` (and the guest listener when ``guest`` is enabled);
    writes DATA_DIR/controller.web.json with its URLs."""
    options = app.options
    insecure = options.insecure_dev
    tls = app.venue_tls
    app.permissions.allow(WEB_ROUTES)
    sessions = WebSessions(app.clock, web.idle_timeout_s)
    fanout = BoardFanout(app.board, app.clock)
    context = WebContext(
        gateway=Gateway(internal_target),
        sessions=sessions,
        permissions=app.permissions,
        secure_cookies=not insecure,
        fanout=fanout,
        sse_ping_s=web.sse_ping_s,
    )
    asgi = build_app(context)
    port_wanted, ca_port_wanted = ports_for(web, listen_port)
    sock = bind(host, port_wanted)
    port = sock.getsockname()[1]
    scheme = "http" if insecure or tls is None else "https"
    tls_dir = options.data_dir / "tls"
    https = scheme == "https"
    config = uvicorn.Config(
        asgi,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=int(settings.shutdown_grace_s),
        ssl_certfile=str(web.cert_file or tls_dir / "controller.crt") if https else None,
        ssl_keyfile=str(web.key_file or tls_dir / "controller.key") if https else None,
        proxy_headers=False,
        server_header=False,
    )
    server = _Uvicorn(config)
    web_server = WebServer(context, _url(scheme, host, port), "")
    web_server.servers.append(server)
    web_server.tasks.append(asyncio.create_task(server.serve(sockets=[sock])))
    if https:
        from controller.web.ca_page import ca_app

        ca_sock = bind(host, ca_port_wanted)
        ca_port = ca_sock.getsockname()[1]
        web_server.ca_url = _url("http", host, ca_port) + "/ca"
        assert tls is not None
        ca_server = _Uvicorn(
            uvicorn.Config(
                ca_app(tls.ca.cert_pem, web_server.url),
                log_level="warning",
                access_log=False,
                lifespan="off",
                server_header=False,
            )
        )
        web_server.servers.append(ca_server)
        web_server.tasks.append(asyncio.create_task(ca_server.serve(sockets=[ca_sock])))
    else:
        log.warning(
            "web: PLAIN HTTP on %s (--insecure-dev): staff PINs and session cookies cross the "
            "network readable; demo and tests only",
            web_server.url,
        )
    if guest is not None and guest.enabled:
        try:
            _start_guest(web_server, asgi, app, guest, acme, host=host, listen_port=listen_port)
        except BaseException:
            await web_server.stop()
            raise
    web_server.sweeper = asyncio.create_task(_sweep(context))
    _write_web_addr(options.data_dir, web_server)
    # the guests' QR codes point here unless [guests] base_url says otherwise: the guest
    # listener when it is on, else the staff one
    app.parts["web_url"] = web_server.guest_url or web_server.url
    log.info("web: %s (CA page %s)", web_server.url, web_server.ca_url or "none")
    return web_server


def _start_guest(
    web_server: WebServer,
    asgi: ASGIApp,
    app: ControllerApp,
    guest: GuestWebSettings,
    acme: AcmeSettings | None,
    *,
    host: str,
    listen_port: int,
) -> None:
    """The guest listener (docs/guest.md): the same app behind the guest allowlist."""
    from controller.web.guest_allowlist import GuestAllowlist, GuestAssets, guest_methods
    from controller.web.guest_listener import (
        CertificateReloader,
        GuestOnly,
        guest_tls,
        guest_uvicorn_config,
    )

    tls = guest_tls(guest, acme, app.options.data_dir)
    allowlist = GuestAllowlist(
        guest_methods(app.permissions), GuestAssets(web_server.context.static.dist)
    )
    guarded = GuestOnly(asgi, allowlist, plain_http=tls is None)
    guest_host = guest.host or host
    sock = bind(guest_host, guest_port_for(guest, listen_port))
    port = sock.getsockname()[1]
    config = guest_uvicorn_config(guarded, tls, int(settings.shutdown_grace_s))
    server = _Uvicorn(config)
    web_server.servers.append(server)
    web_server.tasks.append(asyncio.create_task(server.serve(sockets=[sock])))
    scheme = "https" if tls else "http"
    if tls is not None and acme is not None and not guest.cert_file:
        web_server.guest_url = f"https://{acme.domains[0].removeprefix('*.')}" + (
            "" if port == 443 else f":{port}"
        )
    else:
        web_server.guest_url = _url(scheme, guest_host, port)
    web_server.guest_listen_url = _url(scheme, guest_host, port)
    if tls is not None:
        assert config.ssl is not None
        reloader = CertificateReloader(config.ssl, tls.cert_file, tls.key_file)
        web_server.watchers.append(asyncio.create_task(reloader.watch(guest.cert_check_s)))
    else:
        log.warning(
            "web: guest listener on PLAIN HTTP %s: guests' join codes and credentials cross the "
            "guest network readable (docs/guest.md); no staff page or staff method is served there",
            web_server.guest_listen_url,
        )
    log.info(
        "web: guest listener %s (guests open %s)", web_server.guest_listen_url, web_server.guest_url
    )


async def _sweep(context: WebContext) -> None:
    while True:
        await asyncio.sleep(settings.session_sweep_s)
        context.sessions.sweep()
        try:
            await revoke_ended_sessions(context)
        except Exception:  # keep sweeping: the next round retries nothing, the tokens expire
            log.exception("revoking idle web sessions failed")


def _write_web_addr(data_dir: Path, server: WebServer) -> None:
    path = Path(data_dir) / WEB_ADDR_FILE
    tmp = path.with_name(path.name + ".tmp")
    addresses = {"url": server.url, "ca_url": server.ca_url}
    if server.guest_url:
        addresses |= {"guest_url": server.guest_url, "guest_listen_url": server.guest_listen_url}
    tmp.write_text(json.dumps(addresses) + "\n")
    os.replace(tmp, path)


def remove_web_addr(data_dir: Path) -> None:
    with contextlib.suppress(OSError):
        (Path(data_dir) / WEB_ADDR_FILE).unlink()
