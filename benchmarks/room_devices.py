"""The room's devices (issue 24): how fast a state change reaches the pins, and how long the
controller takes to close a business day's energy for a venue.

    .venv/bin/python benchmarks/room_devices.py [--rounds 200] [--rooms 200]

1. state change -> pins switched: a real ``RoomCore`` (its loop running) with six outputs on
   gpiozero's MockFactory pins and the link's real SQLite outbox as its sink; the time from
   the command's arrival (``core.handle``) to the moment the last pin of the new scene was
   written (the outputs adapter stamps it), over open session -> checkout -> cleaning ->
   cleaning done -> desk off -> auto. Target p99 <= 50 ms on the agent.
2. energy day close: a real controller database (every migration) with a busy day for N
   rooms (each: 3 sessions, their scene and door-lamp switches, presence changes, health
   reports), then ``DeviceReports.energy`` for the day: the SQL reads plus the pure
   integration. Target <= 200 ms for 200 rooms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gpiozero.pins.mock import MockFactory, MockPWMPin
from rich.console import Console
from rich.progress import track
from rich.table import Table

from controller.billing.clock import VenueClock
from controller.devices.api import DeviceReports
from controller.devices.energy import venue_energy
from controller.devices.records import room_histories
from controller.rooms.board import RoomBoard
from controller.store.db import open_store
from ktv.room_link import (
    PowerMode,
    RoomState,
    RoomStateChanged,
    SessionClosed,
    SessionOpened,
    SetPower,
)
from room_agent.core.instruments import RecordingPlayer, SongShelf
from room_agent.core.room import RoomCore
from room_agent.core.scenes import OutputKind, OutputRole, OutputSpec
from room_agent.devices.outputs import RoomOutputs
from room_agent.link.db import LinkDatabase
from room_agent.link.outbox import Outbox

OUTPUTS = (
    OutputSpec("lights", OutputKind.PWM, OutputRole.LIGHTS, (12,), watts=60),
    OutputSpec("accent", OutputKind.RGB, OutputRole.ACCENT, (5, 6, 13), watts=30),
    OutputSpec("door_lamp", OutputKind.RGB, OutputRole.DOOR_LAMP, (16, 20, 21), watts=5),
    OutputSpec("tv", OutputKind.RELAY, OutputRole.POWER, (22,), active_high=False, watts=150),
    OutputSpec("amp", OutputKind.RELAY, OutputRole.SOUND, (23,), active_high=False, watts=300),
    OutputSpec("ac", OutputKind.RELAY, OutputRole.POWER, (24,), active_high=False, watts=1500),
)


class StampedOutputs:
    """The real adapter, stamping when the last pin of an ``apply`` was written."""

    def __init__(self, outputs: RoomOutputs) -> None:
        self.outputs = outputs
        self.last_written = 0.0

    @property
    def specs(self) -> tuple[OutputSpec, ...]:
        return self.outputs.specs

    def apply(self, levels):  # type: ignore[no-untyped-def]
        self.outputs.apply(levels)
        self.last_written = time.perf_counter()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def state_to_pins(rounds: int, work: Path) -> dict[str, list[float]]:
    factory = MockFactory(pin_class=MockPWMPin)
    outputs = StampedOutputs(RoomOutputs(OUTPUTS, pin_factory=factory))
    db = LinkDatabase(work / "link.db")
    core = RoomCore(RecordingPlayer(), Outbox(db), SongShelf(), outputs=outputs)
    core.start()  # with its loop thread, as on the agent
    steps = {
        "session opened": lambda n: SessionOpened(
            f"sessions/{n}", datetime.now(UTC), None, 4, None
        ),
        "checkout": lambda n: SessionClosed(f"sessions/{n}"),
        "cleaning": lambda n: RoomStateChanged(RoomState.CLEANING),
        "cleaning done": lambda n: RoomStateChanged(RoomState.IDLE),
        "desk off": lambda n: SetPower(PowerMode.OFF, "bench"),
        "desk auto": lambda n: SetPower(PowerMode.AUTO),
    }
    times: dict[str, list[float]] = {name: [] for name in steps}
    try:
        for n in track(range(rounds), description="state -> pins"):
            for name, make in steps.items():
                command = make(n)
                started = time.perf_counter()
                core.handle(command)
                times[name].append((outputs.last_written - started) * 1000)
                if name == "session opened":
                    core.handle(RoomStateChanged(RoomState.IN_USE))
    finally:
        core.close()
        outputs.outputs.close()
        db.close()
        factory.reset()
    return times


def busy_day(store, rooms: int, day_start: datetime) -> None:  # type: ignore[no-untyped-def]
    """Per room: standby, 3 sessions (welcome -> singing -> party), checkout, cleaning, idle
    off; presence changes; a health report every 5 minutes."""
    with store.transaction():
        for r in track(range(rooms), description="a busy day"):
            room_id = f"R{r:03d}"
            store.execute(
                "INSERT INTO rooms (room_id, display_name, tier, state, state_since, created_at)"
                " VALUES (?, ?, 'large', 'IDLE', ?, ?)",
                (room_id, room_id, day_start.isoformat(), day_start.isoformat()),
            )
            events: list[tuple[datetime, str, dict]] = []
            states: list[tuple[datetime, str, str]] = []
            for s in range(3):
                opened = day_start + timedelta(hours=3 + 4 * s, minutes=r % 30)
                closed = opened + timedelta(hours=3)
                states += [
                    (opened, "IN_USE", f"session sessions/{room_id}-{s} opened"),
                    (closed, "CLEANING", f"session sessions/{room_id}-{s} closed"),
                    (closed + timedelta(minutes=30), "IDLE", "cleaning done"),
                ]
                for minutes, watts in ((0, 2033), (5, 1993), (90, 1988), (180, 95)):
                    events.append(
                        (opened + timedelta(minutes=minutes), "PowerSwitched",
                         {"powerSwitched": {"on": watts > 100, "loadWatts": watts}})
                    )  # fmt: skip
                events.append((closed + timedelta(minutes=30), "PowerSwitched", {}))
                for minutes in range(0, 180, 20):
                    events.append(
                        (opened + timedelta(minutes=minutes), "PresenceChanged",
                         {"presence": {"present": minutes % 40 == 0}})
                    )  # fmt: skip
            for minutes in range(0, 24 * 60, 5):
                events.append(
                    (day_start + timedelta(minutes=minutes), "DeviceHealth",
                     {"deviceHealth": {"temperatureC": 55.0, "temperatureKnown": True}})
                )  # fmt: skip
            store.conn.executemany(
                "INSERT INTO room_events (event_id, room_id, kind, occur_time, received_at,"
                " payload) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (uuid.uuid4().hex, room_id, kind, at.isoformat(), at.isoformat(),
                     json.dumps(payload))
                    for at, kind, payload in events
                ],
            )  # fmt: skip
            store.conn.executemany(
                "INSERT INTO room_state_changes (room_id, from_state, to_state, reason, actor,"
                " changed_at) VALUES (?, 'IDLE', ?, ?, 'bench', ?)",
                [(room_id, to, why, at.isoformat()) for at, to, why in states],
            )


def day_close(rooms: int, work: Path, repeats: int = 7) -> dict[str, list[float]]:
    clock = VenueClock()
    day = date(2026, 12, 7)
    start, end = clock.day_start(day), clock.day_end(day)
    store = open_store(work / "controller.db")
    busy_day(store, rooms, start)
    board = RoomBoard(store, tiers=("large",), clock=lambda: end + timedelta(hours=1))
    board.load()
    reports = DeviceReports(store, board, clock, lambda: end + timedelta(hours=1))
    times: dict[str, list[float]] = {"read (SQL)": [], "integrate (pure)": [], "day close": []}
    ids = [r.room_id for r in board.rooms()]
    for _ in range(repeats):
        t0 = time.perf_counter()
        histories = room_histories(store, ids, start, end)
        t1 = time.perf_counter()
        venue_energy(histories, start, end)
        t2 = time.perf_counter()
        reports.energy(day, board.rooms())
        t3 = time.perf_counter()
        times["read (SQL)"].append((t1 - t0) * 1000)
        times["integrate (pure)"].append((t2 - t1) * 1000)
        times["day close"].append((t3 - t2) * 1000)
    store.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--rooms", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pins = state_to_pins(args.rounds, Path(tmp))
        energy = day_close(args.rooms, Path(tmp))
    table = Table(title="Room devices (this machine)", title_justify="left")
    for col in ("measure", "n", "min ms", "median ms", "p99 ms", "max ms", "target"):
        table.add_column(col, justify="left" if col == "measure" else "right")
    every = [v for values in pins.values() for v in values]
    for name, values in [*pins.items(), ("all state changes", every)]:
        table.add_row(
            f"state -> pins: {name}",
            str(len(values)),
            f"{min(values):.2f}",
            f"{statistics.median(values):.2f}",
            f"{pct(values, 0.99):.2f}",
            f"{max(values):.2f}",
            "p99 <= 50" if name == "all state changes" else "",
        )
    for name, values in energy.items():
        table.add_row(
            f"energy, {args.rooms} rooms: {name}",
            str(len(values)),
            f"{min(values):.1f}",
            f"{statistics.median(values):.1f}",
            f"{pct(values, 0.99):.1f}",
            f"{max(values):.1f}",
            "<= 200" if name == "day close" else "",
        )
    Console(width=120).print(table)
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
