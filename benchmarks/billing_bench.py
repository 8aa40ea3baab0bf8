"""Checkout latency with a full house: 150 open rooms, ~20 order lines each, through a real
controller process over gRPC on loopback.

    .venv/bin/python benchmarks/billing_bench.py [--rooms 150] [--lines 20]

Prints medians and tails per RPC (target: Checkout p99 <= 20 ms).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ktv.v1 import billing_pb2 as pb  # noqa: E402
from ktv.v1 import billing_pb2_grpc  # noqa: E402
from tests.support.controller import launch  # noqa: E402

SKUS = ["beer", "fruit", "water"]


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(samples: list[float], fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    samples.append((time.perf_counter() - start) * 1000)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rooms", type=int, default=150)
    parser.add_argument("--lines", type=int, default=20)
    args = parser.parse_args()
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
            md = ctl.admin_md
            stub = billing_pb2_grpc.BillingServiceStub(ctl.channel())
            times: dict[str, list[float]] = {
                "OpenSession": [],
                "PlaceOrder": [],
                "GetBill": [],
                "Checkout": [],
            }
            rooms = [f"rooms/P{i:03d}" for i in range(args.rooms)]
            for room in rooms:
                ctl.add_room(room.removeprefix("rooms/"), tier="small" if len(room) % 2 else "vip")
                timed(
                    times["OpenSession"],
                    stub.OpenSession,
                    pb.OpenSessionRequest(room=room, guest_count=4, request_id=uuid.uuid4().hex),
                    metadata=md,
                    timeout=10,
                )
            for i in range(args.lines):  # one line per order, rooms interleaved like a busy night
                for room in rooms:
                    item = pb.OrderItem(sku=SKUS[i % len(SKUS)], quantity=1 + i % 3)
                    timed(
                        times["PlaceOrder"],
                        stub.PlaceOrder,
                        pb.PlaceOrderRequest(room=room, items=[item], request_id=uuid.uuid4().hex),
                        metadata=md,
                        timeout=10,
                    )
            for room in rooms:
                due = timed(
                    times["GetBill"],
                    stub.GetBill,
                    pb.GetBillRequest(room=room),
                    metadata=md,
                    timeout=10,
                ).bill.due_fen
                tenders = [
                    pb.TenderAmount(tender=pb.TENDER_WECHAT, amount_fen=due // 2),
                    pb.TenderAmount(tender=pb.TENDER_CASH, amount_fen=due - due // 2 + 10000),
                ]
                done = timed(
                    times["Checkout"],
                    stub.Checkout,
                    pb.CheckoutRequest(room=room, tenders=tenders, request_id=uuid.uuid4().hex),
                    metadata=md,
                    timeout=10,
                )
                assert done.bill.closed and done.bill.paid_fen == done.bill.total_fen
        finally:
            ctl.stop()
    print(
        f"billing RPCs, {args.rooms} open rooms x {args.lines} order lines, "
        "loopback gRPC, real SQLite (WAL)"
    )
    print(f"{'RPC':<12} {'calls':>6} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, samples in times.items():
        print(
            f"{name:<12} {len(samples):>6} {statistics.median(samples):>8.2f} "
            f"{pct(samples, 0.9):>8.2f} {pct(samples, 0.99):>8.2f} {max(samples):>8.2f}"
        )
    p99 = pct(times["Checkout"], 0.99)
    print(f"Checkout p99 {p99:.2f} ms: {'within' if p99 <= 20 else 'OVER'} the 20 ms target")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
