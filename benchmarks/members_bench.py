"""Membership at scale: 100,000 members with two years of history in a real SQLite file.

    .venv/bin/python benchmarks/members_bench.py [--members 100000] [--visits 12] [--lookups 3000]

Builds the database with the real migrations (bulk rows: visits, top-ups and payments whose
ledger sums equal the cached balances), then measures through ``MemberDesk`` / ``Outreach``:
member lookup by phone, card and name (target p99 <= 5 ms), tag + RFM recomputation for all
members (target <= 10 s), and the full ledger verify. Wall-clock tails on a shared machine
include time the process waited for a core; the CPU column is the lookup's own work.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import controller.members.schema  # noqa: E402, F401
from controller.members.desk import MemberDesk  # noqa: E402
from controller.members.loyalty import LoyaltyDesk  # noqa: E402
from controller.members.outreach import Outreach  # noqa: E402
from controller.store.db import open_store  # noqa: E402

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def build(path: Path, n: int, visits_per_member: int, rng: random.Random) -> None:
    store = open_store(path)
    members, visits, ledger, points = [], [], [], []
    request = 0
    for i in range(n):
        mid = f"m-{i:012x}"
        reg = NOW - timedelta(days=rng.randint(1, 730))
        born = date(rng.randint(1965, 2005), rng.randint(1, 12), rng.randint(1, 28))
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if i % 2 else "")
        principal = bonus = 0
        for _ in range(rng.randint(0, 3)):
            amount = rng.choice([20_000, 50_000, 100_000])
            extra = {50_000: 10_000, 100_000: 25_000}.get(amount, 0)
            request += 1
            at = reg + timedelta(days=rng.randint(0, 30))
            ledger.append((mid, "topup", amount, extra, at.isoformat(), f"b{request}", "", "cash"))
            principal += amount
            bonus += extra
            spend = rng.randint(0, principal)
            if spend:
                request += 1
                at2 = at + timedelta(days=rng.randint(1, 60))
                ledger.append(
                    (mid, "payment", -spend, 0, at2.isoformat(), f"b{request}", "", "stored_value")
                )
                principal -= spend
        members.append(
            (
                mid,
                f"1{rng.randint(3, 9)}{i:09d}",
                name,
                born.isoformat(),
                born.strftime("%m-%d"),
                f"C{i:08d}",
                reg.isoformat(),
                principal,
                bonus,
                0,  # points: the sum of the earn entries below
            )
        )
        days_known = (NOW - reg).days
        earned = 0
        for v in range(rng.randint(0, 2 * visits_per_member)):
            at = NOW - timedelta(days=rng.randint(0, days_known), minutes=v)
            spend = rng.randint(5_000, 150_000)
            bill = f"bills/tab-{i}-{v}"
            visits.append((mid, bill, at.isoformat(), spend))
            expires = (at + timedelta(days=365)).date().isoformat()
            points.append((mid, "earn", spend // 100, at.isoformat(), expires, f"e{i}-{v}", bill))
            earned += spend // 100
        members[-1] = (*members[-1][:-1], earned)
    with store.transaction():
        store.conn.executemany(
            "INSERT INTO members (member_id, phone, name, birthday, birth_mmdd, card_number,"
            " registered_at, principal_fen, bonus_fen, points) VALUES (?,?,?,?,?,?,?,?,?,?)",
            members,
        )
        store.conn.executemany(
            "INSERT INTO member_visits (member_id, bill, at, spend_fen) VALUES (?,?,?,?)", visits
        )
        store.conn.executemany(
            "INSERT INTO member_ledger (member_id, kind, principal_fen, bonus_fen, at,"
            " request_id, fingerprint, tender) VALUES (?,?,?,?,?,?,?,?)",
            ledger,
        )
        store.conn.executemany(
            "INSERT INTO member_points (member_id, kind, points, at, expires_on, request_id,"
            " reference) VALUES (?,?,?,?,?,?,?)",
            points,
        )
    print(
        f"built: {len(members):,} members, {len(visits):,} visits, {len(ledger):,} ledger"
        f" entries, {len(points):,} points entries"
    )
    store.conn.execute("ANALYZE")
    store.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--visits", type=int, default=12, help="average visits per member over 2 years")
    ap.add_argument("--lookups", type=int, default=3000)
    ap.add_argument("--db", type=Path, help="keep the database here (reused when it exists)")
    args = ap.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "controller.db"
        if not path.exists():
            t0 = time.perf_counter()
            build(path, args.members, args.visits // 2, rng)
            print(f"build time: {time.perf_counter() - t0:.1f} s")
        store = open_store(path)
        desk = MemberDesk(store, lambda: NOW)
        outreach = Outreach(LoyaltyDesk(desk))
        rows = store.query("SELECT phone, card_number, name FROM members")
        rows_by_kind = {
            "phone": [r["phone"] for r in rows],
            "card": [r["card_number"] for r in rows],
            "name": [r["name"] for r in rows],
        }
        print()
        print("| lookup | calls | p50 ms | p90 ms | p99 ms | max ms | CPU p99 ms |")
        print("|---|---|---|---|---|---|---|")
        for kind, values in rows_by_kind.items():
            samples, cpu = [], []
            for q in rng.sample(values, args.lookups):
                t, c = time.perf_counter(), time.thread_time()
                found = desk.find(q)
                samples.append((time.perf_counter() - t) * 1000)
                cpu.append((time.thread_time() - c) * 1000)
                assert found
            print(
                f"| by {kind} | {len(samples)} | {statistics.median(samples):.3f} | "
                f"{pct(samples, 0.9):.3f} | {pct(samples, 0.99):.3f} | {max(samples):.3f} | "
                f"{pct(cpu, 0.99):.3f} |"
            )
        print()
        print("| batch | members | seconds |")
        print("|---|---|---|")
        for label, run in (
            ("tags + RFM for all members", lambda: sum(1 for _ in outreach.profiles())),
            ("ledger verify (every balance)", lambda: desk.verify()[0]),
        ):
            times = []
            count = 0
            for _ in range(3):
                t = time.perf_counter()
                count = run()
                times.append(time.perf_counter() - t)
            print(f"| {label} (median of 3) | {count:,} | {statistics.median(times):.2f} |")
        loyalty = outreach.loyalty
        for label, job in (
            ("daily job: points expiry, first run (CPU s)", loyalty.expire_all),
            ("daily job: points expiry, rerun (CPU s)", loyalty.expire_all),
            ("daily job: birthday coupons, 7 days ahead (CPU s)", outreach.run_birthday),
            ("daily job: birthday coupons, rerun (CPU s)", outreach.run_birthday),
        ):
            t, c = time.perf_counter(), time.process_time()
            out = job()
            wall_s, cpu_s = time.perf_counter() - t, time.process_time() - c
            n = out[0] if isinstance(out, tuple) else out.reached
            print(f"| {label} | {n:,} | {wall_s:.2f} ({cpu_s:.2f}) |")
        store.close()


if __name__ == "__main__":
    main()
