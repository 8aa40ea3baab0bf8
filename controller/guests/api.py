"""GuestService over gRPC: a phone in the room (手机点歌). Thin: identity in
:mod:`controller.guests.identity`, rules in :mod:`controller.guests.model`."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import TypeVar

import grpc
from google.protobuf.message import Message

from controller.api.convert import ts
from controller.api.idempotent import once
from controller.app import ControllerApp, register_service_module
from controller.auth.interceptor import current_principal
from controller.auth.model import STAFF_ROLES, Role
from controller.auth.permissions import PUBLIC, Permission, service_rows
from controller.guests import schema as _schema  # noqa: F401 - registers the migrations
from controller.guests.authenticator import GuestAuthenticator
from controller.guests.identity import GuestRegistry, join_url
from controller.guests.model import GuestSettings, PhonePermissions, TokenBucket
from controller.rooms.board import RoomBoard
from controller.rooms.model import parse_room_name
from ktv.errors import NotFound, ResourceExhausted
from ktv.v1 import guest_pb2 as pb
from ktv.v1 import guest_pb2_grpc

log = logging.getLogger(__name__)
R = TypeVar("R", bound=Message)

GUESTS = frozenset({Role.GUEST})
GUESTS_AND_STAFF = GUESTS | STAFF_ROLES
CLIENT_ADDR_KEY = "x-ktv-client-addr"  # the HTTP gateway names the phone's address

GUEST_SERVICE = service_rows(
    "ktv.v1.GuestService",
    {
        "JoinRoom": PUBLIC,
        "GetRoomView": Permission(GUESTS_AND_STAFF, room_field="room"),
        "SearchSongs": Permission(GUESTS_AND_STAFF, room_field="room"),
        "QueueSong": Permission(GUESTS_AND_STAFF, room_field="room"),
        "RemoveQueuedSong": Permission(GUESTS_AND_STAFF, room_field="room"),
        "ControlRoom": Permission(GUESTS_AND_STAFF, room_field="room"),
        "CallService": Permission(GUESTS_AND_STAFF, room_field="room"),
        "GetGuestCode": Permission(STAFF_ROLES),
        "RevokeGuestCode": Permission(STAFF_ROLES),
    },
)


def permissions_pb(perms: PhonePermissions) -> pb.GuestPermissions:
    return pb.GuestPermissions(
        may_queue_top=perms.may_queue_top,
        may_skip=perms.may_skip,
        may_switch_vocal=perms.may_switch_vocal,
        may_change_volume=perms.may_change_volume,
        may_order=perms.may_order,
        may_pay=perms.may_pay,
    )


def peer_address(context: grpc.aio.ServicerContext) -> str:
    """The caller's address without its port; for a call through the HTTP gateway (a local
    socket), the phone's address the gateway names."""
    peer = context.peer() or ""
    kind, _, rest = peer.partition(":")
    local = kind == "unix" or rest.startswith(("127.0.0.1:", "[::1]:", "%5B::1%5D:"))
    if local:
        for key, value in context.invocation_metadata() or ():
            if key == CLIENT_ADDR_KEY and value:
                return str(value)[:64]
    return rest.rsplit(":", 1)[0] if kind in ("ipv4", "ipv6") else peer


class GuestRooms:
    """What GuestService needs of the controller: the board, the registry, the settings, the
    venue's web address (known once the HTTP side listens)."""

    def __init__(self, app: ControllerApp, settings: GuestSettings) -> None:
        self.app = app
        self.board: RoomBoard = app.board
        self.settings = settings
        self.registry = GuestRegistry(app.store, self._session_of, settings.credential_ttl_s)
        per_minute = 1 / 60.0
        self.joins_by_address = TokenBucket(
            settings.joins_per_minute_per_address * per_minute,
            max(3, settings.joins_per_minute_per_address // 4),
        )
        self.joins_by_code = TokenBucket(
            settings.joins_per_minute_per_code * per_minute,
            max(6, settings.joins_per_minute_per_code // 4),
        )
        self.monotonic: Callable[[], float] = time.monotonic

    def _session_of(self, room_id: str) -> str:
        try:
            return self.board.get(room_id).session
        except NotFound:
            return ""

    def base_url(self) -> str:
        if self.settings.base_url:
            return self.settings.base_url
        web = self.app.parts.get("web_url")
        if isinstance(web, str) and web:
            return web
        host = self.app.options.listen.rsplit(":", 1)[0].strip("[]")
        return f"http://{'127.0.0.1' if host in ('', '0.0.0.0', '::') else host}:8443"

    def url_for(self, room_id: str) -> str:
        """The URL the room's QR code shows now ("" when no session is open)."""
        code = self.registry.code_for(room_id, self.app.clock())
        return join_url(self.base_url(), code.code) if code else ""

    def check_join_rate(self, address: str, code: str) -> None:
        now = self.monotonic()
        wait = max(
            self.joins_by_address.take(address, now),
            self.joins_by_code.take(code[:64], now),
        )
        if wait > 0:
            raise ResourceExhausted(
                f"too many joins; try again in {wait:.0f} s", reason="TOO_MANY_JOINS"
            )


class GuestServicer(guest_pb2_grpc.GuestServiceServicer):
    def __init__(self, rooms: GuestRooms) -> None:
        self.rooms = rooms
        self.store = rooms.app.store

    def _once(self, method: str, request: Message, rtype: type[R], action: Callable[[], R]) -> R:
        return once(self.store, f"/ktv.v1.GuestService/{method}", request, rtype, action)

    async def JoinRoom(
        self, request: pb.JoinRoomRequest, context: grpc.aio.ServicerContext
    ) -> pb.JoinRoomResponse:
        self.rooms.check_join_rate(peer_address(context), request.code)
        joined = self.rooms.registry.join(request.code, request.nickname, self.rooms.app.clock())
        room = self.rooms.board.get(joined.room_id)
        log.info("guest %s joined rooms/%s", joined.guest_id, joined.room_id)
        return pb.JoinRoomResponse(
            guest=f"guests/{joined.guest_id}",
            credential=joined.credential,
            room=room.name,
            room_name=room.display_name,
            venue_name=self.rooms.app.venue.name or self.rooms.app.venue.venue_id,
            nickname=joined.nickname,
            permissions=permissions_pb(self.rooms.settings.permissions),
            expire_time=ts(joined.expire_time),
        )

    async def GetRoomView(
        self, request: pb.GetRoomViewRequest, context: object
    ) -> pb.GetRoomViewResponse:
        room = self.rooms.board.get(parse_room_name(request.room))
        view = pb.GetRoomViewResponse(
            room=room.name,
            room_name=room.display_name,
            agent_online=room.agent.online and self.rooms.board.is_connected(room.room_id),
            permissions=permissions_pb(self.rooms.settings.permissions),
            session_open=bool(room.session),
        )
        if room.session_ends_at is not None:
            view.end_time.CopyFrom(ts(room.session_ends_at))
        return view

    async def GetGuestCode(
        self, request: pb.GetGuestCodeRequest, context: object
    ) -> pb.GetGuestCodeResponse:
        room_id = parse_room_name(request.room)
        self.rooms.board.get(room_id)
        code = self.rooms.registry.code_for(room_id, self.rooms.app.clock())
        if code is None:
            return pb.GetGuestCodeResponse()
        return pb.GetGuestCodeResponse(
            url=join_url(self.rooms.base_url(), code.code),
            issue_time=ts(code.issued_at),
            guests_joined=self.rooms.registry.guests_joined(code.code_id),
        )

    async def RevokeGuestCode(
        self, request: pb.RevokeGuestCodeRequest, context: object
    ) -> pb.RevokeGuestCodeResponse:
        room_id = parse_room_name(request.room)
        self.rooms.board.get(room_id)

        def act() -> pb.RevokeGuestCodeResponse:
            code, revoked = self.rooms.registry.revoke(room_id, self.rooms.app.clock())
            log.info(
                "%s revoked rooms/%s's guest code (%d phones): %s",
                current_principal().describe(),
                room_id,
                revoked,
                request.reason[:200],
            )
            url = join_url(self.rooms.base_url(), code.code) if code else ""
            return pb.RevokeGuestCodeResponse(url=url, guests_revoked=revoked)

        return self._once("RevokeGuestCode", request, pb.RevokeGuestCodeResponse, act)


class GuestModule:
    def permissions(self) -> Mapping[str, Permission]:
        return GUEST_SERVICE

    def add_to_server(self, server: grpc.aio.Server, app: ControllerApp) -> list[str]:
        rooms = GuestRooms(app, _settings(app))
        app.parts["guest_rooms"] = rooms
        # First in the chain: the bearer authenticator refuses a "Guest" scheme.
        app.authenticators.insert(0, GuestAuthenticator(rooms.registry, app.clock))
        guest_pb2_grpc.add_GuestServiceServicer_to_server(GuestServicer(rooms), server)
        return [pb.DESCRIPTOR.services_by_name["GuestService"].full_name]


def _settings(app: ControllerApp) -> GuestSettings:
    import tomllib

    from controller.guests.model import guest_settings

    path = app.options.venue_config
    if path is None:
        return GuestSettings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return GuestSettings()  # load_venue_config reports a broken file
    return guest_settings(data)


register_service_module(GuestModule)
