"""Property tests: a month is the sum of its days, a quarter the sum of its months (every
additive figure and every table of money); closing a day and adding events later never
changes it."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from controller.billing.desk import TenderAmount
from controller.billing.records import Tender
from controller.reports import engine, periods
from controller.reports.engine import ADDITIVE, Facts
from controller.reports.facts import BillFact, LineFact, PaymentFact, TopUpFact
from controller.reports.model import PeriodKind

Q_FIRST, Q_LAST = date(2026, 10, 1), date(2026, 12, 31)
TENDERS = ["cash", "wechat", "alipay", "stored_value", "hospitality", "signed_credit"]


@st.composite
def histories(draw: st.DrawFn) -> Facts:
    day = st.dates(min_value=Q_FIRST, max_value=Q_LAST)
    fen = st.integers(min_value=0, max_value=200_000)
    bills, lines, payments, topups = [], [], [], []
    for i in range(draw(st.integers(0, 40))):
        d = draw(day)
        parts = [draw(fen) for _ in range(6)]
        comp, discount = draw(st.integers(0, parts[3])), draw(st.integers(0, 5000))
        rounding = -draw(st.integers(0, 99))
        total = sum(parts) - comp - discount + rounding
        at = datetime.combine(d, datetime.min.time(), UTC) + timedelta(hours=5)
        bills.append(
            BillFact(
                f"tab-{i}",
                d,
                d,
                at,
                at + timedelta(hours=2),
                draw(st.sampled_from(["small", "vip"])),
                draw(st.sampled_from(["白天档", "黄金档"])),
                draw(st.integers(1, 3)),
                draw(st.integers(1, 12)),
                draw(st.integers(60, 40_000)),
                *parts,
                comp,
                0,
                discount,
                rounding,
                total,
            )
        )
        lines.append(
            LineFact(
                d,
                draw(st.sampled_from(["beer", "fruit", "water"])),
                "x",
                draw(st.sampled_from(["drinks", "snacks"])),
                "small",
                draw(st.integers(1, 20)),
                parts[3],
                0,
                comp,
            )
        )
        payments.append(
            PaymentFact(
                f"pay-{i}", f"tab-{i}", at, d, d, draw(st.sampled_from(TENDERS)), total, "li"
            )
        )
    for i in range(draw(st.integers(0, 10))):
        d = draw(day)
        payments.append(
            PaymentFact(
                f"ref-{i}",
                "tab-0",
                datetime(2026, 10, 1, tzinfo=UTC),
                d,
                Q_FIRST,
                "cash",
                -draw(fen),
                "wang",
            )
        )
        topups.append(TopUpFact("m", d, "topup", draw(fen), draw(fen), "cash"))
    return Facts(Q_FIRST, Q_LAST, 10, bills, lines, payments, topups)


def _additive(report) -> dict[str, int]:
    return {k: report.figure(k) for k in ADDITIVE}


def _money_tables(report) -> dict[tuple[str, str], int]:
    out = {}
    for key in ("revenue", "tenders", "tender_classes", "categories"):
        s = report.section(key)
        money = [i for i, c in enumerate(s.columns) if c.unit.value == "fen"]
        for row in s.rows:
            for i in money:
                out[(key, f"{row[0]}/{s.columns[i].key}")] = row[i]
    return out


def _sum(reports) -> tuple[dict, dict]:
    figs: dict[str, int] = {}
    tables: dict[tuple[str, str], int] = {}
    for r in reports:
        for k, v in _additive(r).items():
            figs[k] = figs.get(k, 0) + v
        for k, v in _money_tables(r).items():
            tables[k] = tables.get(k, 0) + v
    return figs, tables


def _drop_zero(d: dict) -> dict:
    return {k: v for k, v in d.items() if v}


@settings(max_examples=40, deadline=None)
@given(histories())
def test_a_month_is_the_sum_of_its_days_and_a_quarter_of_its_months(facts: Facts):
    months = []
    for first, last in ((date(2026, m, 1), None) for m in (10, 11, 12)):
        first, last = periods.bounds(PeriodKind.MONTH, first)
        month = engine.build(facts.within(first, last), PeriodKind.MONTH)
        day_reports = [
            engine.build(facts.within(d, d), PeriodKind.DAY) for d in periods.days(first, last)
        ]
        figs, tables = _sum(day_reports)
        assert figs == _additive(month)
        assert _drop_zero(tables) == _drop_zero(_money_tables(month))
        months.append(month)
    quarter = engine.build(facts, PeriodKind.QUARTER)
    figs, tables = _sum(months)
    assert figs == _additive(quarter)
    assert _drop_zero(tables) == _drop_zero(_money_tables(quarter))


# --- closing a day, then more events -----------------------------------------------------

ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["open", "order", "checkout", "refund"]),
        st.sampled_from(["A08", "A09", "B02"]),
        st.integers(min_value=10, max_value=600),  # minutes later
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(before=ACTIONS, after=ACTIONS)
def test_closing_a_day_and_adding_events_never_changes_it(before, after):
    from .conftest import TUE, make_venue

    with tempfile.TemporaryDirectory() as tmp:
        v = make_venue(Path(tmp))
        try:
            v.at(TUE, 12)
            _play(v, before)
            day = v.reports.venue_clock().business_day(v.clock())
            closed_day = day - timedelta(days=1) if day > TUE else TUE
            v.clock.set(max(v.clock(), v.reports.venue_clock().day_end(closed_day)))
            closed = v.reports.close_day(closed_day, "manager-wang")
            _play(v, after)
            assert v.reports.day(closed_day) == closed
            assert v.reports.records.closed(closed_day) == closed
        finally:
            v.billing.store.close()


def _play(v, actions) -> None:
    from controller.rooms.model import RoomState

    from .conftest import CASHIER, MANAGER

    b = v.billing
    for action, room, minutes in actions:
        v.clock.set(v.clock() + timedelta(minutes=minutes))
        open_tab = b.records.open_tab_of(room)
        if action == "open" and open_tab is None:
            if b.board.get(room).state is not RoomState.IDLE:
                b.board.set_state(room, RoomState.IDLE)
            b.open(room, 2, CASHIER)
        elif action == "order" and open_tab is not None:
            b.order(room, [("beer", 2)], CASHIER)
        elif action == "checkout" and open_tab is not None:
            due = b.bill(open_tab[0]).bill.due_fen
            b.checkout(room, CASHIER, [TenderAmount(Tender.CASH, due)] if due else [])
        elif action == "refund":
            for tab_id in b.records.tab_ids()[-3:]:
                tab = b.records.load(tab_id).tab(tab_id)
                paid = [p for p in tab.payments if p.amount_fen > 0]
                if paid and tab.refunded_fen(paid[0].payment_id) < paid[0].amount_fen:
                    b.refund(tab_id, paid[0].payment_id, 100, "多收", MANAGER)
                    break
