"""Reports over a quarter of a 100-room venue: ~27,000 bills, ~500,000 order-line rows,
20,000 members; day close, quarter, XLSX of the quarter, RSS while building, and checkout
latency while a quarter report builds.

    .venv/bin/python benchmarks/reports_bench.py [--bills 27000] [--lines 500000] [--runs 5]

How the history is made: the read model's rows are written directly through the reports
store's own insert paths (``ReportRecords.insert_bill_rows`` / ``insert_lines`` /
``insert_payments``: what the projector writes for each checkout), members and their
top-ups/visits with plain INSERTs into the members tables, in one transaction each: a quarter
in seconds instead of replaying 27,000 checkouts through the ledger. The checkouts measured
at the end are real (``BillingDesk`` on the same SQLite file, in this process: the gRPC server
builds reports in a worker thread of its own process, so the GIL is shared just the same).

Targets: day close <= 200 ms, quarter <= 2 s, XLSX <= 5 s, RSS growth <= 100 MB, checkout p99
unchanged while a report builds.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import controller.billing.store  # noqa: E402
import controller.members.schema  # noqa: E402,F401
from controller.auth.model import Role  # noqa: E402
from controller.billing.desk import Product as MenuProduct  # noqa: E402
from controller.billing.desk import TenderAmount  # noqa: E402
from controller.billing.records import Actor, Tender  # noqa: E402
from controller.billing.service import BillingDesk  # noqa: E402
from controller.reports.export import write_xlsx  # noqa: E402
from controller.reports.facts import BillFact, PaymentFact  # noqa: E402
from controller.reports.model import PeriodKind  # noqa: E402
from controller.reports.service import ReportDesk  # noqa: E402
from controller.rooms.board import RoomBoard  # noqa: E402
from controller.store.db import open_store  # noqa: E402

EXAMPLE = ROOT / "examples" / "venue.toml"
MANAGER = Actor("bench-manager", Role.MANAGER)
CASHIER = Actor("bench-cashier", Role.CASHIER)
Q_FIRST = date(2026, 7, 1)
Q_DAYS = 92
TENDERS = ["cash", "wechat", "wechat", "alipay", "bank_card", "stored_value", "signed_credit"]
BANDS = ["白天档", "黄金档", "午夜档"]


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 10, 2, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai, after the quarter

    def __call__(self) -> datetime:
        return self.now


def build_venue(path: Path, n_bills: int, n_lines: int, n_members: int):
    clock = Clock()
    store = open_store(path)
    board = RoomBoard(store, tiers=("small", "vip"), clock=clock)
    board.load()
    for i in range(100):
        board.create_room(f"R{i:03d}", f"R{i:03d}", "vip" if i % 5 == 0 else "small")
    billing = BillingDesk(board, clock=clock, providers={t: _Sandbox() for t in Tender})
    billing.import_config(EXAMPLE.read_text(encoding="utf-8"), MANAGER)
    skus = [f"sku{i:02d}" for i in range(40)]
    with store.transaction():
        for i, sku in enumerate(skus):
            billing.records.put_product(
                MenuProduct(sku, f"商品{i:02d}", ["drinks", "snacks", "food"][i % 3], 500 + 100 * i)
            )
    reports = ReportDesk(store, clock=clock)
    rng = random.Random(21)
    start = time.perf_counter()
    bills, lines, payments = [], [], []
    per_bill = max(1, n_lines // n_bills)
    for i in range(n_bills):
        d = Q_FIRST + timedelta(days=i * Q_DAYS // n_bills)
        opened = datetime.combine(d, datetime.min.time(), UTC) + timedelta(hours=rng.randint(3, 15))
        stay = rng.randint(3600, 5 * 3600)
        room, products = rng.randint(5000, 40000), 0
        tab = f"tab-{i:06d}"
        for j in range(per_bill + (1 if i < n_lines - per_bill * n_bills else 0)):
            sku = skus[(i * 7 + j) % len(skus)]
            q = rng.randint(1, 6)
            amount = q * (500 + 100 * int(sku[3:]))
            products += amount
            lines.append(
                (d.isoformat(), sku, "small", sku, "drinks", q, amount, 0, 0, 0, q, q * 400, 0, 0)
            )
        comp = rng.choice([0, 0, 0, 1000])
        discount = rng.choice([0, 0, 500])
        total = room + products - comp - discount
        bills.append(
            BillFact(
                tab,
                d,
                d,
                opened,
                opened + timedelta(seconds=stay),
                rng.choice(["small", "vip"]),
                rng.choice(BANDS),
                1,
                rng.randint(2, 10),
                stay,
                room,
                0,
                0,
                products,
                0,
                0,
                comp,
                0,
                discount,
                0,
                total,
                "bench-cashier",
            )
        )
        payments.append(
            PaymentFact(
                f"pay-{i:06d}",
                tab,
                opened + timedelta(seconds=stay),
                d,
                d,
                rng.choice(TENDERS),
                total,
                f"cashier-{i % 4}",
            )
        )
    with store.transaction():
        reports.records.insert_bill_rows(bills)
        reports.records.insert_lines(lines)
        reports.records.insert_payments(payments)
        store.execute("INSERT INTO report_cursor (name, seq) VALUES ('billing', 0)")
    with store.transaction():
        base = datetime(2026, 1, 1, tzinfo=UTC)
        store.conn.executemany(
            "INSERT INTO members (member_id, phone, name, registered_at, tier)"
            " VALUES (?, ?, ?, ?, ?)",
            [
                (
                    f"m{i:05d}",
                    f"139{i:08d}",
                    f"会员{i}",
                    (base + timedelta(minutes=17 * i)).isoformat(),
                    rng.choice(["regular", "silver", "gold"]),
                )
                for i in range(n_members)
            ],
        )
        store.conn.executemany(
            "INSERT INTO member_ledger (member_id, kind, principal_fen, bonus_fen, at, request_id,"
            " fingerprint, tender) VALUES (?, 'topup', 50000, 10000, ?, ?, '', 'cash')",
            [
                (
                    f"m{i:05d}",
                    (
                        datetime.combine(Q_FIRST, datetime.min.time(), UTC)
                        + timedelta(minutes=37 * i)
                    ).isoformat(),
                    f"bench-topup-{i}",
                )
                for i in range(0, n_members, 4)
            ],
        )
        store.conn.executemany(
            "INSERT INTO member_visits (member_id, bill, at, spend_fen) VALUES (?, ?, ?, ?)",
            [
                (
                    f"m{i % n_members:05d}",
                    f"bills/tab-{i:06d}",
                    b.closed_at.isoformat(),
                    b.total_fen,
                )
                for i, b in enumerate(bills[: n_bills // 3])
            ],
        )
    return store, billing, reports, clock, time.perf_counter() - start


class _Sandbox:
    name = "sandbox"

    def charge(self, charge):  # type: ignore[no-untyped-def]
        from controller.billing.payments import Receipt

        return Receipt(self.name, "bench")


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def checkouts(billing: BillingDesk, clock: Clock, n: int, rooms: list[str]) -> list[float]:
    samples = []
    for i in range(n):
        room = rooms[i % len(rooms)]
        if billing.board.get(room).state.value == "CLEANING":
            from controller.rooms.model import RoomState

            billing.board.set_state(room, RoomState.IDLE)
        billing.open(room, 2, CASHIER)
        billing.order(room, [("beer", 2), ("water", 1)], CASHIER)
        clock.now += timedelta(seconds=1)
        due = billing.bill(billing.tab_id_of(room)).bill.due_fen
        t = time.perf_counter()
        billing.checkout(room, CASHIER, [TenderAmount(Tender.CASH, due)])
        samples.append((time.perf_counter() - t) * 1000)
    return samples


def checkouts_while_building(
    billing: BillingDesk, reports: ReportDesk, clock: Clock, rooms: list[str], n: int, how: str
) -> tuple[list[float], list[float]]:
    """Checkout latencies while quarter reports build back to back, in a worker process (what
    the server does) or in a thread of this process (to show what the GIL costs)."""
    stop = threading.Event()
    builds: list[float] = []
    pool = None
    if how.startswith("worker"):
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))

    def run(fn, *a):  # type: ignore[no-untyped-def]
        assert pool is not None
        return pool.submit(fn, *a).result()

    elsewhere = run if pool else None
    if pool:
        reports.period(PeriodKind.QUARTER, Q_FIRST, run=elsewhere)  # spawn the worker first

    def build_forever() -> None:
        while not stop.is_set():
            t = time.perf_counter()
            reports.period(PeriodKind.QUARTER, Q_FIRST, run=elsewhere)
            builds.append(time.perf_counter() - t)

    worker = threading.Thread(target=build_forever)
    worker.start()
    try:
        return checkouts(billing, clock, n, rooms), builds
    finally:
        stop.set()
        worker.join()
        if pool:
            pool.shutdown()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bills", type=int, default=27_000)
    parser.add_argument("--lines", type=int, default=500_000)
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--checkouts", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store, billing, reports, clock, gen_s = build_venue(
            Path(tmp) / "controller.db", args.bills, args.lines, args.members
        )
        print(
            f"history: {args.bills} bills, {args.lines} order-line rows, {args.members} members"
            f" in {gen_s:.1f} s; database {Path(tmp, 'controller.db').stat().st_size / 1e6:.0f} MB"
        )
        rss0 = rss_mb()
        Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) to now
        hwm0 = hwm_mb()
        days = [
            Q_FIRST + timedelta(days=d) for d in random.Random(3).sample(range(Q_DAYS), args.runs)
        ]
        it = iter(days)
        day_ms = timed(lambda: reports.day(next(it)), args.runs)
        quarter: list = []
        q_ms = timed(lambda: quarter.append(reports.period(PeriodKind.QUARTER, Q_FIRST)), args.runs)
        xlsx_ms = timed(lambda: write_xlsx(quarter[-1], Path(tmp) / "quarter.xlsx"), args.runs)
        growth = rss_mb() - rss0
        peak = hwm_mb() - hwm0
        rooms = [f"R{i:03d}" for i in range(100)]
        checkouts(billing, clock, 20, rooms)  # warm up
        alone = checkouts(billing, clock, args.checkouts, rooms)
        during = {
            how: checkouts_while_building(billing, reports, clock, rooms, args.checkouts, how)
            for how in ("worker process (as the server)", "thread of this process")
        }
        store.close()
    print()
    print(f"{'what':<36} {'runs':>5} {'median':>10} {'p90':>10} {'max':>10} {'target':>10}")
    for name, samples, target in (
        ("day close (ms)", day_ms, "200"),
        ("quarter report (ms)", q_ms, "2000"),
        ("XLSX of the quarter (ms)", xlsx_ms, "5000"),
    ):
        print(
            f"{name:<36} {len(samples):>5} {statistics.median(samples):>10.1f} "
            f"{pct(samples, 0.9):>10.1f} {max(samples):>10.1f} {target:>10}"
        )
    for name, value in (("RSS growth after building (MB)", growth), ("RSS peak growth (MB)", peak)):
        print(f"{name:<36} {'':>5} {value:>10.1f} {'':>10} {'':>10} {'100':>10}")
    print()
    print(f"{'checkout (ms)':<60} {'calls':>5} {'p50':>10} {'p90':>10} {'p99':>10} {'max':>10}")
    rows = [("alone", alone)] + [
        (f"while quarters build: {k} ({len(b)} built)", c) for k, (c, b) in during.items()
    ]
    for name, samples in rows:
        print(
            f"{name:<60} {len(samples):>5} {statistics.median(samples):>10.2f} "
            f"{pct(samples, 0.9):>10.2f} {pct(samples, 0.99):>10.2f} {max(samples):>10.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
