"""Agent link benchmark: outbox emit cost, drain rate, emit->ack latency, many rooms per process.

    .venv/bin/python benchmarks/agent_link.py [--events 1000] [--rooms 50]

Runs against the real controller process (tests/support, loopback, --insecure-dev). Prints
one table; numbers depend on the disk (every emit is an fsync: synchronous=FULL).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from room_agent.agent import build_agent  # noqa: E402
from room_agent.config import AgentConfig  # noqa: E402
from room_agent.core import ports  # noqa: E402
from room_agent.link.credentials import AgentCredential, save_credential  # noqa: E402
from room_agent.link.db import LinkDatabase  # noqa: E402
from room_agent.link.discovery import parse_host_port  # noqa: E402
from room_agent.link.outbox import Outbox  # noqa: E402
from tests.support.controller import launch  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def bench_emit(tmp: Path, n: int) -> tuple[list[float], float]:
    db = LinkDatabase(tmp / "emit.db")
    outbox = Outbox(db)
    lat = []
    for i in range(n):
        t0 = time.perf_counter()
        outbox.emit(ports.PresenceChanged(present=i % 2 == 0), datetime.now(UTC))
        lat.append((time.perf_counter() - t0) * 1000)
    # 4 threads at once (sensors, player, UI all emitting)
    t0 = time.perf_counter()
    threads = [
        threading.Thread(
            target=lambda: [
                outbox.emit(ports.DoorChanged(open=True), datetime.now(UTC)) for _ in range(n // 4)
            ]
        )
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rate = (n // 4 * 4) / (time.perf_counter() - t0)
    db.close()
    return lat, rate


def agent_config(ctl, room: str, data_dir: Path) -> AgentConfig:
    token = ctl.enroll_agent(room)
    save_credential(data_dir, AgentCredential(room=f"rooms/{room}", agent_token=token))
    return AgentConfig(
        room=room, data_dir=data_dir, controller=parse_host_port(ctl.address), headless=True
    )


async def bench_drain(config: AgentConfig, n: int) -> tuple[float, list[float], float]:
    """(backlog drain events/s, live emit->ack latencies ms, live events/s)."""
    agent = build_agent(config)
    emitted_at: dict[str, float] = {}
    acked_at: dict[str, float] = {}
    original_ack = agent.outbox.ack

    def timed_ack(ids):
        now = time.perf_counter()
        for i in ids:
            acked_at.setdefault(i, now)
        return original_ack(ids)

    agent.outbox.ack = timed_ack  # type: ignore[method-assign]
    for i in range(n):  # a backlog, as after an outage
        agent.outbox.emit(ports.DoorChanged(open=i % 2 == 0), datetime.now(UTC))
    task = asyncio.create_task(agent.run())
    t0 = time.perf_counter()
    while agent.outbox.depth():
        await asyncio.sleep(0.01)
    backlog_rate = n / (time.perf_counter() - t0)

    t0 = time.perf_counter()
    for i in range(n):  # live: one event every ~2 ms while online
        event_id = await asyncio.to_thread(
            agent.outbox.emit, ports.PresenceChanged(present=i % 2 == 0), datetime.now(UTC)
        )
        emitted_at[event_id] = time.perf_counter()
        await asyncio.sleep(0.002)
    while agent.outbox.depth():
        await asyncio.sleep(0.005)
    live_rate = n / (time.perf_counter() - t0)
    lat = [(acked_at[i] - t) * 1000 for i, t in emitted_at.items()]
    agent.stop()
    await task
    agent.close()
    return backlog_rate, lat, live_rate


async def bench_rooms(ctl, tmp: Path, rooms: int) -> tuple[float, float, float]:
    """(seconds until every room is online, RSS MB before, RSS MB after) for N links."""
    configs = [agent_config(ctl, f"R{i:03d}", tmp / f"R{i:03d}") for i in range(rooms)]
    before = rss_mb()
    agents = [build_agent(c) for c in configs]
    t0 = time.perf_counter()
    tasks = [asyncio.create_task(a.run()) for a in agents]
    await asyncio.gather(*(a.link.online.wait() for a in agents))
    online_s = time.perf_counter() - t0
    await asyncio.sleep(6)  # a heartbeat round
    after = rss_mb()
    for a in agents:
        a.stop()
    await asyncio.gather(*tasks)
    for a in agents:
        a.close()
    return online_s, before, after


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--rooms", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        emit_lat, emit_rate = bench_emit(tmp, args.events)
        ctl = launch(tmp / "controller", ["--venue-id", f"bench-{uuid.uuid4().hex[:8]}"])
        try:
            ctl.add_room("A08")
            for i in range(args.rooms):
                ctl.add_room(f"R{i:03d}")
            backlog_rate, ack_lat, live_rate = asyncio.run(
                bench_drain(agent_config(ctl, "A08", tmp / "A08"), args.events)
            )
            online_s, rss0, rss1 = asyncio.run(bench_rooms(ctl, tmp, args.rooms))
        finally:
            ctl.stop()
    rows = [
        ("outbox emit (1 thread, fsync each)", f"p50 {statistics.median(emit_lat):.2f} ms",
         f"p99 {pct(emit_lat, 0.99):.2f} ms"),
        ("outbox emit (4 threads)", f"{emit_rate:,.0f} events/s", ""),
        (f"backlog of {args.events} drained to controller", f"{backlog_rate:,.0f} events/s", ""),
        ("live emit -> controller ack", f"p50 {statistics.median(ack_lat):.1f} ms",
         f"p99 {pct(ack_lat, 0.99):.1f} ms"),
        (f"{args.rooms} rooms in one process: all online", f"{online_s:.2f} s",
         f"RSS +{rss1 - rss0:.0f} MB ({(rss1 - rss0) / args.rooms * 1024:.0f} KB/room)"),
    ]  # fmt: skip
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':<22}  extra")
    print(f"{'-' * width}  {'-' * 22}  {'-' * 30}")
    for name, value, extra in rows:
        print(f"{name:<{width}}  {value:<22}  {extra}")
    print(f"(live rate during latency run: {live_rate:,.0f} events/s)")


if __name__ == "__main__":
    main()
