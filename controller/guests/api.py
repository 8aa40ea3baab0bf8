"""GuestService over gRPC: a phone in the room (手机点歌). Thin: identity in
:mod:`controller.guests.identity`, rules in :mod:`controller.guests.model`."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable, Mapping
from typing import TypeVar

import grpc
from google.protobuf.message import Message

from controller.api.convert import event_from_pb, room_control_from_pb, ts
from controller.api.idempotent import answered, once
from controller.app import ControllerApp, register_service_module
from controller.auth.interceptor import current_principal
from controller.auth.model import STAFF_ROLES, Principal, Role
from controller.auth.permissions import PUBLIC, Permission, service_rows
from controller.guests import schema as _schema  # noqa: F401 - registers the migrations
from controller.guests.authenticator import GuestAuthenticator
from controller.guests.identity import GuestRegistry, join_url
from controller.guests.model import (
    AGENT_ANSWER_TIMEOUT_S,
    GuestSettings,
    PhonePermissions,
    TokenBucket,
    note_input,
)
from controller.guests.search import CatalogSearch, next_token, song_query
from controller.rooms import commands
from controller.rooms.board import RoomBoard
from controller.rooms.model import parse_room_name
from ktv.errors import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unavailable,
)
from ktv.room_link import QueueSnapshot, RoomControl, SnapshotEntry
from ktv.v1 import guest_pb2 as pb
from ktv.v1 import guest_pb2_grpc, link_pb2
from media_index.model import Song

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
        self.adds = TokenBucket(settings.adds_per_minute * per_minute, settings.adds_burst)
        self.searches = TokenBucket(
            settings.searches_per_minute * per_minute, max(10, settings.searches_per_minute // 8)
        )
        self.monotonic: Callable[[], float] = time.monotonic
        self._queues: dict[str, QueueSnapshot] = {}  # room id -> the agent's last report
        self._waiting: dict[str, asyncio.Future[tuple[bool, str]]] = {}  # command id -> answer
        self._nicknames: dict[str, str] = {}  # guest id -> nickname
        self.catalog = CatalogSearch(app.options.catalog)

    # --- GuestLinks (the board calls these) ---------------------------------------------------
    def url_for(self, room_id: str, session: str) -> str:
        code = self.registry.code_for(room_id, self.app.clock(), session=session)
        return join_url(self.base_url(), code.code) if code else ""

    def queue_reported(self, room_id: str, snapshot: QueueSnapshot) -> None:
        self._queues[room_id] = snapshot

    def command_answered(self, room_id: str, command_id: str, ok: bool, error: str) -> None:
        waiting = self._waiting.get(command_id)
        if waiting is not None and not waiting.done():
            waiting.set_result((ok, error))

    # --- the room's queue -----------------------------------------------------------------------
    def queue_of(self, room_id: str) -> QueueSnapshot | None:
        """The agent's last report, if it is of the session the room has open now."""
        snapshot = self._queues.get(room_id)
        session = self._session_of(room_id)
        if snapshot is None or not session or snapshot.session != session:
            return None
        return snapshot

    async def tell_agent(self, room_id: str, body: commands.CommandBody, command_id: str) -> None:
        """Send ``body`` to the room's agent and wait (bounded) for its answer: Unavailable
        when the agent is not connected or does not answer in time, FailedPrecondition with
        the agent's words when it refuses. ``command_id`` is derived from the request id, so
        a retried call is the same command (the agent applies each id once)."""
        loop = asyncio.get_running_loop()
        waiting: asyncio.Future[tuple[bool, str]] = loop.create_future()
        self._waiting[command_id] = waiting
        try:
            if not self.board.send(room_id, body, command_id):
                raise Unavailable(
                    f"rooms/{room_id}'s player is not connected: phones cannot change it now"
                    " (the room's touchscreen still works)",
                    reason="ROOM_OFFLINE",
                )
            try:
                async with asyncio.timeout(AGENT_ANSWER_TIMEOUT_S):
                    ok, error = await waiting
            except TimeoutError:
                raise Unavailable(
                    f"rooms/{room_id}'s player did not answer within {AGENT_ANSWER_TIMEOUT_S:g} s;"
                    " try again",
                    reason="ROOM_NOT_ANSWERING",
                ) from None
        finally:
            self._waiting.pop(command_id, None)
        if not ok:
            raise FailedPrecondition(f"the room refused: {error}", reason="ROOM_REFUSED")

    def check_order(self, items: list[tuple[str, int]]) -> None:
        """A phone's order: refused when the venue turned phone orders off, or when a line
        is over the venue's bound for phones (a crate, not a pallet)."""
        if not self.settings.permissions.may_order:
            raise PermissionDenied(
                "this venue takes orders from the staff, not from phones",
                reason="PHONE_NOT_ALLOWED",
            )
        most = self.settings.order_max_quantity
        for sku, quantity in items:
            if quantity > most:
                raise InvalidArgument(
                    f"a phone orders at most {most} of one item ({sku[:40]}: {quantity});"
                    " ask the staff for more",
                    reason="PHONE_ORDER_TOO_LARGE",
                )

    def nickname(self, principal: Principal) -> str:
        if principal.role is not Role.GUEST:
            return ""
        name = self._nicknames.get(principal.credential_id)
        if name is None:
            record = self.registry.guest(principal.credential_id)
            name = record.nickname if record else ""
            self._nicknames[principal.credential_id] = name
        return name

    def pace(self, bucket: TokenBucket, principal: Principal, what: str) -> None:
        """One phone's pace (token bucket per guest id): RESOURCE_EXHAUSTED RATE_LIMITED over
        it. Staff are not paced here."""
        if principal.role is not Role.GUEST:
            return
        wait = bucket.take(principal.credential_id, self.monotonic())
        if wait > 0:
            raise ResourceExhausted(
                f"this phone {what} too fast; try again in {max(wait, 0.1):.1f} s",
                reason="RATE_LIMITED",
            )

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
        snapshot = self.rooms.queue_of(room.room_id)
        if snapshot is None:
            return view
        principal = current_principal()
        me = principal.credential_id if principal.role is Role.GUEST else None
        playing = snapshot.now_playing
        if playing is not None:
            view.now_playing.CopyFrom(
                pb.NowPlaying(
                    song=_song(playing, snapshot.duration_s),
                    added_by=playing.added_by,
                    position_seconds=snapshot.position_s,
                    accompaniment=snapshot.accompaniment,
                    volume_percent=snapshot.volume_percent,
                )
            )
        for entry in snapshot.queue:
            view.queue.append(
                pb.QueueEntry(
                    entry_id=entry.entry_id,
                    song=_song(entry),
                    added_by=entry.added_by,
                    mine=me is not None and entry.guest_id == me,
                    add_time=ts(entry.added_at),
                )
            )
        return view

    async def SearchSongs(
        self, request: pb.SearchSongsRequest, context: object
    ) -> pb.SearchSongsResponse:
        principal = current_principal()
        parse_room_name(request.room)
        query = song_query(
            request.query,
            request.artist,
            request.language,
            request.char_count,
            request.page_size,
            request.page_token,
        )
        self.rooms.pace(self.rooms.searches, principal, "searches")
        page = await asyncio.to_thread(self.rooms.catalog.search, query)
        return pb.SearchSongsResponse(
            songs=[song_pb(song) for song in page.songs],
            total=page.total,
            total_capped=page.total_capped,
            next_page_token=next_token(query, page),
        )

    async def QueueSong(
        self, request: pb.QueueSongRequest, context: object
    ) -> pb.QueueSongResponse:
        method = "/ktv.v1.GuestService/QueueSong"
        principal = current_principal()
        room_id = parse_room_name(request.room)
        stored = answered(self.store, method, request, pb.QueueSongResponse)
        if stored is not None:
            return stored
        if not request.song_id.strip():
            raise InvalidArgument("song_id is required", reason="SONG_ID_REQUIRED")
        top_refused = not self.rooms.settings.permissions.may_queue_top
        if request.top and principal.role is Role.GUEST and top_refused:
            raise PermissionDenied(
                "this venue does not let phones put songs at the top (优先)",
                reason="PHONE_NOT_ALLOWED",
            )
        self.rooms.pace(self.rooms.adds, principal, "adds songs")
        self._require_session(room_id)
        command_id = _command_id(method, request.request_id)
        entry_id = command_id[:12]
        nickname = self.rooms.nickname(principal)
        guest_id = principal.credential_id if principal.role is Role.GUEST else ""
        body = commands.GuestQueueSong(
            song_id=request.song_id.strip(),
            entry_id=entry_id,
            guest_id=guest_id,
            nickname=nickname,
            top=request.top,
        )
        await self.rooms.tell_agent(room_id, body, command_id)
        known = await asyncio.to_thread(self.rooms.catalog.song, body.song_id)
        entry = pb.QueueEntry(
            entry_id=entry_id,
            song=song_pb(known) if known else pb.GuestSong(song_id=body.song_id),
            added_by=nickname,
            mine=bool(guest_id),
            add_time=ts(self.rooms.app.clock()),
        )
        response = pb.QueueSongResponse(entry=entry)
        return once(self.store, method, request, pb.QueueSongResponse, lambda: response)

    async def RemoveQueuedSong(
        self, request: pb.RemoveQueuedSongRequest, context: object
    ) -> pb.RemoveQueuedSongResponse:
        method = "/ktv.v1.GuestService/RemoveQueuedSong"
        principal = current_principal()
        room_id = parse_room_name(request.room)
        stored = answered(self.store, method, request, pb.RemoveQueuedSongResponse)
        if stored is not None:
            return stored
        if not request.entry_id.strip():
            raise InvalidArgument("entry_id is required", reason="ENTRY_ID_REQUIRED")
        self.rooms.pace(self.rooms.adds, principal, "changes the queue")
        self._require_session(room_id)
        guest_id = principal.credential_id if principal.role is Role.GUEST else ""
        found = _find(self.rooms.queue_of(room_id), request.entry_id)
        if guest_id and found is not None and found.guest_id != guest_id:
            raise PermissionDenied(
                "a phone removes only the songs it added", reason="NOT_YOUR_SONG"
            )
        body = commands.GuestRemoveSong(entry_id=request.entry_id[:64], guest_id=guest_id)
        await self.rooms.tell_agent(room_id, body, _command_id(method, request.request_id))
        response = pb.RemoveQueuedSongResponse()
        return once(self.store, method, request, pb.RemoveQueuedSongResponse, lambda: response)

    async def ControlRoom(
        self, request: pb.ControlRoomRequest, context: object
    ) -> pb.ControlRoomResponse:
        method = "/ktv.v1.GuestService/ControlRoom"
        principal = current_principal()
        room_id = parse_room_name(request.room)
        stored = answered(self.store, method, request, pb.ControlRoomResponse)
        if stored is not None:
            return stored
        control = room_control_from_pb(request.control)
        if principal.role is Role.GUEST and not _allowed(control, self.rooms.settings.permissions):
            raise PermissionDenied(
                f"this venue does not let phones use {control.value}", reason="PHONE_NOT_ALLOWED"
            )
        self.rooms.pace(self.rooms.adds, principal, "uses the controls")
        self._require_session(room_id)
        guest_id = principal.credential_id if principal.role is Role.GUEST else ""
        body = commands.GuestControl(control=control, guest_id=guest_id)
        await self.rooms.tell_agent(room_id, body, _command_id(method, request.request_id))
        response = pb.ControlRoomResponse()
        return once(self.store, method, request, pb.ControlRoomResponse, lambda: response)

    async def CallService(
        self, request: pb.CallServiceRequest, context: object
    ) -> pb.CallServiceResponse:
        """The same alert as the touchscreen's button: a ServiceCalled event on the board
        (kept once per request id: the event id is derived from it), agent online or not."""
        method = "/ktv.v1.GuestService/CallService"
        principal = current_principal()
        room_id = parse_room_name(request.room)
        note = note_input(request.note)
        self._require_session(room_id)

        def act() -> pb.CallServiceResponse:
            self.rooms.pace(self.rooms.adds, principal, "calls service")
            who = self.rooms.nickname(principal)
            text = (
                f"{who}: {note}" if who and note else (note or (f"{who} 手机呼叫" if who else ""))
            )
            msg = link_pb2.RoomEvent(event_id=_command_id(method, request.request_id))
            msg.occur_time.CopyFrom(ts(self.rooms.app.clock()))
            msg.service_called.kind = "service"
            msg.service_called.note = text[:200]
            event = event_from_pb(room_id, msg, self.rooms.app.clock())
            self.rooms.board.record_event(event)
            return pb.CallServiceResponse()

        return once(self.store, method, request, pb.CallServiceResponse, act)

    def _require_session(self, room_id: str) -> None:
        if not self.rooms.board.get(room_id).session:
            raise FailedPrecondition(
                f"rooms/{room_id} has no open session", reason="NO_OPEN_SESSION"
            )

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
            self.store.after_commit(lambda: self.rooms.board.resend_session(room_id))
            return pb.RevokeGuestCodeResponse(url=url, guests_revoked=revoked)

        return self._once("RevokeGuestCode", request, pb.RevokeGuestCodeResponse, act)


def _command_id(method: str, request_id: str) -> str:
    """The command id for a phone's request: the same request id is the same command, which
    the room applies once."""
    return hashlib.sha256(f"{method}\0{request_id}".encode()).hexdigest()[:32]


def song_pb(song: Song) -> pb.GuestSong:
    return pb.GuestSong(
        song_id=song.song_id,
        title=song.title,
        artist=" / ".join(song.artists),
        language=song.language,
        duration_seconds=song.duration_ms // 1000,
        has_lyrics=bool(song.lyrics_path),
    )


def _find(snapshot: QueueSnapshot | None, entry_id: str) -> SnapshotEntry | None:
    if snapshot is None:
        return None
    return next((e for e in snapshot.queue if e.entry_id == entry_id), None)


def _song(entry: SnapshotEntry, duration_s: int = 0) -> pb.GuestSong:
    return pb.GuestSong(
        song_id=entry.song_id, title=entry.title, artist=entry.artist, duration_seconds=duration_s
    )


def _allowed(control: RoomControl, perms: PhonePermissions) -> bool:
    match control:
        case RoomControl.SKIP | RoomControl.REPLAY | RoomControl.PAUSE_RESUME:
            return perms.may_skip
        case RoomControl.ORIGINAL_VOCAL | RoomControl.ACCOMPANIMENT:
            return perms.may_switch_vocal
        case RoomControl.VOLUME_UP | RoomControl.VOLUME_DOWN:
            return perms.may_change_volume
    return False


class GuestModule:
    def permissions(self) -> Mapping[str, Permission]:
        return GUEST_SERVICE

    def add_to_server(self, server: grpc.aio.Server, app: ControllerApp) -> list[str]:
        rooms = GuestRooms(app, _settings(app))
        app.parts["guest_rooms"] = rooms
        app.board.guest_links = rooms
        app.parts["guest_orders"] = rooms.check_order  # BillingService.PlaceOrder asks it
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
