"""The permission table covers every RPC the controller's own services define."""

from __future__ import annotations

import pytest

from controller.auth.model import Role
from controller.auth.permissions import (
    AUTH_SERVICE,
    INFRASTRUCTURE,
    LINK_SERVICE,
    ROOM_SERVICE,
    Permission,
    PermissionTable,
)
from ktv.v1 import auth_pb2, link_pb2, rooms_pb2

OWN_SERVICES = [
    (rooms_pb2, "RoomService"),
    (auth_pb2, "AuthService"),
    (link_pb2, "RoomLinkService"),
]


def _methods() -> list[str]:
    return [
        f"/{module.DESCRIPTOR.services_by_name[name].full_name}/{method.name}"
        for module, name in OWN_SERVICES
        for method in module.DESCRIPTOR.services_by_name[name].methods
    ]


@pytest.mark.parametrize("method", _methods())
def test_every_rpc_has_exactly_one_rule(method: str) -> None:
    table = PermissionTable(INFRASTRUCTURE)
    table.allow({**ROOM_SERVICE, **AUTH_SERVICE, **LINK_SERVICE})
    assert table.rule_for(method) is not None, f"{method} has no permission row"


def test_only_sign_in_and_enrollment_are_open_to_anyone() -> None:
    public = {
        m for m, rule in {**ROOM_SERVICE, **AUTH_SERVICE, **LINK_SERVICE}.items() if rule.public
    }
    assert public == {"/ktv.v1.AuthService/Login", "/ktv.v1.AuthService/EnrollAgent"}


def test_agents_and_guests_reach_only_room_scoped_calls() -> None:
    rows = {**ROOM_SERVICE, **AUTH_SERVICE}
    for method, rule in rows.items():
        if rule.roles and (Role.AGENT in rule.roles or Role.GUEST in rule.roles):
            assert rule.room_field or method.endswith("/WhoAmI"), method


def test_two_services_cannot_claim_one_method_with_different_rules() -> None:
    table = PermissionTable({"/x.S/M": Permission(frozenset({Role.ADMIN}))})
    with pytest.raises(ValueError):
        table.allow({"/x.S/M": Permission(None)})
