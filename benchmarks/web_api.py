"""The HTTP side's cost: controller RSS with 20 open board streams, change -> SSE client
latency, the gateway's overhead over direct gRPC, and OpenSession/Checkout gRPC latency with
20 board streams open vs none. A real controller process on loopback (plain HTTP), real SQLite.

    .venv/bin/python benchmarks/web_api.py [--rooms 50] [--clients 20] [--changes 200]

Prints a table of medians and tails.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import queue
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ktv.v1 import billing_pb2 as pb  # noqa: E402
from ktv.v1 import billing_pb2_grpc, rooms_pb2, rooms_pb2_grpc  # noqa: E402
from tests.support.controller import launch  # noqa: E402
from tests.web.venue import read_web_addr  # noqa: E402


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class BoardClient(threading.Thread):
    """One browser's board stream: reports when each (room, revision) arrived."""

    def __init__(self, base_url: str, cookies: dict[str, str], index: int, out) -> None:  # type: ignore[no-untyped-def]
        super().__init__(daemon=True)
        self.client = httpx.Client(base_url=base_url, cookies=cookies, timeout=None)
        self.index = index
        self.out = out

    def run(self) -> None:
        with self.client.stream("GET", "/api/board/events") as stream:
            for line in stream.iter_lines():
                if line.startswith("data: "):
                    now = time.monotonic()  # system-wide: comparable with the parent's
                    message = json.loads(line[6:])
                    for room in message["rooms"]:
                        self.out.put((self.index, room["name"], room["revision"], now))


def watch_board(base_url: str, cookies: dict[str, str], count: int, out) -> None:  # type: ignore[no-untyped-def]
    """The board streams, in a process of their own (their JSON parsing must not take the
    measuring process's GIL)."""
    clients = [BoardClient(base_url, cookies, i, out) for i in range(count)]
    for client in clients:
        client.start()
    for client in clients:
        client.join()


def session_latency(stub, md, rooms: list[str]) -> tuple[list[float], list[float]]:  # type: ignore[no-untyped-def]
    opened, checked = [], []
    for room in rooms:
        start = time.perf_counter()
        stub.OpenSession(
            pb.OpenSessionRequest(room=room, guest_count=2, request_id=uuid.uuid4().hex),
            metadata=md,
            timeout=10,
        )
        opened.append((time.perf_counter() - start) * 1000)
    for room in rooms:
        due = stub.GetBill(pb.GetBillRequest(room=room), metadata=md, timeout=10).bill.due_fen
        tender = pb.TenderAmount(tender=pb.TENDER_CASH, amount_fen=due + 10_000)
        start = time.perf_counter()
        stub.Checkout(
            pb.CheckoutRequest(room=room, tenders=[tender], request_id=uuid.uuid4().hex),
            metadata=md,
            timeout=10,
        )
        checked.append((time.perf_counter() - start) * 1000)
    return opened, checked


def cleaning_done(rooms_stub, md, rooms: list[str]) -> None:  # type: ignore[no-untyped-def]
    for room in rooms:
        rooms_stub.SetRoomState(
            rooms_pb2.SetRoomStateRequest(
                name=room, state=rooms_pb2.ROOM_STATE_IDLE, request_id=uuid.uuid4().hex
            ),
            metadata=md,
            timeout=10,
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rooms", type=int, default=50)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--changes", type=int, default=200)
    args = parser.parse_args()
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        venue = Path(tmp) / "venue.toml"
        text = (ROOT / "examples" / "venue.toml").read_text(encoding="utf-8")
        venue.write_text(
            text.replace('provider = "terminal"', 'provider = "sandbox"'), encoding="utf-8"
        )
        ctl = launch(data, ["--venue-config", str(venue), "--no-mdns"])
        try:
            pid = ctl.process.pid
            md = ctl.admin_md
            base = read_web_addr(data)["url"]
            rooms = [f"rooms/W{i:03d}" for i in range(args.rooms)]
            for room in rooms:
                ctl.add_room(room.removeprefix("rooms/"), tier="small")
            ctl.add_staff("bench", 6, pin="2222")
            billing = billing_pb2_grpc.BillingServiceStub(ctl.channel())
            rooms_stub = rooms_pb2_grpc.RoomServiceStub(ctl.channel())
            web = httpx.Client(base_url=base, headers={"origin": base})
            web.post("/api/session", json={"staff_id": "bench", "pin": "2222"}).raise_for_status()
            web.headers["x-csrf-token"] = web.cookies["ktv_csrf"]

            # gateway overhead: the same read over HTTP and over gRPC
            http_ms, grpc_ms = [], []
            for i in range(300):
                room = rooms[i % len(rooms)]
                start = time.perf_counter()
                web.post("/api/v1/RoomService/GetRoom", json={"name": room}).raise_for_status()
                http_ms.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                rooms_stub.GetRoom(rooms_pb2.GetRoomRequest(name=room), metadata=md, timeout=10)
                grpc_ms.append((time.perf_counter() - start) * 1000)

            # OpenSession / Checkout over gRPC with no board stream open
            half = len(rooms) // 2
            open0, check0 = session_latency(billing, md, rooms[:half])
            cleaning_done(rooms_stub, md, rooms[:half])
            rss_before = rss_mb(pid)

            arrivals: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()
            watcher = multiprocessing.get_context("spawn").Process(
                target=watch_board, args=(base, dict(web.cookies), args.clients, arrivals)
            )
            watcher.start()
            seen: dict[tuple[str, str], dict[int, float]] = {}

            def drain(until_key: tuple[str, str] | None, timeout_s: float = 30.0) -> None:
                deadline = time.monotonic() + timeout_s
                while True:
                    if until_key is None:
                        if len({i for s in seen.values() for i in s}) == args.clients:
                            return
                    elif len(seen.get(until_key, {})) == args.clients:
                        return
                    assert time.monotonic() < deadline, "a change never reached every stream"
                    try:
                        index, name, revision, at = arrivals.get(timeout=1)
                    except queue.Empty:
                        continue
                    seen.setdefault((name, revision), {}).setdefault(index, at)

            drain(None)  # every stream has its snapshot
            rss_open = rss_mb(pid)

            # change -> every client (maintenance on/off of one room, over gRPC)
            latency: list[float] = []
            target = rooms[-1]
            for i in range(args.changes):
                state = (
                    rooms_pb2.ROOM_STATE_MAINTENANCE if i % 2 == 0 else rooms_pb2.ROOM_STATE_IDLE
                )
                start = time.monotonic()
                room = rooms_stub.SetRoomState(
                    rooms_pb2.SetRoomStateRequest(
                        name=target, state=state, reason="bench", request_id=uuid.uuid4().hex
                    ),
                    metadata=md,
                    timeout=10,
                ).room
                key = (target, str(room.revision))
                drain(key)
                latency += [(at - start) * 1000 for at in seen[key].values()]

            # OpenSession / Checkout with every board stream open (each change fans out)
            open20, check20 = session_latency(billing, md, rooms[half:-1])
            rss_busy = rss_mb(pid)
            watcher.terminate()
            watcher.join(10)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                time.sleep(0.2)
                if rss_mb(pid) <= rss_busy:
                    break
            rss_closed = rss_mb(pid)
            web.close()
        finally:
            ctl.stop()

    def row(name: str, samples: list[float]) -> None:
        rows.append(
            (
                name,
                f"{len(samples):>6} {statistics.median(samples):>8.2f} "
                f"{pct(samples, 0.9):>8.2f} {pct(samples, 0.99):>8.2f} {max(samples):>8.2f}",
            )
        )

    row("GetRoom over HTTP (gateway)", http_ms)
    row("GetRoom over gRPC", grpc_ms)
    row("OpenSession gRPC, 0 streams", open0)
    row(f"OpenSession gRPC, {args.clients} streams", open20)
    row("Checkout gRPC, 0 streams", check0)
    row(f"Checkout gRPC, {args.clients} streams", check20)
    row(f"change -> SSE client ({args.clients})", latency)
    print(
        f"web API: {args.rooms} rooms, {args.clients} board streams, {args.changes} changes; "
        f"loopback, plain HTTP; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(f"{'what':<32} {'n':>6} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, numbers in rows:
        print(f"{name:<32} {numbers}")
    print(
        f"controller RSS: {rss_before:.1f} MB before, {rss_open:.1f} MB with {args.clients} "
        f"streams (+{rss_open - rss_before:.1f}), {rss_busy:.1f} MB after "
        f"{args.changes} changes and the sessions (+{rss_busy - rss_before:.1f}), "
        f"{rss_closed:.1f} MB once closed"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
