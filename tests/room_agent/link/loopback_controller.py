"""A small real RoomLinkService on a loopback socket: the far end of the link in tests.

It behaves as the contract says (Welcome after hello, stores each event id once, acks every
event, sends commands, checks the bearer token) and records what it saw, so tests can assert
on delivery. The real controller process is used by the end-to-end tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import Counter
from dataclasses import dataclass, field

import grpc
from zeroconf import ServiceInfo
from zeroconf.asyncio import AsyncZeroconf

from ktv.v1 import auth_pb2, auth_pb2_grpc, link_pb2, link_pb2_grpc


@dataclass
class VenueRecord:
    """What the venue saw, kept across controller restarts (like the controller's store)."""

    events: dict[str, link_pb2.RoomEvent] = field(default_factory=dict)
    event_order: list[str] = field(default_factory=list)
    deliveries: Counter[str] = field(default_factory=Counter)  # event id -> times received
    hellos: list[link_pb2.AgentHello] = field(default_factory=list)
    heartbeats: list[link_pb2.AgentHeartbeat] = field(default_factory=list)
    command_results: list[link_pb2.CommandResult] = field(default_factory=list)
    tokens_seen: list[str] = field(default_factory=list)
    enroll_requests: list[auth_pb2.EnrollAgentRequest] = field(default_factory=list)


class _Servicer(link_pb2_grpc.RoomLinkServiceServicer, auth_pb2_grpc.AuthServiceServicer):
    def __init__(self, controller: LoopbackController) -> None:
        self.c = controller

    async def Connect(self, request_iterator, context):
        c = self.c
        token = dict(context.invocation_metadata()).get("authorization", "")
        c.record.tokens_seen.append(token)
        if c.required_token and token != f"Bearer {c.required_token}":
            await context.abort(grpc.StatusCode.UNAUTHENTICATED, "unknown agent token")
        outgoing: asyncio.Queue[link_pb2.ConnectResponse] = asyncio.Queue()
        c.streams.append(outgoing)

        async def consume() -> None:
            async for req in request_iterator:
                kind = req.WhichOneof("msg")
                if kind == "hello":
                    c.record.hellos.append(req.hello)
                    await outgoing.put(link_pb2.ConnectResponse(welcome=c.welcome))
                elif kind == "heartbeat":
                    c.record.heartbeats.append(req.heartbeat)
                elif kind == "event":
                    ev = req.event
                    if ev.WhichOneof("payload") in c.refused_payloads:
                        await context.abort(
                            grpc.StatusCode.INVALID_ARGUMENT,
                            f"event {ev.event_id} carries no known payload",
                        )
                    c.record.deliveries[ev.event_id] += 1
                    if ev.event_id not in c.record.events:
                        c.record.events[ev.event_id] = ev
                        c.record.event_order.append(ev.event_id)
                    if c.ack_events:
                        await outgoing.put(
                            link_pb2.ConnectResponse(ack=link_pb2.EventAck(event_ids=[ev.event_id]))
                        )
                elif kind == "command_result":
                    c.record.command_results.append(req.command_result)
            await outgoing.put(None)

        reader = asyncio.create_task(consume())
        try:
            while True:
                msg = await outgoing.get()
                if msg is None:
                    return
                yield msg
        finally:
            reader.cancel()
            c.streams.remove(outgoing)

    async def EnrollAgent(self, request, context):
        self.c.record.enroll_requests.append(request)
        room = self.c.enrollment_codes.get(request.code)
        if room is None:
            await context.abort(grpc.StatusCode.PERMISSION_DENIED, "unknown or used code")
        del self.c.enrollment_codes[request.code]
        return auth_pb2.EnrollAgentResponse(room=room, agent_token=f"token-for-{room}")


class LoopbackController:
    def __init__(self, record: VenueRecord | None = None, *, venue_id: str = "") -> None:
        self.record = record or VenueRecord()
        self.venue_id = venue_id or f"test-venue-{uuid.uuid4().hex[:8]}"
        self.welcome = link_pb2.ControllerWelcome(
            controller_version="loopback", venue_id=venue_id, offline_after_seconds=15
        )
        self.required_token = ""
        self.ack_events = True
        self.refused_payloads: set[str] = set()  # like an older controller: refuse these kinds
        self.enrollment_codes: dict[str, str] = {}
        self.streams: list[asyncio.Queue] = []
        self.port = 0
        self._server: grpc.aio.Server | None = None
        self._zeroconf: AsyncZeroconf | None = None
        self._info: ServiceInfo | None = None

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def start(self, port: int = 0) -> int:
        server = grpc.aio.server()
        servicer = _Servicer(self)
        link_pb2_grpc.add_RoomLinkServiceServicer_to_server(servicer, server)
        auth_pb2_grpc.add_AuthServiceServicer_to_server(servicer, server)
        self.port = server.add_insecure_port(f"127.0.0.1:{port}")
        await server.start()
        self._server = server
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.stop(grace=None)
            self._server = None
        await self.withdraw()

    async def advertise(
        self, *, name: str = "Loopback KTV", api: str = "v1", agent_port: int = 0
    ) -> None:
        """Register ``_ktv._tcp`` on loopback only, TXT as the real controller sends it. The
        venue id is part of the instance name: other suites advertise on loopback too."""
        self._zeroconf = AsyncZeroconf(interfaces=["127.0.0.1"])
        self._info = ServiceInfo(
            "_ktv._tcp.local.",
            f"{name} {self.venue_id}._ktv._tcp.local.",
            addresses=[bytes([127, 0, 0, 1])],
            port=self.port,
            properties={
                "venue": self.venue_id,
                "api": api,
                "port": str(self.port),
                "tls": "1" if agent_port else "0",
                "ca_fp": "ab" * 32 if agent_port else "",
                "agent_port": str(agent_port),
            },
            server=f"loopback-{self.venue_id}.local.",
        )
        await self._zeroconf.async_register_service(self._info)

    async def withdraw(self) -> None:
        if self._zeroconf is not None:
            with contextlib.suppress(Exception):
                await self._zeroconf.async_unregister_service(self._info)
            await self._zeroconf.async_close()
            self._zeroconf = None

    async def send_command(self, command: link_pb2.RoomCommand) -> None:
        for outgoing in list(self.streams):
            await outgoing.put(link_pb2.ConnectResponse(command=command))


async def eventually(predicate, *, timeout_s: float = 10.0, what: str = "condition") -> None:
    """Poll ``predicate`` until true; generous timeout (the machine is shared)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        await asyncio.sleep(0.02)
