"""续钟 latency: from the desk's ExtendSession call to the room's core holding the new end
(which is also when a room on the 到钟 screen resumes: the core resumes inside the command).

    .venv/bin/python benchmarks/timeup_bench.py [--extensions 30]

Real controller process (tests/support, loopback, --insecure-dev, the example venue with the
sandbox payment provider), the real agent link, the real core loop with a recording player.
Prints one table (ms).
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
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ktv.v1 import auth_pb2, billing_pb2, billing_pb2_grpc  # noqa: E402
from room_agent.agent import build_agent  # noqa: E402
from room_agent.config import AgentConfig  # noqa: E402
from room_agent.core import ports  # noqa: E402
from room_agent.core.instruments import RecordingPlayer, SongShelf  # noqa: E402
from room_agent.core.room import RoomCore  # noqa: E402
from room_agent.core.room_time import TimeLeftChanged  # noqa: E402
from room_agent.link.discovery import parse_host_port  # noqa: E402
from room_agent.link.enroll import enroll_agent  # noqa: E402
from tests.controller.billing.grpc_support import write_venue  # noqa: E402
from tests.room_agent.core.conftest import SONGS  # noqa: E402
from tests.room_agent.link.test_with_controller import enrollment_code  # noqa: E402
from tests.support.controller import bearer, start_controller  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(n: int) -> None:
    with tempfile.TemporaryDirectory(prefix="ktv-timeup-bench-") as tmp_text:
        tmp = Path(tmp_text)
        data = tmp / "controller"
        venue = write_venue(data)
        with start_controller(data, ["--venue-config", str(venue), "--no-mdns"]) as ctl:
            cashier = bearer(ctl.add_staff("li", auth_pb2.ROLE_CASHIER))
            billing = billing_pb2_grpc.BillingServiceStub(ctl.channel())
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
            arrived: dict[datetime, float] = {}
            seen = threading.Condition()
            cores: list[RoomCore] = []

            def on_event(event: object) -> None:
                if isinstance(event, TimeLeftChanged) and event.time_left.ends_at is not None:
                    with seen:
                        arrived.setdefault(event.time_left.ends_at, time.perf_counter())
                        seen.notify_all()

            def make_room(_: AgentConfig, sink: ports.EventSink) -> ports.CommandHandler:
                core = RoomCore(RecordingPlayer(), sink, SongShelf(SONGS))
                core.subscribe(on_event)
                core.start()
                cores.append(core)
                return core

            agent = build_agent(config, make_room=make_room)
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_until_complete, args=(agent.run(),))
            thread.start()
            try:
                deadline = time.monotonic() + 30
                while not agent.link.online.is_set() and time.monotonic() < deadline:
                    time.sleep(0.05)
                cash = billing_pb2.TenderAmount(tender=billing_pb2.TENDER_CASH, amount_fen=10**6)
                billing.OpenSession(
                    billing_pb2.OpenSessionRequest(
                        room="rooms/A08",
                        guest_count=2,
                        purchase=billing_pb2.TimePurchase(prepaid_minutes=60),
                        tenders=[cash],
                        request_id=uuid.uuid4().hex,
                    ),
                    metadata=cashier,
                    timeout=10,
                )
                time.sleep(1)
                rpc_ms, reach_ms = [], []
                for _ in range(n):
                    core = cores[0]
                    before = core.view().session_ends_at
                    t0 = time.perf_counter()
                    billing.ExtendSession(
                        billing_pb2.ExtendSessionRequest(
                            room="rooms/A08",
                            purchase=billing_pb2.TimePurchase(prepaid_minutes=30),
                            tenders=[cash],
                            request_id=uuid.uuid4().hex,
                        ),
                        metadata=cashier,
                        timeout=10,
                    )
                    t1 = time.perf_counter()
                    with seen:
                        seen.wait_for(
                            lambda c=core, b=before: (
                                c.view().session_ends_at != b
                                and c.view().session_ends_at in arrived
                            ),
                            timeout=10,
                        )
                        end = core.view().session_ends_at
                        t2 = arrived.get(end, float("nan"))
                    rpc_ms.append((t1 - t0) * 1000)
                    reach_ms.append((t2 - t0) * 1000)
            finally:
                agent.stop()
                thread.join(15)
                for core in cores:
                    core.close()
                agent.close()
    load = os.getloadavg()[0]
    print(f"续钟 latency, {n} extensions, load average {load:.1f} on {os.cpu_count()} cores")
    print("| what | n | p50 ms | p90 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|")
    for name, values in (
        ("ExtendSession RPC (desk)", rpc_ms),
        ("desk call -> room has the new end", reach_ms),
    ):
        print(
            f"| {name} | {len(values)} | {pct(values, 0.5):.1f} | {pct(values, 0.9):.1f} | "
            f"{pct(values, 0.99):.1f} | {max(values):.1f} |"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extensions", type=int, default=30)
    run(parser.parse_args().extensions)
