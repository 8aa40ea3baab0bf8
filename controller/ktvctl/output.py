"""Printing for ktvctl: rich tables for people, JSON (one document) for scripts."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message
from rich.console import Console
from rich.table import Table

from ktv.v1 import rooms_pb2

console = Console()

STATE_STYLE = {
    "IDLE": "green",
    "RESERVED": "cyan",
    "IN_USE": "bold yellow",
    "CLEANING": "magenta",
    "MAINTENANCE": "red",
}


def to_dict(message: Message) -> dict[str, Any]:
    return MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, sort_keys=True)
    sys.stdout.write("\n")
    sys.stdout.flush()


def state_name(value: int) -> str:
    return rooms_pb2.RoomState.Name(value).removeprefix("ROOM_STATE_")


def ago(ts: Any, now: datetime | None = None) -> str:
    if not ts.seconds and not ts.nanos:
        return "-"
    seconds = int(((now or datetime.now(UTC)) - ts.ToDatetime(tzinfo=UTC)).total_seconds())
    seconds = max(seconds, 0)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m"
    return f"{seconds // 86400}d"


def board_table(rooms: list[rooms_pb2.Room], title: str = "Rooms") -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("Room", "Name", "Tier", "State", "Online", "Since", "Total", "Left", "Alerts"):
        table.add_column(column, no_wrap=column != "Alerts")
    for room in rooms:
        state = state_name(room.state)
        online = "[green]online[/]" if room.agent.online else "[red]offline[/]"
        alerts = ", ".join(a.kind for a in room.alerts) or ""
        table.add_row(
            room.name.removeprefix("rooms/"),
            room.display_name,
            room.tier,
            f"[{STATE_STYLE.get(state, 'white')}]{state}[/]",
            online,
            ago(room.state_since_time),
            running_total(room),
            time_left(room),
            f"[yellow]{alerts}[/]" if alerts else "",
        )
    return table


def running_total(room: rooms_pb2.Room) -> str:
    """The open session's bill so far, in yuan (billing keeps it current)."""
    if room.state != rooms_pb2.ROOM_STATE_IN_USE:
        return ""
    yuan, fen = divmod(room.running_total_fen, 100)
    return f"{yuan}.{fen:02d}"


def time_left(room: rooms_pb2.Room, now: datetime | None = None) -> str:
    """Time left on prepaid / package / 场次 time; 'over 12m' once it has run out."""
    end = room.session_end_time
    if room.state != rooms_pb2.ROOM_STATE_IN_USE or (not end.seconds and not end.nanos):
        return ""
    seconds = int((end.ToDatetime(tzinfo=UTC) - (now or datetime.now(UTC))).total_seconds())
    minutes = abs(seconds) // 60
    text = f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"
    return text if seconds > 0 else f"[red]到钟 over {text}[/]"


def alerts_table(rooms: list[rooms_pb2.Room]) -> Table:
    table = Table(title="Alerts", title_justify="left")
    for column in ("Room", "Alert", "Since", "Message"):
        table.add_column(column)
    for room in rooms:
        for alert in room.alerts:
            table.add_row(
                room.name.removeprefix("rooms/"), alert.kind, ago(alert.since_time), alert.message
            )
    return table
