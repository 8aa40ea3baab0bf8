"""GetEmergency: any staff member reads the venue-wide emergency state in force (a desk that
just loaded shows it); room agents are refused."""

from __future__ import annotations

import uuid

import grpc
import pytest

from ktv.v1 import auth_pb2, rooms_pb2
from tests.support.controller import RunningController, bearer


def _get(controller: RunningController, token: str) -> rooms_pb2.GetEmergencyResponse:
    return controller.rooms().GetEmergency(
        rooms_pb2.GetEmergencyRequest(), metadata=bearer(token), timeout=5
    )


def _set(controller: RunningController, active: bool, message: str = "") -> None:
    controller.rooms().SetEmergency(
        rooms_pb2.SetEmergencyRequest(active=active, message=message, request_id=uuid.uuid4().hex),
        metadata=controller.admin_md,
        timeout=5,
    )


def test_staff_read_the_emergency_in_force(controller: RunningController) -> None:
    waiter = controller.add_staff(f"w{uuid.uuid4().hex[:6]}", auth_pb2.ROLE_WAITER)
    assert not _get(controller, waiter).active
    _set(controller, True, "请从最近的安全出口离开")
    try:
        now = _get(controller, waiter)
        assert now.active and now.message == "请从最近的安全出口离开"
    finally:
        _set(controller, False)
    after = _get(controller, waiter)
    assert not after.active and after.message == ""


def test_a_room_agent_may_not_read_it(controller: RunningController, room_id: str) -> None:
    controller.add_room(room_id)
    agent = controller.enroll_agent(room_id)
    with pytest.raises(grpc.RpcError) as err:
        _get(controller, agent)
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
