"""ktvctl energy | health: what the rooms' devices used and how they are (issue 24)."""

from __future__ import annotations

import argparse

from rich import box
from rich.table import Table
from rich.text import Text

from controller.ktvctl import args as types
from controller.ktvctl import command
from controller.ktvctl.connection import connect
from controller.ktvctl.output import console, print_json, to_dict
from ktv.errors import InvalidArgument
from ktv.v1 import devices_pb2, devices_pb2_grpc, rooms_pb2


def _kwh(wh: int) -> str:
    return f"{wh / 1000:.2f}"


def _room_name(value: str) -> str:
    return value if value.startswith("rooms/") else f"rooms/{value}"


@command("energy", "kWh per room for a business day: by state, per session, and waste")
def energy(parser: argparse.ArgumentParser) -> object:
    parser.add_argument("--day", type=types.NAME, default="", help="YYYY-MM-DD (default: today)")
    parser.add_argument("--room", type=types.ROOM, default="", help="one room, e.g. A08")

    def run(args: argparse.Namespace) -> int:
        conn = connect(args)
        try:
            stub = devices_pb2_grpc.DevicesServiceStub(conn.channel)
            report = conn.call(
                stub.GetEnergyReport,
                devices_pb2.GetEnergyReportRequest(
                    business_day=args.day, room=_room_name(args.room) if args.room else ""
                ),
            )
        finally:
            conn.close()
        if args.json:
            print_json(to_dict(report))
            return 0
        table = Table(title=f"Energy, business day {report.business_day} (kWh)",
                      title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)  # fmt: skip
        for name in ("Room", "Total", "Session", "Idle", "Clean", "Waste", "On h", "kWh/h"):
            table.add_column(name, justify="left" if name == "Room" else "right", no_wrap=True)
        total = waste = 0
        for room in report.rooms:
            total += room.total_wh
            waste += room.waste_wh
            session_s = sum(s.duration_seconds for s in room.sessions)
            per_hour = room.session_wh / (session_s / 3600) if session_s else 0
            table.add_row(
                room.room.removeprefix("rooms/") + (" (meter)" if room.metered else ""),
                _kwh(room.total_wh),
                _kwh(room.session_wh),
                _kwh(room.idle_wh),
                _kwh(room.cleaning_wh),
                Text(_kwh(room.waste_wh), style="bold red" if room.waste_wh else ""),
                f"{room.on_seconds / 3600:.1f}",
                _kwh(round(per_hour)) if session_s else "-",
            )
        console.print(table)
        console.print(f"venue: {_kwh(total)} kWh, of which waste {_kwh(waste)} kWh")
        return 0

    return run


BADGES = {
    rooms_pb2.HEALTH_BADGE_SERVICE: ("SERVICE", "bold red"),
    rooms_pb2.HEALTH_BADGE_WATCH: ("watch", "yellow"),
    rooms_pb2.HEALTH_BADGE_OK: ("ok", "green"),
    rooms_pb2.HEALTH_BADGE_UNSPECIFIED: ("-", "dim"),
}


@command("health", "the rooms' devices by risk, with maintenance alerts")
def health(parser: argparse.ArgumentParser) -> object:
    parser.add_argument("--room", type=types.ROOM, default="", help="one room, e.g. A08")
    parser.add_argument("--days", type=int, default=7, help="history window (1-90 days)")

    def run(args: argparse.Namespace) -> int:
        if not 1 <= args.days <= 90:
            raise InvalidArgument("--days must be 1-90")
        conn = connect(args)
        try:
            stub = devices_pb2_grpc.DevicesServiceStub(conn.channel)
            answer = conn.call(
                stub.ListDeviceHealth,
                devices_pb2.ListDeviceHealthRequest(
                    room=_room_name(args.room) if args.room else "", days=args.days
                ),
            )
        finally:
            conn.close()
        if args.json:
            print_json([to_dict(r) for r in answer.rooms])
            return 0
        table = Table(title="Device health, riskiest first", title_justify="left",
                      box=box.SIMPLE_HEAD, pad_edge=False)  # fmt: skip
        for name in ("Room", "Badge", "Risk", "°C", "SD MB/day", "Free GB", "Err/day", "Why"):
            table.add_column(name, no_wrap=name != "Why")
        for room in answer.rooms:
            label, style = BADGES.get(room.badge, ("?", ""))
            table.add_row(
                room.room.removeprefix("rooms/"),
                Text(label, style=style),
                str(room.risk),
                f"{room.temperature_c:.0f}" if room.temperature_c else "-",
                f"{room.disk_written_bytes_per_day / 1024**2:.0f}",
                f"{room.disk_free_bytes / 1024**3:.1f}" if room.disk_free_bytes else "-",
                f"{room.player_errors_per_day:.1f}",
                "; ".join(a.message for a in room.alerts),
            )
        console.print(table)
        return 0

    return run
