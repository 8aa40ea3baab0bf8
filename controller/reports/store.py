"""Reports' SQLite adapter: the read model (``report_*`` tables) kept from billing's log, the
closed days, and the reader that loads a period's facts on a read-only connection of its own.

The read model is a projection of ``billing_events`` by sequence number (``report_cursor``):
payments and refunds as they are taken, a bill's figures when it is checked out (folded from
the log by billing's own records), discounts/comps/cancels/refunds as operations for the shift
handover. ``catch_up`` runs in short write transactions of at most ``batch`` events; building a
report never holds the write lock: it reads one snapshot on a separate connection.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from bisect import bisect_right
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from controller.billing.bill import compute_bill
from controller.billing.caps import refusal_detail
from controller.billing.clock import VenueClock
from controller.billing.codec import decode_event
from controller.billing.events import PaymentRefunded, PaymentTaken
from controller.billing.ledger import Ledger
from controller.billing.store import BillingRecords
from controller.members.tiers import profile_of
from controller.reports import settings
from controller.reports.facts import (
    BillFact,
    LineFact,
    MemberActivity,
    OpenBill,
    PaymentFact,
    PointsFact,
    Product,
    RoomFact,
    ServedWineFact,
    TopUpFact,
    bill_facts,
)
from controller.reports.model import Report
from controller.reports.shift import Operation, Shift
from controller.store.db import Store
from controller.store.migrations import Migration, register_migrations

register_migrations(
    "reports",
    [
        Migration(
            1,
            "reports: read model of the billing log, closed days",
            sql="""
            CREATE TABLE report_cursor (name TEXT PRIMARY KEY, seq INTEGER NOT NULL);
            CREATE TABLE report_bills (
                tab_id TEXT PRIMARY KEY,
                origin_day TEXT NOT NULL,
                booked_day TEXT NOT NULL,
                opened_at TEXT NOT NULL,
                closed_at TEXT NOT NULL,
                tier TEXT NOT NULL,
                band TEXT NOT NULL,
                sessions INTEGER NOT NULL,
                guests INTEGER NOT NULL,
                stay_s INTEGER NOT NULL,
                room_time_fen INTEGER NOT NULL,
                package_fen INTEGER NOT NULL,
                fee_fen INTEGER NOT NULL,
                products_fen INTEGER NOT NULL,
                minimum_fen INTEGER NOT NULL,
                service_fen INTEGER NOT NULL,
                comp_fen INTEGER NOT NULL,
                comp_cost_fen INTEGER NOT NULL,
                discount_fen INTEGER NOT NULL,
                rounding_fen INTEGER NOT NULL,
                total_fen INTEGER NOT NULL,
                closed_by TEXT NOT NULL,
                rooms TEXT NOT NULL DEFAULT ''
            );
            CREATE INDEX report_bills_day ON report_bills (booked_day);
            CREATE TABLE report_lines (
                booked_day TEXT NOT NULL,
                sku TEXT NOT NULL,
                tier TEXT NOT NULL,
                name TEXT NOT NULL,
                category TEXT NOT NULL,
                quantity INTEGER NOT NULL,
                amount_fen INTEGER NOT NULL,
                comped_quantity INTEGER NOT NULL,
                comped_fen INTEGER NOT NULL,
                included_quantity INTEGER NOT NULL,
                PRIMARY KEY (booked_day, sku, tier)
            ) WITHOUT ROWID;
            CREATE TABLE report_payments (
                payment_id TEXT PRIMARY KEY,
                tab_id TEXT NOT NULL,
                at TEXT NOT NULL,
                booked_day TEXT NOT NULL,
                origin_day TEXT NOT NULL,
                tender TEXT NOT NULL,
                amount_fen INTEGER NOT NULL,
                staff_id TEXT NOT NULL,
                refund_of TEXT NOT NULL,
                reason TEXT NOT NULL
            );
            CREATE INDEX report_payments_day ON report_payments (booked_day);
            CREATE INDEX report_payments_at ON report_payments (at);
            CREATE TABLE report_operations (
                seq INTEGER PRIMARY KEY,
                tab_id TEXT NOT NULL,
                at TEXT NOT NULL,
                kind TEXT NOT NULL,
                staff_id TEXT NOT NULL,
                role TEXT NOT NULL,
                amount_fen INTEGER NOT NULL,
                detail TEXT NOT NULL,
                approved_by TEXT NOT NULL DEFAULT ''
            );
            CREATE INDEX report_operations_at ON report_operations (at);
            CREATE TABLE report_days (
                day TEXT PRIMARY KEY,
                closed_at TEXT NOT NULL,
                closed_by TEXT NOT NULL,
                snapshot TEXT NOT NULL
            );
            CREATE TRIGGER report_days_frozen_update BEFORE UPDATE ON report_days
            BEGIN SELECT RAISE(ABORT, 'a closed day never changes'); END;
            CREATE TRIGGER report_days_frozen_delete BEFORE DELETE ON report_days
            BEGIN SELECT RAISE(ABORT, 'a closed day never changes'); END;
            """,
        ),
        Migration(
            2,
            "reports: cashier shifts and the cash drawer chain (交班)",
            sql="""
            CREATE TABLE report_shifts (
                shift_id TEXT PRIMARY KEY,
                drawer TEXT NOT NULL,
                staff_id TEXT NOT NULL,
                started_at TEXT NOT NULL,
                opening_fen INTEGER NOT NULL,
                ended_at TEXT,
                expected_fen INTEGER,
                counted_fen INTEGER,
                variance_reason TEXT NOT NULL DEFAULT '',
                handed_to TEXT NOT NULL DEFAULT '',
                summary TEXT NOT NULL DEFAULT ''
            );
            CREATE INDEX report_shifts_drawer ON report_shifts (drawer, started_at);
            CREATE UNIQUE INDEX report_shifts_one_open ON report_shifts (drawer)
                WHERE ended_at IS NULL;
            """,
        ),
        Migration(
            3,
            "reports: order lines at cost (the stock deduction's cost at the time of sale)",
            sql="""
            ALTER TABLE report_lines ADD COLUMN costed_quantity INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE report_lines ADD COLUMN cost_fen INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE report_lines ADD COLUMN comped_cost_fen INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE report_lines ADD COLUMN included_cost_fen INTEGER NOT NULL DEFAULT 0;
            """,
        ),
    ],
)

OPERATION_KINDS = ("DiscountGiven", "OrderComped", "OrderCancelled", "PaymentRefunded")
PROJECTED_KINDS = (
    "PaymentTaken",
    "PaymentRefunded",
    "TabCheckedOut",
    "DiscountGiven",
    "OrderComped",
    "OrderCancelled",
)
BILL_COLUMNS = [
    "tab_id",
    "origin_day",
    "booked_day",
    "opened_at",
    "closed_at",
    "tier",
    "band",
    "sessions",
    "guests",
    "stay_s",
    "room_time_fen",
    "package_fen",
    "fee_fen",
    "products_fen",
    "minimum_fen",
    "service_fen",
    "comp_fen",
    "comp_cost_fen",
    "discount_fen",
    "rounding_fen",
    "total_fen",
    "closed_by",
]
LINE_COLUMNS = [
    "booked_day",
    "sku",
    "tier",
    "name",
    "category",
    "quantity",
    "amount_fen",
    "comped_quantity",
    "comped_fen",
    "included_quantity",
    "costed_quantity",
    "cost_fen",
    "comped_cost_fen",
    "included_cost_fen",
]
SUMMED = ", ".join(f"SUM({c})" for c in BILL_COLUMNS[7:21])  # sessions .. total_fen
PAYMENT_COLUMNS = [
    "payment_id",
    "tab_id",
    "at",
    "booked_day",
    "origin_day",
    "tender",
    "amount_fen",
    "staff_id",
    "refund_of",
    "reason",
]


def _iso(value: object) -> object:
    return value.isoformat() if isinstance(value, date | datetime) else value


class ReportRecords:
    """Writes the read model (callers need no transaction: each method holds its own)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.billing = BillingRecords(store)

    # --- the venue clock ------------------------------------------------------------------
    def clock(self) -> VenueClock:
        """The active price plan's timezone and business-day cut-off."""
        return self.billing.plan(self.billing.active_version()).clock

    # --- closed days ----------------------------------------------------------------------
    def closed_days(self) -> set[date]:
        return {
            date.fromisoformat(r["day"]) for r in self.store.query("SELECT day FROM report_days")
        }

    def closed(self, day: date) -> Report | None:
        row = self.store.query_one(
            "SELECT snapshot FROM report_days WHERE day = ?", (day.isoformat(),)
        )
        return Report.from_json(row["snapshot"]) if row else None

    def save_closed(self, report: Report) -> None:
        self.store.execute(
            "INSERT INTO report_days (day, closed_at, closed_by, snapshot) VALUES (?, ?, ?, ?)",
            (report.first_day.isoformat(), report.closed_at, report.closed_by, report.to_json()),
        )

    # --- inserts (the projector's, and the benchmark's) -----------------------------------
    def insert_bills(self, bills: list[tuple[BillFact, list[LineFact]]]) -> None:
        """Closed bills, and their order lines added to the day's sums per product and tier."""
        self.insert_bill_rows([b for b, _ in bills])
        self.insert_lines(
            [
                (
                    ln.booked_day.isoformat(),
                    ln.sku,
                    ln.tier,
                    ln.name,
                    ln.category,
                    ln.quantity,
                    ln.amount_fen,
                    ln.comped_quantity,
                    ln.comped_fen,
                    ln.included_quantity,
                    ln.costed_quantity,
                    ln.cost_fen,
                    ln.comped_cost_fen,
                    ln.included_cost_fen,
                )
                for _, lines in bills
                for ln in lines
            ]
        )

    def insert_lines(self, rows: list[tuple[Any, ...]]) -> None:
        """Order lines (LINE_COLUMNS order) added to ``report_lines``: one row per business
        day, product and tier holding the sums, so a quarter reads thousands of rows, not the
        half million order lines behind them."""
        marks = ",".join("?" * len(LINE_COLUMNS))
        sums = ", ".join(f"{c} = {c} + excluded.{c}" for c in LINE_COLUMNS[5:])
        self.store.conn.executemany(
            f"INSERT INTO report_lines ({','.join(LINE_COLUMNS)}) VALUES ({marks})"
            f" ON CONFLICT (booked_day, sku, tier) DO UPDATE SET {sums}",
            rows,
        )

    def insert_bill_rows(self, rows: list[BillFact]) -> None:
        marks = ",".join("?" * len(BILL_COLUMNS))
        self.store.conn.executemany(
            f"INSERT OR REPLACE INTO report_bills ({','.join(BILL_COLUMNS)}, rooms)"
            f" VALUES ({marks}, ?)",
            [(*(_iso(getattr(b, c)) for c in BILL_COLUMNS), b.rooms) for b in rows],
        )

    def insert_payments(self, payments: list[PaymentFact]) -> None:
        marks = ",".join("?" * len(PAYMENT_COLUMNS))
        self.store.conn.executemany(
            f"INSERT OR IGNORE INTO report_payments ({','.join(PAYMENT_COLUMNS)}) VALUES ({marks})",
            [tuple(_iso(getattr(p, c)) for c in PAYMENT_COLUMNS) for p in payments],
        )

    # --- the projector --------------------------------------------------------------------
    def catch_up(self, batch: int = settings.catch_up_batch_events) -> int:
        """Project billing events appended since the last call; returns how many were read.
        Each batch is one short write transaction (a report never waits long behind it)."""
        done = 0
        while True:
            with self.store.transaction():
                n, more = self._project_batch(batch)
            done += n
            if not more:
                return done

    def _bookable(self, day: date, closed: set[date]) -> date:
        while day in closed:
            day += timedelta(days=1)
        return day

    def _project_batch(self, batch: int) -> tuple[int, bool]:
        row = self.store.query_one("SELECT seq FROM report_cursor WHERE name = 'billing'")
        after = int(row["seq"]) if row else 0
        top = self.store.query_one("SELECT MAX(seq) AS seq FROM billing_events")
        last = int(top["seq"] or 0) if top else 0
        if last <= after:
            return 0, False
        upto = min(last, after + batch)
        marks = ",".join("?" * len(PROJECTED_KINDS))
        rows = self.store.query(
            "SELECT seq, tab_id, kind, at, staff_id, role, body, total_before_fen, "
            "total_after_fen FROM billing_events WHERE seq > ? AND seq <= ? "
            f"AND kind IN ({marks}) ORDER BY seq",
            (after, upto, *PROJECTED_KINDS),
        )
        closed = self.closed_days()
        menu = self.menu()
        clocks: dict[str, VenueClock] = {}
        for r in rows:
            self._project(r, closed, menu, clocks)
        self.store.execute(
            "INSERT INTO report_cursor (name, seq) VALUES ('billing', ?) "
            "ON CONFLICT(name) DO UPDATE SET seq = excluded.seq",
            (upto,),
        )
        return upto - after, upto < last

    def _tab_info(self, tab_id: str) -> tuple[date, str]:
        row = self.store.query_one(
            "SELECT business_day, plan_version FROM billing_tabs WHERE tab_id = ?", (tab_id,)
        )
        assert row is not None
        return date.fromisoformat(row["business_day"]), row["plan_version"]

    def _project(
        self,
        r: dict[str, Any],
        closed: set[date],
        menu: Mapping[str, Product],
        clocks: dict[str, VenueClock],
    ) -> None:
        kind, tab_id = r["kind"], r["tab_id"]
        at = datetime.fromisoformat(r["at"])
        origin, version = self._tab_info(tab_id)
        if version not in clocks:
            clocks[version] = self.billing.plan(version).clock
        clock = clocks[version]
        if kind in ("PaymentTaken", "PaymentRefunded"):
            event = decode_event(r["body"])
            assert isinstance(event, PaymentTaken | PaymentRefunded)
            p = event.payment
            self.insert_payments(
                [
                    PaymentFact(
                        p.payment_id,
                        tab_id,
                        at,
                        self._bookable(clock.business_day(at), closed),
                        origin,
                        p.tender.value,
                        p.amount_fen,
                        r["staff_id"],
                        p.refund_of,
                        p.reason,
                    )
                ]
            )
        if kind in OPERATION_KINDS:
            amount = r["total_after_fen"] - r["total_before_fen"]
            body = json.loads(r["body"])
            detail = str(body.get("reason") or body.get("discount", {}).get("reason", ""))
            if kind == "PaymentRefunded":
                amount = int(body.get("payment", {}).get("amount_fen", 0))
                detail = str(body.get("payment", {}).get("reason", ""))
            self.store.execute(
                "INSERT OR IGNORE INTO report_operations (seq, tab_id, at, kind, staff_id, role,"
                " amount_fen, detail, approved_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    r["seq"],
                    tab_id,
                    r["at"],
                    kind,
                    r["staff_id"],
                    r["role"],
                    amount,
                    detail,
                    str(body.get("approved_by", "")),
                ),
            )
        if kind == "TabCheckedOut":
            ledger = self.billing.load(tab_id)
            tab = ledger.tab(tab_id)
            plan = ledger.plan_of(tab)
            assert tab.closed_bill is not None
            booked = (
                origin if origin not in closed else self._bookable(clock.business_day(at), closed)
            )
            fact, lines = bill_facts(
                tab,
                tab.closed_bill,
                plan,
                menu,
                origin_day=origin,
                booked_day=booked,
                closed_by=r["staff_id"],
                costs=self.sale_costs([o.order_id for o in tab.orders]),
            )
            self.insert_bills([(fact, lines)])

    def sale_costs(self, order_ids: list[str]) -> dict[tuple[str, str], int]:
        """What each order's stock deduction cost, per product (inventory's table, read like
        the members' tables: reports import no inventory code)."""
        if not order_ids or not self.store.query_one(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'inventory_sale_costs'"
        ):
            return {}
        out: dict[tuple[str, str], int] = {}
        for i in range(0, len(order_ids), 500):
            part = order_ids[i : i + 500]
            for r in self.store.query(
                "SELECT order_id, sku, cost_fen FROM inventory_sale_costs"
                f" WHERE order_id IN ({','.join('?' * len(part))})",
                tuple(part),
            ):
                out[(r["order_id"], r["sku"])] = int(r["cost_fen"])
        return out

    def menu(self) -> dict[str, Product]:
        return {
            r["sku"]: Product(r["sku"], r["name"], r["category"])
            for r in self.store.query("SELECT sku, name, category FROM billing_products")
        }

    # --- open bills at a cut-off (folded from the log as of that instant) ----------------
    def open_bills_at(self, end: datetime, now: datetime) -> list[OpenBill]:
        rows = self.store.query(
            "SELECT tab_id, rooms, plan_version FROM billing_tabs WHERE status != 'merged' "
            "AND opened_at < ? AND (closed_at IS NULL OR closed_at >= ?) ORDER BY opened_at",
            (end.isoformat(), end.isoformat()),
        )
        out = []
        as_of = min(end, now)
        for r in rows:
            family = self.billing._family(r["tab_id"])
            ledger = Ledger({r["plan_version"]: self.billing.plan(r["plan_version"])})
            for event in self.billing.events_of(family):
                if event.at < as_of:
                    with contextlib.suppress(Exception):
                        ledger.apply(event)
            if r["tab_id"] not in ledger.tabs:
                continue
            tab = ledger.tab(r["tab_id"])
            if tab.merged_into:
                continue
            bill = compute_bill(tab, ledger.plan_of(tab), as_of)
            out.append(
                OpenBill(
                    tab.tab_id, ",".join(tab.rooms), tab.opened_at, bill.total_fen, bill.paid_fen
                )
            )
        return out


class ShiftRecords:
    """Shifts and what happened in them (the store's connection; callers hold transactions
    around writes)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @staticmethod
    def _shift(r: dict[str, Any]) -> Shift:
        return Shift(
            r["shift_id"],
            r["drawer"],
            r["staff_id"],
            datetime.fromisoformat(r["started_at"]),
            r["opening_fen"],
            datetime.fromisoformat(r["ended_at"]) if r["ended_at"] else None,
            r["counted_fen"],
            r["expected_fen"],
            r["variance_reason"],
            r["handed_to"],
        )

    def open_shift(self, drawer: str) -> Shift | None:
        row = self.store.query_one(
            "SELECT * FROM report_shifts WHERE drawer = ? AND ended_at IS NULL", (drawer,)
        )
        return self._shift(row) if row else None

    def last_closed(self, drawer: str) -> Shift | None:
        row = self.store.query_one(
            "SELECT * FROM report_shifts WHERE drawer = ? AND ended_at IS NOT NULL"
            " ORDER BY ended_at DESC LIMIT 1",
            (drawer,),
        )
        return self._shift(row) if row else None

    def get(self, shift_id: str) -> Shift | None:
        row = self.store.query_one("SELECT * FROM report_shifts WHERE shift_id = ?", (shift_id,))
        return self._shift(row) if row else None

    def summary(self, shift_id: str) -> Report | None:
        row = self.store.query_one(
            "SELECT summary FROM report_shifts WHERE shift_id = ?", (shift_id,)
        )
        return Report.from_json(row["summary"]) if row and row["summary"] else None

    def start(self, shift: Shift) -> None:
        self.store.execute(
            "INSERT INTO report_shifts (shift_id, drawer, staff_id, started_at, opening_fen)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                shift.shift_id,
                shift.drawer,
                shift.staff_id,
                shift.started_at.isoformat(),
                shift.opening_fen,
            ),
        )

    def end(self, shift: Shift, summary: Report) -> None:
        self.store.execute(
            "UPDATE report_shifts SET ended_at = ?, expected_fen = ?, counted_fen = ?,"
            " variance_reason = ?, handed_to = ?, summary = ? WHERE shift_id = ?"
            " AND ended_at IS NULL",
            (
                shift.ended_at.isoformat() if shift.ended_at else None,
                shift.expected_fen,
                shift.counted_fen,
                shift.variance_reason,
                shift.handed_to,
                summary.to_json(),
                shift.shift_id,
            ),
        )

    def payments(self, start: datetime, end: datetime) -> list[PaymentFact]:
        rows = self.store.query(
            f"SELECT {','.join(PAYMENT_COLUMNS)} FROM report_payments WHERE at >= ? AND at < ?"
            " ORDER BY at",
            (start.isoformat(), end.isoformat()),
        )
        d = date.fromisoformat
        return [
            PaymentFact(
                r["payment_id"],
                r["tab_id"],
                datetime.fromisoformat(r["at"]),
                d(r["booked_day"]),
                d(r["origin_day"]),
                r["tender"],
                r["amount_fen"],
                r["staff_id"],
                r["refund_of"],
                r["reason"],
            )
            for r in rows
        ]

    def topups(self, start: datetime, end: datetime) -> list[TopUpFact]:
        if not self.store.query_one(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'member_ledger'"
        ):
            return []
        rows = self.store.query(
            "SELECT member_id, kind, principal_fen, bonus_fen, at, tender FROM member_ledger"
            " WHERE kind IN ('topup', 'cash_out') AND at >= ? AND at < ?",
            (start.isoformat(), end.isoformat()),
        )
        return [
            TopUpFact(
                r["member_id"],
                datetime.fromisoformat(r["at"]).date(),
                r["kind"],
                r["principal_fen"],
                r["bonus_fen"],
                r["tender"],
            )
            for r in rows
        ]

    def operations(self, start: datetime, end: datetime) -> list[Operation]:
        """The shift's discounts, comps, cancels and refunds, and the over-cap attempts that
        were refused (billing's ``billing_refusals``), in time order."""
        rows = self.store.query(
            "SELECT * FROM report_operations WHERE at >= ? AND at < ? ORDER BY seq",
            (start.isoformat(), end.isoformat()),
        )
        refused = [
            Operation(
                datetime.fromisoformat(r["at"]),
                "Refused",
                r["target"],
                r["staff_id"],
                r["role"],
                r["value"] if r["kind"] != "discount_percent" else 0,
                refusal_detail(r["kind"], r["value"], r["cap"], r["reason"], r["approver"]),
            )
            for r in self.store.query(
                "SELECT * FROM billing_refusals WHERE at >= ? AND at < ? ORDER BY refusal_id",
                (start.isoformat(), end.isoformat()),
            )
        ]
        done = [
            Operation(
                datetime.fromisoformat(r["at"]),
                r["kind"],
                r["tab_id"],
                r["staff_id"],
                r["role"],
                r["amount_fen"],
                r["detail"],
                r["approved_by"],
            )
            for r in rows
        ]
        # at the same instant a refusal comes first (the approved retry follows it)
        return sorted(done + refused, key=lambda o: (o.at, o.kind != "Refused"))


class FactReader:
    """One period's facts from one read-only snapshot (its own connection: never the
    store's, never a write lock)."""

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5.0)
        self.own = True
        self.conn.execute("BEGIN")  # one snapshot for every query below

    @classmethod
    def on(cls, conn: sqlite3.Connection) -> FactReader:
        """A reader on a connection that is already in a transaction (closing a day)."""
        reader = cls.__new__(cls)
        reader.conn, reader.own = conn, False
        return reader

    def close(self) -> None:
        if not self.own:
            return
        with contextlib.suppress(sqlite3.Error):
            self.conn.execute("COMMIT")
        self.conn.close()

    def __enter__(self) -> FactReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _has(self, table: str) -> bool:
        return (
            self.conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
            ).fetchone()
            is not None
        )

    def rooms(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM rooms").fetchone()[0])

    @staticmethod
    def _day_of(start: datetime, end: datetime, clock: VenueClock) -> Callable[[str], date]:
        """The business day of a stored UTC ISO instant in [start, end), by bisecting the
        days' starts as ISO text (what the queries compare already): no datetime parsed per
        row (a quarter's members and points are tens of thousands of rows)."""
        days: list[date] = []
        starts: list[str] = []
        day = clock.business_day(start)
        while clock.day_start(day) < end:
            days.append(day)
            starts.append(clock.day_start(day).isoformat())
            day += timedelta(days=1)

        def day_of(at: str) -> date:
            i = bisect_right(starts, at) - 1
            if i < 0 or not at.endswith("+00:00"):  # not the stored form: parse it
                return clock.business_day(datetime.fromisoformat(at))
            return days[i]

        return day_of

    def menu(self) -> dict[str, Product]:
        return {
            r[0]: Product(r[0], r[1], r[2])
            for r in self.conn.execute("SELECT sku, name, category FROM billing_products")
        }

    def bills(self, first: date, last: date) -> list[BillFact]:
        """Bills summed per day, tier and band (``count`` of them), and bills booked on a
        later day than their own (a late bill, listed one by one)."""
        span = (first.isoformat(), last.isoformat())
        grouped = self.conn.execute(
            "SELECT '', booked_day, booked_day, MIN(opened_at), MAX(closed_at), tier, band,"
            f" {SUMMED}, '', COUNT(*) FROM report_bills"
            " WHERE booked_day BETWEEN ? AND ? AND origin_day = booked_day"
            " GROUP BY booked_day, tier, band",
            span,
        ).fetchall()
        late = self.conn.execute(
            f"SELECT {','.join(BILL_COLUMNS)}, 1 FROM report_bills"
            " WHERE booked_day BETWEEN ? AND ? AND origin_day != booked_day",
            span,
        ).fetchall()
        out = []
        d, dt = date.fromisoformat, datetime.fromisoformat
        for r in (*grouped, *late):
            v = list(r)
            v[1], v[2], v[3], v[4] = d(v[1]), d(v[2]), dt(v[3]), dt(v[4])
            out.append(BillFact(*v))
        return out

    def by_room(self, first: date, last: date) -> list[RoomFact]:
        rows = self.conn.execute(
            "SELECT rooms, COUNT(*), SUM(room_time_fen + package_fen), SUM(total_fen),"
            " SUM(stay_s) FROM report_bills WHERE booked_day BETWEEN ? AND ?"
            " GROUP BY rooms ORDER BY rooms",
            (first.isoformat(), last.isoformat()),
        )
        return [RoomFact(*r) for r in rows]

    def lines(self, first: date, last: date) -> list[LineFact]:
        """Order lines summed per day, product and tier (the engine aggregates further)."""
        rows = self.conn.execute(
            "SELECT booked_day, sku, name, category, tier, quantity, amount_fen,"
            " comped_quantity, comped_fen, included_quantity, costed_quantity, cost_fen,"
            " comped_cost_fen, included_cost_fen FROM report_lines"
            " WHERE booked_day BETWEEN ? AND ?",
            (first.isoformat(), last.isoformat()),
        )
        return [LineFact(date.fromisoformat(r[0]), *r[1:]) for r in rows]

    def payments(self, first: date, last: date) -> list[PaymentFact]:
        """Payments summed per day, tender, cashier and sign (``count`` of them), and refunds
        of an earlier (closed) day's bills one by one."""
        span = (first.isoformat(), last.isoformat())
        late_refund = "origin_day != booked_day AND amount_fen < 0"
        grouped = self.conn.execute(
            "SELECT '', '', MIN(at), booked_day, booked_day, tender, SUM(amount_fen), staff_id,"
            " '', '', COUNT(*) FROM report_payments WHERE booked_day BETWEEN ? AND ?"
            f" AND NOT ({late_refund}) GROUP BY booked_day, tender, staff_id, amount_fen < 0",
            span,
        ).fetchall()
        late = self.conn.execute(
            f"SELECT {','.join(PAYMENT_COLUMNS)}, 1 FROM report_payments"
            f" WHERE booked_day BETWEEN ? AND ? AND {late_refund}",
            span,
        ).fetchall()
        d = date.fromisoformat
        return [
            PaymentFact(r[0], r[1], datetime.fromisoformat(r[2]), d(r[3]), d(r[4]), *r[5:])
            for r in (*grouped, *late)
        ]

    def topups(self, start: datetime, end: datetime, clock: VenueClock) -> list[TopUpFact]:
        if not self._has("member_ledger"):
            return []
        day_of = self._day_of(start, end, clock)
        rows = self.conn.execute(
            "SELECT member_id, kind, principal_fen, bonus_fen, at, tender FROM member_ledger"
            " WHERE kind IN ('topup', 'cash_out') AND at >= ? AND at < ?",
            (start.isoformat(), end.isoformat()),
        )
        return [TopUpFact(r[0], day_of(r[4]), r[1], r[2], r[3], r[5]) for r in rows]

    def served_wine(
        self, start: datetime, end: datetime, clock: VenueClock
    ) -> list[ServedWineFact]:
        """Expired stored bottles served anyway (inventory's 存酒 log, read like the members'
        tables), summed per business day."""
        if not self._has("inventory_bottle_events"):
            return []
        day_of = self._day_of(start, end, clock)
        by_day: dict[date, list[int]] = {}
        for at, value, cost in self.conn.execute(
            "SELECT at, value_fen, cost_fen FROM inventory_bottle_events"
            " WHERE kind = 'serve' AND at >= ? AND at < ?",
            (start.isoformat(), end.isoformat()),
        ):
            acc = by_day.setdefault(day_of(at), [0, 0, 0])
            acc[0] += 1
            acc[1] += value
            acc[2] += cost
        return [ServedWineFact(d, *v) for d, v in sorted(by_day.items())]

    def points(self, start: datetime, end: datetime, clock: VenueClock) -> list[PointsFact]:
        if not self._has("member_points"):
            return []
        day_of = self._day_of(start, end, clock)
        rows = self.conn.execute(
            "SELECT at, kind, SUM(points) FROM member_points WHERE at >= ? AND at < ?"
            " GROUP BY at, kind",
            (start.isoformat(), end.isoformat()),
        )
        return [PointsFact(day_of(r[0]), r[1], r[2]) for r in rows]

    def members(
        self, start: datetime, end: datetime, clock: VenueClock, *, with_tags: bool = True
    ) -> tuple[MemberActivity, dict[date, int]]:
        if not self._has("members"):
            return MemberActivity(0, {}), {}
        day_of = self._day_of(start, end, clock)
        by_day: dict[date, int] = {}
        for (at,) in self.conn.execute(
            "SELECT registered_at FROM members WHERE registered_at >= ? AND registered_at < ?",
            (start.isoformat(), end.isoformat()),
        ):
            day = day_of(at)
            by_day[day] = by_day.get(day, 0) + 1
        active = {
            r[0]: r[1]
            for r in self.conn.execute(
                "SELECT m.tier, COUNT(DISTINCT v.member_id) FROM member_visits v"
                " JOIN members m ON m.member_id = v.member_id"
                " WHERE v.at >= ? AND v.at < ? GROUP BY m.tier",
                (start.isoformat(), end.isoformat()),
            )
        }
        tags = self.active_by_tag(start, end, clock) if with_tags else {}
        return MemberActivity(sum(by_day.values()), active, tags), by_day

    def active_by_tag(self, start: datetime, end: datetime, clock: VenueClock) -> dict[str, int]:
        """Members with a visit in [start, end) by their behaviour tags as of ``end`` (the
        members' own rules, controller/members/tiers.py, fed the history up to ``end``)."""
        d90 = (end - timedelta(days=90)).isoformat()
        d365 = (end - timedelta(days=365)).isoformat()
        stamp = end.isoformat()
        month = f"{end.astimezone(clock.tz).month:02d}"
        out: dict[str, int] = {}
        for member_days, idle_days, bday, n90, n365, s365 in self.conn.execute(
            "SELECT julianday(?) - julianday(m.registered_at), julianday(?) - julianday(v.last),"
            " substr(m.birth_mmdd, 1, 2) = ?, v.n90, v.n365, v.s365"
            " FROM (SELECT member_id, MAX(at) AS last, SUM(at > ?) AS n90, SUM(at > ?) AS n365,"
            "  SUM(CASE WHEN at > ? THEN spend_fen ELSE 0 END) AS s365 FROM member_visits"
            "  WHERE at >= ? AND at < ? GROUP BY member_id HAVING MAX(at) >= ?) v"
            " JOIN members m ON m.member_id = v.member_id",
            (stamp, stamp, month, d90, d365, d365, min(d365, start.isoformat()), stamp,
             start.isoformat()),
        ):  # fmt: skip
            p = profile_of(
                member_days=member_days,
                idle_days=idle_days,
                has_visited=True,
                birthday_this_month=bool(bday),
                visits_90d=n90 or 0,
                visits_12m=n365 or 0,
                spend_12m_fen=s365 or 0,
            )
            for tag in p.tags:
                out[tag.value] = out.get(tag.value, 0) + 1
        return out
