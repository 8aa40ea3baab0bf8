"""Health, reflection, WatchRooms over the wire, graceful SIGTERM, restart."""

from __future__ import annotations

import queue
import threading
import time
import uuid
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from ktv.v1 import rooms_pb2
from tests.support.controller import RunningController, start_controller
from tests.support.link import AgentLink, door_event


def test_the_standard_health_client_sees_every_service_serving(
    controller: RunningController,
) -> None:
    health = health_pb2_grpc.HealthStub(controller.channel())
    for service in ("", "ktv.v1.RoomService", "ktv.v1.RoomLinkService", "ktv.v1.AuthService"):
        response = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
        assert response.status == health_pb2.HealthCheckResponse.SERVING


def test_reflection_lists_the_ktv_services(controller: RunningController) -> None:
    stub = reflection_pb2_grpc.ServerReflectionStub(controller.channel())
    responses = stub.ServerReflectionInfo(
        iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=5
    )
    names = {s.name for r in responses for s in r.list_services_response.service}
    assert {"ktv.v1.RoomService", "ktv.v1.RoomLinkService", "ktv.v1.AuthService"} <= names


def test_watch_rooms_sends_a_snapshot_then_each_change(
    controller: RunningController, room_id: str
) -> None:
    controller.add_room(room_id)
    token = controller.enroll_agent(room_id)
    call = controller.rooms().WatchRooms(
        rooms_pb2.WatchRoomsRequest(), metadata=controller.admin_md
    )
    messages: queue.Queue[rooms_pb2.WatchRoomsResponse] = queue.Queue()

    def read() -> None:
        try:
            for message in call:
                messages.put(message)
        except grpc.RpcError:
            pass

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        snapshot = messages.get(timeout=10)
        assert snapshot.kind == rooms_pb2.WatchRoomsResponse.KIND_SNAPSHOT
        assert f"rooms/{room_id}" in [r.name for r in snapshot.rooms]
        with AgentLink(controller.address, token, room_id) as link:
            link.send_event(door_event(open=True))
            link.wait_for("ack")
            mine: list[rooms_pb2.Room] = []
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not (mine and mine[-1].door_open):
                message = messages.get(timeout=10)
                assert message.kind == rooms_pb2.WatchRoomsResponse.KIND_CHANGE
                mine += [r for r in message.rooms if r.name == f"rooms/{room_id}"]
        assert mine[0].agent.online  # the agent came online first
        assert mine[-1].door_open  # then the door opened
        assert [r.revision for r in mine] == sorted(r.revision for r in mine)
    finally:
        call.cancel()
        reader.join(5)


def test_sigterm_turns_health_not_serving_and_lets_an_in_flight_call_finish(
    tmp_path: Path,
) -> None:
    with start_controller(
        tmp_path / "data", ["--no-mdns", "--debug-slow-method", "CreateRoom=2500"]
    ) as ctl:
        health = health_pb2_grpc.HealthStub(ctl.channel())
        statuses: queue.Queue[int] = queue.Queue()
        watch = health.Watch(health_pb2.HealthCheckRequest(service=""))

        def follow() -> None:
            try:
                for response in watch:
                    statuses.put(response.status)
            except grpc.RpcError:
                pass

        follower = threading.Thread(target=follow, daemon=True)
        follower.start()
        assert statuses.get(timeout=10) == health_pb2.HealthCheckResponse.SERVING

        results: queue.Queue[object] = queue.Queue()

        def slow_create() -> None:
            try:
                results.put(ctl.add_room("SLOW1"))
            except grpc.RpcError as error:
                results.put(error)

        creator = threading.Thread(target=slow_create)
        creator.start()
        # the call is in flight: the server says it holds it (2.5 s)
        deadline = time.monotonic() + 10
        while "debug: holding /ktv.v1.RoomService/CreateRoom" not in ctl.log_text():
            assert time.monotonic() < deadline, "CreateRoom never reached the server"
            time.sleep(0.02)
        ctl.signal()
        assert statuses.get(timeout=10) == health_pb2.HealthCheckResponse.NOT_SERVING
        creator.join(20)
        room = results.get(timeout=1)
        assert isinstance(room, rooms_pb2.Room), room
        assert room.name == "rooms/SLOW1"
        assert ctl.process.wait(20) == 0
        watch.cancel()
        follower.join(5)
        assert not (ctl.data_dir / "controller.addr").exists()

    with start_controller(tmp_path / "data", ["--no-mdns"]) as again:
        listed = again.rooms().ListRooms(
            rooms_pb2.ListRoomsRequest(), metadata=again.admin_md, timeout=5
        )
        assert [r.name for r in listed.rooms] == ["rooms/SLOW1"]
        assert again.admin_token == ctl.admin_token  # the bootstrap token is kept


def test_without_tls_material_or_insecure_dev_the_controller_refuses_to_start(
    tmp_path: Path,
) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "controller", "serve", "--data-dir", str(tmp_path), "--no-mdns"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 5  # FailedPrecondition: no venue TLS yet
    assert "ktv-controller init" in result.stderr and "--insecure-dev" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_venue_config_file_creates_its_rooms(tmp_path: Path) -> None:
    config = tmp_path / "venue.toml"
    config.write_text(
        '[venue]\nid = "golden"\ntiers = ["small", "vip"]\n\n'
        '[[rooms]]\nid = "V01"\nname = "至尊包"\ntier = "vip"\n\n'
        '[[rooms]]\nid = "S01"\ntier = "small"\n',
        encoding="utf-8",
    )
    with start_controller(tmp_path / "data", ["--no-mdns", "--venue-config", str(config)]) as ctl:
        rooms = ctl.rooms().ListRooms(
            rooms_pb2.ListRoomsRequest(), metadata=ctl.admin_md, timeout=5
        )
        assert [(r.name, r.display_name, r.tier) for r in rooms.rooms] == [
            ("rooms/S01", "S01", "small"),
            ("rooms/V01", "至尊包", "vip"),
        ]
        try:
            ctl.add_room(f"X{uuid.uuid4().hex[:4]}", tier="large")
            raise AssertionError("large is not a tier of this venue")
        except grpc.RpcError as error:
            assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
