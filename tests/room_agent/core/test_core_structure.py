"""The room's core and its player are compositions of objects that own their state, not one
class cut into mixins (issue 18): each controller is reachable and keeps its own state."""

from __future__ import annotations

import ast
from pathlib import Path

from room_agent.core.room import RoomCore
from room_agent.player.vlc_player import VlcPlayer

from .conftest import make_room

ROOM_AGENT = Path(__file__).resolve().parents[3] / "room_agent"


def test_room_core_and_the_player_inherit_nothing() -> None:
    assert RoomCore.__mro__ == (RoomCore, object)
    assert VlcPlayer.__mro__ == (VlcPlayer, object)


def test_no_method_anywhere_is_typed_as_a_piece_of_another_class() -> None:
    pieces = []
    for path in ROOM_AGENT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.args.args:
                first = node.args.args[0]
                if first.arg == "self" and first.annotation is not None:
                    pieces.append(f"{path.relative_to(ROOM_AGENT)}:{node.lineno} {node.name}")
    assert pieces == []


def test_each_controller_owns_its_part_of_the_room() -> None:
    room = make_room()
    core = room.core
    core.start(run_loop=False)
    owners = {
        "queue": "_songs",
        "playback": "current",
        "room": "session",
        "mixer": "volume_percent",
        "prepaid": "pending",
        "sensors": "_door",
        "memory": "_store",
    }
    for controller, state in owners.items():
        assert hasattr(getattr(core, controller), state), controller
    core.close()
