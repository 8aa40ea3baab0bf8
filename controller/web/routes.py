"""Which RPCs the HTTP gateway serves: every unary RPC of ``ktv.v1`` that a staff role may call
per the one permission table, minus a named list with reasons. Read from the proto descriptors,
so a new RPC with a staff row is routed without touching this file."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass

from google.protobuf import descriptor_pool, message_factory
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import Message

import ktv.v1
from controller.auth.model import STAFF_ROLES, Role
from controller.auth.permissions import Permission, PermissionTable

# Every generated proto module of ktv.v1: a new .proto file's services are routed too.
PROTO_MODULES = tuple(
    importlib.import_module(f"ktv.v1.{info.name}")
    for info in pkgutil.iter_modules(ktv.v1.__path__)
    if info.name.endswith("_pb2")
)

# Unary RPCs a staff role may call that have an HTTP face of their own, or none on purpose.
NOT_ROUTED = {
    "AuthService/Login": "staff sign in with POST /api/session (sets the session cookie)",
    "AuthService/Logout": "staff sign out with DELETE /api/session",
    "AuthService/EnrollAgent": "room agents enroll over gRPC with a one-time code, never HTTP",
}
# Read-only RPCs also answered to GET with query parameters (no body, no CSRF): the room list
# a wall-board key may read.
GET_ROUTED = frozenset({"RoomService/ListRooms", "RoomService/GetRoom"})


@dataclass(frozen=True)
class Route:
    """One RPC served at ``POST /api/v1/{key}``."""

    service: str  # short name, "BillingService"
    method: str  # "Checkout"
    full_method: str  # "/ktv.v1.BillingService/Checkout": the permission table's key
    request_type: type[Message]
    response_type: type[Message]
    rule: Permission

    @property
    def key(self) -> str:
        return f"{self.service}/{self.method}"

    def allows(self, role: Role) -> bool:
        return self.rule.roles is not None and role in self.rule.roles


def _message_class(descriptor) -> type[Message]:  # type: ignore[no-untyped-def]
    return message_factory.GetMessageClass(descriptor)  # type: ignore[no-any-return]


def unary_methods() -> list[MethodDescriptor]:
    """Every unary RPC of the ``ktv.v1`` services, in file and declaration order."""
    pool = descriptor_pool.Default()
    found = []
    for module in PROTO_MODULES:
        for service in pool.FindFileByName(module.DESCRIPTOR.name).services_by_name.values():
            found += [
                m for m in service.methods if not m.client_streaming and not m.server_streaming
            ]
    return found


def routed(table: PermissionTable) -> dict[str, Route]:
    """``{"BillingService/Checkout": Route, ...}``: the RPCs a staff role or a guest's phone
    may call (their permission row names one), except ``NOT_ROUTED``."""
    routes: dict[str, Route] = {}
    for method in unary_methods():
        full = f"/{method.containing_service.full_name}/{method.name}"
        key = f"{method.containing_service.name}/{method.name}"
        rule = table.rule_for(full)
        if key in NOT_ROUTED or rule is None or rule.roles is None:
            continue
        if not rule.roles & (STAFF_ROLES | {Role.GUEST}):  # guest-only rows: the phone's page
            continue
        routes[key] = Route(
            service=method.containing_service.name,
            method=method.name,
            full_method=full,
            request_type=_message_class(method.input_type),
            response_type=_message_class(method.output_type),
            rule=rule,
        )
    return routes


def methods_for(routes: dict[str, Route], role: Role) -> list[str]:
    """The routed RPCs ``role`` may call (what the web app shows; the server refuses the rest
    anyway)."""
    return sorted(key for key, route in routes.items() if route.allows(role))
