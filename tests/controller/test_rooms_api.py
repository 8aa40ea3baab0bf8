"""The front desk's rooms API against a real controller process."""

from __future__ import annotations

import uuid

import grpc
import pytest

from controller.api.errors import reason_of
from ktv.v1 import rooms_pb2
from tests.support.controller import RPC_TIMEOUT_S, RunningController


def _rid() -> str:
    return uuid.uuid4().hex


def test_a_technician_adds_a_room_and_the_board_lists_it(
    controller: RunningController, room_id: str
) -> None:
    room = controller.add_room(room_id, tier="vip", display_name="VIP 包厢")
    assert room.name == f"rooms/{room_id}"
    assert room.state == rooms_pb2.ROOM_STATE_IDLE
    assert room.display_name == "VIP 包厢"
    listed = controller.rooms().ListRooms(
        rooms_pb2.ListRoomsRequest(page_size=1000), metadata=controller.admin_md, timeout=5
    )
    assert f"rooms/{room_id}" in [r.name for r in listed.rooms]
    got = controller.rooms().GetRoom(
        rooms_pb2.GetRoomRequest(name=f"rooms/{room_id}"), metadata=controller.admin_md, timeout=5
    )
    assert got.room.tier == "vip"


def test_retrying_create_room_with_the_same_request_id_returns_the_first_result(
    controller: RunningController, room_id: str
) -> None:
    stub = controller.rooms()
    request = rooms_pb2.CreateRoomRequest(room_id=room_id, tier="small", request_id=_rid())
    first = stub.CreateRoom(request, metadata=controller.admin_md, timeout=RPC_TIMEOUT_S)
    again = stub.CreateRoom(request, metadata=controller.admin_md, timeout=RPC_TIMEOUT_S)
    assert again == first


def test_reusing_a_request_id_for_a_different_room_is_aborted(
    controller: RunningController, room_id: str
) -> None:
    stub = controller.rooms()
    rid = _rid()
    stub.CreateRoom(
        rooms_pb2.CreateRoomRequest(room_id=room_id, tier="small", request_id=rid),
        metadata=controller.admin_md,
        timeout=5,
    )
    with pytest.raises(grpc.RpcError) as err:
        stub.CreateRoom(
            rooms_pb2.CreateRoomRequest(room_id=room_id + "x", tier="small", request_id=rid),
            metadata=controller.admin_md,
            timeout=5,
        )
    assert err.value.code() == grpc.StatusCode.ABORTED
    assert reason_of(err.value) == "REQUEST_ID_REUSED"


@pytest.mark.parametrize(
    ("request_fields", "code", "reason"),
    [
        ({"room_id": "A 08", "tier": "large"}, grpc.StatusCode.INVALID_ARGUMENT, "BAD_ROOM_ID"),
        ({"room_id": "房间", "tier": "large"}, grpc.StatusCode.INVALID_ARGUMENT, "BAD_ROOM_ID"),
        ({"room_id": "", "tier": "large"}, grpc.StatusCode.INVALID_ARGUMENT, "BAD_ROOM_ID"),
        ({"room_id": "Z01", "tier": "huge"}, grpc.StatusCode.INVALID_ARGUMENT, "BAD_TIER"),
        ({"room_id": "Z01", "tier": ""}, grpc.StatusCode.INVALID_ARGUMENT, "BAD_TIER"),
        (
            {"room_id": "Z01", "tier": "large", "request_id": ""},
            grpc.StatusCode.INVALID_ARGUMENT,
            "REQUEST_ID_REQUIRED",
        ),
    ],
)
def test_bad_room_input_gets_a_clear_status(
    controller: RunningController, request_fields: dict, code: grpc.StatusCode, reason: str
) -> None:
    fields = {"request_id": _rid(), **request_fields}
    with pytest.raises(grpc.RpcError) as err:
        controller.rooms().CreateRoom(
            rooms_pb2.CreateRoomRequest(**fields), metadata=controller.admin_md, timeout=5
        )
    assert err.value.code() == code
    assert reason_of(err.value) == reason
    assert err.value.details()


def test_adding_the_same_room_twice_is_already_exists(
    controller: RunningController, room_id: str
) -> None:
    controller.add_room(room_id)
    with pytest.raises(grpc.RpcError) as err:
        controller.add_room(room_id)
    assert err.value.code() == grpc.StatusCode.ALREADY_EXISTS


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("rooms/NOPE404", grpc.StatusCode.NOT_FOUND),
        ("A08", grpc.StatusCode.INVALID_ARGUMENT),
        ("tables/A08", grpc.StatusCode.INVALID_ARGUMENT),
        ("rooms/", grpc.StatusCode.INVALID_ARGUMENT),
    ],
)
def test_asking_for_an_unknown_or_malformed_room(
    controller: RunningController, name: str, code: grpc.StatusCode
) -> None:
    with pytest.raises(grpc.RpcError) as err:
        controller.rooms().GetRoom(
            rooms_pb2.GetRoomRequest(name=name), metadata=controller.admin_md, timeout=5
        )
    assert err.value.code() == code


def test_maintenance_on_and_off_and_reserve(controller: RunningController, room_id: str) -> None:
    controller.add_room(room_id)
    stub = controller.rooms()

    def set_state(state: int) -> rooms_pb2.Room:
        return stub.SetRoomState(
            rooms_pb2.SetRoomStateRequest(
                name=f"rooms/{room_id}", state=state, reason="test", request_id=_rid()
            ),
            metadata=controller.admin_md,
            timeout=5,
        ).room

    assert set_state(rooms_pb2.ROOM_STATE_MAINTENANCE).state == rooms_pb2.ROOM_STATE_MAINTENANCE
    assert set_state(rooms_pb2.ROOM_STATE_IDLE).state == rooms_pb2.ROOM_STATE_IDLE
    assert set_state(rooms_pb2.ROOM_STATE_RESERVED).state == rooms_pb2.ROOM_STATE_RESERVED
    with pytest.raises(grpc.RpcError) as err:
        set_state(rooms_pb2.ROOM_STATE_IN_USE)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    set_state(rooms_pb2.ROOM_STATE_MAINTENANCE)
    with pytest.raises(grpc.RpcError) as err:
        set_state(rooms_pb2.ROOM_STATE_RESERVED)
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_update_room_changes_name_and_tier(controller: RunningController, room_id: str) -> None:
    controller.add_room(room_id, tier="small")
    updated = (
        controller.rooms()
        .UpdateRoom(
            rooms_pb2.UpdateRoomRequest(
                name=f"rooms/{room_id}", display_name="小包 2", tier="medium", request_id=_rid()
            ),
            metadata=controller.admin_md,
            timeout=5,
        )
        .room
    )
    assert (updated.display_name, updated.tier) == ("小包 2", "medium")
    assert updated.revision > 1


def test_list_rooms_pages_through_every_room(controller: RunningController) -> None:
    for i in range(5):
        controller.add_room(f"P{i:02d}{uuid.uuid4().hex[:4]}")
    stub = controller.rooms()
    seen: list[str] = []
    token = ""
    while True:
        page = stub.ListRooms(
            rooms_pb2.ListRoomsRequest(page_size=2, page_token=token),
            metadata=controller.admin_md,
            timeout=5,
        )
        assert len(page.rooms) <= 2
        seen += [r.name for r in page.rooms]
        token = page.next_page_token
        if not token:
            break
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen)) >= 5
    with pytest.raises(grpc.RpcError) as err:
        stub.ListRooms(
            rooms_pb2.ListRoomsRequest(page_token="garbage!"),
            metadata=controller.admin_md,
            timeout=5,
        )
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_a_state_change_is_logged_with_the_staff_member_and_reason(
    controller: RunningController, room_id: str
) -> None:
    import sqlite3

    from ktv.v1 import auth_pb2

    controller.add_room(room_id)
    waiter = controller.add_staff(f"w{room_id.lower()}", auth_pb2.ROLE_WAITER)
    controller.rooms().SetRoomState(
        rooms_pb2.SetRoomStateRequest(
            name=f"rooms/{room_id}",
            state=rooms_pb2.ROOM_STATE_RESERVED,
            reason="王先生 20:00",
            request_id=_rid(),
        ),
        metadata=(("authorization", f"Bearer {waiter}"),),
        timeout=5,
    )
    db = sqlite3.connect(controller.data_dir / "controller.db")
    try:
        rows = db.execute(
            "SELECT from_state, to_state, reason, actor FROM room_state_changes WHERE room_id = ?",
            (room_id,),
        ).fetchall()
    finally:
        db.close()
    assert rows == [("IDLE", "RESERVED", "王先生 20:00", f"waiter w{room_id.lower()}")]
