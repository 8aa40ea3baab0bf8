"""The test-only control socket, in process: real RoomCore, MockFactory pins, a real Unix
socket. Bad requests get one-line errors, never a crash of the agent."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from room_agent.config import AgentConfig
from room_agent.control_socket import ControlSocket
from room_agent.core import ports
from room_agent.core.instruments import RecordingSink
from room_agent.core_rooms import CoreRooms, PlayerKind
from tests.support.core_agents import Library, wait_until


@pytest.fixture
def room(tmp_path: Path, library: Library):  # type: ignore[no-untyped-def]
    rooms = CoreRooms(PlayerKind.RECORDING)
    sink = RecordingSink()
    config = AgentConfig(
        room="S01", data_dir=tmp_path, catalog_path=library.catalog, media_root=library.media_root
    )
    rooms.make_room(config, sink)
    control = ControlSocket(tmp_path / "control.sock", rooms)
    control.start()
    yield rooms, sink, control.path
    control.close()
    rooms.close()


def _ask(path: Path, *lines: bytes) -> list[dict]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(str(path))
        sock.sendall(b"".join(lines))
        reader = sock.makefile("rb")
        return [json.loads(reader.readline()) for _ in lines]


def test_bad_requests_get_a_clear_error_and_the_room_keeps_answering(room) -> None:  # type: ignore[no-untyped-def]
    _, _, path = room
    answers = _ask(
        path,
        b"not json\n",
        b"[1, 2]\n",
        b'{"room": "Z99", "do": "view"}\n',
        b'{"room": "S01", "do": "dance"}\n',
        b'{"room": "S01", "do": "door"}\n',
        b'{"room": "S01", "do": "add_song", "song_id": "nope"}\n',
        b'{"room": "S01", "do": "view"}\n',
    )
    assert [a["ok"] for a in answers] == [False] * 6 + [True]
    assert "not JSON" in answers[0]["error"]
    assert "no such room" in answers[2]["error"]
    assert "unknown action" in answers[3]["error"]
    assert "bad request" in answers[4]["error"]
    assert answers[5]["error"]  # locked room: no session yet
    assert answers[6]["screen"] == "LOCKED"
    assert path.stat().st_mode & 0o777 == 0o600


def test_the_mock_door_pin_goes_through_the_real_core_to_the_event_sink(room) -> None:  # type: ignore[no-untyped-def]
    _, sink, path = room
    assert _ask(path, b'{"room": "S01", "do": "door", "open": true}\n')[0]["ok"]
    assert wait_until(lambda: any(e.open for e in sink.events(ports.DoorChanged)), 5)
    assert _ask(path, b'{"room": "S01", "do": "door", "open": false}\n')[0]["ok"]
    assert wait_until(lambda: not sink.events(ports.DoorChanged)[-1].open, 5)
