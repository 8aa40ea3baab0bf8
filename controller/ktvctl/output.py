"""Printing for ktvctl: rich tables for people, JSON (one document) for scripts.

Text from the controller (names, messages, bill lines) is never read as rich markup or emoji
codes: a product called ``[/]`` or ``:beer:`` prints as typed. Styles are ``Text`` objects.

The board fits 80 columns: alerts are short codes (``CALL``, ``TIME``, ``OFF``...) with a
legend under the table naming only the codes on screen.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message
from rich import box
from rich.columns import Columns
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ktv.v1 import rooms_pb2

console = Console(markup=False, emoji=False, highlight=False)

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


@dataclass(frozen=True)
class AlertCode:
    code: str  # at most 4 characters: the board's column at 80 columns
    meaning: str  # the legend under the board
    style: str


# Designed for a cashier at a glance; the legend says what each one means.
ALERT_CODES = {
    "SERVICE_CALLED": AlertCode("CALL", "service call (alert ack)", "bold red"),
    "TIME_UP": AlertCode("TIME", "time is up (到钟)", "bold red"),
    "OCCUPIED_WITHOUT_SESSION": AlertCode("OCC", "people in, no bill", "yellow"),
    "NOBODY_PRESENT": AlertCode("EMPT", "bill open, nobody in", "yellow"),
    "DOOR_OPEN_WHILE_CLEANING": AlertCode("DOOR", "door open while cleaning", "yellow"),
    "AGENT_OFFLINE": AlertCode("OFF", "room agent offline", "red"),
}
ALERT_ORDER = list(ALERT_CODES)  # the most urgent first


def alert_code(kind: str) -> AlertCode:
    """The board's code for an alert kind; a kind newer than this ktvctl gets its initials
    (``SOMETHING_NEW`` -> ``SN``) and the legend spells it out."""
    if kind in ALERT_CODES:
        return ALERT_CODES[kind]
    initials = "".join(word[:1] for word in kind.split("_") if word)[:4] or "?"
    return AlertCode(initials, kind.lower().replace("_", " "), "yellow")


def alert_kind_name(alert: rooms_pb2.RoomAlert) -> str:
    """An alert's kind ("SERVICE_CALLED") from its enum; an older controller that fills only
    the deprecated string gives that."""
    kind = alert.alert_kind
    if kind and kind in rooms_pb2.AlertKind.values():
        return str(rooms_pb2.AlertKind.Name(kind)).removeprefix("ALERT_KIND_")
    return alert.kind


def room_alert_kinds(room: rooms_pb2.Room) -> list[str]:
    """A room's alert kinds, most urgent first; an offline agent counts as AGENT_OFFLINE."""
    kinds = {alert_kind_name(a) for a in room.alerts}
    if not room.agent.online:
        kinds.add("AGENT_OFFLINE")
    return sorted(kinds, key=lambda k: (ALERT_ORDER.index(k) if k in ALERT_CODES else 99, k))


def board_table(
    rooms: list[rooms_pb2.Room], title: str = "Rooms", now: datetime | None = None
) -> Group:
    """The board: one row per room, then the legend of the alert codes shown."""
    table = Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    # Widths for 80 columns: the room, state, times, money and alert codes never shrink; the
    # name wraps and the tier is cut first (both are on `ktvctl room`'s own lines anyway).
    table.add_column("Room", no_wrap=True, min_width=4)
    table.add_column("Name", min_width=6)
    table.add_column("Tier", no_wrap=True, overflow="ellipsis", max_width=6)
    table.add_column("State", no_wrap=True, min_width=11)
    table.add_column("Since", no_wrap=True, justify="right", min_width=5)
    table.add_column("Total", no_wrap=True, justify="right")
    table.add_column("Left", no_wrap=True, justify="right")
    # Power and catalog version only when some room has one: 80 columns hold the rest only
    # (a venue without room devices or published catalogs never sees them).
    with_power = any(power_cell(room).plain for room in rooms)
    with_catalog = any(room.agent.catalog_version for room in rooms)
    if with_power:
        table.add_column("Pwr", no_wrap=True)
    table.add_column("Alerts", min_width=4)
    if with_catalog:
        table.add_column("Cat", no_wrap=True, justify="right")  # catalog version the room runs
    shown: list[str] = []
    for room in rooms:
        state = state_name(room.state)
        kinds = room_alert_kinds(room)
        shown += [k for k in kinds if k not in shown]
        alerts = Text(" ").join(Text(alert_code(k).code, style=alert_code(k).style) for k in kinds)
        cells: list[str | Text] = [
            room.name.removeprefix("rooms/"),
            room.display_name,
            room.tier,
            Text(state, style=STATE_STYLE.get(state, "white")),
            ago(room.state_since_time, now),
            running_total(room),
            time_left(room, now),
        ]
        if with_power:
            cells.append(power_cell(room))
        cells.append(alerts)
        if with_catalog:
            cells.append(room.agent.catalog_version)
        table.add_row(*cells)
    if not shown:
        return Group(table)
    legend = Columns(
        [
            Text.assemble((alert_code(k).code, alert_code(k).style), f" {alert_code(k).meaning}")
            for k in sorted(shown, key=lambda k: ALERT_ORDER.index(k) if k in ALERT_CODES else 99)
        ],
        padding=(0, 3),
    )
    return Group(table, legend)


def power_cell(room: rooms_pb2.Room) -> Text:
    """The room's power as its agent reported it (``!``: forced by the desk), ``M`` when its
    sensors run on mock pins (not live), and its health badge (``S`` service, ``W`` watch)."""
    text = Text()
    if room.HasField("power") and room.power.scene:
        text.append("on" if room.power.on else "off", style="green" if room.power.on else "dim")
        if room.power.mode in (rooms_pb2.POWER_MODE_ON, rooms_pb2.POWER_MODE_OFF):
            text.append("!", style="bold yellow")
    if room.sensor_pins == rooms_pb2.SENSOR_PINS_MOCK:
        text.append(" M" if text.plain else "M", style="bold red")
    badge = {rooms_pb2.HEALTH_BADGE_SERVICE: ("S", "bold red"),
             rooms_pb2.HEALTH_BADGE_WATCH: ("W", "yellow")}.get(room.health)  # fmt: skip
    if badge is not None:
        text.append((" " if text.plain else "") + badge[0], style=badge[1])
    return text


def running_total(room: rooms_pb2.Room) -> str:
    """The open session's bill so far, in yuan (billing keeps it current)."""
    if room.state != rooms_pb2.ROOM_STATE_IN_USE:
        return ""
    yuan, fen = divmod(room.running_total_fen, 100)
    return f"{yuan}.{fen:02d}"


def time_left(room: rooms_pb2.Room, now: datetime | None = None) -> Text:
    """Time left on prepaid / package / 场次 time; '到钟+12m' (red: over by) once it ran out."""
    end = room.session_end_time
    if room.state != rooms_pb2.ROOM_STATE_IN_USE or (not end.seconds and not end.nanos):
        return Text("")
    seconds = int((end.ToDatetime(tzinfo=UTC) - (now or datetime.now(UTC))).total_seconds())
    minutes = abs(seconds) // 60
    text = f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"
    return Text(text) if seconds > 0 else Text(f"到钟+{text}", style="bold red")


def alerts_table(rooms: list[rooms_pb2.Room]) -> Table:
    table = Table(title="Alerts", title_justify="left")
    for column in ("Room", "Alert", "Since", "Message"):
        table.add_column(column)
    for room in rooms:
        for alert in room.alerts:
            table.add_row(
                room.name.removeprefix("rooms/"),
                alert_kind_name(alert),
                ago(alert.since_time),
                alert.message,
            )
    return table
