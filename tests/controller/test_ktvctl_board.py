"""The room board at 80 columns: every alert readable (short codes + a legend), nothing the
cashier acts on cut to an ellipsis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from rich.cells import cell_len
from rich.console import Console

from controller.ktvctl.output import ALERT_CODES, alert_code, board_table
from ktv.v1 import rooms_pb2 as r

NOW = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)


def ts(at: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(at)
    return stamp


def alert(kind: str) -> r.RoomAlert:
    return r.RoomAlert(kind=kind, message="...", since_time=ts(NOW))


def busy_venue() -> list[r.Room]:
    """The worst evening: every alert at once, long CJK names, big totals, overtime."""
    return [
        r.Room(
            name="rooms/A08",
            display_name="A08 豪华大包厢 (带卫生间)",
            tier="large",
            state=r.ROOM_STATE_IN_USE,
            state_since_time=ts(NOW - timedelta(hours=3, minutes=5)),
            agent=r.AgentStatus(online=True),
            running_total_fen=123_456_789,
            session_end_time=ts(NOW - timedelta(minutes=72)),
            alerts=[alert("SERVICE_CALLED"), alert("TIME_UP"), alert("NOBODY_PRESENT")],
        ),
        r.Room(
            name="rooms/B103",
            display_name="B103 派对房",
            tier="party",
            state=r.ROOM_STATE_MAINTENANCE,
            state_since_time=ts(NOW - timedelta(days=3)),
            agent=r.AgentStatus(online=False),
            alerts=[alert("AGENT_OFFLINE")],
        ),
        r.Room(
            name="rooms/C01",
            display_name="C01",
            tier="small",
            state=r.ROOM_STATE_CLEANING,
            agent=r.AgentStatus(online=True),
            alerts=[alert("DOOR_OPEN_WHILE_CLEANING"), alert("OCCUPIED_WITHOUT_SESSION")],
        ),
        r.Room(
            name="rooms/C02",
            display_name="C02",
            tier="vip",
            state=r.ROOM_STATE_RESERVED,
            agent=r.AgentStatus(online=True),
        ),
    ]


def render(rooms: list[r.Room], width: int) -> str:
    console = Console(width=width, record=True, markup=False, emoji=False, color_system=None)
    console.print(board_table(rooms, now=NOW))
    return console.export_text()


def test_every_alert_is_a_whole_code_at_80_columns_with_its_legend() -> None:
    text = render(busy_venue(), 80)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    words = text.split()
    for kind in ALERT_CODES:
        code = alert_code(kind)
        assert code.code in words, f"{kind} ({code.code}) missing:\n{text}"
        assert f"{code.code} {code.meaning}" in " ".join(text.split()), text
    header = next(line for line in lines if "Room" in line and "Alerts" in line)
    name_from, name_to = header.index("Name"), header.index("Tier")
    for line in lines:  # only a long name may be cut; rooms, states, times, money never
        cut = [cell_len(line[:i]) for i, ch in enumerate(line) if ch == "…"]
        assert all(name_from <= col < name_to for col in cut), text
    for must in ("A08", "B103", "MAINTENANCE", "CLEANING", "RESERVED", "3h05m", "1234567.89"):
        assert must in words, f"{must} cut:\n{text}"
    assert "到钟+1h12m" in words  # 72 minutes over: the overtime, in the Left column


def test_the_legend_names_only_the_codes_on_screen() -> None:
    quiet = busy_venue()[3:]
    assert "service call" not in render(quiet, 80)
    assert "OFF room agent offline" not in render(quiet, 80)


@pytest.mark.parametrize("width", [60, 80, 120, 200])
def test_the_board_never_folds_a_room_id_or_state(width: int) -> None:
    text = render(busy_venue(), width)
    for room in ("A08", "B103", "C01", "C02"):
        assert f" {room} " in text
    assert "MAINTENANCE" in text


def test_an_alert_newer_than_this_ktvctl_shows_its_initials_and_meaning() -> None:
    room = busy_venue()[3]
    room.alerts.append(alert("SMOKE_DETECTED"))
    text = render([room], 80)
    assert "SD" in text.split() and "SD smoke detected" in text
