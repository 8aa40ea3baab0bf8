"""A day of a 20-room venue, simulated: real room agents (headless, the real core, outputs on
mock pins) linked over gRPC on loopback to a real controller, all on one injected clock
(issue 24). The energy the controller reports per room equals on-time x watts worked out by
hand from the script below, and the room the script left on is found as waste.

The script (business day from 10:00 Shanghai = 02:00 UTC; idle_off_minutes = 10):

- every room starts in standby (welcome lights, power off); the door's state reported at
  start counts as use, so somebody is "present" until 10:05, and the room goes dark at
  10:15 after 10 minutes of nobody;
- the even rooms sell a session 19:00-22:00 (guests moving about), checkout turns the room
  to cleaning until 22:30, then it is dark again (nobody there for 25 minutes by then);
- A20's power is forced on from the desk at 23:00 and nobody turns it off: waste until the
  day ends at 10:00.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from controller.app import ControllerApp, ServerOptions
from controller.server import run_server
from ktv.room_link import PowerMode, RoomState
from ktv.v1 import devices_pb2, devices_pb2_grpc
from media_index.catalog import Catalog
from room_agent.agent import RoomAgent, build_agent
from room_agent.config import AgentConfig
from room_agent.core.scenes import OutputKind, OutputRole, OutputSpec
from room_agent.core_rooms import CoreRooms, PlayerKind
from room_agent.link.credentials import AgentCredential, save_credential
from room_agent.link.discovery import ControllerAddress
from tests.support.controller import RunningController

ROOMS = [f"A{i:02d}" for i in range(1, 21)]
DAY_START = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
OUTPUTS = (
    OutputSpec("lights", OutputKind.PWM, OutputRole.LIGHTS, (12,), watts=60),
    OutputSpec("accent", OutputKind.RGB, OutputRole.ACCENT, (5, 6, 13), watts=30),
    OutputSpec("door_lamp", OutputKind.LED, OutputRole.DOOR_LAMP, (26,), watts=5),
    OutputSpec("tv", OutputKind.RELAY, OutputRole.POWER, (22,), active_high=False, watts=150),
    OutputSpec("amp", OutputKind.RELAY, OutputRole.SOUND, (23,), active_high=False, watts=300),
    OutputSpec("ac", OutputKind.RELAY, OutputRole.POWER, (24,), active_high=False, watts=1500),
)
# the scenes' loads, by hand: level x rated watts over the outputs above
STANDBY_W = 0.8 * 60 + 1.0 * 30  # welcome lights, amber accent at full, door lamp off
SESSION_W = 0.8 * 60 + 1.0 * 30 + 5 + 150 + 300 + 1500  # welcome + door lamp + relays
CLEANING_W = 1.0 * 60 + 1.0 * 30 + 5  # work light, white accent, door lamp on
FORCED_ON_W = 0.8 * 60 + 1.0 * 30 + 150 + 300 + 1500  # welcome + relays, door lamp (free) off


class SimClock:
    """One clock for the controller and every room: UTC for the records, monotonic for the
    cores' timers; it moves only when the test says."""

    def __init__(self, start: datetime) -> None:
        self._start = start
        self._offset_s = 0.0
        self._lock = threading.Lock()

    def utcnow(self) -> datetime:
        with self._lock:
            return self._start + timedelta(seconds=self._offset_s)

    def monotonic(self) -> float:
        with self._lock:
            return 10_000.0 + self._offset_s

    def set_hours(self, hours: float) -> None:
        with self._lock:
            self._offset_s = hours * 3600


@dataclass
class Venue:
    clock: SimClock
    ctl: RunningController
    app: ControllerApp
    loop: asyncio.AbstractEventLoop
    rooms: CoreRooms
    agents: dict[str, RoomAgent]

    def on_controller(self, action: Callable[[], object]) -> object:
        """Run ``action`` on the controller's loop (the board lives there)."""

        async def call() -> object:
            return action()

        return asyncio.run_coroutine_threadsafe(call(), self.loop).result(10)

    def settle(self, timeout_s: float = 30.0) -> None:
        """Wait until every room's core has ticked at the current time and every event it
        made has been stored by the controller."""
        deadline = time.monotonic() + timeout_s
        time.sleep(0.15)  # a few core ticks (every 50 ms) at the new time
        while time.monotonic() < deadline:
            if all(a.outbox.depth() == 0 for a in self.agents.values()):
                return
            time.sleep(0.02)
        raise AssertionError("rooms did not settle")

    def at(self, hours: float) -> None:
        self.clock.set_hours(hours)
        self.settle()


@pytest.fixture
def venue(tmp_path: Path) -> Iterator[Venue]:
    clock = SimClock(DAY_START)
    catalog = tmp_path / "catalog.db"
    Catalog(str(catalog)).close()
    started: dict[str, object] = {}
    ready = threading.Event()

    def on_app(app: ControllerApp) -> None:
        started["app"] = app
        started["loop"] = asyncio.get_running_loop()

    def on_ready(address: str) -> None:
        started["address"] = address
        ready.set()

    options = ServerOptions(
        tmp_path / "controller",
        listen="127.0.0.1:0",
        insecure_dev=True,
        mdns=False,
        clock=clock.utcnow,
    )
    # one event loop for the controller and every room's link (grpc.aio wants one loop)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    def on_loop(coro):  # type: ignore[no-untyped-def]
        return asyncio.run_coroutine_threadsafe(coro, loop)

    async def start_server() -> asyncio.Task[None]:
        return asyncio.create_task(run_server(options, ready=on_ready, started=on_app))

    server_task = on_loop(start_server()).result(10)
    rooms = CoreRooms(PlayerKind.RECORDING, monotonic=clock.monotonic, utcnow=clock.utcnow)
    agents: dict[str, RoomAgent] = {}
    links = None
    try:
        assert ready.wait(30), "the controller did not start"
        admin = (options.data_dir / "admin.token").read_text().strip()
        ctl = RunningController(None, options.data_dir, str(started["address"]), admin)  # type: ignore[arg-type]
        host, port = str(started["address"]).rsplit(":", 1)
        base = AgentConfig(room="A01", controller=None, catalog_path=catalog)
        for room_id in ROOMS:
            ctl.add_room(room_id)
            data_dir = tmp_path / "rooms" / room_id
            save_credential(
                data_dir, AgentCredential(f"rooms/{room_id}", ctl.enroll_agent(room_id))
            )
            config = replace(
                base,
                room=room_id,
                data_dir=data_dir,
                controller=ControllerAddress(host, int(port)),
                headless=True,
                outputs=OUTPUTS,
                idle_off_minutes=10,
                health_interval_s=3600,
                heartbeat_interval_s=5,
            )
            agents[room_id] = build_agent(config, make_room=rooms.make_room)

        async def run_links() -> None:
            await asyncio.gather(*(a.run() for a in agents.values()))

        links = on_loop(run_links())
        venue = Venue(clock, ctl, started["app"], loop, rooms, agents)  # type: ignore[arg-type]
        deadline = time.monotonic() + 30
        while not all(venue.app.board.is_connected(r) for r in ROOMS):
            assert time.monotonic() < deadline, "rooms did not connect"
            time.sleep(0.05)
        venue.settle()
        yield venue
    finally:
        for agent in agents.values():
            loop.call_soon_threadsafe(agent.stop)
        if links is not None:
            links.result(15)
        rooms.close()
        for agent in agents.values():
            agent.close()

        async def stop_server() -> None:
            server_task.cancel()  # its own shutdown runs (drain, close the store)
            await asyncio.gather(server_task, return_exceptions=True)
            left = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in left:  # the modules' refresh loops
                task.cancel()
            await asyncio.gather(*left, return_exceptions=True)

        on_loop(stop_server()).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def test_a_day_of_twenty_rooms_energy_is_on_time_times_watts_and_waste_is_found(
    venue: Venue,
) -> None:
    board = venue.app.board
    sessions = [r for i, r in enumerate(ROOMS) if i % 2 == 1]  # A02, A04, ... A20
    venue.at(5 / 60)  # the door's state at start counted as use: nobody from 10:05
    venue.at(0.25)  # 10:15: everyone dark after 10 minutes of nobody
    assert all(board.get(r).power.scene == "off" for r in ROOMS)

    venue.at(9)  # 19:00: sessions open, guests come in and move about
    for room_id in sessions:
        venue.on_controller(lambda r=room_id: board.session_opened(r, f"sessions/{r}"))
    venue.settle()
    for room_id in sessions:
        venue.rooms.rooms[room_id].core.motion_signal(True)
    venue.settle()
    assert all(board.get(r).power.on and board.get(r).power.scene == "welcome" for r in sessions)
    pins = venue.rooms.rooms["A02"].pin_factory
    assert pins.pin(24).state == 0  # the air conditioning relay (active low) is on

    venue.at(12 - 2 / 60)  # 21:58: the guests still move about (the PIR sees them)
    for room_id in sessions:
        venue.rooms.rooms[room_id].core.motion_signal(True)
        venue.rooms.rooms[room_id].core.motion_signal(False)
    venue.settle()
    venue.at(12)  # 22:00: checkout; they walk out past the PIR
    for room_id in sessions:
        venue.rooms.rooms[room_id].core.motion_signal(True)
        venue.rooms.rooms[room_id].core.motion_signal(False)
        venue.on_controller(lambda r=room_id: board.session_closed(r, f"sessions/{r}"))
    venue.settle()
    assert all(board.get(r).power.scene == "cleaning" for r in sessions)
    assert pins.pin(24).state == 1
    venue.at(12 + 5 / 60)  # 22:05: five minutes without motion: nobody there

    venue.at(12.5)  # 22:30: cleaning done; nobody there for 25 minutes: dark at once
    for room_id in sessions:
        venue.on_controller(lambda r=room_id: board.set_state(r, RoomState.IDLE))
    venue.settle()
    assert all(board.get(r).power.scene == "off" for r in sessions)

    venue.at(13)  # 23:00: the desk switches A20 on, and nobody switches it off
    venue.on_controller(lambda: board.set_power("A20", PowerMode.ON, "late booking?"))
    venue.settle()
    assert board.get("A20").power.reason == "desk_forced_on: late booking?"

    venue.at(24)  # 10:00 next morning: the business day is over
    stub = devices_pb2_grpc.DevicesServiceStub(venue.ctl.channel())
    report = stub.GetEnergyReport(
        devices_pb2.GetEnergyReportRequest(business_day="2026-12-07"),
        metadata=venue.ctl.admin_md,
        timeout=30,
    )
    got = {r.room.removeprefix("rooms/"): r for r in report.rooms}
    assert sorted(got) == ROOMS
    for room_id in ROOMS:
        # standby 10:00-10:15, somebody "present" until 10:05 (the door's state at start)
        expected = {
            "total": STANDBY_W * 15 / 60,
            "session": 0.0,
            "cleaning": 0.0,
            "waste": STANDBY_W * 10 / 60,
        }
        if room_id in sessions:
            expected["session"] = SESSION_W * 3
            expected["cleaning"] = CLEANING_W * 0.5
            expected["total"] += SESSION_W * 3 + CLEANING_W * 0.5
            # nobody present from 22:05 (the PIR's last motion + 5 minutes' vacancy)
            expected["waste"] += CLEANING_W * 25 / 60
        if room_id == "A20":
            expected["total"] += FORCED_ON_W * 11
            expected["waste"] += FORCED_ON_W * 11
        room = got[room_id]
        assert room.total_wh == pytest.approx(expected["total"], abs=1), room_id
        assert room.session_wh == pytest.approx(expected["session"], abs=1), room_id
        assert room.cleaning_wh == pytest.approx(expected["cleaning"], abs=1), room_id
        assert room.waste_wh == pytest.approx(expected["waste"], abs=1), room_id
        if room_id in sessions:
            (session,) = room.sessions
            assert session.session == f"sessions/{room_id}"
            assert session.duration_seconds == 3 * 3600
            assert session.energy_wh_per_hour == pytest.approx(SESSION_W, abs=1)
    worst = max(report.rooms, key=lambda r: r.waste_wh)
    assert worst.room == "rooms/A20" and worst.waste_wh > 22_000  # the room left on
