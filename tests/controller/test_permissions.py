"""One interceptor, one permission table: each role gets exactly what it may do."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import grpc
import pytest

from controller.auth.credentials import Credentials
from controller.auth.model import Role
from controller.store.db import open_store
from ktv.v1 import auth_pb2, link_pb2, link_pb2_grpc, rooms_pb2
from tests.support.controller import RunningController, bearer
from tests.support.link import AgentLink


def _code(call) -> grpc.StatusCode:  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.RpcError) as err:
        call()
    return err.value.code()


def _guest_token(controller: RunningController, room_id: str) -> str:
    """Guests get tokens from billing (later); here we issue one straight into the store the
    running controller reads, as billing will."""
    store = open_store(controller.data_dir / "controller.db", migrate=False)
    try:
        with store.transaction():
            issued = Credentials(store).issue_token(
                Role.GUEST, now=datetime.now(UTC), room_id=room_id, ttl_s=3600
            )
        return issued.token
    finally:
        store.close()


@pytest.fixture(scope="module")
def venue(controller: RunningController) -> dict[str, str]:
    suffix = uuid.uuid4().hex[:4]
    a08, b02 = f"A08{suffix}", f"B02{suffix}"
    controller.add_room(a08)
    controller.add_room(b02)
    return {
        "a08": a08,
        "b02": b02,
        "agent_a08": controller.enroll_agent(a08),
        "waiter": controller.add_staff(f"waiter{suffix}", auth_pb2.ROLE_WAITER),
        "technician": controller.add_staff(f"tech{suffix}", auth_pb2.ROLE_TECHNICIAN),
        "guest_a08": _guest_token(controller, a08),
    }


def _get(controller: RunningController, token: str | None, room_id: str) -> rooms_pb2.Room:
    return (
        controller.rooms()
        .GetRoom(
            rooms_pb2.GetRoomRequest(name=f"rooms/{room_id}"),
            metadata=bearer(token) if token else (),
            timeout=5,
        )
        .room
    )


def _create(controller: RunningController, token: str) -> None:
    controller.rooms().CreateRoom(
        rooms_pb2.CreateRoomRequest(
            room_id=f"N{uuid.uuid4().hex[:6]}", tier="small", request_id=uuid.uuid4().hex
        ),
        metadata=bearer(token),
        timeout=5,
    )


def test_no_token_is_unauthenticated(controller: RunningController, venue: dict) -> None:
    assert _code(lambda: _get(controller, None, venue["a08"])) == grpc.StatusCode.UNAUTHENTICATED


def test_a_made_up_token_is_unauthenticated(controller: RunningController, venue: dict) -> None:
    assert (
        _code(lambda: _get(controller, "ktv_madeup", venue["a08"]))
        == grpc.StatusCode.UNAUTHENTICATED
    )


def test_a_malformed_authorization_header_is_unauthenticated(
    controller: RunningController, venue: dict
) -> None:
    call = lambda: controller.rooms().GetRoom(  # noqa: E731
        rooms_pb2.GetRoomRequest(name=f"rooms/{venue['a08']}"),
        metadata=(("authorization", "Basic abc"),),
        timeout=5,
    )
    assert _code(call) == grpc.StatusCode.UNAUTHENTICATED


def test_the_agent_of_a08_sees_its_own_room_but_not_b02(
    controller: RunningController, venue: dict
) -> None:
    assert _get(controller, venue["agent_a08"], venue["a08"]).name == f"rooms/{venue['a08']}"
    assert (
        _code(lambda: _get(controller, venue["agent_a08"], venue["b02"]))
        == grpc.StatusCode.PERMISSION_DENIED
    )


def test_the_agent_of_a08_cannot_connect_as_b02(controller: RunningController, venue: dict) -> None:
    with pytest.raises(AssertionError):
        AgentLink(controller.address, venue["agent_a08"], venue["b02"])
    stub = link_pb2_grpc.RoomLinkServiceStub(controller.channel())
    hello = link_pb2.ConnectRequest(hello=link_pb2.AgentHello(room=f"rooms/{venue['b02']}"))
    call = stub.Connect(iter([hello]), metadata=bearer(venue["agent_a08"]), timeout=5)
    assert _code(lambda: list(call)) == grpc.StatusCode.PERMISSION_DENIED


def test_the_agent_cannot_call_staff_rpcs(controller: RunningController, venue: dict) -> None:
    token = venue["agent_a08"]
    assert _code(lambda: _create(controller, token)) == grpc.StatusCode.PERMISSION_DENIED
    list_call = lambda: controller.rooms().ListRooms(  # noqa: E731
        rooms_pb2.ListRoomsRequest(), metadata=bearer(token), timeout=5
    )
    assert _code(list_call) == grpc.StatusCode.PERMISSION_DENIED


def test_staff_cannot_open_a_room_link(controller: RunningController, venue: dict) -> None:
    stub = link_pb2_grpc.RoomLinkServiceStub(controller.channel())
    hello = link_pb2.ConnectRequest(hello=link_pb2.AgentHello(room=f"rooms/{venue['a08']}"))
    call = stub.Connect(iter([hello]), metadata=bearer(venue["waiter"]), timeout=5)
    assert _code(lambda: list(call)) == grpc.StatusCode.PERMISSION_DENIED


def test_a_waiter_sees_the_board_but_cannot_add_rooms(
    controller: RunningController, venue: dict
) -> None:
    assert _get(controller, venue["waiter"], venue["b02"]).tier == "large"
    assert _code(lambda: _create(controller, venue["waiter"])) == grpc.StatusCode.PERMISSION_DENIED


def test_a_technician_adds_rooms_but_cannot_create_staff(
    controller: RunningController, venue: dict
) -> None:
    _create(controller, venue["technician"])
    call = lambda: controller.auth().CreateStaff(  # noqa: E731
        auth_pb2.CreateStaffRequest(
            staff_id="mallory", role=auth_pb2.ROLE_ADMIN, pin="0000", request_id="x1"
        ),
        metadata=bearer(venue["technician"]),
        timeout=5,
    )
    assert _code(call) == grpc.StatusCode.PERMISSION_DENIED


def test_a_guest_sees_only_their_own_room(controller: RunningController, venue: dict) -> None:
    me = controller.auth().WhoAmI(
        auth_pb2.WhoAmIRequest(), metadata=bearer(venue["guest_a08"]), timeout=5
    )
    assert (me.role, me.room) == (auth_pb2.ROLE_GUEST, f"rooms/{venue['a08']}")
    assert _get(controller, venue["guest_a08"], venue["a08"]).name.endswith(venue["a08"])
    assert (
        _code(lambda: _get(controller, venue["guest_a08"], venue["b02"]))
        == grpc.StatusCode.PERMISSION_DENIED
    )
    assert (
        _code(lambda: _create(controller, venue["guest_a08"])) == grpc.StatusCode.PERMISSION_DENIED
    )


def test_wrong_pin_and_unknown_staff_cannot_log_in(controller: RunningController) -> None:
    auth = controller.auth()
    controller.add_staff("cashier1", auth_pb2.ROLE_CASHIER, pin="2468")
    for staff_id, pin in [("cashier1", "1111"), ("nobody", "2468")]:
        call = lambda s=staff_id, p=pin: auth.Login(  # noqa: E731
            auth_pb2.LoginRequest(staff_id=s, pin=p), timeout=5
        )
        assert _code(call) == grpc.StatusCode.UNAUTHENTICATED


def test_an_enrollment_code_works_once(controller: RunningController, venue: dict) -> None:
    auth = controller.auth()
    code = auth.CreateEnrollmentCode(
        auth_pb2.CreateEnrollmentCodeRequest(room=f"rooms/{venue['b02']}", request_id="enr-1"),
        metadata=controller.admin_md,
        timeout=5,
    ).code
    first = auth.EnrollAgent(auth_pb2.EnrollAgentRequest(code=code.lower()), timeout=5)
    assert first.room == f"rooms/{venue['b02']}"
    again = lambda: auth.EnrollAgent(auth_pb2.EnrollAgentRequest(code=code), timeout=5)  # noqa: E731
    assert _code(again) == grpc.StatusCode.UNAUTHENTICATED
    bogus = lambda: auth.EnrollAgent(auth_pb2.EnrollAgentRequest(code="AAAA-AAAA"), timeout=5)  # noqa: E731
    assert _code(bogus) == grpc.StatusCode.NOT_FOUND


def test_re_enrolling_a_room_revokes_its_old_agent_token(
    controller: RunningController, room_id: str
) -> None:
    controller.add_room(room_id)
    old = controller.enroll_agent(room_id)
    new = controller.enroll_agent(room_id)
    assert _get(controller, new, room_id).name.endswith(room_id)
    assert _code(lambda: _get(controller, old, room_id)) == grpc.StatusCode.UNAUTHENTICATED


def test_staff_pins_are_stored_as_salted_scrypt_hashes(controller: RunningController) -> None:
    controller.add_staff("saltcheck1", auth_pb2.ROLE_WAITER, pin="1234")
    controller.add_staff("saltcheck2", auth_pb2.ROLE_WAITER, pin="1234")
    store = open_store(controller.data_dir / "controller.db", migrate=False)
    try:
        rows = store.query("SELECT pin_salt, pin_hash FROM staff WHERE staff_id LIKE 'saltcheck%'")
    finally:
        store.close()
    assert len(rows) == 2
    assert rows[0]["pin_hash"] != rows[1]["pin_hash"]  # same PIN, different salt
    assert b"1234" not in rows[0]["pin_hash"]


def test_the_admin_token_file_is_private(controller: RunningController) -> None:
    mode = (controller.data_dir / "admin.token").stat().st_mode & 0o777
    assert mode == 0o600
