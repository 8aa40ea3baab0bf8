"""The touchscreen's front desk: how long each call takes as the room's agent, and how long
the desk's acknowledgement of a service call takes to reach the room's screen adapter.

    .venv/bin/python benchmarks/front_desk_bench.py [--calls 50]

Real controller process (tests/support, loopback, --insecure-dev, the example venue with the
sandbox payment provider), the room's ``GrpcFrontDesk`` (sync gRPC, bearer token), the real
agent link and core loop (recording player) for the acknowledgement. Prints one table (ms).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ktv.v1 import rooms_pb2  # noqa: E402
from room_agent.agent import build_agent  # noqa: E402
from room_agent.config import AgentConfig  # noqa: E402
from room_agent.core import ports  # noqa: E402
from room_agent.core.instruments import RecordingPlayer, SongShelf  # noqa: E402
from room_agent.core.room import RoomCore  # noqa: E402
from room_agent.link.discovery import parse_host_port  # noqa: E402
from room_agent.link.enroll import enroll_agent  # noqa: E402
from room_agent.link.front_desk import front_desk_of  # noqa: E402
from room_agent.ui.core_adapter import CoreRoomControl, RoomIdentity  # noqa: E402
from tests.controller.billing.grpc_support import write_venue  # noqa: E402
from tests.room_agent.core.conftest import SONGS  # noqa: E402
from tests.room_agent.desk.conftest import Desk  # noqa: E402
from tests.room_agent.link.test_with_controller import enrollment_code  # noqa: E402
from tests.support.controller import start_controller  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(n: int, call: Callable[[int], object]) -> list[float]:
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        call(i)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def run(n: int) -> None:
    rows: list[tuple[str, list[float]]] = []
    with tempfile.TemporaryDirectory(prefix="ktv-desk-bench-") as tmp_text:
        tmp = Path(tmp_text)
        data = tmp / "controller"
        venue = write_venue(data)
        with start_controller(data, ["--venue-config", str(venue), "--no-mdns"]) as ctl:
            desk = Desk(ctl)
            config = AgentConfig(
                room="A08",
                data_dir=tmp / "agent",
                controller=parse_host_port(ctl.address),
                heartbeat_interval_s=1,
                headless=True,
            )
            asyncio.run(
                enroll_agent(
                    config.controller,
                    room_id="A08",
                    code=enrollment_code(ctl, "A08"),
                    data_dir=config.data_dir,
                )
            )
            cores: list[RoomCore] = []

            def make_room(_: AgentConfig, sink: ports.EventSink) -> ports.CommandHandler:
                core = RoomCore(RecordingPlayer(), sink, SongShelf(SONGS))
                core.start()
                cores.append(core)
                return core

            agent = build_agent(config, make_room=make_room)
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_until_complete, args=(agent.run(),))
            thread.start()
            front = front_desk_of("A08", config.data_dir, address=lambda: agent.link.address)
            assert front is not None
            try:
                deadline = time.monotonic() + 30
                while not agent.link.online.is_set() and time.monotonic() < deadline:
                    time.sleep(0.05)
                desk.member("13800138000", "2580", top_up_fen=10_000_000)
                desk.open("A08", prepaid_minutes=60, cash_fen=100_000)
                screen = CoreRoomControl(cores[0], RoomIdentity("A08"))
                time.sleep(0.5)
                rows.append(("menu (ListProducts, tier prices)", timed(n, lambda i: front.menu())))
                rows.append(("bill (GetBill)", timed(n, lambda i: front.bill())))
                rows.append(
                    (
                        "order 1 item (PlaceOrder)",
                        timed(n, lambda i: front.order((("water", 1),), uuid.uuid4().hex)),
                    )
                )
                rows.append(
                    (
                        "member sign-in (SignIn, scrypt PIN)",
                        timed(n, lambda i: front.member_sign_in("13800138000", "2580")),
                    )
                )
                rows.append(
                    ("续钟 quotes (QuoteExtensions)", timed(n, lambda i: front.extend_options()))
                )
                paid = []
                for _ in range(n):  # each 续钟 starts where the last ended: quote it again
                    option = front.extend_options()[0]
                    t0 = time.perf_counter()
                    front.extend_from_balance(option, "13800138000", "2580", uuid.uuid4().hex)
                    paid.append((time.perf_counter() - t0) * 1000)
                rows.append(("续钟 from balance (ExtendSession)", paid))
                acks = []
                rooms = ctl.rooms()
                for _ in range(n):
                    call = screen.call_service("water")
                    while "SERVICE_CALLED" not in [
                        a.kind
                        for a in rooms.GetRoom(
                            rooms_pb2.GetRoomRequest(name="rooms/A08"),
                            metadata=ctl.admin_md,
                            timeout=10,
                        ).room.alerts
                    ]:
                        time.sleep(0.005)
                    t0 = time.perf_counter()
                    rooms.AcknowledgeAlert(
                        rooms_pb2.AcknowledgeAlertRequest(
                            name="rooms/A08", kind="SERVICE_CALLED", request_id=uuid.uuid4().hex
                        ),
                        metadata=ctl.admin_md,
                        timeout=10,
                    )
                    while not next(
                        c for c in screen.service_calls() if c.call_id == call.call_id
                    ).acknowledged:
                        time.sleep(0.001)
                    acks.append((time.perf_counter() - t0) * 1000)
                rows.append(("desk ack -> room screen shows it", acks))
            finally:
                front.close()
                agent.stop()
                thread.join(15)
                for core in cores:
                    core.close()
                agent.close()
    load = os.getloadavg()[0]
    print(
        f"front desk from the room, {n} calls each, load average {load:.1f}, {os.cpu_count()} cores"
    )
    print("| call | n | p50 ms | p90 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|")
    for name, values in rows:
        print(
            f"| {name} | {len(values)} | {pct(values, 0.5):.1f} | {pct(values, 0.9):.1f} | "
            f"{pct(values, 0.99):.1f} | {max(values):.1f} |"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50)
    run(parser.parse_args().calls)
