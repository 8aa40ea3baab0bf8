"""The room's power and pins on the board, and the desk's power switch (issue 24): real
controller, real gRPC link on loopback, ``ktvctl room power`` as the desk types it."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from ktv.v1 import link_pb2, rooms_pb2
from tests.controller.test_ktvctl import ktvctl
from tests.controller.test_link import _room
from tests.support.controller import RunningController
from tests.support.link import AgentLink


@pytest.fixture
def enrolled(controller: RunningController, room_id: str) -> tuple[str, str]:
    controller.add_room(room_id)
    return room_id, controller.enroll_agent(room_id)


def _event(**payload: object) -> link_pb2.RoomEvent:
    ts = Timestamp()
    ts.FromDatetime(datetime.now(UTC))
    return link_pb2.RoomEvent(event_id=uuid.uuid4().hex, occur_time=ts, **payload)  # type: ignore[arg-type]


def test_pins_and_power_reported_by_the_room_show_on_its_tile(
    controller: RunningController, enrolled: tuple[str, str]
) -> None:
    room_id, token = enrolled
    assert _room(controller, room_id).sensor_pins == rooms_pb2.SENSOR_PINS_UNSPECIFIED
    with AgentLink(controller.address, token, room_id) as link:
        link.send_event(_event(pins_checked=link_pb2.PinsChecked(mocked=True, factory="Mock")))
        link.wait_for("ack")
        link.send_event(
            _event(
                power_switched=link_pb2.PowerSwitched(
                    on=True,
                    scene="welcome",
                    reason="session_opened",
                    outputs=[
                        link_pb2.OutputLevel(name="ac", level_permille=1000, rated_watts=1500)
                    ],
                    load_watts=1500,
                )
            )
        )
        link.wait_for("ack")
        room = _room(controller, room_id)
    assert room.sensor_pins == rooms_pb2.SENSOR_PINS_MOCK  # sensors not live
    assert (room.power.on, room.power.scene, room.power.reason) == (
        True,
        "welcome",
        "session_opened",
    )
    assert room.power.load_watts == 1500 and room.power.mode == rooms_pb2.POWER_MODE_AUTO


def test_the_desk_forces_power_the_room_hears_it_now_and_on_reconnect(
    controller: RunningController, enrolled: tuple[str, str]
) -> None:
    room_id, token = enrolled
    stub = controller.rooms()
    request = rooms_pb2.SetRoomPowerRequest(
        name=f"rooms/{room_id}", mode=rooms_pb2.POWER_MODE_OFF, reason="closing",
        request_id=uuid.uuid4().hex,
    )  # fmt: skip
    with AgentLink(controller.address, token, room_id) as link:
        answer = stub.SetRoomPower(request, metadata=controller.admin_md, timeout=5)
        assert answer.delivered and answer.room.power.mode == rooms_pb2.POWER_MODE_OFF
        command = link.wait_for("command").command
        assert command.set_power.mode == rooms_pb2.POWER_MODE_OFF
        assert command.set_power.reason == "closing"
        again = stub.SetRoomPower(request, metadata=controller.admin_md, timeout=5)
        assert again == answer  # the same request_id: the first answer, nothing re-sent
    with AgentLink(controller.address, token, room_id) as later:
        assert later.wait_for("command").command.set_power.mode == rooms_pb2.POWER_MODE_OFF
    with pytest.raises(grpc.RpcError) as refused:
        stub.SetRoomPower(
            rooms_pb2.SetRoomPowerRequest(name=f"rooms/{room_id}", request_id=uuid.uuid4().hex),
            metadata=controller.admin_md,
            timeout=5,
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "ON, OFF or AUTO" in refused.value.details()


def test_ktvctl_room_power(controller: RunningController, tmp_path: Path, room_id: str) -> None:
    admin = ["--data-dir", str(controller.data_dir)]
    controller.add_room(room_id)
    cfg = tmp_path / "cfg"
    done = ktvctl(*admin, "room", "power", room_id, "on", "--reason", "party setup", config_dir=cfg)
    assert done.returncode == 0, done.stderr
    assert f"power on for rooms/{room_id}" in done.stdout and "offline" in done.stdout
    as_json = ktvctl(*admin, "--json", "room", "power", room_id, "auto", config_dir=cfg)
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert data["delivered"] is False and data["room"]["power"]["mode"] == "POWER_MODE_AUTO"
    bad = ktvctl(*admin, "room", "power", room_id, "maybe", config_dir=cfg)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1, bad.stderr


def _at(when: datetime, **payload: object) -> link_pb2.RoomEvent:
    ts = Timestamp()
    ts.FromDatetime(when)
    return link_pb2.RoomEvent(event_id=uuid.uuid4().hex, occur_time=ts, **payload)  # type: ignore[arg-type]


def test_energy_for_a_business_day_from_the_rooms_reports(
    controller: RunningController, enrolled: tuple[str, str], tmp_path: Path
) -> None:
    from ktv.v1 import devices_pb2, devices_pb2_grpc

    room_id, token = enrolled
    stub = devices_pb2_grpc.DevicesServiceStub(controller.channel())
    day = "2026-01-05"
    ask = devices_pb2.GetEnergyReportRequest(business_day=day, room=f"rooms/{room_id}")
    empty = stub.GetEnergyReport(ask, metadata=controller.admin_md, timeout=5)
    start = empty.start_time.ToDatetime(tzinfo=UTC)
    assert empty.rooms[0].total_wh == 0
    on = link_pb2.PowerSwitched(on=True, scene="welcome", reason="desk_forced_on", load_watts=3600)
    off = link_pb2.PowerSwitched(on=False, scene="off", reason="idle_nobody_present")
    with AgentLink(controller.address, token, room_id) as link:
        link.send_event(_at(start + timedelta(hours=1), power_switched=on))
        link.send_event(_at(start + timedelta(hours=1.5), power_switched=off))
        link.wait_for("ack")
        link.wait_for("ack")
    report = stub.GetEnergyReport(ask, metadata=controller.admin_md, timeout=5)
    (room,) = report.rooms
    assert room.room == f"rooms/{room_id}" and report.business_day == day
    assert (room.total_wh, room.idle_wh, room.waste_wh) == (1800, 1800, 1800)  # nobody there
    assert room.on_seconds == 1800 and not room.metered
    admin = ["--data-dir", str(controller.data_dir)]
    cli = ktvctl(*admin, "--json", "energy", "--day", day, "--room", room_id,
                 config_dir=tmp_path / "cfg")  # fmt: skip
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["rooms"][0]["waste_wh"] == "1800"  # int64 as JSON text
    table = ktvctl(*admin, "energy", "--day", day, "--room", room_id, config_dir=tmp_path / "cfg")
    assert table.returncode == 0 and "1.80" in table.stdout, table.stdout
    bad = ktvctl(*admin, "energy", "--day", "2026-13-01", config_dir=tmp_path / "cfg")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr, bad.stderr


def test_a_hot_pi_gets_a_service_badge_and_tops_the_health_list(
    controller: RunningController, enrolled: tuple[str, str], tmp_path: Path
) -> None:
    from ktv.v1 import devices_pb2, devices_pb2_grpc

    room_id, token = enrolled
    now = datetime.now(UTC)
    with AgentLink(controller.address, token, room_id) as link:
        for minutes, temp in ((-20, 70.0), (-1, 84.0)):
            link.send_event(
                _at(
                    now + timedelta(minutes=minutes),
                    device_health=link_pb2.DeviceHealth(
                        temperature_c=temp, temperature_known=True, disk_free_bytes=8 * 1024**3
                    ),
                )
            )
            link.wait_for("ack")
    stub = devices_pb2_grpc.DevicesServiceStub(controller.channel())
    answer = stub.ListDeviceHealth(
        devices_pb2.ListDeviceHealthRequest(), metadata=controller.admin_md, timeout=10
    )
    top = answer.rooms[0]
    assert top.room == f"rooms/{room_id}" and top.badge == rooms_pb2.HEALTH_BADGE_SERVICE
    assert [a.kind for a in top.alerts] == ["HOT"] and top.temperature_c == 84.0
    assert _room(controller, room_id).health == rooms_pb2.HEALTH_BADGE_SERVICE  # the tile
    admin = ["--data-dir", str(controller.data_dir)]
    cli = ktvctl(*admin, "health", config_dir=tmp_path / "cfg")
    assert cli.returncode == 0 and "SERVICE" in cli.stdout and "84" in cli.stdout, cli.stdout
