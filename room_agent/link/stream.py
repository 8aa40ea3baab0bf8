"""One connected stream, after Welcome: events up, acks and commands down, heartbeats.

Events leave in outbox order, at most ``outbox_send_window_events`` unacked at a time. Acks
are deleted from the outbox in batches (one fsync for every ack that arrived while the
previous batch was being written), so draining a backlog is not one fsync per event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

import grpc

from ktv.errors import Unauthenticated
from ktv.v1 import link_pb2
from room_agent.core import ports
from room_agent.core.phones import SNAPSHOT_EVENTS
from room_agent.link import convert, settings
from room_agent.link.catalog_fetch import CatalogSync
from room_agent.link.commands import CommandDispatcher
from room_agent.link.outbox import Outbox

log = logging.getLogger(__name__)

ENROLL_HINT = "enroll with: ktv-agent enroll --room ROOM --code CODE"


class StreamBroken(Exception):
    """The stream ended or failed; the gRPC status, when there was one, rides along."""

    def __init__(self, message: str, *, code: grpc.StatusCode | None = None, details: str = ""):
        super().__init__(message)
        self.code = code
        self.details = details


async def raise_call_status(call: grpc.aio.StreamStreamCall) -> None:
    """After EOF: turn the call's final status into the right exception (OK returns)."""
    code = await call.code()
    details = await call.details() or ""
    if code == grpc.StatusCode.UNAUTHENTICATED:
        raise Unauthenticated(
            f"controller refused the agent's credential ({details}); {ENROLL_HINT}"
        )
    if code not in (grpc.StatusCode.OK, None):
        raise StreamBroken(f"{code.name}: {details}", code=code, details=details)


class QueueReporter(Protocol):
    """The room's queue for guests' phones (``RoomCore``): a snapshot, and core events."""

    def queue_snapshot(self) -> ports.QueueSnapshot: ...

    def subscribe(self, listener: Callable[[object], None]) -> Callable[[], None]: ...


class LinkStream:
    def __init__(
        self,
        room_id: str,
        call: grpc.aio.StreamStreamCall,
        *,
        outbox: Outbox,
        dispatcher: CommandDispatcher,
        heartbeat_interval_s: float,
        wake: asyncio.Event,
        catalog: CatalogSync | None = None,
        catalog_version: Callable[[], str] = lambda: "",
        beat_now: asyncio.Event | None = None,
        queue_reporter: QueueReporter | None = None,
    ) -> None:
        self.room_id = room_id
        self.call = call
        self.outbox = outbox
        self.dispatcher = dispatcher
        self.heartbeat_interval_s = heartbeat_interval_s
        self._wake = wake  # set when the outbox has news or the window opened
        self._write_lock = asyncio.Lock()
        self._in_flight: dict[str, int] = {}  # event id -> outbox seq, sent and not acked
        self._acked: list[str] = []
        self._acks_ready = asyncio.Event()
        self.catalog = catalog
        self._catalog_version = catalog_version
        self._beat_now = beat_now or asyncio.Event()  # set: heartbeat at once (new catalog)
        self.queue_reporter = queue_reporter

    async def serve(self, stop: asyncio.Event) -> None:
        """Run until the stream breaks (raises) or ``stop`` is set (returns)."""
        tasks = [
            asyncio.create_task(self._receive(), name="link-receive"),
            asyncio.create_task(self._send_events(), name="link-events"),
            asyncio.create_task(self._delete_acked(), name="link-acks"),
            asyncio.create_task(self._heartbeat(), name="link-heartbeat"),
            asyncio.create_task(stop.wait(), name="link-stop"),
        ]
        if self.queue_reporter is not None:
            tasks.append(asyncio.create_task(self._report_queue(), name="link-queue"))
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self._flush_acks()  # acks already received must not be resent
            if self.catalog is not None:
                await self.catalog.close()  # a download resumes on the next stream
        for task in done:
            error = None if task.cancelled() else task.exception()
            if error is not None:
                await self._park_refused_event(error)
                raise error

    async def _write(self, request: link_pb2.ConnectRequest) -> None:
        async with self._write_lock:
            try:
                await self.call.write(request)
            except asyncio.InvalidStateError:  # the controller already ended the call
                await raise_call_status(self.call)
                raise StreamBroken("controller ended the stream") from None

    async def _receive(self) -> None:
        while True:
            response = await self.call.read()
            if response is grpc.aio.EOF:
                await raise_call_status(self.call)
                raise StreamBroken("controller ended the stream")
            kind = response.WhichOneof("msg")
            if kind == "ack":
                self._acked.extend(response.ack.event_ids)
                self._acks_ready.set()
            elif kind == "command":
                outcome = await asyncio.to_thread(self.dispatcher.apply, response.command)
                await self._write(link_pb2.ConnectRequest(command_result=outcome.to_proto()))
            elif kind == "catalog_offer":
                if self.catalog is not None:
                    self.catalog.offered(response.catalog_offer)
            else:
                log.warning("room %s ignores controller message %r", self.room_id, kind)

    async def _delete_acked(self) -> None:
        while True:
            await self._acks_ready.wait()
            await self._flush_acks()

    async def _flush_acks(self) -> None:
        self._acks_ready.clear()
        ids, self._acked = self._acked, []
        if not ids:
            return
        await asyncio.to_thread(self.outbox.ack, ids)
        for event_id in ids:
            self._in_flight.pop(event_id, None)
        self._wake.set()

    async def _send_events(self) -> None:
        last_sent_seq = 0
        while True:
            # Clear the wake-up before looking, every time: a wake-up (emit, ack) that arrives
            # from here on is seen by the next wait. Clearing only when the window had room
            # left it set while 64 events were in flight, and Event.wait() on a set event
            # returns without yielding: the loop spun, starving acks, heartbeats and SIGTERM.
            self._wake.clear()
            room = settings.outbox_send_window_events - len(self._in_flight)
            batch = []
            if room > 0:
                batch = await asyncio.to_thread(
                    self.outbox.pending,
                    after_seq=last_sent_seq,
                    limit=min(room, settings.outbox_batch_events),
                )
            for pending in batch:
                self._in_flight[pending.event_id] = pending.seq
                last_sent_seq = pending.seq
                await self._write(link_pb2.ConnectRequest(event=pending.message))
            if batch:
                continue
            # asyncio.timeout, not wait_for: 3.11's wait_for can swallow a cancellation
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(settings.outbox_poll_interval_s):
                    await self._wake.wait()

    async def _heartbeat(self) -> None:
        while True:
            depth = await asyncio.to_thread(self.outbox.depth)
            version = self._catalog_version()  # a stat; the file is read once a version
            beat = link_pb2.AgentHeartbeat(
                send_time=convert.timestamp(datetime.now(UTC)),
                outbox_depth=depth,
                catalog_version=version,
            )
            await self._write(link_pb2.ConnectRequest(heartbeat=beat))
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.heartbeat_interval_s):
                    await self._beat_now.wait()
            self._beat_now.clear()

    async def _report_queue(self) -> None:
        """The room's queue up after Welcome and after each change (debounced), for the
        guests' phones; never on every heartbeat."""
        assert self.queue_reporter is not None
        loop = asyncio.get_running_loop()
        changed = asyncio.Event()

        def on_core(event: object) -> None:  # any thread
            if getattr(event, "name", "") in SNAPSHOT_EVENTS and not loop.is_closed():
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(changed.set)

        unsubscribe = self.queue_reporter.subscribe(on_core)
        try:
            while True:
                changed.clear()
                snapshot = await asyncio.to_thread(self.queue_reporter.queue_snapshot)
                await self._write(
                    link_pb2.ConnectRequest(queue_snapshot=convert.snapshot_to_proto(snapshot))
                )
                await changed.wait()
                await asyncio.sleep(settings.queue_report_debounce_s)
        finally:
            unsubscribe()

    async def _park_refused_event(self, error: BaseException) -> None:
        """A stream ended with INVALID_ARGUMENT naming an event we sent: that event would be
        refused again on every reconnect and block the outbox, so set it aside."""
        if isinstance(error, grpc.aio.AioRpcError):
            code, details = error.code(), error.details() or ""
        elif isinstance(error, StreamBroken):
            code, details = error.code, error.details
        else:
            return
        if code != grpc.StatusCode.INVALID_ARGUMENT:
            return
        for event_id in list(self._in_flight):
            if event_id in details:
                await asyncio.to_thread(self.outbox.park, event_id, details)
                log.error(
                    "room %s: controller refused event %s (%s); parked it",
                    self.room_id,
                    event_id,
                    details,
                )
