"""到钟 on the board: the TIME_UP alert follows the controller's clock, 续钟 moves it on and
tells the room's agent the new end; checkout clears it."""

from __future__ import annotations

from datetime import timedelta

from controller.rooms import commands
from controller.rooms.board import RoomBoard
from controller.rooms.model import AlertKind

from . import test_board
from .test_board import Clock, Sink

board, clock = test_board.board, test_board.clock  # the board on a real SQLite file


def kinds(board: RoomBoard) -> list[AlertKind]:
    return [a.kind for a in board.get("A08").alerts]


def test_a_prepaid_room_past_its_end_is_marked_到钟_until_extended(
    board: RoomBoard,
    clock: Clock,
) -> None:
    sink = Sink()
    board.attach_agent("A08", "1.0", "peer", sink)
    end = clock.now + timedelta(hours=1)
    board.session_opened("A08", "sessions/1", end_time=end)
    clock.advance(59 * 60)
    board.tick()
    assert AlertKind.TIME_UP not in kinds(board)
    clock.advance(60)
    board.tick()
    alert = next(a for a in board.get("A08").alerts if a.kind is AlertKind.TIME_UP)
    assert "到钟" in alert.message and alert.since == end
    clock.advance(12 * 60)
    board.tick()
    assert (
        "12 min over"
        in next(a for a in board.get("A08").alerts if a.kind is AlertKind.TIME_UP).message
    )

    sink.received.clear()
    new_end = clock.now + timedelta(hours=1)
    board.set_session_end("A08", new_end)
    assert AlertKind.TIME_UP not in kinds(board)
    assert sink.bodies() == [
        commands.SessionOpened("sessions/1", board.get("A08").state_since, new_end, 0)
    ]
    board.set_session_end("A08", new_end)  # the same end again: nothing sent twice
    assert len(sink.received) == 1


def test_checkout_clears_到钟(board: RoomBoard, clock: Clock) -> None:
    board.session_opened("A08", "sessions/1", end_time=clock.now + timedelta(minutes=30))
    clock.advance(45 * 60)
    board.tick()
    assert AlertKind.TIME_UP in kinds(board)
    board.session_closed("A08", "sessions/1")
    board.tick()
    assert AlertKind.TIME_UP not in kinds(board)


def test_a_pay_at_checkout_room_is_never_marked_到钟(board: RoomBoard, clock: Clock) -> None:
    board.session_opened("A08", "sessions/1")
    clock.advance(10 * 3600)
    board.tick()
    assert AlertKind.TIME_UP not in kinds(board)
