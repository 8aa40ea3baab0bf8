"""Billing's SQLite adapter: price plan versions, the menu, tabs, and the append-only event
log that doubles as the audit log (who, role, what, before/after totals, when).

A tab is never stored as mutable state: it is the fold of its events (plus the events of
tabs merged into it), so replaying the log reproduces every bill. ``billing_tabs`` is an
index for lookups and reports, rewritten from the fold after every action.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from controller.billing.bill import Bill, compute_bill
from controller.billing.caps import Refusal
from controller.billing.codec import decode_event, encode_event
from controller.billing.desk import Product
from controller.billing.events import TabEvent
from controller.billing.ledger import Ledger
from controller.billing.plan import PricePlan
from controller.billing.plan_config import load_plan_text
from controller.billing.tab import Tab
from controller.store.db import Store
from controller.store.migrations import Migration, register_migrations
from ktv.errors import NotFound

register_migrations(
    "billing",
    [
        Migration(
            1,
            "price plans, menu, tabs and the append-only billing event log",
            sql="""
            CREATE TABLE billing_plans (
                version TEXT PRIMARY KEY,
                source TEXT NOT NULL,
                created_at TEXT NOT NULL,
                created_by TEXT NOT NULL
            );
            CREATE TABLE billing_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE billing_products (
                sku TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                category TEXT NOT NULL,
                base_fen INTEGER NOT NULL CHECK (base_fen >= 0),
                available INTEGER NOT NULL
            );
            CREATE TABLE billing_tabs (
                tab_id TEXT PRIMARY KEY,
                plan_version TEXT NOT NULL REFERENCES billing_plans(version),
                status TEXT NOT NULL,
                rooms TEXT NOT NULL,
                opened_at TEXT NOT NULL,
                closed_at TEXT,
                business_day TEXT NOT NULL,
                total_fen INTEGER NOT NULL,
                paid_fen INTEGER NOT NULL,
                merged_into TEXT NOT NULL DEFAULT ''
            );
            CREATE INDEX billing_tabs_day ON billing_tabs(business_day);
            CREATE TABLE billing_open_rooms (
                room_id TEXT PRIMARY KEY,
                tab_id TEXT NOT NULL REFERENCES billing_tabs(tab_id),
                session TEXT NOT NULL
            );
            CREATE TABLE billing_events (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                tab_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                at TEXT NOT NULL,
                staff_id TEXT NOT NULL,
                role TEXT NOT NULL,
                body TEXT NOT NULL,
                total_before_fen INTEGER NOT NULL,
                total_after_fen INTEGER NOT NULL,
                paid_before_fen INTEGER NOT NULL,
                paid_after_fen INTEGER NOT NULL,
                recorded_at TEXT NOT NULL
            );
            CREATE INDEX billing_events_tab ON billing_events(tab_id, seq);
            CREATE TRIGGER billing_events_append_only_update BEFORE UPDATE ON billing_events
            BEGIN SELECT RAISE(ABORT, 'the billing log is append-only'); END;
            CREATE TRIGGER billing_events_append_only_delete BEFORE DELETE ON billing_events
            BEGIN SELECT RAISE(ABORT, 'the billing log is append-only'); END;
            CREATE TRIGGER billing_plans_immutable BEFORE UPDATE ON billing_plans
            BEGIN SELECT RAISE(ABORT, 'price plan versions are immutable'); END;
            """,
        ),
        Migration(
            2,
            "refused over-cap attempts (who, what, how much, the cap): an audit row each",
            sql="""
            CREATE TABLE billing_refusals (
                refusal_id INTEGER PRIMARY KEY AUTOINCREMENT,
                at TEXT NOT NULL,
                staff_id TEXT NOT NULL,
                role TEXT NOT NULL,
                kind TEXT NOT NULL,
                value INTEGER NOT NULL,
                cap INTEGER NOT NULL,
                reason TEXT NOT NULL,
                target TEXT NOT NULL DEFAULT '',
                approver TEXT NOT NULL DEFAULT ''
            );
            CREATE INDEX billing_refusals_at ON billing_refusals(at);
            CREATE TRIGGER billing_refusals_append_only_update BEFORE UPDATE ON billing_refusals
            BEGIN SELECT RAISE(ABORT, 'the billing log is append-only'); END;
            CREATE TRIGGER billing_refusals_append_only_delete BEFORE DELETE ON billing_refusals
            BEGIN SELECT RAISE(ABORT, 'the billing log is append-only'); END;
            """,
        ),
    ],
)


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    tab_id: str
    kind: str
    at: datetime
    staff_id: str
    role: str
    total_before_fen: int
    total_after_fen: int
    paid_before_fen: int
    paid_after_fen: int
    body: str


class BillingRecords:
    """Reads and writes billing rows; callers hold ``store.transaction()`` around writes."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._plans: dict[str, PricePlan] = {}
        self._cache: dict[str, tuple[int, dict[str, Tab]]] = {}  # root tab -> (last seq, tabs)

    # --- refused over-cap attempts (an audit row each) ------------------------------------
    def record_refusal(self, r: Refusal) -> None:
        """In a transaction of its own: the refused action itself rolled back."""
        with self.store.transaction():
            self.store.execute(
                "INSERT INTO billing_refusals (at, staff_id, role, kind, value, cap, reason,"
                " target, approver) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    r.at.isoformat(),
                    r.staff_id,
                    r.role.key,
                    r.kind.value,
                    r.value,
                    r.cap,
                    r.reason,
                    r.target,
                    r.approver,
                ),
            )

    # --- plans ---------------------------------------------------------------------------
    def plan(self, version: str) -> PricePlan:
        cached = self._plans.get(version)
        if cached is None:
            row = self.store.query_one(
                "SELECT source FROM billing_plans WHERE version = ?", (version,)
            )
            if row is None:
                raise NotFound(f"no price plan {version!r}", reason="UNKNOWN_PLAN")
            cached = self._plans[version] = load_plan_text(row["source"])
        return cached

    def active_version(self) -> str:
        row = self.store.query_one("SELECT value FROM billing_settings WHERE key = 'active_plan'")
        if row is None:
            raise NotFound(
                "no price plan yet: import one (ktvctl price import FILE)", reason="NO_PRICE_PLAN"
            )
        return str(row["value"])

    def has_plan(self, version: str) -> bool:
        return (
            self.store.query_one("SELECT 1 FROM billing_plans WHERE version = ?", (version,))
            is not None
        )

    def plan_source(self, version: str) -> str:
        row = self.store.query_one("SELECT source FROM billing_plans WHERE version = ?", (version,))
        if row is None:
            raise NotFound(f"no price plan {version!r}", reason="UNKNOWN_PLAN")
        return str(row["source"])

    def versions(self) -> list[str]:
        return [
            r["version"]
            for r in self.store.query(
                "SELECT version FROM billing_plans ORDER BY created_at, version"
            )
        ]

    def add_plan(self, plan: PricePlan, source: str, by: str, now: datetime) -> None:
        self.store.execute(
            "INSERT INTO billing_plans (version, source, created_at, created_by)"
            " VALUES (?, ?, ?, ?)",
            (plan.version, source, now.isoformat(), by),
        )
        self.activate(plan.version)

    def activate(self, version: str) -> None:
        self.store.execute(
            "INSERT INTO billing_settings (key, value) VALUES ('active_plan', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (version,),
        )

    # --- menu ----------------------------------------------------------------------------
    def products(self) -> dict[str, Product]:
        rows = self.store.query("SELECT * FROM billing_products ORDER BY category, sku")
        return {
            r["sku"]: Product(
                r["sku"], r["name"], r["category"], r["base_fen"], bool(r["available"])
            )
            for r in rows
        }

    def put_product(self, p: Product) -> None:
        self.store.execute(
            "INSERT INTO billing_products (sku, name, category, base_fen, available)"
            " VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(sku) DO UPDATE SET name = excluded.name, category = excluded.category, "
            "base_fen = excluded.base_fen, available = excluded.available",
            (p.sku, p.name, p.category, p.base_fen, int(p.available)),
        )

    # --- tabs ----------------------------------------------------------------------------
    def open_tab_of(self, room_id: str) -> tuple[str, str] | None:
        """(tab_id, session name) of the room's open tab, if any."""
        row = self.store.query_one(
            "SELECT tab_id, session FROM billing_open_rooms WHERE room_id = ?", (room_id,)
        )
        return (row["tab_id"], row["session"]) if row else None

    def open_rooms(self) -> dict[str, str]:
        return {
            r["room_id"]: r["tab_id"]
            for r in self.store.query("SELECT room_id, tab_id FROM billing_open_rooms")
        }

    def room_sessions(self, tab_id: str) -> dict[str, str]:
        rows = self.store.query(
            "SELECT room_id, session FROM billing_open_rooms WHERE tab_id = ?", (tab_id,)
        )
        return {r["room_id"]: r["session"] for r in rows}

    def set_open_room(self, room_id: str, tab_id: str, session: str) -> None:
        self.store.execute(
            "INSERT INTO billing_open_rooms (room_id, tab_id, session) VALUES (?, ?, ?) "
            "ON CONFLICT(room_id) DO UPDATE SET tab_id = excluded.tab_id",
            (room_id, tab_id, session),
        )

    def clear_open_room(self, room_id: str) -> None:
        self.store.execute("DELETE FROM billing_open_rooms WHERE room_id = ?", (room_id,))

    def _family(self, tab_id: str) -> list[str]:
        """The tab and every tab merged into it (recursively)."""
        family, frontier = [tab_id], [tab_id]
        while frontier:
            marks = ",".join("?" * len(frontier))
            rows = self.store.query(
                f"SELECT tab_id FROM billing_tabs WHERE merged_into IN ({marks})", frontier
            )
            frontier = [r["tab_id"] for r in rows]
            family += frontier
        return family

    def events_of(self, tab_ids: Iterable[str]) -> list[TabEvent]:
        ids = list(tab_ids)
        marks = ",".join("?" * len(ids))
        rows = self.store.query(
            f"SELECT body FROM billing_events WHERE tab_id IN ({marks}) ORDER BY seq", ids
        )
        return [decode_event(r["body"]) for r in rows]

    def load(self, tab_id: str) -> Ledger:
        """A ledger holding the tab and its merge family (the tab it joined, the tabs that
        joined it), folded from the log; a family unchanged since the last committed action
        comes from memory (tabs are immutable values, the log is append-only)."""
        root = tab_id
        while True:
            row = self.store.query_one(
                "SELECT plan_version, merged_into FROM billing_tabs WHERE tab_id = ?", (root,)
            )
            if row is None:
                raise NotFound(f"no bill {tab_id!r}", reason="UNKNOWN_BILL")
            if not row["merged_into"]:
                break
            root = row["merged_into"]
        family = self._family(root)
        ledger = Ledger({row["plan_version"]: self.plan(row["plan_version"])})
        seq = self._last_seq(family)
        cached = self._cache.get(root)
        if cached is not None and cached[0] == seq and set(cached[1]) == set(family):
            ledger.tabs = dict(cached[1])
            return ledger
        ledger.apply_all(self.events_of(family))
        if not self.store.in_transaction:  # committed state only
            self._cache[root] = (seq, dict(ledger.tabs))
        return ledger

    def _last_seq(self, tab_ids: list[str]) -> int:
        marks = ",".join("?" * len(tab_ids))
        row = self.store.query_one(
            f"SELECT MAX(seq) AS seq FROM billing_events WHERE tab_id IN ({marks})", tab_ids
        )
        return int(row["seq"] or 0) if row else 0

    def remember(self, ledger: Ledger) -> None:
        """After an action's writes: cache the ledger once (and only if) the action commits."""
        roots = [t.tab_id for t in ledger.tabs.values() if not t.merged_into]
        if len(roots) != 1:
            return
        tabs = dict(ledger.tabs)
        seq = self._last_seq(list(tabs))
        self.store.after_commit(lambda: self._cache.__setitem__(roots[0], (seq, tabs)))

    def append(self, event: TabEvent, before: Bill | None, after: Bill, now: datetime) -> None:
        """One audit row: the event and the bill's total/paid before and after it."""
        self.store.execute(
            "INSERT INTO billing_events (tab_id, kind, at, staff_id, role, body, total_before_fen,"
            " total_after_fen, paid_before_fen, paid_after_fen, recorded_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                event.tab_id,
                type(event).__name__,
                event.at.isoformat(),
                event.actor.staff_id,
                event.actor.role.key,
                encode_event(event),
                before.total_fen if before else 0,
                after.total_fen,
                before.paid_fen if before else 0,
                after.paid_fen,
                now.isoformat(),
            ),
        )

    def save_tab(self, tab: Tab, bill: Bill) -> None:
        self.store.execute(
            "INSERT INTO billing_tabs (tab_id, plan_version, status, rooms, opened_at, closed_at,"
            " business_day, total_fen, paid_fen, merged_into) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(tab_id) DO UPDATE SET status = excluded.status, rooms = excluded.rooms,"
            " closed_at = excluded.closed_at, total_fen = excluded.total_fen,"
            " paid_fen = excluded.paid_fen, merged_into = excluded.merged_into",
            (
                tab.tab_id,
                tab.plan_version,
                tab.status.value,
                ",".join(tab.rooms),
                tab.opened_at.isoformat(),
                tab.closed_at.isoformat() if tab.closed_at else None,
                self.plan(tab.plan_version).clock.business_day(tab.opened_at).isoformat(),
                bill.total_fen,
                bill.paid_fen,
                tab.merged_into,
            ),
        )

    def audit(
        self, tab_id: str | None = None, limit: int = 1000, after_seq: int = 0
    ) -> list[AuditEntry]:
        """Up to ``limit`` entries with seq > ``after_seq``, oldest first."""
        where, params = ("AND tab_id = ?", [tab_id]) if tab_id else ("", [])
        rows = self.store.query(
            f"SELECT * FROM billing_events WHERE seq > ? {where} ORDER BY seq LIMIT ?",
            [after_seq, *params, limit],
        )
        return [
            AuditEntry(
                r["seq"],
                r["tab_id"],
                r["kind"],
                datetime.fromisoformat(r["at"]),
                r["staff_id"],
                r["role"],
                r["total_before_fen"],
                r["total_after_fen"],
                r["paid_before_fen"],
                r["paid_after_fen"],
                r["body"],
            )
            for r in rows
        ]

    def verify(self, as_of: datetime) -> list[str]:
        """Replay the whole log from scratch (no cache) and compare with what is stored: each
        closed bill's total and paid, each bill's paid, and the last audit row's paid after.
        Returns the differences found (empty when every fen is where the log says)."""
        plans = {v: self.plan(v) for v in self.versions()}
        ledger = Ledger(plans)
        rows = self.store.query("SELECT body FROM billing_events ORDER BY seq")
        ledger.apply_all(decode_event(r["body"]) for r in rows)
        problems = []
        stored = {r["tab_id"]: r for r in self.store.query("SELECT * FROM billing_tabs")}
        if set(stored) != set(ledger.tabs):
            problems.append("the tab index and the log name different bills")
        last_paid = {
            r["tab_id"]: r["paid_after_fen"]
            for r in self.store.query(
                "SELECT tab_id, paid_after_fen FROM billing_events WHERE seq IN "
                "(SELECT MAX(seq) FROM billing_events GROUP BY tab_id)"
            )
        }
        for tab_id, tab in ledger.tabs.items():
            bill = compute_bill(tab, ledger.plan_of(tab), as_of)
            row = stored.get(tab_id)
            if row is None:
                continue
            # a merged tab's last own row predates the merge (its payments moved on)
            audited = bill.paid_fen if tab.merged_into else last_paid.get(tab_id)
            if row["paid_fen"] != bill.paid_fen or audited != bill.paid_fen:
                problems.append(
                    f"bills/{tab_id}: paid {row['paid_fen']} stored, {bill.paid_fen} replayed"
                )
            if bill.closed and row["total_fen"] != bill.total_fen:
                problems.append(
                    f"bills/{tab_id}: total {row['total_fen']} stored, {bill.total_fen} replayed"
                )
        return problems

    def tab_ids(self) -> list[str]:
        return [
            r["tab_id"]
            for r in self.store.query("SELECT tab_id FROM billing_tabs ORDER BY opened_at")
        ]


def utc_now() -> datetime:
    return datetime.now(UTC)
