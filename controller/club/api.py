"""``ktv.v1.GuestClubService`` and ``ktv.v1.DrawService`` (gRPC adapters) and their
permission rows: members on a guest's phone, the venue's draws."""

from __future__ import annotations

from collections.abc import Mapping

import grpc

from controller.app import ControllerApp, register_service_module
from controller.auth.model import STAFF_ROLES, Role
from controller.auth.permissions import Permission, service_rows
from controller.billing.service import BillingDesk
from controller.club import schema as _schema  # noqa: F401 - registers the club migrations
from controller.club.draw_desk import DrawDesk
from controller.club.phone import MemberPhone, SongLookup
from controller.club.servicer import DrawServicer, GuestClubServicer, RoomQueue
from controller.members.api import NOTIFICATIONS_FILE, desk_for
from controller.members.campaigns import FileNotifier
from controller.members.loyalty import LoyaltyDesk
from controller.members.outreach import Outreach
from ktv.errors import NotFound
from ktv.v1 import club_pb2 as pb
from ktv.v1 import club_pb2_grpc

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
            found = app.parts.get(ROOM_QUEUE_PART)
            return found if callable(found) else None  # type: ignore[return-value]

        club_pb2_grpc.add_GuestClubServiceServicer_to_server(
            GuestClubServicer(phone, draw_desk, queue), server
        )
        club_pb2_grpc.add_DrawServiceServicer_to_server(DrawServicer(draw_desk), server)
        return [
            pb.DESCRIPTOR.services_by_name["GuestClubService"].full_name,
            pb.DESCRIPTOR.services_by_name["DrawService"].full_name,
        ]


register_service_module(ClubModule)
