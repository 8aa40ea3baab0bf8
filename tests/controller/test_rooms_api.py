"""The front desk's rooms API against a real controller process."""

from __future__ import annotations

import uuid

import grpc
import pytest

from controller.api.errors import reason_of
from ktv.v1 import link_pb2, rooms_pb2
from tests.support.controller import RPC_TIMEOUT_S, RunningController
from tests.support.link import AgentLink


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


def _call_service(controller: RunningController, room_id: str) -> None:
    controller.add_room(room_id)
    token = controller.enroll_agent(room_id)
    call = link_pb2.RoomEvent(
        event_id=_rid(), service_called=link_pb2.ServiceCalled(kind="water", note="两瓶")
    )
    with AgentLink(controller.address, token, room_id) as link:
        link.send_event(call)
        link.wait_for("ack")


def _alerts(controller: RunningController, room_id: str) -> list[rooms_pb2.RoomAlert]:
    return list(
        controller.rooms()
        .GetRoom(
            rooms_pb2.GetRoomRequest(name=f"rooms/{room_id}"),
            metadata=controller.admin_md,
            timeout=RPC_TIMEOUT_S,
        )
        .room.alerts
    )


def test_alerts_carry_their_kind_as_an_enum_beside_the_old_string_and_ack_takes_either(
    controller: RunningController, room_id: str
) -> None:
    _call_service(controller, room_id)
    (call,) = [a for a in _alerts(controller, room_id) if a.kind == "SERVICE_CALLED"]
    assert call.alert_kind == rooms_pb2.ALERT_KIND_SERVICE_CALLED
    for alert in _alerts(controller, room_id):  # every alert the board shows has its enum
        assert rooms_pb2.AlertKind.Name(alert.alert_kind) == f"ALERT_KIND_{alert.kind}"
    room = (
        controller.rooms()
        .AcknowledgeAlert(
            rooms_pb2.AcknowledgeAlertRequest(
                name=f"rooms/{room_id}",
                alert_kind=rooms_pb2.ALERT_KIND_SERVICE_CALLED,
                request_id=_rid(),
            ),
            metadata=controller.admin_md,
            timeout=RPC_TIMEOUT_S,
        )
        .room
    )
    assert rooms_pb2.ALERT_KIND_SERVICE_CALLED not in [a.alert_kind for a in room.alerts]


def test_an_old_client_acknowledges_an_alert_by_its_string_kind(
    controller: RunningController, room_id: str
) -> None:
    _call_service(controller, room_id)
    room = (
        controller.rooms()
        .AcknowledgeAlert(  # an old client's message: the deprecated string only
            rooms_pb2.AcknowledgeAlertRequest(
                name=f"rooms/{room_id}", kind="SERVICE_CALLED", request_id=_rid()
            ),
            metadata=controller.admin_md,
            timeout=RPC_TIMEOUT_S,
        )
        .room
    )
    assert "SERVICE_CALLED" not in [a.kind for a in room.alerts]


def test_an_alert_kind_the_contract_does_not_have_is_refused(
    controller: RunningController, room_id: str
) -> None:
    controller.add_room(room_id)
    with pytest.raises(grpc.RpcError) as err:
        controller.rooms().AcknowledgeAlert(
            rooms_pb2.AcknowledgeAlertRequest(
                name=f"rooms/{room_id}", alert_kind=99, request_id=_rid()
            ),
            metadata=controller.admin_md,
            timeout=RPC_TIMEOUT_S,
        )
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert reason_of(err.value) == "BAD_ALERT_KIND"


def test_list_rooms_pages_through_every_room_once(
    controller: RunningController, room_id: str
) -> None:
    for n in range(5):
        controller.add_room(f"{room_id}P{n}")
    stub = controller.rooms()
    names: list[str] = []
    pages = 0
    token = ""
    while True:
        reply = stub.ListRooms(
            rooms_pb2.ListRoomsRequest(page_size=2, page_token=token),
            metadata=controller.admin_md,
            timeout=RPC_TIMEOUT_S,
        )
        assert len(reply.rooms) <= 2
        names.extend(r.name for r in reply.rooms)
        pages += 1
        if not reply.next_page_token:
            break
        token = reply.next_page_token
    assert pages >= 3
    assert len(names) == len(set(names)) and names == sorted(names)
    assert {f"rooms/{room_id}P{n}" for n in range(5)} <= set(names)


def test_ktvctl_reads_the_alert_kind_enum_and_falls_back_to_an_old_controllers_string() -> None:
    from controller.ktvctl.output import alert_kind_name, room_alert_kinds

    new = rooms_pb2.RoomAlert(alert_kind=rooms_pb2.ALERT_KIND_TIME_UP)
    old = rooms_pb2.RoomAlert(kind="SERVICE_CALLED")
    assert (alert_kind_name(new), alert_kind_name(old)) == ("TIME_UP", "SERVICE_CALLED")
    room = rooms_pb2.Room(alerts=[new, old], agent=rooms_pb2.AgentStatus(online=True))
    assert room_alert_kinds(room) == ["SERVICE_CALLED", "TIME_UP"]
