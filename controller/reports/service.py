"""``ReportDesk``: builds reports from the read model (catching it up first) and closes days.

A closed day is a stored snapshot: asking for it again returns the snapshot, whatever
happened since (a later refund or a late bill is booked on the day it happens, naming the
day it belongs to). A day can be closed once it is over (after the next day's cut-off).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time

from controller.billing.clock import VenueClock
from controller.billing.records import new_id
from controller.devices.energy import Bucket, venue_energy
from controller.devices.records import room_histories
from controller.reports import engine, periods
from controller.reports.engine import Facts
from controller.reports.facts import EnergyFact
from controller.reports.model import PeriodKind, Report
from controller.reports.shift import Shift, check_count, shift_report
from controller.reports.store import FactReader, ReportRecords, ShiftRecords
from controller.store.db import Store
from ktv.errors import FailedPrecondition, NotFound, PermissionDenied
from ktv.limits import NOTE_MAX_CHARS, check_fen
from ktv.text import bounded

DEFAULT_DRAWER = "desk"
FLOAT_FEN_MAX = 10_000_000  # ¥100,000 in a drawer is a typo


def utc_now() -> datetime:
    return datetime.now(UTC)


class ReportDesk:
    def __init__(self, store: Store, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.store = store
        self.records = ReportRecords(store)
        self.clock = clock

    def venue_clock(self) -> VenueClock:
        return self.records.clock()

    def today(self) -> date:
        """The business day now."""
        return self.venue_clock().business_day(self.clock())

    def facts(self, first: date, last: date, *, open_bills: bool = False) -> Facts:
        """Catch the read model up (short write transactions), then read one snapshot."""
        self.records.catch_up()
        vc = self.venue_clock()
        facts = read_facts(str(self.store.path), vc, first, last)
        if open_bills:  # the day close: bills open at the cut-off, each room's energy
            end = vc.day_end(last)
            facts = replace(
                facts,
                open_bills=self.records.open_bills_at(end, self.clock()),
                energy=self.energy(vc.day_start(first), min(end, self.clock())),
            )
        return facts

    def day(self, day: date | None = None) -> Report:
        """营业日报 of ``day`` (default: today's business day, so far): the stored snapshot
        of a closed day, else built now."""
        day = day or self.today()
        closed = self.records.closed(day)
        if closed is not None:
            return closed
        return engine.build(self.facts(day, day, open_bills=True), PeriodKind.DAY)

    def period(
        self,
        kind: PeriodKind,
        day: date,
        last: date | None = None,
        *,
        run: Callable[..., str] | None = None,
    ) -> Report:
        """A week, month, quarter or range with its trend and comparisons (the period
        before, the same period a year before). ``run(fn, *args)`` runs the build elsewhere
        (the server: a worker process, so adding up a quarter never holds this process's GIL
        while checkouts run); it returns the report as JSON."""
        if kind is PeriodKind.DAY:
            return self.day(day)
        first, last = periods.bounds(kind, day, last)
        self.records.catch_up()
        vc = self.venue_clock()
        args = (
            str(self.store.path),
            vc.timezone,
            vc.cutoff.isoformat(),
            kind.value,
            first.isoformat(),
            last.isoformat(),
        )
        text = run(period_json, *args) if run is not None else period_json(*args)
        return Report.from_json(text)

    def close_day(self, day: date, staff_id: str) -> Report:
        """日结: freeze ``day``. Closing a closed day returns its snapshot unchanged."""
        vc = self.venue_clock()
        now = self.clock()
        if now < vc.day_end(day):
            raise FailedPrecondition(
                f"business day {day} is not over until "
                f"{vc.day_end(day).astimezone(vc.tz):%m-%d %H:%M}",
                reason="DAY_NOT_OVER",
            )
        with self.store.transaction():  # nothing is projected between the build and the close
            existing = self.records.closed(day)
            if existing is not None:
                return existing
            report = engine.build(self.facts_in_transaction(day), PeriodKind.DAY)
            report = replace(report, closed_at=now.isoformat(), closed_by=staff_id)
            self.records.save_closed(report)
        return report

    def facts_in_transaction(self, day: date) -> Facts:
        """The day's facts read through the store's own connection, inside the close's write
        transaction (so no event can be projected between reading and freezing)."""
        self.records.catch_up()
        vc = self.venue_clock()
        start, end = vc.day_start(day), vc.day_end(day)
        r = FactReader.on(self.store.conn)
        members, by_day = r.members(start, end, vc)
        return Facts(
            first_day=day,
            last_day=day,
            rooms=r.rooms(),
            bills=r.bills(day, day),
            lines=r.lines(day, day),
            payments=r.payments(day, day),
            topups=r.topups(start, end, vc),
            points=r.points(start, end, vc),
            members=members,
            new_members_by_day=by_day,
            menu=r.menu(),
            by_room=r.by_room(day, day),
            served=r.served_wine(start, end, vc),
            open_bills=self.records.open_bills_at(end, self.clock()),
            energy=self.energy(start, min(end, self.clock())),
        )

    def energy(self, start: datetime, end: datetime) -> list[EnergyFact]:
        """Each room's energy over the day so far (controller/devices: what the rooms
        reported, waste = power on with nobody present and no session)."""
        if end <= start:
            return []
        ids = [r["room_id"] for r in self.store.query("SELECT room_id FROM rooms ORDER BY room_id")]
        out = []
        for e in venue_energy(room_histories(self.store, ids, start, end), start, end):
            wh = {b: round(v) for b, v in e.by_bucket.items()}
            out.append(
                EnergyFact(
                    e.room_id,
                    wh.get(Bucket.SESSION, 0),
                    wh.get(Bucket.IDLE, 0),
                    wh.get(Bucket.CLEANING, 0),
                    wh.get(Bucket.OTHER, 0),
                    round(e.waste_wh),
                    round(e.on_seconds),
                    e.metered,
                )
            )
        return out


def read_facts(
    path: str, vc: VenueClock, first: date, last: date, *, with_tags: bool = True
) -> Facts:
    """A period's facts from one read-only snapshot of the database file (no write, no lock
    of the store: callable from another process). ``with_tags``: active members by tag too
    (not needed for the periods a report compares with)."""
    start, end = vc.day_start(first), vc.day_end(last)
    with FactReader(path) as r:
        members, by_day = r.members(start, end, vc, with_tags=with_tags)
        return Facts(
            first_day=first,
            last_day=last,
            rooms=r.rooms(),
            bills=r.bills(first, last),
            lines=r.lines(first, last),
            payments=r.payments(first, last),
            topups=r.topups(start, end, vc),
            points=r.points(start, end, vc),
            members=members,
            new_members_by_day=by_day,
            menu=r.menu(),
            by_room=r.by_room(first, last),
            served=r.served_wine(start, end, vc),
        )


def period_json(path: str, timezone: str, cutoff: str, kind: str, first: str, last: str) -> str:
    """A period report as JSON from plain arguments (what a worker process is sent)."""
    vc = VenueClock(timezone, time.fromisoformat(cutoff))
    k, a, b = PeriodKind(kind), date.fromisoformat(first), date.fromisoformat(last)
    prev = periods.previous(k, a, b)
    year = periods.year_before(k, a, b)
    report = engine.build(
        read_facts(path, vc, a, b),
        k,
        previous=read_facts(path, vc, *prev, with_tags=False),
        last_year=read_facts(path, vc, *year, with_tags=False),
    )
    return report.to_json()


class ShiftDesk:
    """交班: one open shift per drawer; the handover counts the drawer and freezes the sheet."""

    def __init__(self, reports: ReportDesk) -> None:
        self.reports = reports
        self.store = reports.store
        self.records = ShiftRecords(reports.store)

    def start(self, staff_id: str, drawer: str = DEFAULT_DRAWER, float_fen: int = 0) -> Shift:
        """Sign in at a drawer. It opens with the last handover's count (the float given
        counts only for a drawer's first shift)."""
        check_fen(float_fen, what="the opening float", max_fen=FLOAT_FEN_MAX)
        with self.store.transaction():
            if self.records.open_shift(drawer) is not None:
                raise FailedPrecondition(
                    f"drawer {drawer} has an open shift: hand it over first",
                    reason="SHIFT_OPEN",
                )
            last = self.records.last_closed(drawer)
            opening = (
                last.counted_fen
                if last is not None and last.counted_fen is not None
                else (float_fen)
            )
            shift = Shift(new_id("shift"), drawer, staff_id, self.reports.clock(), opening)
            self.records.start(shift)
            return shift

    def current(self, drawer: str = DEFAULT_DRAWER) -> tuple[Shift, Report]:
        """The open shift and its sheet so far."""
        self.reports.records.catch_up()
        shift = self.records.open_shift(drawer)
        if shift is None:
            raise NotFound(f"no open shift at drawer {drawer}", reason="NO_SHIFT")
        return shift, self._sheet(shift, self.reports.clock())

    def _sheet(self, shift: Shift, until: datetime) -> Report:
        start = shift.started_at
        return shift_report(
            shift,
            self.records.payments(start, until),
            self.records.topups(start, until),
            self.records.operations(start, until),
            until,
        )

    def hand_over(
        self,
        actor_staff_id: str,
        manager: bool,
        counted_fen: int,
        *,
        reason: str = "",
        drawer: str = DEFAULT_DRAWER,
        handed_to: str = "",
    ) -> Report:
        """Count the drawer, record the variance (a reason unless zero), close the shift;
        with ``handed_to``, the next cashier's shift starts from this count."""
        check_fen(counted_fen, what="the counted cash", max_fen=FLOAT_FEN_MAX)
        reason = bounded(reason, what="the variance reason", max_len=NOTE_MAX_CHARS)
        self.reports.records.catch_up()
        now = self.reports.clock()
        with self.store.transaction():
            shift = self.records.open_shift(drawer)
            if shift is None:
                raise NotFound(f"no open shift at drawer {drawer}", reason="NO_SHIFT")
            if shift.staff_id != actor_staff_id and not manager:
                raise PermissionDenied(
                    f"the shift is {shift.staff_id}'s: they or a manager hand it over",
                    reason="NOT_YOUR_SHIFT",
                )
            self.reports.records.catch_up()
            expected = self._sheet(shift, now).figure("expected_fen")
            check_count(expected, counted_fen, reason)
            done = replace(
                shift,
                ended_at=now,
                counted_fen=counted_fen,
                expected_fen=expected,
                variance_reason=reason,
                handed_to=handed_to,
            )
            sheet = self._sheet(done, now)
            self.records.end(done, sheet)
            if handed_to:
                self.records.start(Shift(new_id("shift"), drawer, handed_to, now, counted_fen))
            return sheet
