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
from datetime import UTC, datetime

import grpc

from ktv.errors import KtvError, Unauthenticated, Unavailable
from ktv.v1 import link_pb2, link_pb2_grpc
from room_agent.link import convert, settings
from room_agent.link.backoff import Backoff
from room_agent.link.commands import CommandDispatcher
from room_agent.link.credentials import AgentCredential, open_channel
from room_agent.link.discovery import ControllerAddress, ControllerLocator
from room_agent.link.outbox import Outbox

log = logging.getLogger(__name__)

AGENT_VERSION = "0.1.0"


class LinkState(enum.Enum):
    STOPPED = "stopped"
    LOCATING = "locating"
    CONNECTING = "connecting"
    ONLINE = "online"
    WAITING = "waiting"  # backing off before the next attempt


class _StreamBroken(Exception):
    """The stream ended or failed; the reason is in the message."""


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
    ) -> None:
        self.room_id = room_id
        self.outbox = outbox
        self.dispatcher = dispatcher
        self.locator = locator
        self._credential = credential
        self.heartbeat_interval_s = heartbeat_interval_s
        self.backoff = backoff or Backoff()
        self._catalog_version = catalog_version
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
                except (KtvError, _StreamBroken, grpc.aio.AioRpcError) as exc:
                    self.last_error = _describe(exc)
                    log.warning("room %s link down: %s", self.room_id, self.last_error)
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
        target = address.agent_target if credential and credential.uses_mtls else address.target
        async with open_channel(target, credential) as channel:
            stub = link_pb2_grpc.RoomLinkServiceStub(channel)
            call = stub.Connect(metadata=metadata)
            try:
                await self._handshake(call)
                await self._serve(call)
            finally:
                call.cancel()

    async def _handshake(self, call: grpc.aio.StreamStreamCall) -> None:
        hello = link_pb2.AgentHello(
            room=f"rooms/{self.room_id}",
            agent_version=AGENT_VERSION,
            catalog_version=self._catalog_version(),
            heartbeat_interval_seconds=max(1, round(self.heartbeat_interval_s)),
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
            await _raise_call_status(call)
            raise _StreamBroken("controller closed the stream before Welcome")
        if first.WhichOneof("msg") != "welcome":
            raise _StreamBroken(f"controller answered hello with {first.WhichOneof('msg')}")
        self.welcome = first.welcome
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

    async def _serve(self, call: grpc.aio.StreamStreamCall) -> None:
        write_lock = asyncio.Lock()
        in_flight: dict[str, int] = {}

        async def write(request: link_pb2.ConnectRequest) -> None:
            async with write_lock:
                await call.write(request)

        tasks = [
            asyncio.create_task(self._receive(call, write, in_flight), name="link-receive"),
            asyncio.create_task(self._send_events(write, in_flight), name="link-events"),
            asyncio.create_task(self._heartbeat(write), name="link-heartbeat"),
            asyncio.create_task(self._stop.wait(), name="link-stop"),
        ]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        for task in done:
            if not task.cancelled() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]

    async def _receive(self, call, write, in_flight: dict[str, int]) -> None:
        while True:
            response = await call.read()
            if response is grpc.aio.EOF:
                await _raise_call_status(call)
                raise _StreamBroken("controller ended the stream")
            kind = response.WhichOneof("msg")
            if kind == "ack":
                ids = list(response.ack.event_ids)
                await asyncio.to_thread(self.outbox.ack, ids)
                for event_id in ids:
                    in_flight.pop(event_id, None)
                self._wake.set()
            elif kind == "command":
                outcome = await asyncio.to_thread(self.dispatcher.apply, response.command)
                await write(link_pb2.ConnectRequest(command_result=outcome.to_proto()))
            else:
                log.warning("room %s ignores controller message %r", self.room_id, kind)

    async def _send_events(self, write, in_flight: dict[str, int]) -> None:
        last_sent_seq = 0
        while True:
            room = settings.outbox_send_window_events - len(in_flight)
            batch = []
            if room > 0:
                self._wake.clear()
                batch = await asyncio.to_thread(
                    self.outbox.pending,
                    after_seq=last_sent_seq,
                    limit=min(room, settings.outbox_batch_events),
                )
            for pending in batch:
                await write(link_pb2.ConnectRequest(event=pending.message))
                in_flight[pending.event_id] = pending.seq
                last_sent_seq = pending.seq
            if batch:
                continue
            # asyncio.timeout, not wait_for: 3.11's wait_for can swallow a cancellation
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(settings.outbox_poll_interval_s):
                    await self._wake.wait()

    async def _heartbeat(self, write) -> None:
        while True:
            depth = await asyncio.to_thread(self.outbox.depth)
            beat = link_pb2.AgentHeartbeat(
                send_time=convert.timestamp(datetime.now(UTC)), outbox_depth=depth
            )
            await write(link_pb2.ConnectRequest(heartbeat=beat))
            await asyncio.sleep(self.heartbeat_interval_s)


ENROLL_HINT = "enroll with: ktv-agent enroll --room ROOM --code CODE"


async def _raise_call_status(call: grpc.aio.StreamStreamCall) -> None:
    code = await call.code()
    if code == grpc.StatusCode.UNAUTHENTICATED:
        raise Unauthenticated(
            f"controller refused the agent's credential ({await call.details()}); {ENROLL_HINT}"
        )
    if code not in (grpc.StatusCode.OK, None):
        raise _StreamBroken(f"{code.name}: {await call.details()}")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, grpc.aio.AioRpcError):
        text = f"{exc.code().name}: {exc.details()}"
        if exc.code() in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED):
            text += f"; {ENROLL_HINT}"
        return text
    if isinstance(exc, KtvError):
        return exc.message
    return str(exc)
