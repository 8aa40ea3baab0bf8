"""A room's floor-plan place and guest count live on the board's record: saved in SQLite and
back after a restart; a place out of bounds is refused naming the field."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from controller.rooms.board import RoomBoard
from controller.rooms.model import DEFAULT_TIERS, RoomLayout, check_layout
from controller.store.db import open_store
from ktv.errors import InvalidArgument


def clock() -> datetime:
    return datetime(2026, 12, 7, 20, 0, tzinfo=UTC)


def test_the_place_and_the_guests_survive_a_restart(tmp_path: Path) -> None:
    store = open_store(tmp_path / "board.db")
    board = RoomBoard(store, tiers=DEFAULT_TIERS, clock=clock)
    board.load()
    board.create_room("B02", "B02", "vip")
    assert board.get("B02").layout == RoomLayout()  # 1F, (0, 0), 1x1
    placed = board.set_layout("B02", check_layout("2F", 3, 1, 2, 1))
    assert placed.revision == 2
    assert board.set_layout("B02", check_layout("2F", 3, 1, 2, 1)).revision == 2  # unchanged
    board.session_opened("B02", "sessions/s1", guest_count=6)
    board.set_running_total("B02", 12_800, 7)
    store.close()
    store = open_store(tmp_path / "board.db")
    again = RoomBoard(store, tiers=DEFAULT_TIERS, clock=clock)
    again.load()
    room = again.get("B02")
    assert room.layout == RoomLayout("2F", 3, 1, 2, 1)
    assert (room.guest_count, room.running_total_fen) == (7, 12_800)
    again.session_closed("B02", "sessions/s1")
    assert again.get("B02").guest_count == 0
    store.close()


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("1F", -1, 0, 1, 1), "column"),
        (("1F", 0, 200, 1, 1), "row"),
        (("1F", 0, 0, 21, 1), "width"),
        (("1F", 0, 0, 1, -2), "height"),
        (("一二三四五六七八九十一二三四五六七", 0, 0, 1, 1), "floor"),
    ],
)
def test_a_place_out_of_bounds_is_refused(args: tuple, field: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        check_layout(*args)
    assert refused.value.reason == "BAD_LAYOUT" and field in refused.value.message


def test_defaults_fill_what_is_not_said() -> None:
    assert check_layout("", 2, 0, 0, 0) == RoomLayout("1F", 2, 0, 1, 1)
    assert check_layout("  2F ", 0, 0, 1, 1).floor == "2F"
