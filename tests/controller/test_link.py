"""The room link from the controller's side: registration, liveness, events, commands."""

from __future__ import annotations

import sqlite3
import time
import uuid

import grpc
import pytest

from ktv.v1 import auth_pb2, link_pb2, rooms_pb2
from tests.controller.conftest import OFFLINE_AFTER_S
from tests.support.controller import RunningController
from tests.support.link import AgentLink, door_event, presence_event, song_played_event


def _room(controller: RunningController, room_id: str) -> rooms_pb2.Room:
    return (
        controller.rooms()
        .GetRoom(
            rooms_pb2.GetRoomRequest(name=f"rooms/{room_id}"),
            metadata=controller.admin_md,
            timeout=5,
        )
        .room
    )


def _wait_until(predicate, timeout_s: float = 10.0, interval_s: float = 0.05):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval_s)
    raise AssertionError("condition not met in time")


@pytest.fixture
def enrolled(controller: RunningController, room_id: str) -> tuple[str, str]:
    controller.add_room(room_id)
    return room_id, controller.enroll_agent(room_id)


def test_an_enrolled_agent_registers_and_the_room_shows_online(
    controller: RunningController, enrolled: tuple[str, str]
) -> None:
    room_id, token = enrolled
    with AgentLink(controller.address, token, room_id, version="agent/2.1") as link:
        assert link.welcome.venue_id
        assert link.welcome.offline_after_seconds == max(round(OFFLINE_AFTER_S), 3)  # 3 beats
        assert not link.welcome.emergency
        room = _room(controller, room_id)
        assert room.agent.online
        assert room.agent.agent_version == "agent/2.1"
        assert room.agent.peer
        assert "AGENT_OFFLINE" not in [a.kind for a in room.alerts]


def test_a_silent_agent_goes_offline_and_comes_back_when_it_speaks_again(
    controller: RunningController, enrolled: tuple[str, str]
) -> None:
    room_id, token = enrolled
    with AgentLink(controller.address, token, room_id) as link:
        assert _room(controller, room_id).agent.online
        # No heartbeats: offline after the timeout, with an AGENT_OFFLINE alert.
        room = _wait_until(
            lambda: None if (r := _room(controller, room_id)).agent.online else r,
            timeout_s=OFFLINE_AFTER_S + 8,
        )
        assert "AGENT_OFFLINE" in [a.kind for a in room.alerts]
        link.heartbeat()
        _wait_until(lambda: _room(controller, room_id).agent.online)


def test_a_disconnected_agent_goes_offline_and_is_online_again_after_reconnecting(
    controller: RunningController, enrolled: tuple[str, str]
) -> None:
    room_id, token = enrolled
    with AgentLink(controller.address, token, room_id):
        pass
    _wait_until(lambda: not _room(controller, room_id).agent.online, timeout_s=OFFLINE_AFTER_S + 8)
    with AgentLink(controller.address, token, room_id):
        assert _room(controller, room_id).agent.online


def test_heartbeats_keep_an_agent_online_past_the_timeout(
    controller: RunningController, enrolled: tuple[str, str]
) -> None:
    room_id, token = enrolled
    with AgentLink(controller.address, token, room_id) as link:
        end = time.monotonic() + OFFLINE_AFTER_S * 2
        while time.monotonic() < end:
            link.heartbeat()
            time.sleep(0.2)
            assert _room(controller, room_id).agent.online


def test_an_event_sent_twice_is_stored_once_and_acked_both_times(
    controller: RunningController, enrolled: tuple[str, str]
) -> None:
    room_id, token = enrolled
    event = song_played_event(f"ev-{uuid.uuid4().hex}", song_id="S0001", played_ms=215000)
    with AgentLink(controller.address, token, room_id) as link:
        link.send_event(event)
        assert list(link.wait_for("ack").ack.event_ids) == [event.event_id]
    # The outbox re-sends after a reconnect (ack lost): acked again, stored once.
    with AgentLink(controller.address, token, room_id) as link:
        link.send_event(event)
        assert list(link.wait_for("ack").ack.event_ids) == [event.event_id]
    db = sqlite3.connect(controller.data_dir / "controller.db")
    try:
        events = db.execute(
            "SELECT COUNT(*) FROM room_events WHERE event_id = ?", (event.event_id,)
        ).fetchone()[0]
        plays = db.execute(
            "SELECT song_id, played_ms, outcome FROM song_plays WHERE event_id = ?",
            (event.event_id,),
        ).fetchall()
    finally:
        db.close()
    assert events == 1
    assert plays == [("S0001", 215000, "COMPLETED")]


def test_door_and_presence_events_show_on_the_board_with_an_occupancy_alert(
    controller: RunningController, enrolled: tuple[str, str]
) -> None:
    room_id, token = enrolled
    with AgentLink(controller.address, token, room_id) as link:
        link.send_event(door_event(open=True))
        link.send_event(presence_event(present=True))
        link.wait_for("ack")
        link.wait_for("ack")
        room = _room(controller, room_id)
        assert room.door_open and room.occupied
        assert "OCCUPIED_WITHOUT_SESSION" in [a.kind for a in room.alerts]


def test_a_second_connection_for_the_same_room_replaces_the_first(
    controller: RunningController, enrolled: tuple[str, str]
) -> None:
    room_id, token = enrolled
    with (
        AgentLink(controller.address, token, room_id) as first,
        AgentLink(controller.address, token, room_id, version="second") as second,
    ):
        error = first.wait_end()
        assert error is not None and error.code() == grpc.StatusCode.ABORTED
        assert "replaced" in error.details()
        assert _room(controller, room_id).agent.agent_version == "second"
        second.heartbeat()
        assert _room(controller, room_id).agent.online


def test_an_unknown_payload_or_missing_hello_is_refused(
    controller: RunningController, enrolled: tuple[str, str]
) -> None:
    room_id, token = enrolled
    with AgentLink(controller.address, token, room_id) as link:
        link.send_event(link_pb2.RoomEvent(event_id="no-payload"))
        error = link.wait_end()
        assert error is not None and error.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_emergency_reaches_connected_rooms_and_rooms_that_connect_later(
    controller: RunningController, enrolled: tuple[str, str]
) -> None:
    room_id, token = enrolled
    stub = controller.rooms()
    with AgentLink(controller.address, token, room_id) as link:
        response = stub.SetEmergency(
            rooms_pb2.SetEmergencyRequest(
                active=True, message="请从最近的安全出口离开", request_id=uuid.uuid4().hex
            ),
            metadata=controller.admin_md,
            timeout=5,
        )
        assert response.active and response.notified_room_count >= 1
        command = link.wait_for("command").command
        assert command.WhichOneof("cmd") == "emergency"
        assert command.emergency.active
        assert command.emergency.message == "请从最近的安全出口离开"
    try:
        with AgentLink(controller.address, token, room_id) as later:
            assert later.welcome.emergency
            assert later.welcome.emergency_message == "请从最近的安全出口离开"
    finally:
        stub.SetEmergency(
            rooms_pb2.SetEmergencyRequest(active=False, request_id=uuid.uuid4().hex),
            metadata=controller.admin_md,
            timeout=5,
        )
    with AgentLink(controller.address, token, room_id) as after:
        assert not after.welcome.emergency


def test_a_state_change_is_pushed_down_the_rooms_stream(
    controller: RunningController, enrolled: tuple[str, str]
) -> None:
    room_id, token = enrolled
    with AgentLink(controller.address, token, room_id) as link:
        controller.rooms().SetRoomState(
            rooms_pb2.SetRoomStateRequest(
                name=f"rooms/{room_id}",
                state=rooms_pb2.ROOM_STATE_MAINTENANCE,
                request_id=uuid.uuid4().hex,
            ),
            metadata=controller.admin_md,
            timeout=5,
        )
        command = link.wait_for("command").command
        assert command.room_state.state == rooms_pb2.ROOM_STATE_MAINTENANCE


def _issue_agent_token(controller: RunningController, room_id: str) -> str:
    """An agent credential for a room the controller has never heard of (as a stale
    enrollment would leave behind), written into the running controller's store."""
    from datetime import UTC, datetime

    from controller.auth.credentials import Credentials
    from controller.auth.model import Role
    from controller.store.db import open_store

    store = open_store(controller.data_dir / "controller.db", migrate=False)
    try:
        with store.transaction():
            return (
                Credentials(store)
                .issue_token(Role.AGENT, now=datetime.now(UTC), room_id=room_id)
                .token
            )
    finally:
        store.close()


def _connect_raw(controller: RunningController, token: str, *requests: link_pb2.ConnectRequest):  # type: ignore[no-untyped-def]
    stub = controller.link()
    call = stub.Connect(
        iter(requests), metadata=(("authorization", f"Bearer {token}"),), timeout=10
    )
    with pytest.raises(grpc.RpcError) as err:
        list(call)
    return err.value


def test_an_agent_for_a_room_that_does_not_exist_is_not_found(
    controller: RunningController,
) -> None:
    token = _issue_agent_token(controller, "GHOST1")
    hello = link_pb2.ConnectRequest(hello=link_pb2.AgentHello(room="rooms/GHOST1"))
    error = _connect_raw(controller, token, hello)
    assert error.code() == grpc.StatusCode.NOT_FOUND
    assert "GHOST1" in error.details()


def test_a_stream_that_does_not_start_with_hello_is_refused(
    controller: RunningController, enrolled: tuple[str, str]
) -> None:
    _, token = enrolled
    beat = link_pb2.ConnectRequest(heartbeat=link_pb2.AgentHeartbeat())
    error = _connect_raw(controller, token, beat)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "hello" in error.details()


def test_a_malformed_room_in_hello_is_invalid(
    controller: RunningController, enrolled: tuple[str, str]
) -> None:
    _, token = enrolled
    hello = link_pb2.ConnectRequest(hello=link_pb2.AgentHello(room="A08"))
    error = _connect_raw(controller, token, hello)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_a_second_hello_on_the_same_stream_is_refused(
    controller: RunningController, enrolled: tuple[str, str]
) -> None:
    room_id, token = enrolled
    with AgentLink(controller.address, token, room_id) as link:
        link.send(link_pb2.ConnectRequest(hello=link_pb2.AgentHello(room=f"rooms/{room_id}")))
        error = link.wait_end()
        assert error is not None and error.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_a_retried_state_change_returns_the_first_result_even_after_later_changes(
    controller: RunningController, room_id: str
) -> None:
    controller.add_room(room_id)
    stub = controller.rooms()
    first_request = rooms_pb2.SetRoomStateRequest(
        name=f"rooms/{room_id}", state=rooms_pb2.ROOM_STATE_RESERVED, request_id=uuid.uuid4().hex
    )
    first = stub.SetRoomState(first_request, metadata=controller.admin_md, timeout=5)
    stub.SetRoomState(
        rooms_pb2.SetRoomStateRequest(
            name=f"rooms/{room_id}",
            state=rooms_pb2.ROOM_STATE_MAINTENANCE,
            request_id=uuid.uuid4().hex,
        ),
        metadata=controller.admin_md,
        timeout=5,
    )
    retry = stub.SetRoomState(first_request, metadata=controller.admin_md, timeout=5)
    assert retry == first
    assert _room(controller, room_id).state == rooms_pb2.ROOM_STATE_MAINTENANCE


def test_a_guest_calls_for_service_and_a_waiter_clears_it(
    controller: RunningController, enrolled: tuple[str, str]
) -> None:
    room_id, token = enrolled
    waiter = controller.add_staff(f"wt{room_id.lower()}", auth_pb2.ROLE_WAITER)
    call = link_pb2.RoomEvent(
        event_id=uuid.uuid4().hex,
        service_called=link_pb2.ServiceCalled(kind="microphone", note="没电了"),
    )
    with AgentLink(controller.address, token, room_id) as link:
        link.send_event(call)
        link.wait_for("ack")
    (alert,) = [a for a in _room(controller, room_id).alerts if a.kind == "SERVICE_CALLED"]
    assert "microphone" in alert.message and "没电了" in alert.message
    stub = controller.rooms()
    room = stub.AcknowledgeAlert(
        rooms_pb2.AcknowledgeAlertRequest(
            name=f"rooms/{room_id}", kind="SERVICE_CALLED", request_id=uuid.uuid4().hex
        ),
        metadata=(("authorization", f"Bearer {waiter}"),),
        timeout=5,
    ).room
    assert "SERVICE_CALLED" not in [a.kind for a in room.alerts]
    with pytest.raises(grpc.RpcError) as err:
        stub.AcknowledgeAlert(
            rooms_pb2.AcknowledgeAlertRequest(
                name=f"rooms/{room_id}", kind="AGENT_OFFLINE", request_id=uuid.uuid4().hex
            ),
            metadata=controller.admin_md,
            timeout=5,
        )
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
