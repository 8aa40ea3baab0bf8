"""Inventory at a year's size: 2,000 stock items and ~1M ledger lines (a year of weekly
receipts and daily sales, first-expiring first), then:

- stock on hand for every item with its warnings (``StockDesk.levels``; target <= 200 ms)
- the suggested purchase list, reorder levels from 4 weeks of sales (target <= 1 s)
- PlaceOrder p50/p99 through a real controller process over gRPC, a product with a recipe
  (stock deducted in the order's transaction) against one without (target: <= +2 ms p99)

    .venv/bin/python benchmarks/inventory_bench.py [--items 2000] [--lines 1000000] [--orders 400]

Prints a table of medians (and p99 for PlaceOrder).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.progress import Progress  # noqa: E402

import controller.billing.store  # noqa: E402, F401 - registers the billing migrations
from controller.auth.model import Role  # noqa: E402
from controller.billing.records import Actor  # noqa: E402
from controller.inventory.desk import ReceiptLine, recipe_of  # noqa: E402
from controller.inventory.service import Inventory  # noqa: E402
from controller.store.db import DB_FILE, open_store  # noqa: E402
from ktv.v1 import billing_pb2 as bpb  # noqa: E402
from ktv.v1 import billing_pb2_grpc  # noqa: E402
from tests.support.controller import launch  # noqa: E402

MANAGER = Actor("bench", Role.MANAGER)
WEEKS = 52


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def build(path: Path, items: int, lines: int, now: datetime) -> int:
    """A year of movements written straight into the tables (the service would take hours
    of fsyncs); balances are the ledger's sum, as the service keeps them. Returns the line
    count."""
    store = open_store(path)
    rng = random.Random(22)
    sales_per_item = max(lines // items - WEEKS, 1)
    start = now - timedelta(days=365)
    written = 0
    with Progress() as progress, store.transaction():
        task = progress.add_task("ledger lines", total=items * (WEEKS + sales_per_item))
        for i in range(items):
            item_id = f"item-{i:04d}"
            store.execute(
                "INSERT INTO inventory_items (item_id, name, base_unit, purchase_unit,"
                " purchase_factor, category, tracks_expiry, unit_cost_fen, reorder_point,"
                " reorder_target) VALUES (?, ?, '瓶', '箱', 24, ?, 1, 300, 0, 0)",
                (item_id, f"商品 {i}", f"cat-{i % 20}"),
            )
            batches, docs, rows = [], [], []
            week_of = [s * WEEKS // sales_per_item for s in range(sales_per_item)]
            sold = [week_of.count(w) for w in range(WEEKS)]
            for w in range(WEEKS):
                at = start + timedelta(days=7 * w)
                batch = f"b-{i}-{w}"
                best = (at + timedelta(days=rng.randint(40, 200))).date().isoformat()
                batches.append((batch, item_id, f"L{w}", best, at.isoformat(), 300))
                doc = f"r-{i}-{w}"
                docs.append((doc, "receipt", "", at.isoformat(), "bench", "manager", "bar"))
                received = sold[w] + (rng.randint(0, 12) if w == WEEKS - 1 else 0)
                rows.append((doc, "receipt", item_id, "bar", batch, received, 300, at.isoformat()))
            on_hand = {f"b-{i}-{w}": 0 for w in range(WEEKS)}
            for s, w in enumerate(week_of):
                at = start + timedelta(days=7 * w, hours=1 + s % 100)
                doc = f"s-{i}-{s}"
                docs.append((doc, "sale", "sale", at.isoformat(), "bench", "waiter", "bar"))
                rows.append((doc, "sale", item_id, "bar", f"b-{i}-{w}", -1, 300, at.isoformat()))
            for row in rows:
                on_hand[row[4]] += row[5]
            store.executemany(
                "INSERT INTO inventory_batches (batch_id, item_id, code, best_before,"
                " received_at, unit_cost_fen) VALUES (?, ?, ?, ?, ?, ?)",
                batches,
            )
            store.executemany(
                "INSERT INTO inventory_documents (doc_id, kind, purpose, at, staff_id, role,"
                " location) VALUES (?, ?, ?, ?, ?, ?, ?)",
                docs,
            )
            store.executemany(
                "INSERT INTO inventory_lines (doc_id, kind, item_id, location, batch_id,"
                " quantity, unit_cost_fen, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            store.executemany(
                "INSERT INTO inventory_balances (item_id, location, batch_id, quantity)"
                " VALUES (?, 'bar', ?, ?)",
                [(item_id, b, q) for b, q in on_hand.items() if q],
            )
            written += len(rows)
            progress.advance(task, len(rows))
    store.close()
    return written


def timed(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=400)
    args = parser.parse_args()
    now = datetime.now(UTC)
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        started = time.perf_counter()
        written = build(data / DB_FILE, args.items, args.lines, now)
        print(f"built {written:,} ledger lines in {time.perf_counter() - started:.0f} s")

        store = open_store(data / DB_FILE)
        inventory = Inventory(store, clock=lambda: now)
        assert inventory.desk.verify() == [], "the bench's balances must be the ledger's sum"
        levels = timed(inventory.desk.levels, 7)
        raw = timed(inventory.desk.records.on_hand, 7)
        suggest = timed(inventory.buying.suggestions, 5)
        found = len(inventory.buying.suggestions())
        inventory.desk.set_recipe(recipe_of("beer", [("item-0000", 1)], False), MANAGER)
        fresh = ReceiptLine("item-0000", "100000", best_before=(now + timedelta(days=365)).date())
        inventory.desk.receive([fresh], MANAGER, location="bar")
        store.close()
        rows.append(
            ("on hand + warnings, all items", f"{statistics.median(levels):.0f} ms", "<= 200 ms")
        )
        rows.append(("on hand totals (balances)", f"{statistics.median(raw):.0f} ms", ""))
        rows.append(
            (
                f"suggested list ({found} items)",
                f"{statistics.median(suggest):.0f} ms",
                "<= 1000 ms",
            )
        )

        venue = Path(tmp) / "venue.toml"
        text = (ROOT / "examples" / "venue.toml").read_text(encoding="utf-8")
        venue.write_text(
            text.replace('provider = "terminal"', 'provider = "sandbox"'), encoding="utf-8"
        )
        ctl = launch(data, ["--venue-config", str(venue), "--no-mdns"])
        try:
            stub = billing_pb2_grpc.BillingServiceStub(ctl.channel())
            md = ctl.admin_md
            times: dict[str, list[float]] = {"beer": [], "water": []}
            rooms = [f"B{i:03d}" for i in range(max(args.orders // 80, 2))]
            for room in rooms:
                ctl.add_room(room, tier="small")
                stub.OpenSession(
                    bpb.OpenSessionRequest(
                        room=f"rooms/{room}", guest_count=2, request_id=uuid.uuid4().hex
                    ),
                    metadata=md,
                    timeout=10,
                )
            with Progress() as progress:
                task = progress.add_task("PlaceOrder", total=args.orders * 2)
                for n in range(args.orders * 2):
                    sku = "beer" if n % 2 else "water"
                    room = rooms[n % len(rooms)]
                    request = bpb.PlaceOrderRequest(
                        room=f"rooms/{room}",
                        items=[bpb.OrderItem(sku=sku, quantity=1)],
                        request_id=uuid.uuid4().hex,
                    )
                    start = time.perf_counter()
                    stub.PlaceOrder(request, metadata=md, timeout=10)
                    times[sku].append((time.perf_counter() - start) * 1000)
                    progress.advance(task)
        finally:
            ctl.stop()
        with_stock, without = times["beer"], times["water"]
        rows.append(
            (
                "PlaceOrder without stock p50 / p99",
                f"{statistics.median(without):.1f} / {pct(without, 0.99):.1f} ms",
                "",
            )
        )
        rows.append(
            (
                "PlaceOrder with deduction p50 / p99",
                f"{statistics.median(with_stock):.1f} / {pct(with_stock, 0.99):.1f} ms",
                "",
            )
        )
        diff50 = statistics.median(with_stock) - statistics.median(without)
        diff99 = pct(with_stock, 0.99) - pct(without, 0.99)
        rows.append(("  difference p50 / p99", f"{diff50:+.1f} / {diff99:+.1f} ms", "<= +2 ms"))

    width = max(len(r[0]) for r in rows)
    print(f"\n{'measure':<{width}}  {'value':>22}  target")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>22}  {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
