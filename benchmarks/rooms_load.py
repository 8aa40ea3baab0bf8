"""Room load: N agents heartbeating + sending sensor events; how fast does the board follow?

    .venv/bin/python benchmarks/rooms_load.py [--rooms 200] [--seconds 30] [--event-every-s 10]

Starts a real controller process (plain text, loopback, no mDNS), creates and enrolls N rooms,
then in THIS process (separate from the controller) opens N raw grpc.aio Connect streams. Each
agent heartbeats every second (jittered) and toggles its door at random (exponential gaps,
mean --event-every-s). One WatchRooms watcher measures event-to-board latency: from the
agent sending DoorChanged to the watcher receiving the room's change with that door state.
Prints p50/p99 latency, stream messages/s handled, and the controller's RSS and CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import grpc

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ktv.v1 import link_pb2, link_pb2_grpc, rooms_pb2, rooms_pb2_grpc
from tests.support.controller import launch
from tests.support.link import door_event


@dataclass
class Stats:
    latencies_ms: list[float] = field(default_factory=list)
    up_ms: list[float] = field(default_factory=list)  # agent send -> controller sends the change
    down_ms: list[float] = field(default_factory=list)  # controller send -> watcher receives
    sent_messages: int = 0
    acks: int = 0
    lost: int = 0
    # room -> (monotonic send time, wall send time, door state sent)
    pending: dict[str, tuple[float, float, bool]] = field(default_factory=dict)
    measuring: bool = False


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    import os

    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def agent(
    address: str, token: str, room_id: str, stats: Stats, stop: asyncio.Event, event_every_s: float
) -> None:
    channel = grpc.aio.insecure_channel(address)
    outgoing: asyncio.Queue[link_pb2.ConnectRequest | None] = asyncio.Queue()
    await outgoing.put(
        link_pb2.ConnectRequest(
            hello=link_pb2.AgentHello(
                room=f"rooms/{room_id}", agent_version="bench", heartbeat_interval_seconds=1
            )
        )
    )

    async def requests():  # type: ignore[no-untyped-def]
        while True:
            item = await outgoing.get()
            if item is None:
                return
            stats.sent_messages += 1
            yield item

    call = link_pb2_grpc.RoomLinkServiceStub(channel).Connect(
        requests(), metadata=(("authorization", f"Bearer {token}"),)
    )

    async def read() -> None:
        async for response in call:
            if response.WhichOneof("msg") == "ack":
                stats.acks += 1

    reader = asyncio.create_task(read())
    door = False
    next_beat = time.monotonic() + random.random()
    next_event = time.monotonic() + random.expovariate(1 / event_every_s)
    try:
        while not stop.is_set():
            now = time.monotonic()
            if now >= next_beat:
                await outgoing.put(
                    link_pb2.ConnectRequest(heartbeat=link_pb2.AgentHeartbeat(outbox_depth=0))
                )
                next_beat += 1.0
            if now >= next_event and room_id not in stats.pending:
                door = not door
                if stats.measuring:
                    stats.pending[room_id] = (time.monotonic(), time.time(), door)
                await outgoing.put(link_pb2.ConnectRequest(event=door_event(open=door)))
                next_event = now + random.expovariate(1 / event_every_s)
            await asyncio.sleep(max(0.0, min(next_beat, next_event) - time.monotonic()))
    finally:
        await outgoing.put(None)
        call.cancel()
        reader.cancel()
        await channel.close()


async def watcher(address: str, token: str, stats: Stats, stop: asyncio.Event) -> None:
    channel = grpc.aio.insecure_channel(address)
    call = rooms_pb2_grpc.RoomServiceStub(channel).WatchRooms(
        rooms_pb2.WatchRoomsRequest(), metadata=(("authorization", f"Bearer {token}"),)
    )
    try:
        async for message in call:
            now, wall = time.monotonic(), time.time()
            server_sent = message.send_time.seconds + message.send_time.nanos / 1e9
            for room in message.rooms:
                room_id = room.name.removeprefix("rooms/")
                pending = stats.pending.get(room_id)
                if pending is not None and room.door_open == pending[2]:
                    stats.latencies_ms.append((now - pending[0]) * 1000)
                    stats.up_ms.append((server_sent - pending[1]) * 1000)
                    stats.down_ms.append((wall - server_sent) * 1000)
                    del stats.pending[room_id]
            if stop.is_set():
                break
    except (grpc.aio.AioRpcError, asyncio.CancelledError):
        pass
    finally:
        await channel.close()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(
    args: argparse.Namespace, address: str, admin: str, tokens: dict[str, str], pid: int
) -> dict:
    stats = Stats()
    stop = asyncio.Event()
    watch = asyncio.create_task(watcher(address, admin, stats, stop))
    await asyncio.sleep(0.5)
    agents = [
        asyncio.create_task(agent(address, tokens[r], r, stats, stop, args.event_every_s))
        for r in tokens
    ]
    await asyncio.sleep(args.warmup_s)
    gc_pauses_ms: list[float] = []
    gc_started: list[float] = []

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            gc_started[:] = [time.perf_counter()]
        elif gc_started and info.get("generation") == 2:
            gc_pauses_ms.append((time.perf_counter() - gc_started[0]) * 1000)

    gc.callbacks.append(on_gc)
    own_stalls_ms: list[float] = []

    async def probe() -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(0.1)
            late_ms = (time.perf_counter() - started - 0.1) * 1000
            if late_ms > 50:
                own_stalls_ms.append(late_ms)

    prober = asyncio.create_task(probe())
    stats.measuring = True
    stats.pending.clear()
    sent0, cpu0, t0 = stats.sent_messages, cpu_s(pid), time.monotonic()
    own0 = time.process_time()
    rss_peak = 0.0
    while time.monotonic() - t0 < args.seconds:
        await asyncio.sleep(1.0)
        rss_peak = max(rss_peak, rss_mb(pid))
        # an event whose change never showed within 5 s counts as lost
        for room_id, (sent, _, _) in list(stats.pending.items()):
            if time.monotonic() - sent > 5:
                stats.lost += 1
                del stats.pending[room_id]
    elapsed = time.monotonic() - t0
    messages = stats.sent_messages - sent0
    cpu = cpu_s(pid) - cpu0
    own_cpu = time.process_time() - own0
    stats.measuring = False
    gc.callbacks.remove(on_gc)
    prober.cancel()
    stop.set()
    await asyncio.gather(*agents, return_exceptions=True)
    watch.cancel()
    await asyncio.gather(watch, return_exceptions=True)
    lat = stats.latencies_ms
    return {
        "rooms": len(tokens),
        "seconds": round(elapsed, 1),
        "events measured": len(lat),
        "events lost (>5 s)": stats.lost,
        "latency p50 ms": round(percentile(lat, 0.50), 1),
        "latency p99 ms": round(percentile(lat, 0.99), 1),
        "latency max ms": round(max(lat), 1) if lat else float("nan"),
        "latency mean ms": round(statistics.fmean(lat), 1) if lat else float("nan"),
        "  of which agent -> controller p50/p99 ms": (
            f"{percentile(stats.up_ms, 0.5):.1f} / {percentile(stats.up_ms, 0.99):.1f}"
        ),
        "  of which controller -> watcher p50/p99 ms": (
            f"{percentile(stats.down_ms, 0.5):.1f} / {percentile(stats.down_ms, 0.99):.1f}"
        ),
        "stream msgs/s to controller": round(messages / elapsed),
        "controller CPU %": round(100 * cpu / elapsed, 1),
        # the figure to compare across versions: CPU time per message, not per wall second
        "controller CPU ms per 1000 stream msgs": round(1000 * 1000 * cpu / max(messages, 1), 1),
        "load generator (agents + watcher) CPU %": round(100 * own_cpu / elapsed),
        "load generator loop stalls > 50 ms (max ms)": (
            f"{len(own_stalls_ms)} ({max(own_stalls_ms):.0f})" if own_stalls_ms else "0"
        ),
        "load generator full GC passes (max ms)": (
            f"{len(gc_pauses_ms)} ({max(gc_pauses_ms):.0f})" if gc_pauses_ms else "0"
        ),
        "controller RSS peak MB": round(rss_peak, 1),
    }


def setup_rooms(ctl, n: int) -> dict[str, str]:  # type: ignore[no-untyped-def]
    tokens = {}
    for i in range(n):
        room_id = f"L{i:03d}"
        ctl.add_room(room_id, tier="small")
        tokens[room_id] = ctl.enroll_agent(room_id)
    return tokens


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup-s", type=float, default=5.0)
    parser.add_argument("--event-every-s", type=float, default=10.0, help="mean gap per room")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ktv-bench-") as tmp:
        ctl = launch(Path(tmp) / "data", ["--no-mdns", "--offline-after-s", "10"])
        try:
            started = time.monotonic()
            tokens = setup_rooms(ctl, args.rooms)
            setup_s = time.monotonic() - started
            rss_idle = rss_mb(ctl.process.pid)
            result = asyncio.run(run(args, ctl.address, ctl.admin_token, tokens, ctl.process.pid))
            online = sum(
                r.agent.online
                for r in ctl.rooms()
                .ListRooms(
                    rooms_pb2.ListRoomsRequest(page_size=1000), metadata=ctl.admin_md, timeout=10
                )
                .rooms
            )
        finally:
            ctl.stop()
            log_text = ctl.log_text()
    stalls = [
        float(line.rsplit("stalled ", 1)[1].split()[0])
        for line in log_text.splitlines()
        if "event loop stalled" in line
    ]
    gc_slow = [line for line in log_text.splitlines() if "garbage collection" in line]
    result = {
        "setup (add + enroll) s": round(setup_s, 1),
        "controller RSS before load MB": round(rss_idle, 1),
        **result,
        "rooms online at the end": online,
        "controller GC passes > 50 ms, whole run": len(gc_slow),
        "controller loop stalls > 50 ms, whole run (max ms)": (
            f"{len(stalls)} ({max(stalls):.0f})" if stalls else "0"
        ),
    }
    width = max(len(k) for k in result)
    print(
        f"\nrooms_load ({uuid.uuid4().hex[:6]}): {args.rooms} agents, heartbeat 1 s, "
        f"door event every ~{args.event_every_s:g} s per room\n"
    )
    print(f"| {'metric':<{width}} | value |")
    print(f"|{'-' * (width + 2)}|-------|")
    for key, value in result.items():
        print(f"| {key:<{width}} | {value} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
