"""``ktvctl rooms --watch``: the live board from WatchRooms, surviving controller restarts.

The first connection must deliver a snapshot within ``--timeout`` (else exit 9, like any
call). After that, when the stream ends (controller restart, network) the board says so and
reconnects every ``watch_reconnect_interval_s``, re-resolving the address (a restarted
controller may listen elsewhere) and starting again from a fresh snapshot.
"""

from __future__ import annotations

import argparse
import enum
import threading
import time

import grpc
from rich.live import Live

from controller import settings
from controller.ktvctl.connection import Connection, connect, error_from_rpc
from controller.ktvctl.output import board_table, console, print_json, to_dict
from ktv.errors import KtvError, Unavailable
from ktv.v1 import rooms_pb2, rooms_pb2_grpc


class Outcome(enum.Enum):
    STOPPED = "stopped"  # --for-seconds ran out
    ENDED = "ended"  # the stream ended or broke after a snapshot


class BoardView:
    """The rooms as last heard, drawn as a rich Live table (or printed as JSON lines)."""

    def __init__(self, json_lines: bool) -> None:
        self.rooms: dict[str, rooms_pb2.Room] = {}
        self.json_lines = json_lines
        self.live = None if json_lines else Live(board_table([]), console=console)

    def start(self) -> None:
        if self.live is not None:
            self.live.start()

    def stop(self) -> None:
        if self.live is not None:
            self.live.stop()

    def apply(self, message: rooms_pb2.WatchRoomsResponse) -> None:
        if message.kind == rooms_pb2.WatchRoomsResponse.KIND_SNAPSHOT:
            self.rooms.clear()
        for room in message.rooms:
            if message.kind == rooms_pb2.WatchRoomsResponse.KIND_REMOVED:
                self.rooms.pop(room.name, None)
            else:
                self.rooms[room.name] = room
        if self.json_lines:
            print_json(to_dict(message))
        else:
            self.draw("Rooms (live)")

    def draw(self, title: str) -> None:
        if self.live is not None:
            rooms = [self.rooms[k] for k in sorted(self.rooms)]
            self.live.update(board_table(rooms, title=title), refresh=True)


def _follow(conn: Connection, view: BoardView, remaining_s: float | None, first: bool) -> Outcome:
    stub = rooms_pb2_grpc.RoomServiceStub(conn.channel)
    call = stub.WatchRooms(rooms_pb2.WatchRoomsRequest(), metadata=conn.metadata)
    got_snapshot = threading.Event()
    stopped = threading.Event()

    def stop() -> None:
        stopped.set()
        call.cancel()

    # The stream has no deadline, but its first message (the snapshot) does.
    timers = [threading.Timer(conn.timeout_s, lambda: got_snapshot.is_set() or call.cancel())]
    if remaining_s is not None:
        timers.append(threading.Timer(remaining_s, stop))
    for timer in timers:
        timer.daemon = True
        timer.start()
    try:
        for message in call:
            got_snapshot.set()
            view.apply(message)
    except grpc.RpcError as error:
        if stopped.is_set():
            return Outcome.STOPPED
        if first and not got_snapshot.is_set():
            if error.code() == grpc.StatusCode.CANCELLED:
                raise Unavailable(
                    f"the controller at {conn.address} sent no board within {conn.timeout_s:g} s"
                ) from None
            raise error_from_rpc(error, conn.address) from None
    finally:
        for timer in timers:
            timer.cancel()
    return Outcome.STOPPED if stopped.is_set() else Outcome.ENDED


def watch_board(args: argparse.Namespace) -> int:
    deadline = time.monotonic() + args.for_seconds if args.for_seconds else None
    view = BoardView(json_lines=args.json)
    first = True
    view.start()
    try:
        while True:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return 0
            try:
                conn = connect(args)
            except KtvError:
                if first:
                    raise
                conn = None
            if conn is not None:
                try:
                    outcome = _follow(conn, view, remaining, first)
                finally:
                    conn.close()
                if outcome is Outcome.STOPPED:
                    return 0
                first = False
            view.draw("Rooms (connection lost, reconnecting...)")
            time.sleep(settings.watch_reconnect_interval_s)
    finally:
        view.stop()
