"""``ktv.v1.GuestClubService`` and ``ktv.v1.DrawService`` (gRPC adapters) and their
permission rows: members on a guest's phone, the venue's draws."""

from __future__ import annotations

from collections.abc import Mapping

import grpc

from controller.app import ControllerApp, register_service_module
from controller.auth.model import STAFF_ROLES, Principal, Role
from controller.auth.permissions import Permission, service_rows
from controller.billing.service import BillingDesk
from controller.club import schema as _schema  # noqa: F401 - registers the club migrations
from controller.club.draw_desk import DrawDesk
from controller.club.phone import MemberPhone, SongLookup
from controller.club.servicer import DrawServicer, GuestClubServicer, RoomQueue
from controller.guests.api import GuestServicer
from controller.members.api import NOTIFICATIONS_FILE, desk_for
from controller.members.campaigns import FileNotifier
from controller.members.loyalty import LoyaltyDesk
from controller.members.outreach import Outreach
from ktv.errors import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    ResourceExhausted,
)
from ktv.v1 import club_pb2 as pb
from ktv.v1 import club_pb2_grpc
from ktv.v1.guest_pb2 import QueueSongRequest
from ktv.v1.guest_pb2_grpc import GuestServiceServicer

GUESTS = frozenset({Role.GUEST})
MANAGER_UP = frozenset({Role.MANAGER, Role.ADMIN})
# The part GuestService puts in ``app.parts``: its queue path, for "queue them all".
ROOM_QUEUE_PART = "guest_room_queue"

GUEST_CLUB = service_rows(
    "ktv.v1.GuestClubService",
    {
        "SendSignInCode": Permission(GUESTS, room_field="room"),
        "SignInMember": Permission(GUESTS, room_field="room"),
        "SignOutMember": Permission(GUESTS, room_field="room"),
        "GetMyAccount": Permission(GUESTS, room_field="room"),
        "ListSavedSongs": Permission(GUESTS, room_field="room"),
        "SaveSong": Permission(GUESTS, room_field="room"),
        "RemoveSavedSong": Permission(GUESTS, room_field="room"),
        "QueueSavedSongs": Permission(GUESTS, room_field="room"),
        "ListRoomDraws": Permission(GUESTS | STAFF_ROLES, room_field="room"),
    },
)
DRAWS = service_rows(
    "ktv.v1.DrawService",
    {
        "CreateDraw": Permission(MANAGER_UP),
        "GetDraw": Permission(STAFF_ROLES),
        "ListDraws": Permission(STAFF_ROLES),
        "RunDraw": Permission(MANAGER_UP),
    },
)
PERMISSIONS = {**GUEST_CLUB, **DRAWS}


def song_lookup(app: ControllerApp) -> SongLookup:
    """Song id -> (title, artist) from the master catalog; without one (no --catalog), any
    well-formed id is taken with an empty title (the room's agent knows the song)."""

    def lookup(song_id: str) -> tuple[str, str] | None:
        if app.catalog is None:
            return ("", "")
        try:
            song = app.catalog.catalog.get(song_id)
        except NotFound:
            return None
        return song.title, " / ".join(song.artists)

    return lookup


# A room's refusal of one song (the rest are still tried); anything else stops the batch.
SONG_REFUSALS = (InvalidArgument, NotFound, FailedPrecondition, ResourceExhausted)


def guest_queue(app: ControllerApp) -> RoomQueue | None:
    """GuestService.QueueSong's own path, called in-process as the same guest (the caller's
    Principal is the interceptor's context variable, still set): the explicit hook
    ``app.parts[ROOM_QUEUE_PART]`` if GuestService installs one, else its servicer built on
    ``app.parts["guest_rooms"]``; None while GuestService cannot queue."""
    hook = app.parts.get(ROOM_QUEUE_PART)
    if callable(hook):
        return hook  # type: ignore[return-value]
    rooms = app.parts.get("guest_rooms")
    if rooms is None or GuestServicer.QueueSong is GuestServiceServicer.QueueSong:
        return None
    servicer = GuestServicer(rooms)  # type: ignore[arg-type]

    async def queue(principal: Principal, room_id: str, song_id: str, request_id: str) -> bool:
        request = QueueSongRequest(room=f"rooms/{room_id}", song_id=song_id, request_id=request_id)
        try:
            await servicer.QueueSong(request, None)
        except SONG_REFUSALS:
            return False
        return True

    return queue


class ClubModule:
    def permissions(self) -> Mapping[str, Permission]:
        return PERMISSIONS

    def add_to_server(self, server: grpc.aio.Server, app: ControllerApp) -> list[str]:
        desk = desk_for(app.store, app.clock)
        outreach = Outreach(LoyaltyDesk(desk))
        notifier = FileNotifier(app.options.data_dir / NOTIFICATIONS_FILE)
        phone = MemberPhone(desk, outreach, notifier, song_lookup(app))
        billing = BillingDesk(app.board, clock=app.clock, limits=app.venue.limits)
        draw_desk = DrawDesk(billing, outreach.loyalty)

        def queue() -> RoomQueue | None:
            return guest_queue(app)

        club_pb2_grpc.add_GuestClubServiceServicer_to_server(
            GuestClubServicer(phone, draw_desk, queue), server
        )
        club_pb2_grpc.add_DrawServiceServicer_to_server(DrawServicer(draw_desk), server)
        return [
            pb.DESCRIPTOR.services_by_name["GuestClubService"].full_name,
            pb.DESCRIPTOR.services_by_name["DrawService"].full_name,
        ]


register_service_module(ClubModule)
