"""RoomLinkService: the server end of each room agent's long-lived stream."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import grpc

from controller import __version__
from controller.api.convert import command_to_pb, event_from_pb, session_to_pb, snapshot_from_pb
from controller.auth.interceptor import current_principal
from controller.catalog_publish import CatalogOfferView, CatalogPublisher
from controller.rooms.board import RoomBoard
from controller.rooms.commands import RoomCommand
from controller.rooms.model import parse_room_name
from ktv.errors import Conflict, FailedPrecondition, InvalidArgument, KtvError, Unavailable
from ktv.v1 import link_pb2, link_pb2_grpc

log = logging.getLogger(__name__)

HELLO_TIMEOUT_S = 10.0


class _End:
    def __init__(self, error: KtvError | None) -> None:
        self.error = error


class AgentStream:
    """One connected agent as the board sees it (a CommandSink): an outgoing queue."""

    def __init__(self, room_id: str, catalog_schema: int = 0) -> None:
        self.room_id = room_id
        self.catalog_schema = catalog_schema  # the newest catalog schema the agent reads
        self.outgoing: asyncio.Queue[link_pb2.ConnectResponse | _End] = asyncio.Queue()

    def deliver(self, command: RoomCommand) -> None:
        self.outgoing.put_nowait(link_pb2.ConnectResponse(command=command_to_pb(command)))

    def offer(self, offer: CatalogOfferView) -> None:
        self.outgoing.put_nowait(link_pb2.ConnectResponse(catalog_offer=catalog_offer_pb(offer)))

    def replaced(self) -> None:
        self.outgoing.put_nowait(
            _End(
                Conflict(
                    f"a newer connection for rooms/{self.room_id} replaced this one",
                    reason="REPLACED",
                )
            )
        )

    def shutting_down(self) -> None:
        self.outgoing.put_nowait(
            _End(Unavailable("controller is shutting down", reason="SHUTTING_DOWN"))
        )


def catalog_offer_pb(offer: CatalogOfferView) -> link_pb2.CatalogOffer:
    v = offer.version
    return link_pb2.CatalogOffer(
        number=v.number,
        version=v.version,
        schema=v.schema,
        size_bytes=v.size,
        sha256=v.sha256,
        deltas=[
            link_pb2.CatalogDeltaOffer(base_number=d.base, size_bytes=d.size, sha256=d.sha256)
            for d in offer.deltas
        ],
    )


class RoomLinkServicer(link_pb2_grpc.RoomLinkServiceServicer):
    def __init__(
        self, board: RoomBoard, venue_id: str, catalog: CatalogPublisher | None = None
    ) -> None:
        self.board = board
        self.venue_id = venue_id
        self.catalog = catalog
        self._streams: dict[str, AgentStream] = {}
        if catalog is not None:
            catalog.subscribe(self._offer_everyone)

    def _offer_everyone(self, _version: object) -> int:
        """A new catalog version: offer each connected room what it can take (event loop)."""
        offered = 0
        for stream in list(self._streams.values()):
            offered += self._offer(stream)
        return offered

    def _offer(self, stream: AgentStream) -> int:
        if self.catalog is None:
            return 0
        offer = self.catalog.offer_for(stream.catalog_schema)
        if offer is None:
            return 0
        stream.offer(offer)
        return 1

    async def ReadCatalogChunk(
        self, request: link_pb2.ReadCatalogChunkRequest, context: grpc.aio.ServicerContext
    ) -> link_pb2.ReadCatalogChunkResponse:
        parse_room_name(request.room)  # the interceptor checked it is the caller's room
        if self.catalog is None:
            raise FailedPrecondition(
                "this controller publishes no catalog (serve --catalog PATH)",
                reason="CATALOG_NOT_PUBLISHED",
            )
        data, size, sha = await asyncio.to_thread(
            self.catalog.read_chunk,
            request.number,
            request.base_number,
            request.offset,
            request.max_bytes,
        )
        return link_pb2.ReadCatalogChunkResponse(
            data=data, offset=request.offset, size_bytes=size, sha256=sha
        )

    async def Connect(
        self, requests: AsyncIterator[link_pb2.ConnectRequest], context: grpc.aio.ServicerContext
    ) -> AsyncIterator[link_pb2.ConnectResponse]:
        principal = current_principal()
        try:
            first = await asyncio.wait_for(anext(aiter(requests)), HELLO_TIMEOUT_S)
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise InvalidArgument("no hello within 10 s", reason="NO_HELLO") from None
        if first.WhichOneof("msg") != "hello":
            raise InvalidArgument("the first message must be hello", reason="NO_HELLO")
        room_id = parse_room_name(first.hello.room)
        principal.require_room(room_id)
        stream = AgentStream(room_id, max(first.hello.catalog_schema, 0))
        welcome = self.board.attach_agent(
            room_id,
            first.hello.agent_version[:64],
            context.peer() or "",
            stream,
            heartbeat_interval_s=min(max(first.hello.heartbeat_interval_seconds, 0), 3600),
            catalog_version=first.hello.catalog_version[:64],
        )
        self._streams[room_id] = stream
        self._offer(stream)  # queued behind the Welcome
        reader = asyncio.create_task(self._read(room_id, requests, stream))
        try:
            yield link_pb2.ConnectResponse(
                welcome=link_pb2.ControllerWelcome(
                    controller_version=__version__,
                    venue_id=self.venue_id,
                    offline_after_seconds=round(welcome.offline_after_s),
                    session=session_to_pb(
                        welcome.room, self.board.guest_url(room_id, welcome.room.session)
                    ),
                    emergency=welcome.emergency.active,
                    emergency_message=welcome.emergency.message,
                )
            )
            while True:
                item = await stream.outgoing.get()
                if isinstance(item, _End):
                    if item.error is not None:
                        raise item.error
                    return
                yield item
        finally:
            reader.cancel()
            if self._streams.get(room_id) is stream:
                del self._streams[room_id]
            self.board.detach_agent(room_id, stream)

    async def _read(
        self,
        room_id: str,
        requests: AsyncIterator[link_pb2.ConnectRequest],
        stream: AgentStream,
    ) -> None:
        try:
            async for request in requests:
                which = request.WhichOneof("msg")
                if which == "heartbeat":
                    self.board.agent_seen(room_id, stream)
                    if request.heartbeat.catalog_version:
                        self.board.agent_catalog(
                            room_id, stream, request.heartbeat.catalog_version[:64]
                        )
                elif which == "event":
                    event = event_from_pb(room_id, request.event, self.board.clock())
                    self.board.record_event(event, stream)
                    stream.outgoing.put_nowait(
                        link_pb2.ConnectResponse(ack=link_pb2.EventAck(event_ids=[event.event_id]))
                    )
                elif which == "command_result":
                    self.board.agent_seen(room_id, stream)
                    result = request.command_result
                    self.board.command_answered(
                        room_id, stream, result.command_id, result.ok, result.error[:500]
                    )
                    if not result.ok:
                        log.warning(
                            "rooms/%s refused command %s: %s",
                            room_id,
                            result.command_id,
                            result.error,
                        )
                elif which == "queue_snapshot":
                    self.board.agent_seen(room_id, stream)
                    self.board.queue_reported(
                        room_id, stream, snapshot_from_pb(request.queue_snapshot)
                    )
                elif which == "hello":
                    raise InvalidArgument("hello was already sent", reason="DUPLICATE_HELLO")
            stream.outgoing.put_nowait(_End(None))  # the agent half-closed: end cleanly
        except KtvError as error:
            stream.outgoing.put_nowait(_End(error))
        except asyncio.CancelledError:
            raise
        except grpc.aio.AioRpcError:
            stream.outgoing.put_nowait(_End(None))
        except Exception as error:  # keep the stream's owner informed, never hang it
            log.exception("link reader for rooms/%s failed", room_id)
            stream.outgoing.put_nowait(_End(Unavailable(f"link reader failed: {error}")))
