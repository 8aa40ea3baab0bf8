"""Composition of the controller: store, board, auth, services, health, reflection, mDNS.

Services plug in as :class:`controller.app.ServiceModule` objects (rooms, link and auth are
built in; billing and others add theirs with :func:`controller.app.register_service_module` at
import and list their module in ``SERVICE_MODULE_PATHS`` or import it before
:func:`run_server`). Service modules import :mod:`controller.app`, never this module. Each
module adds its servicer to the gRPC server and its rows to the one permission table.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
import signal
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1.health import aio as health_aio
from grpc_reflection.v1alpha import reflection

from controller import settings
from controller.api.inflight import InFlight
from controller.api.interceptor import AuthInterceptor
from controller.app import ControllerApp, ServerOptions, service_modules
from controller.auth.authenticator import (
    AuthenticatorChain,
    BearerTokenAuthenticator,
)
from controller.auth.certificate import RoomCertificates, VenueTlsAuthenticator
from controller.auth.credentials import Credentials, ensure_admin_token
from controller.auth.permissions import INFRASTRUCTURE, PermissionTable
from controller.deploy import serving
from controller.deploy.data_dir_lock import DataDirLock
from controller.loop_watch import GcPauses, watch_loop_stalls
from controller.rooms.board import RoomBoard, utc_now
from controller.scheduler.runner import Scheduler
from controller.scheduler.timing import venue_schedule
from controller.store.db import DB_FILE, open_store
from controller.venue import VenueConfig, load_venue_config
from controller.web.server import gateway_target, remove_web_addr, start_web
from controller.web.settings import web_settings
from ktv.sdnotify import ServiceNotifier

log = logging.getLogger("controller")

ADDR_FILE = "controller.addr"


SERVICE_MODULE_PATHS = [
    "controller.api.modules",
    "controller.members.api",
    "controller.billing.api",
    "controller.billing.payments_api",
    "controller.inventory.api",
    "controller.scheduler.api",
    "controller.devices.api",
    "controller.api.catalog",
    "controller.reports.api",
    "controller.guests.api",
    "controller.club.api",
]


def build_app(options: ServerOptions) -> ControllerApp:
    for path in SERVICE_MODULE_PATHS:
        importlib.import_module(path)
    venue_tls = serving.venue_tls_for(options.data_dir, insecure_dev=options.insecure_dev)
    options.data_dir.mkdir(parents=True, exist_ok=True)
    data_dir_lock = DataDirLock.acquire(options.data_dir, purpose="start another one")
    venue = load_venue_config(options.venue_config) if options.venue_config else VenueConfig()
    if options.venue_id:
        venue = replace(venue, venue_id=options.venue_id)
    store = open_store(options.data_dir / DB_FILE)
    store.checkpoint_in_background(settings.wal_checkpoint_interval_s)
    tz, cadences = venue_schedule(_venue_data(options.venue_config))
    clock = options.clock or utc_now
    board = RoomBoard(store, tiers=venue.tiers, timing=options.timing, clock=clock)
    board.load()
    _apply_venue_rooms(board, venue)
    credentials = Credentials(store)
    ensure_admin_token(store, options.data_dir, utc_now())
    bearer = BearerTokenAuthenticator(credentials, utc_now)
    room_certificates = RoomCertificates(store)
    tls_identity = venue_tls is not None and not options.insecure_dev
    return ControllerApp(
        options=options,
        venue=venue,
        store=store,
        board=board,
        credentials=credentials,
        clock=clock,
        permissions=PermissionTable(INFRASTRUCTURE),
        authenticators=[
            VenueTlsAuthenticator(bearer, room_certificates, utc_now) if tls_identity else bearer
        ],
        venue_tls=venue_tls,
        room_certificates=room_certificates,
        data_dir_lock=data_dir_lock,
        scheduler=Scheduler(store, utc_now, tz, cadences),
    )


def _venue_data(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}  # load_venue_config reports a broken file


def _apply_venue_rooms(board: RoomBoard, venue: VenueConfig) -> None:
    existing = {r.room_id: r for r in board.rooms()}
    for room in venue.rooms:
        if room.room_id not in existing:
            board.create_room(room.room_id, room.display_name, room.tier)
        elif (existing[room.room_id].display_name, existing[room.room_id].tier) != (
            room.display_name,
            room.tier,
        ):
            board.update_room(room.room_id, room.display_name, room.tier)


class _SlowDown(grpc.aio.ServerInterceptor):
    """Test hook (--debug-slow-method): delays named methods so shutdown tests have an
    in-flight call to wait for."""

    def __init__(self, delays: Mapping[str, float]) -> None:
        self.delays = dict(delays)

    async def intercept_service(self, continuation, handler_call_details):  # type: ignore[no-untyped-def]
        handler = await continuation(handler_call_details)
        delay = self.delays.get(handler_call_details.method.rsplit("/", 1)[-1])
        if handler is None or delay is None or handler.unary_unary is None:
            return handler
        inner = handler.unary_unary

        async def slow(request, context):  # type: ignore[no-untyped-def]
            log.warning("debug: holding %s for %.0f ms", handler_call_details.method, delay * 1000)
            await asyncio.sleep(delay)
            return await inner(request, context)

        return grpc.unary_unary_rpc_method_handler(
            slow, handler.request_deserializer, handler.response_serializer
        )


async def run_server(
    options: ServerOptions,
    *,
    ready: Callable[[str], None] | None = None,
    started: Callable[[ControllerApp], None] | None = None,  # tests: the app, in its loop
) -> None:
    """Serve until SIGTERM/SIGINT.

    Stop sequence: health NOT_SERVING (all services) -> ``shutdown_drain_s`` for load
    balancers and watchers to notice -> new calls refused with UNAVAILABLE -> calls in flight
    finish (up to ``shutdown_grace_s``) -> watch and link streams end -> server stops.
    """
    app = build_app(options)
    try:
        catalog_feed = _catalog_feed(options)
        if catalog_feed is not None:
            from controller.catalog_publish import CatalogPublisher

            app.catalog = CatalogPublisher(catalog_feed.catalog, options.data_dir)
    except Exception:
        app.store.close()
        if app.data_dir_lock is not None:
            app.data_dir_lock.release()
        raise
    in_flight = InFlight()
    interceptors: list[grpc.aio.ServerInterceptor] = [
        AuthInterceptor(AuthenticatorChain(app.authenticators), app.permissions, in_flight)
    ]
    if options.debug_slow_methods:
        interceptors.append(_SlowDown(options.debug_slow_methods))
    server = grpc.aio.server(interceptors=interceptors)
    health = health_aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health, server)
    names = [health_pb2.DESCRIPTOR.services_by_name["Health"].full_name]
    for factory in service_modules():
        module = factory()
        app.permissions.allow(module.permissions())
        names += module.add_to_server(server, app)
    reflection.enable_server_reflection([*names, reflection.SERVICE_NAME], server)

    ports = serving.bind_ports(
        server,
        listen=options.listen,
        agent_listen=options.agent_listen,
        tls=app.venue_tls,
        insecure_dev=options.insecure_dev,
    )
    port = ports.staff_port
    host = options.listen.rsplit(":", 1)[0].strip("[]") or "0.0.0.0"
    web = web_settings(_venue_data(options.venue_config))
    gateway = _gateway_port(server, options.data_dir) if web.enabled else ""
    await server.start()
    web_server = None
    if web.enabled:
        if gateway.startswith("unix:"):
            os.chmod(gateway.removeprefix("unix:"), 0o600)
        try:
            web_server = await start_web(
                app,
                web,
                host=host,
                listen_port=int(options.listen.rsplit(":", 1)[1]),
                internal_target=gateway,
            )
        except BaseException:
            await server.stop(0)
            app.store.close()
            if app.data_dir_lock is not None:
                app.data_dir_lock.release()
            raise
    local_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    address = f"{local_host}:{port}"
    _write_addr(options.data_dir, address)
    serving.write_agent_addr(options.data_dir, local_host, ports)
    for name in ["", *names]:
        await health.set(name, health_pb2.HealthCheckResponse.SERVING)
    log.info("listening on %s (venue %s)", address, app.venue.venue_id)
    if started is not None:
        started(app)
    if ready is not None:
        ready(address)
    notifier = ServiceNotifier()
    notifier.ready(f"serving on {address}" + (" (PLAIN TEXT)" if options.insecure_dev else ""))

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)

    ticker = asyncio.create_task(_tick(app.board))
    if app.scheduler is not None:
        app.scheduler.start()
    if catalog_feed is not None:
        catalog_feed.start()
        log.info("feeding room plays into the catalog %s", options.catalog)
    stall_probe = asyncio.create_task(watch_loop_stalls())
    gc_pauses = GcPauses()
    gc_pauses.install()
    advertiser = None
    if options.mdns:
        from controller.discovery import Advertisement, VenueAdvertiser, advertised_addresses

        ad = Advertisement(
            venue_id=app.venue.venue_id,
            port=port,
            addresses=advertised_addresses(host, list(options.mdns_interfaces)),
            tls=not options.insecure_dev,
            ca_fingerprint=app.venue_tls.fingerprint if app.venue_tls else "",
            agent_port=ports.agent_port,
        )
        advertiser = VenueAdvertiser(ad, list(options.mdns_interfaces) or None)
        advertising = asyncio.create_task(advertiser.start())
    try:
        await stop.wait()
    finally:
        log.info("shutting down: health NOT_SERVING, draining")
        await notifier.stopping()
        await health.enter_graceful_shutdown()
        await asyncio.sleep(settings.shutdown_drain_s)
        in_flight.close()  # new calls now get UNAVAILABLE
        if not await in_flight.wait_idle(settings.shutdown_grace_s):
            log.warning("%d calls still running after the grace period", in_flight.count)
        if web_server is not None:
            await web_server.stop()  # board streams end, then the HTTP listeners
            remove_web_addr(options.data_dir)
        app.board.close()  # ends WatchRooms and link streams
        await server.stop(settings.shutdown_stream_grace_s)
        ticker.cancel()
        if app.scheduler is not None:
            await app.scheduler.stop()  # a job in its thread finishes before the store closes
        stall_probe.cancel()
        gc_pauses.remove()
        if advertiser is not None:
            advertising.cancel()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await advertiser.stop()
        if catalog_feed is not None:
            catalog_feed.close()
        app.store.close()
        with contextlib.suppress(OSError):
            os.unlink(options.data_dir / ADDR_FILE)
        if app.data_dir_lock is not None:
            app.data_dir_lock.release()
        log.info("stopped")


def _gateway_port(server: grpc.aio.Server, data_dir: Path) -> str:
    """The gRPC port only the HTTP gateway uses (same server, same interceptor)."""
    target = gateway_target(data_dir)
    bound = server.add_insecure_port(target)
    if not bound:
        raise RuntimeError(f"cannot open the gateway's port {target}")
    return target if target.startswith("unix:") else f"127.0.0.1:{bound}"


def _catalog_feed(options: ServerOptions):  # type: ignore[no-untyped-def]
    """``--catalog``: the feed of room plays into the master catalog (checked before serving)."""
    if options.catalog is None:
        return None
    from controller.catalog_feed import CatalogFeed

    return CatalogFeed(options.data_dir / DB_FILE, options.catalog)


async def _tick(board: RoomBoard) -> None:
    while True:
        await asyncio.sleep(settings.liveness_check_interval_s)
        try:
            board.tick()
        except Exception:  # keep ticking: one bad tick must not stop liveness for good
            log.exception("board tick failed")


def _write_addr(data_dir: Path, address: str) -> None:
    tmp = data_dir / (ADDR_FILE + ".tmp")
    tmp.write_text(address + "\n")
    os.replace(tmp, data_dir / ADDR_FILE)
