"""One room's stream to the controller: hello, Welcome, heartbeats, events up, commands down.

``RoomLink.run()`` loops until ``stop()``: locate the controller (override or zeroconf),
connect, and keep the stream; when it breaks, wait a jittered exponential backoff and start
over with a fresh lookup. Outbox events are sent in order with a bounded window and deleted
only when acked; after a reconnect everything unacked is sent again (the controller keeps
each event id once).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import time
from collections.abc import Callable

import grpc

from ktv.errors import KtvError, Unavailable
from ktv.v1 import link_pb2, link_pb2_grpc
from media_index.schema import SCHEMA_VERSION
from room_agent.link import settings
from room_agent.link.backoff import Backoff
from room_agent.link.catalog_fetch import CatalogFetcher, CatalogSync
from room_agent.link.commands import CommandDispatcher
from room_agent.link.credentials import AgentCredential, link_channel
from room_agent.link.discovery import ControllerAddress, ControllerLocator
from room_agent.link.outbox import Outbox
from room_agent.link.stream import (
    ENROLL_HINT,
    LinkStream,
    QueueReporter,
    StreamBroken,
    raise_call_status,
)

log = logging.getLogger(__name__)

AGENT_VERSION = "0.1.0"


class LinkState(enum.Enum):
    STOPPED = "stopped"
    LOCATING = "locating"
    CONNECTING = "connecting"
    ONLINE = "online"
    WAITING = "waiting"  # backing off before the next attempt


class RoomLink:
    def __init__(
        self,
        room_id: str,
        *,
        outbox: Outbox,
        dispatcher: CommandDispatcher,
        locator: ControllerLocator,
        credential: Callable[[], AgentCredential | None] = lambda: None,
        heartbeat_interval_s: float = settings.heartbeat_interval_s,
        backoff: Backoff | None = None,
        catalog_version: Callable[[], str] = lambda: "",
        keepalive_time_s: float = settings.keepalive_time_s,
        keepalive_timeout_s: float = settings.keepalive_timeout_s,
        agent_port: int = 0,
        catalog: CatalogFetcher | None = None,
        queue_reporter: QueueReporter | None = None,
    ) -> None:
        self.room_id = room_id
        self.queue_reporter = queue_reporter  # the room's queue, reported for guests' phones
        self.outbox = outbox
        self.dispatcher = dispatcher
        self.locator = locator
        self._credential = credential
        self.heartbeat_interval_s = heartbeat_interval_s
        self.backoff = backoff or Backoff()
        self.catalog = catalog  # fetches the catalog versions the controller offers
        if catalog is not None:
            catalog_version = catalog.keeper.label
        self._catalog_version = catalog_version
        self.agent_port = agent_port  # mutual-TLS port when zeroconf does not tell it
        # HTTP/2 keepalive pings notice a controller that vanished without a FIN/RST (power
        # cut, moved host); heartbeats carry data, so the pings never count as abuse. gRPC
        # 1.85 only gives up on an unanswered ping after http2.ping_timeout_ms (default 60 s),
        # not keepalive_timeout_ms alone (measured): set both.
        self._channel_options = (
            ("grpc.keepalive_time_ms", int(keepalive_time_s * 1000)),
            ("grpc.keepalive_timeout_ms", int(keepalive_timeout_s * 1000)),
            ("grpc.http2.ping_timeout_ms", int(keepalive_timeout_s * 1000)),
        )
        self.state = LinkState.STOPPED
        self.address: ControllerAddress | None = None
        self.welcome: link_pb2.ControllerWelcome | None = None
        self.connections = 0  # streams that reached Welcome, for logs and tests
        self.last_error = ""
        self.online = asyncio.Event()
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    # --- lifecycle ----------------------------------------------------------------------------

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.outbox.add_listener(self._on_emit)
        try:
            while not self._stop.is_set():
                started = time.monotonic()
                try:
                    self.state = LinkState.LOCATING
                    self.address = await self.locator.locate()
                    self.state = LinkState.CONNECTING
                    await self._stream(self.address)
                except (KtvError, StreamBroken, grpc.aio.AioRpcError) as exc:
                    self.last_error = _describe(exc)
                    log.warning("room %s link down: %s", self.room_id, self.last_error)
                except Exception as exc:  # a bug here must not end the room's link for good
                    self.last_error = f"unexpected {type(exc).__name__}: {exc}"
                    log.exception("room %s link failed unexpectedly", self.room_id)
                finally:
                    self.online.clear()
                if self._stop.is_set():
                    break
                if time.monotonic() - started >= settings.stream_stable_after_s:
                    self.backoff.reset()
                wait_s = self.backoff.next_wait_s()
                self.state = LinkState.WAITING
                log.info("room %s reconnects in %.2f s", self.room_id, wait_s)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait_s):
                        await self._stop.wait()
        finally:
            self.outbox.remove_listener(self._on_emit)
            self.state = LinkState.STOPPED
            self.online.clear()

    def stop(self) -> None:
        """Ask ``run()`` to end (from the loop's thread); the stream is cancelled."""
        self._stop.set()
        self._wake.set()

    def _on_emit(self) -> None:  # any thread
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._wake.set)

    # --- one stream ---------------------------------------------------------------------------

    async def _stream(self, address: ControllerAddress) -> None:
        credential = self._credential()
        metadata = credential.call_metadata() if credential else ()
        async with link_channel(
            address, credential, agent_port=self.agent_port, options=self._channel_options
        ) as channel:
            stub = link_pb2_grpc.RoomLinkServiceStub(channel)
            call = stub.Connect(metadata=metadata)
            beat_now = asyncio.Event()
            sync = (
                CatalogSync(self.catalog, stub, metadata, beat_now.set)
                if self.catalog is not None
                else None
            )
            try:
                await self._handshake(call)
                await LinkStream(
                    self.room_id,
                    call,
                    outbox=self.outbox,
                    dispatcher=self.dispatcher,
                    heartbeat_interval_s=self.heartbeat_interval_s,
                    wake=self._wake,
                    catalog=sync,
                    catalog_version=self._catalog_version,
                    beat_now=beat_now,
                    queue_reporter=self.queue_reporter,
                ).serve(self._stop)
            finally:
                call.cancel()

    async def _handshake(self, call: grpc.aio.StreamStreamCall) -> None:
        hello = link_pb2.AgentHello(
            room=f"rooms/{self.room_id}",
            agent_version=AGENT_VERSION,
            catalog_version=self._catalog_version(),  # a stat; the file is read once a version
            heartbeat_interval_seconds=max(1, round(self.heartbeat_interval_s)),
            catalog_schema=SCHEMA_VERSION,
        )
        await call.write(link_pb2.ConnectRequest(hello=hello))
        try:
            async with asyncio.timeout(settings.connect_timeout_s):
                first = await call.read()
        except TimeoutError:
            raise Unavailable(
                f"controller sent no Welcome within {settings.connect_timeout_s:g} s"
            ) from None
        if first is grpc.aio.EOF:
            await raise_call_status(call)
            raise StreamBroken("controller closed the stream before Welcome")
        if first.WhichOneof("msg") != "welcome":
            raise StreamBroken(f"controller answered hello with {first.WhichOneof('msg')}")
        self.welcome = first.welcome
        offline_after_s = first.welcome.offline_after_seconds
        if offline_after_s and self.heartbeat_interval_s * 2 > offline_after_s:
            log.warning(
                "room %s heartbeats every %g s but the controller marks rooms offline after "
                "%d s of silence: lower heartbeat_interval_s",
                self.room_id,
                self.heartbeat_interval_s,
                offline_after_s,
            )
        await asyncio.to_thread(self.dispatcher.apply_welcome, first.welcome)
        self.connections += 1
        self.state = LinkState.ONLINE
        self.online.set()
        log.info(
            "room %s online with controller %s (venue %r)",
            self.room_id,
            self.address.target if self.address else "?",
            first.welcome.venue_id,
        )


def _describe(exc: BaseException) -> str:
    if isinstance(exc, grpc.aio.AioRpcError):
        text = f"{exc.code().name}: {exc.details()}"
        if exc.code() in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED):
            text += f"; {ENROLL_HINT}"
        return text
    if isinstance(exc, KtvError):
        return exc.message
    return str(exc)
