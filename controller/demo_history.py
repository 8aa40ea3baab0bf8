"""``ktv-controller demo-history``: fill a venue with weeks of plausible history through the
real services (``BillingDesk``, ``MemberDesk``, ``ReportDesk`` on the venue's own database,
with a clock walked through the past), so every figure in the reports is a real bill's.

The controller must be stopped (the data directory's lock says so). Evenings are busier
than afternoons and weekends than weekdays; guests pay by WeChat, Alipay, cash, card, from
members' stored value, now and then on an account (签单) or on the house (招待); managers comp
and discount now and then; a few payments are refunded the next day; each day is closed
(日结) once it is over.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from rich.progress import Progress

import controller.billing.store
import controller.members.schema
import controller.reports.store  # noqa: F401 - registers the migrations
from controller.auth.model import Role
from controller.billing.desk import TenderAmount, TimePurchase
from controller.billing.payments import SandboxProvider
from controller.billing.records import Actor, Tender
from controller.billing.service import BillingDesk
from controller.deploy.data_dir_lock import DataDirLock
from controller.members.desk import MemberDesk
from controller.members.stored_value import StoredValueProvider
from controller.reports.service import ReportDesk
from controller.rooms.board import RoomBoard
from controller.rooms.model import RoomState
from controller.store.db import DB_FILE, open_store
from controller.subcommands import Runner, subcommand
from controller.venue import load_venue_config
from ktv.errors import InvalidArgument, KtvError

CASHIER = Actor("demo-cashier", Role.CASHIER)
MANAGER = Actor("demo-manager", Role.MANAGER)
WEEKS_MAX = 26
PIN = "2580"


@dataclass
class WalkingClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def to(self, instant: datetime) -> None:
        self.now = max(self.now, instant)


@dataclass(frozen=True)
class Visit:
    room: str
    start: datetime
    minutes: int
    guests: int
    kind: str  # postpaid, prepaid, package


def _visits(rng: random.Random, rooms: list[str], day: date, at: object) -> list[Visit]:
    weekend = day.weekday() >= 4
    out = []
    for room in rooms:
        t = at(day, time(rng.choice([12, 13, 14, 15])))  # type: ignore[operator]
        while True:
            busy = 0.55 if t.astimezone(UTC).hour >= 10 else 0.35  # after 18:00 local
            if rng.random() > busy + (0.2 if weekend else 0):
                t += timedelta(minutes=rng.randint(40, 120))
            else:
                minutes = rng.choice([60, 90, 120, 150, 180, 240])
                kind = rng.choices(["postpaid", "prepaid", "package"], [6, 3, 1])[0]
                out.append(Visit(room, t, minutes, rng.randint(2, 10), kind))
                t += timedelta(minutes=minutes + rng.randint(20, 60))
            if t >= at(day, time(2)):  # type: ignore[operator]
                break
    return sorted(out, key=lambda v: v.start)


def fill(data_dir: Path, venue_config: Path, weeks: int, seed: int = 21) -> dict[str, int]:
    if not 1 <= weeks <= WEEKS_MAX:
        raise InvalidArgument(f"--weeks: 1 to {WEEKS_MAX}", reason="INVALID_ARGUMENT")
    venue = load_venue_config(venue_config)
    lock = DataDirLock.acquire(data_dir, purpose="fill it with demo history")
    rng = random.Random(seed)
    store = open_store(data_dir / DB_FILE)
    store.conn.execute("PRAGMA synchronous=NORMAL")  # demo data: WAL without an fsync per action
    try:
        text = venue_config.read_text(encoding="utf-8")
        probe = BillingDesk(RoomBoard(store, tiers=venue.tiers), providers={})
        probe.import_config(text, MANAGER, seed=True)
        vc = probe.active_plan().clock
        today = vc.business_day(datetime.now(UTC))
        first = today - timedelta(weeks=weeks)
        clock = WalkingClock(vc.day_start(first))
        board = RoomBoard(store, tiers=venue.tiers, clock=clock)
        board.load()
        known = {r.room_id for r in board.rooms()}
        for rc in venue.rooms:
            if rc.room_id not in known:
                board.create_room(rc.room_id, rc.display_name or rc.room_id, rc.tier)
        rooms = [r.room_id for r in board.rooms() if r.state is RoomState.IDLE]
        if not rooms:
            raise InvalidArgument("no idle rooms to fill: add rooms ([[rooms]] in the config)")
        members = MemberDesk(store, clock)
        providers = {t: SandboxProvider() for t in Tender}
        providers[Tender.STORED_VALUE] = StoredValueProvider(members)
        billing = BillingDesk(board, clock=clock, providers=providers, limits=venue.limits)
        reports = ReportDesk(store, clock=clock)
        menu = [p.sku for p in billing.records.products().values() if p.available]
        phones: list[str] = []
        counts = {"bills": 0, "members": 0, "refunds": 0, "days_closed": 0}
        done: list[tuple[str, str, int]] = []  # (tab, payment, amount) of yesterday's bills
        days = [first + timedelta(days=i) for i in range((today - first).days)]
        with Progress(transient=True) as progress:
            task = progress.add_task("demo history", total=len(days))
            for day in days:
                clock.to(vc.at(day, time(11)))
                if day - timedelta(days=1) >= first:
                    reports.close_day(day - timedelta(days=1), MANAGER.staff_id)
                    counts["days_closed"] += 1
                for _ in range(rng.randint(1, 6)):
                    phone = f"139{rng.randint(0, 99_999_999):08d}"
                    if phone in phones:
                        continue
                    m = members.register(phone, f"会员{len(phones) + 1}", pin=PIN)
                    amount = rng.choice([50_000, 100_000, 200_000])
                    members.top_up(
                        m.member_id,
                        amount,
                        tender=rng.choice(["cash", "wechat"]),
                        request_id=f"demo-topup-{phone}",
                    )
                    phones.append(phone)
                    counts["members"] += 1
                for tab_id, payment_id, amount in done:  # yesterday's overcharges, given back
                    billing.refund(tab_id, payment_id, min(amount, 2000), "多收", MANAGER)
                    counts["refunds"] += 1
                done.clear()
                steps: list[tuple[datetime, int, int, Callable[[], None]]] = []
                for n, visit in enumerate(_visits(rng, rooms, day, vc.at)):
                    for at, k, step in _steps(rng, billing, visit, menu, phones, done, counts):
                        steps.append((at, n, k, step))
                for at, _, _, step in sorted(steps, key=lambda s: s[:3]):
                    clock.to(at)
                    step()
                progress.advance(task)
        return counts
    finally:
        store.close()
        lock.release()


Step = tuple[datetime, int, Callable[[], None]]


def _steps(
    rng: random.Random,
    billing: BillingDesk,
    v: Visit,
    menu: list[str],
    phones: list[str],
    refundable: list[tuple[str, str, int]],
    counts: dict[str, int],
) -> list[Step]:
    """One visit as timed steps: open, orders (a comp now and then), perhaps a discount,
    pay and check out, clean. The day runs every visit's steps in time order."""
    end = v.start + timedelta(minutes=v.minutes)
    seq = iter(range(100))

    def open_room() -> None:
        if billing.board.get(v.room).state is not RoomState.IDLE:
            billing.board.set_state(v.room, RoomState.IDLE)
        purchase = None
        tenders: list[TenderAmount] = []
        if v.kind == "prepaid":
            purchase = TimePurchase(prepaid_minutes=max(1, v.minutes // 60) * 60)
            tenders = [TenderAmount(Tender.CASH, 10**6)]
        elif v.kind == "package":
            purchase = TimePurchase(package="happy3")
        try:
            billing.open(v.room, v.guests, CASHIER, purchase=purchase, tenders=tenders)
        except KtvError:  # a package outside its band, a plan without it: an ordinary opening
            billing.open(v.room, v.guests, CASHIER)

    def order() -> None:
        items = [(rng.choice(menu), rng.randint(1, 6)) for _ in range(rng.randint(1, 3))]
        order_id = billing.order(v.room, items, CASHIER).order_id
        if rng.random() < 0.05:
            billing.update_order(v.room, order_id, "comp", MANAGER, "老客户")

    def discount() -> None:
        billing.discount(v.room, MANAGER, reason="会员日", percent_bp=rng.choice([500, 1000]))

    def checkout() -> None:
        tab_id = billing.tab_id_of(v.room)
        due = billing.bill(tab_id).bill.due_fen
        tenders: list[TenderAmount] = []
        roll = rng.random()
        if due > 0:
            if roll < 0.02:
                billing.pay(v.room, [TenderAmount(Tender.HOSPITALITY, due, "老板的客人")], MANAGER)
            elif roll < 0.05:
                account = rng.choice(["华为行政部", "腾讯团建"])
                tenders = [TenderAmount(Tender.SIGNED_CREDIT, due, account)]
            elif roll < 0.25 and phones:
                part = min(due, rng.choice([5_000, 10_000, 20_000]))
                tenders = [TenderAmount(Tender.STORED_VALUE, part, f"{rng.choice(phones)}:{PIN}")]
                if due > part:
                    tenders.append(TenderAmount(Tender.WECHAT, due - part, "wx"))
            else:
                tender = rng.choices(
                    [
                        Tender.WECHAT,
                        Tender.ALIPAY,
                        Tender.CASH,
                        Tender.BANK_CARD,
                        Tender.UNIONPAY_QR,
                    ],
                    [45, 25, 15, 10, 5],
                )[0]
                amount = (due + 9_999) // 10_000 * 10_000 if tender is Tender.CASH else due
                tenders = [TenderAmount(tender, amount, "" if tender is Tender.CASH else "ref")]
        try:
            out = billing.checkout(v.room, CASHIER, tenders)
        except KtvError as error:  # a member's balance ran out: the rest by WeChat
            if error.reason not in ("INSUFFICIENT_BALANCE", "OVERPAYMENT"):
                raise
            due = billing.bill(tab_id).bill.due_fen
            rest = [TenderAmount(Tender.WECHAT, due, "wx")] if due else []
            out = billing.checkout(v.room, CASHIER, rest)
        counts["bills"] += 1
        paid = [p for p in out.tab.payments if p.tender is Tender.WECHAT and p.amount_fen > 0]
        if paid and rng.random() < 0.03:
            refundable.append((tab_id, paid[0].payment_id, paid[0].amount_fen))

    def clean() -> None:
        billing.board.set_state(v.room, RoomState.IDLE)

    steps: list[Step] = [(v.start, next(seq), open_room)]
    for k in range(rng.randint(1, 4)):
        steps.append((v.start + timedelta(minutes=10 + k * v.minutes // 4), next(seq), order))
    if v.kind == "postpaid" and rng.random() < 0.08:  # never below what was prepaid
        steps.append((end - timedelta(minutes=5), next(seq), discount))
    steps.append((end, next(seq), checkout))
    steps.append((end + timedelta(minutes=15), next(seq), clean))
    return steps


@subcommand(
    "demo-history", "fill a (stopped) venue with weeks of plausible history for the reports"
)
def _configure(parser: argparse.ArgumentParser) -> Runner:
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--venue-config", type=Path, required=True)
    parser.add_argument("--weeks", type=int, default=3, help=f"1 to {WEEKS_MAX}")
    parser.add_argument("--seed", type=int, default=21)

    def run(args: argparse.Namespace) -> int:
        counts = fill(args.data_dir, args.venue_config, args.weeks, args.seed)
        print(
            f"{args.weeks} weeks: {counts['bills']} bills, {counts['members']} members, "
            f"{counts['refunds']} refunds, {counts['days_closed']} days closed"
        )
        return 0

    return run
