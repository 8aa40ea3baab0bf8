"""ktvctl rooms | room add|update|layout|state|power | alerts | emergency on|off."""

from __future__ import annotations

import argparse
import uuid
from datetime import UTC, datetime, timedelta

from rich.text import Text

from controller.ktvctl import args as types
from controller.ktvctl import command
from controller.ktvctl.connection import Connection, connect
from controller.ktvctl.output import (
    alert_kind_name,
    alerts_table,
    board_table,
    console,
    print_json,
    state_name,
    to_dict,
)
from controller.ktvctl.watch import watch_board
from ktv.errors import FailedPrecondition, InvalidArgument
from ktv.text import short
from ktv.v1 import rooms_pb2, rooms_pb2_grpc

# `ktvctl room state A08 <action...>` -> target state
# Actions that only make sense from one state ("cleaning done" on a room under maintenance
# is a slip of the hand, not a request to reopen it).
ACTION_FROM = {
    ("unreserve",): rooms_pb2.ROOM_STATE_RESERVED,
    ("maintenance", "off"): rooms_pb2.ROOM_STATE_MAINTENANCE,
    ("cleaning", "done"): rooms_pb2.ROOM_STATE_CLEANING,
}
STATE_ACTIONS = {
    ("idle",): rooms_pb2.ROOM_STATE_IDLE,
    ("reserve",): rooms_pb2.ROOM_STATE_RESERVED,
    ("unreserve",): rooms_pb2.ROOM_STATE_IDLE,
    ("maintenance", "on"): rooms_pb2.ROOM_STATE_MAINTENANCE,
    ("maintenance", "off"): rooms_pb2.ROOM_STATE_IDLE,
    ("cleaning", "done"): rooms_pb2.ROOM_STATE_IDLE,
}


def _room_name(value: str) -> str:
    return value if value.startswith("rooms/") else f"rooms/{value}"


def _request_id(args: argparse.Namespace) -> str:
    return getattr(args, "request_id", None) or uuid.uuid4().hex


def _add_request_id(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--request-id",
        type=types.REQUEST_ID,
        help="idempotency key (reuse it to retry safely); default: random",
    )


def _all_rooms(conn: Connection) -> list[rooms_pb2.Room]:
    stub = rooms_pb2_grpc.RoomServiceStub(conn.channel)
    rooms: list[rooms_pb2.Room] = []
    token = ""
    while True:
        page = conn.call(
            stub.ListRooms, rooms_pb2.ListRoomsRequest(page_size=1000, page_token=token)
        )
        rooms += page.rooms
        token = page.next_page_token
        if not token:
            return rooms


def _print_room(args: argparse.Namespace, room: rooms_pb2.Room, verb: str) -> None:
    if args.json:
        print_json(to_dict(room))
    else:
        console.print(
            f"{verb} {room.name}: {room.display_name} ({room.tier}), {state_name(room.state)}"
        )


@command("rooms", "the room board (--watch to follow it live)")
def rooms_board(parser: argparse.ArgumentParser) -> object:
    parser.add_argument("--watch", action="store_true", help="update live until Ctrl-C")
    parser.add_argument(
        "--for-seconds",
        type=types.seconds("the watch time", 0.0, types.WATCH_S_MAX, allow_zero=True),
        default=0.0,
        help=argparse.SUPPRESS,
    )

    def run(args: argparse.Namespace) -> int:
        if args.watch:
            return watch_board(args)
        conn = connect(args)
        try:
            rooms = _all_rooms(conn)
            if args.json:
                print_json([to_dict(r) for r in rooms])
            else:
                console.print(board_table(rooms))
            return 0
        finally:
            conn.close()

    return run


@command("room add", "add a room")
def room_add(parser: argparse.ArgumentParser) -> object:
    parser.add_argument("room_id", type=types.ROOM, help="e.g. A08")
    parser.add_argument("--tier", type=types.NAME, required=True, help="price tier, e.g. large")
    parser.add_argument(
        "--name", type=types.NAME, default="", help="display name (default: the room id)"
    )
    _add_request_id(parser)

    def run(args: argparse.Namespace) -> int:
        conn = connect(args)
        try:
            stub = rooms_pb2_grpc.RoomServiceStub(conn.channel)
            room = conn.call(
                stub.CreateRoom,
                rooms_pb2.CreateRoomRequest(
                    room_id=args.room_id,
                    tier=args.tier,
                    display_name=args.name,
                    request_id=_request_id(args),
                ),
            ).room
            _print_room(args, room, "added")
            return 0
        finally:
            conn.close()

    return run


@command("room update", "change a room's name or tier")
def room_update(parser: argparse.ArgumentParser) -> object:
    parser.add_argument("room_id", type=types.ROOM)
    parser.add_argument("--tier", type=types.NAME, default="")
    parser.add_argument("--name", type=types.NAME, default="")
    _add_request_id(parser)

    def run(args: argparse.Namespace) -> int:
        conn = connect(args)
        try:
            stub = rooms_pb2_grpc.RoomServiceStub(conn.channel)
            room = conn.call(
                stub.UpdateRoom,
                rooms_pb2.UpdateRoomRequest(
                    name=_room_name(args.room_id),
                    tier=args.tier,
                    display_name=args.name,
                    request_id=_request_id(args),
                ),
            ).room
            _print_room(args, room, "updated")
            return 0
        finally:
            conn.close()

    return run


@command("room layout", "place a room on the floor plan (floor, grid column and row, size)")
def room_layout(parser: argparse.ArgumentParser) -> object:
    parser.add_argument("room_id", type=types.ROOM)
    parser.add_argument("--floor", type=types.NAME, default="1F", help="e.g. 2F (default 1F)")
    parser.add_argument("--col", type=types.count("column", 0, 199), default=0)
    parser.add_argument("--row", type=types.count("row", 0, 199), default=0)
    parser.add_argument("--width", type=types.count("width", 1, 20), default=1)
    parser.add_argument("--height", type=types.count("height", 1, 20), default=1)
    _add_request_id(parser)

    def run(args: argparse.Namespace) -> int:
        conn = connect(args)
        try:
            stub = rooms_pb2_grpc.RoomServiceStub(conn.channel)
            room = conn.call(
                stub.SetRoomLayout,
                rooms_pb2.SetRoomLayoutRequest(
                    name=_room_name(args.room_id),
                    layout=rooms_pb2.RoomLayout(
                        floor=args.floor,
                        column=args.col,
                        row=args.row,
                        width=args.width,
                        height=args.height,
                    ),
                    request_id=_request_id(args),
                ),
            ).room
            _print_room(args, room, "placed")
            return 0
        finally:
            conn.close()

    return run


@command(
    "room state",
    "maintenance on|off, cleaning done, reserve, unreserve, idle",
)
def room_state(parser: argparse.ArgumentParser) -> object:
    parser.add_argument("room_id", type=types.ROOM)
    parser.add_argument("action", type=types.NAME, nargs="+", help="e.g. maintenance on")
    parser.add_argument("--reason", type=types.NOTE, default="")
    _add_request_id(parser)

    def run(args: argparse.Namespace) -> int:
        action = tuple(word.lower() for word in args.action)
        if action not in STATE_ACTIONS:
            known = ", ".join(" ".join(a) for a in STATE_ACTIONS)
            raise InvalidArgument(
                f"unknown state action {short(' '.join(args.action))}; use: {known}"
            )
        conn = connect(args)
        try:
            stub = rooms_pb2_grpc.RoomServiceStub(conn.channel)
            if action in ACTION_FROM:
                current = conn.call(
                    stub.GetRoom, rooms_pb2.GetRoomRequest(name=_room_name(args.room_id))
                ).room
                if current.state != ACTION_FROM[action]:
                    raise FailedPrecondition(
                        f"{current.name} is {state_name(current.state)}, not "
                        f"{state_name(ACTION_FROM[action])}: nothing to "
                        f"{' '.join(action)}"
                    )
            room = conn.call(
                stub.SetRoomState,
                rooms_pb2.SetRoomStateRequest(
                    name=_room_name(args.room_id),
                    state=STATE_ACTIONS[action],
                    reason=args.reason,
                    request_id=_request_id(args),
                ),
            ).room
            _print_room(args, room, "now")
            return 0
        finally:
            conn.close()

    return run


@command("room lock", "锁房: hold a room for a guest (not for sale) until released or --for")
def room_lock(parser: argparse.ArgumentParser) -> object:
    parser.add_argument("room_id", type=types.ROOM)
    parser.add_argument("--reason", type=types.NOTE, required=True, help="who it is held for")
    parser.add_argument(
        "--for",
        dest="for_minutes",
        type=types.minutes,
        default=0,
        help="e.g. 2h (default: until released)",
    )
    _add_request_id(parser)

    def run(args: argparse.Namespace) -> int:
        return _set_lock(args, locked=True)

    return run


@command("room unlock", "release a room's lock (锁房) so it can be sold")
def room_unlock(parser: argparse.ArgumentParser) -> object:
    parser.add_argument("room_id", type=types.ROOM)
    _add_request_id(parser)

    def run(args: argparse.Namespace) -> int:
        return _set_lock(args, locked=False)

    return run


def _set_lock(args: argparse.Namespace, *, locked: bool) -> int:
    request = rooms_pb2.SetRoomLockRequest(
        name=_room_name(args.room_id), locked=locked, request_id=_request_id(args)
    )
    if locked:
        request.reason = args.reason
        if args.for_minutes:
            request.until_time.FromDatetime(datetime.now(UTC) + timedelta(minutes=args.for_minutes))
    conn = connect(args)
    try:
        stub = rooms_pb2_grpc.RoomServiceStub(conn.channel)
        room = conn.call(stub.SetRoomLock, request).room
        _print_room(args, room, "locked" if locked else "released")
        return 0
    finally:
        conn.close()


POWER_MODES = {
    "on": rooms_pb2.POWER_MODE_ON,
    "off": rooms_pb2.POWER_MODE_OFF,
    "auto": rooms_pb2.POWER_MODE_AUTO,
}


@command("room power", "force a room's power on or off, or give it back to its rules (auto)")
def room_power(parser: argparse.ArgumentParser) -> object:
    parser.add_argument("room_id", type=types.ROOM)
    parser.add_argument("mode", type=str.lower, choices=sorted(POWER_MODES))
    parser.add_argument("--reason", type=types.NOTE, default="")
    _add_request_id(parser)

    def run(args: argparse.Namespace) -> int:
        conn = connect(args)
        try:
            stub = rooms_pb2_grpc.RoomServiceStub(conn.channel)
            answer = conn.call(
                stub.SetRoomPower,
                rooms_pb2.SetRoomPowerRequest(
                    name=_room_name(args.room_id),
                    mode=POWER_MODES[args.mode],
                    reason=args.reason,
                    request_id=_request_id(args),
                ),
            )
            if args.json:
                print_json({"room": to_dict(answer.room), "delivered": answer.delivered})
            else:
                told = (
                    "told the room" if answer.delivered else "room offline: told when it connects"
                )
                console.print(f"power {args.mode} for {answer.room.name} ({told})")
            return 0
        finally:
            conn.close()

    return run


@command("alerts", "open alerts across the venue")
def alerts(parser: argparse.ArgumentParser) -> object:
    def run(args: argparse.Namespace) -> int:
        conn = connect(args)
        try:
            rooms = [r for r in _all_rooms(conn) if r.alerts]
            if args.json:
                print_json(
                    [
                        {"room": r.name, **to_dict(a)}
                        for r in rooms
                        for a in sorted(r.alerts, key=lambda a: a.since_time.seconds)
                    ]
                )
            elif rooms:
                console.print(alerts_table(rooms))
            else:
                console.print("no open alerts")
            return 0
        finally:
            conn.close()

    return run


@command("alert ack", "clear a service call (SERVICE_CALLED) once someone went to the room")
def alert_ack(parser: argparse.ArgumentParser) -> object:
    parser.add_argument("room_id", type=types.ROOM)
    parser.add_argument("kind", type=types.NAME, nargs="?", default="SERVICE_CALLED")
    _add_request_id(parser)

    def run(args: argparse.Namespace) -> int:
        conn = connect(args)
        try:
            stub = rooms_pb2_grpc.RoomServiceStub(conn.channel)
            room = conn.call(
                stub.AcknowledgeAlert,
                rooms_pb2.AcknowledgeAlertRequest(
                    name=_room_name(args.room_id),
                    kind=args.kind.upper(),
                    alert_kind=_alert_kind(args.kind.upper()),
                    request_id=_request_id(args),
                ),
            ).room
            if args.json:
                print_json(to_dict(room))
            else:
                left = ", ".join(alert_kind_name(a) for a in room.alerts) or "none"
                console.print(f"{room.name}: {args.kind.upper()} cleared (open alerts: {left})")
            return 0
        finally:
            conn.close()

    return run


@command("emergency", "emergency stop in every room: on --message TEXT | off")
def emergency(parser: argparse.ArgumentParser) -> object:
    parser.add_argument("switch", choices=["on", "off"])
    parser.add_argument(
        "--message", type=types.NOTE, default="", help="evacuation message (required for on)"
    )
    _add_request_id(parser)

    def run(args: argparse.Namespace) -> int:
        if args.switch == "on" and not args.message.strip():
            raise InvalidArgument("emergency on needs --message TEXT")
        conn = connect(args)
        try:
            stub = rooms_pb2_grpc.RoomServiceStub(conn.channel)
            response = conn.call(
                stub.SetEmergency,
                rooms_pb2.SetEmergencyRequest(
                    active=args.switch == "on",
                    message=args.message,
                    request_id=_request_id(args),
                ),
            )
            if args.json:
                print_json(to_dict(response))
            elif response.active:
                console.print(
                    Text.assemble(
                        ("EMERGENCY ON", "bold red"),
                        f": {response.message} ({response.notified_room_count} rooms told now)",
                    )
                )
            else:
                console.print(f"emergency off ({response.notified_room_count} rooms told now)")
            return 0
        finally:
            conn.close()

    return run


def _alert_kind(kind: str) -> int:
    """The AlertKind of a kind typed at the desk (0 for one this ktvctl does not know: the
    controller then reads the string, and names the kinds it knows)."""
    try:
        return int(rooms_pb2.AlertKind.Value(f"ALERT_KIND_{kind}"))
    except ValueError:
        return 0
