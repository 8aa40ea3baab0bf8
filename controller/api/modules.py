"""The built-in service modules: rooms, the room link, auth."""

from __future__ import annotations

from collections.abc import Mapping

import grpc

from controller.api.auth import AuthServicer
from controller.api.link import RoomLinkServicer
from controller.api.rooms import RoomServicer
from controller.app import ControllerApp, register_service_module
from controller.auth.permissions import AUTH_SERVICE, LINK_SERVICE, ROOM_SERVICE, Permission
from ktv.v1 import auth_pb2, auth_pb2_grpc, link_pb2, link_pb2_grpc, rooms_pb2, rooms_pb2_grpc


def _full_name(module: object, service: str) -> str:
    return module.DESCRIPTOR.services_by_name[service].full_name  # type: ignore[attr-defined]


class RoomsModule:
    def permissions(self) -> Mapping[str, Permission]:
        return {**ROOM_SERVICE, **LINK_SERVICE}

    def add_to_server(self, server: grpc.aio.Server, app: ControllerApp) -> list[str]:
        rooms_pb2_grpc.add_RoomServiceServicer_to_server(RoomServicer(app.board), server)
        link_pb2_grpc.add_RoomLinkServiceServicer_to_server(
            RoomLinkServicer(app.board, app.venue.venue_id, app.catalog), server
        )
        return [_full_name(rooms_pb2, "RoomService"), _full_name(link_pb2, "RoomLinkService")]


class AuthModule:
    def permissions(self) -> Mapping[str, Permission]:
        return AUTH_SERVICE

    def add_to_server(self, server: grpc.aio.Server, app: ControllerApp) -> list[str]:
        servicer = AuthServicer(
            app.board,
            app.credentials,
            venue_tls=app.venue_tls,
            room_certificates=app.room_certificates,
        )
        auth_pb2_grpc.add_AuthServiceServicer_to_server(servicer, server)
        return [_full_name(auth_pb2, "AuthService")]


register_service_module(RoomsModule)
register_service_module(AuthModule)
