"""A venue in Shanghai with small and VIP rooms, and a front desk to drive tabs in tests."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from controller.auth.model import Role
from controller.billing.bill import Bill
from controller.billing.clock import VenueClock
from controller.billing.desk import (
    Product,
    TenderAmount,
    TimePurchase,
    decide_checkout,
    decide_extend,
    decide_guests,
    decide_move,
    decide_open,
    decide_order,
    decide_payments,
    decide_refund,
)
from controller.billing.events import (
    DiscountGiven,
    OrderCancelled,
    OrderComped,
    OrderDelivered,
    TabEvent,
    TabsMerged,
)
from controller.billing.ledger import Ledger
from controller.billing.plan import (
    AfterCover,
    BlockRule,
    BonusRule,
    DayType,
    HolidayCalendar,
    IncludedItem,
    Package,
    PricePlan,
    SessionSlot,
    TierPrices,
    TimeBand,
)
from controller.billing.records import Actor, Discount, OrderSource, Tender
from controller.billing.tab import Tab

SHANGHAI = ZoneInfo("Asia/Shanghai")
W, WE, H = DayType.WEEKDAY, DayType.WEEKEND, DayType.HOLIDAY

CASHIER = Actor("cashier-li", Role.CASHIER)
MANAGER = Actor("manager-wang", Role.MANAGER)
WAITER = Actor("waiter-zhao", Role.WAITER)
GUEST = Actor("guest-A08", Role.GUEST)

# 2026-11-24 is a Tuesday; 11-27 a Friday, 11-28 a Saturday; 10-01 National Day (holiday);
# 2026-10-10 is a Saturday worked in lieu (调休).
TUESDAY = date(2026, 11, 24)
FRIDAY = date(2026, 11, 27)
SATURDAY = date(2026, 11, 28)
NATIONAL_DAY = date(2026, 10, 1)
MAKEUP_SATURDAY = date(2026, 10, 10)


def local(day: date, hh: int, mm: int = 0, *, plus_days: int = 0) -> datetime:
    """A Shanghai wall-clock time as a UTC instant."""
    from datetime import timedelta

    naive = datetime.combine(day + timedelta(days=plus_days), time(hh, mm))
    return naive.replace(tzinfo=SHANGHAI).astimezone(UTC)


def build_plan(**overrides: object) -> PricePlan:
    bands = (
        TimeBand("day", "白天档", time(10), time(18)),
        TimeBand("prime", "黄金档", time(18), time(0)),
        TimeBand("late", "午夜档", time(0), time(10)),
    )
    small = TierPrices(
        hourly_fen={
            (W, "day"): 3600,
            (W, "prime"): 7200,
            (W, "late"): 4800,
            (WE, "day"): 4800,
            (WE, "prime"): 9600,
            (WE, "late"): 6000,
            (H, "prime"): 12000,
        },
        minimum_spend_fen={(W, "prime"): 20000, (WE, "prime"): 30000},
        product_fen={},
    )
    vip = TierPrices(
        hourly_fen={
            (W, "day"): 9000,
            (W, "prime"): 18000,
            (W, "late"): 12000,
            (WE, "prime"): 24000,
        },
        minimum_spend_fen={(W, "prime"): 80000},
        head_fee_fen={(W, "prime"): 2000, (W, "late"): 1000},
        product_fen={"beer": 1500},
    )
    params: dict[str, object] = dict(
        version="2026-11",
        bands=bands,
        tiers={"small": small, "vip": vip},
        clock=VenueClock("Asia/Shanghai", time(10)),
        calendar=HolidayCalendar(
            holidays=frozenset({NATIONAL_DAY, date(2026, 10, 2), date(2026, 10, 3)}),
            workdays=frozenset({MAKEUP_SATURDAY}),
        ),
        blocks=BlockRule(first_block_minutes=60, block_minutes=15, grace_minutes=10),
        packages={
            "happy3": Package(
                "happy3",
                "欢唱3小时",
                180,
                {"small": 9900, "vip": 29900},
                bands=frozenset({"day"}),
                items=(IncludedItem("fruit", 1), IncludedItem("beer", 6)),
            ),
        },
        slots=(
            SessionSlot("afternoon", "下午场", time(12), time(18), {"small": 8800}),
            SessionSlot("golden", "黄金场", time(18), time(0), {"small": 16800, "vip": 39800}),
            SessionSlot(
                "midnight",
                "午夜场",
                time(0),
                time(6),
                {"small": 6800},
                after=AfterCover.CONTINUE_HOURLY,
            ),
        ),
        bonus=BonusRule(every_minutes=120, bonus_minutes=30),
    )
    params.update(overrides)
    return PricePlan(**params)  # type: ignore[arg-type]


MENU = {
    "beer": Product("beer", "青岛啤酒", "drinks", 1000),
    "fruit": Product("fruit", "果盘", "snacks", 3800),
    "water": Product("water", "矿泉水", "drinks", 500),
    "chips": Product("chips", "薯片", "snacks", 1200, available=False),
}
TIERS = {"A08": "small", "A09": "small", "B02": "vip", "B03": "vip"}


@dataclass
class FrontDesk:
    """Drives the pure domain the way the billing service will: decide, then apply."""

    plan: PricePlan
    ledger: Ledger = field(init=False)
    events: list[TabEvent] = field(default_factory=list)
    by_room: dict[str, str] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.ledger = Ledger({self.plan.version: self.plan})

    def new_id(self, kind: str) -> str:
        return f"{kind}-{next(self._ids)}"

    def _apply(self, events: Sequence[TabEvent]) -> None:
        snapshot = dict(self.ledger.tabs)
        try:
            for e in events:
                self.ledger.apply(e)
        except Exception:
            self.ledger.tabs = snapshot
            raise
        self.events.extend(events)

    def tab(self, room: str) -> Tab:
        return self.ledger.tab(self.by_room[room])

    def open(
        self,
        room: str,
        at: datetime,
        guests: int = 4,
        purchase: TimePurchase | None = None,
        actor: Actor = CASHIER,
        tenders: Sequence[TenderAmount] = (),
    ) -> Tab:
        tab_id = self.new_id("tab")
        events = decide_open(
            self.plan,
            tab_id=tab_id,
            room=room,
            tier=TIERS[room],
            guests=guests,
            at=at,
            actor=actor,
            new_id=self.new_id,
            purchase=purchase,
            menu=MENU,
        )
        snapshot = (dict(self.ledger.tabs), len(self.events), dict(self.by_room))
        try:  # like the service: opening and its payments are one action
            self._apply(events)
            self.by_room[room] = tab_id
            if tenders:
                self.pay(room, at, *tenders)
        except Exception:
            self.ledger.tabs, self.by_room = snapshot[0], snapshot[2]
            del self.events[snapshot[1] :]
            raise
        return self.tab(room)

    def extend(self, room: str, at: datetime, purchase: TimePurchase) -> Tab:
        tab = self.tab(room)
        self._apply(
            [decide_extend(tab, self.plan, room, at, CASHIER, purchase, self.new_id("cover"))]
        )
        return self.tab(room)

    def guests(self, room: str, guests: int, at: datetime) -> Tab:
        self._apply([decide_guests(self.tab(room), self.plan, guests, at, WAITER)])
        return self.tab(room)

    def move(self, from_room: str, to_room: str, at: datetime) -> Tab:
        tab = self.tab(from_room)
        self._apply([decide_move(tab, self.plan, from_room, to_room, TIERS[to_room], at, CASHIER)])
        self.by_room[to_room] = self.by_room.pop(from_room)
        return self.tab(to_room)

    def merge(self, source_room: str, into_room: str, at: datetime) -> Tab:
        target, source = self.tab(into_room), self.tab(source_room)
        self._apply(
            [TabsMerged(tab_id=target.tab_id, at=at, actor=CASHIER, source_tab_id=source.tab_id)]
        )
        self.by_room[source_room] = target.tab_id
        return self.tab(into_room)

    def order(
        self,
        room: str,
        at: datetime,
        *items: tuple[str, int],
        actor: Actor = WAITER,
        source: OrderSource = OrderSource.FRONT_DESK,
    ) -> str:
        tab = self.tab(room)
        event = decide_order(
            tab, self.plan, MENU, room, items, at, actor, self.new_id("order"), source
        )
        self._apply([event])
        return event.order.order_id

    def deliver(self, room: str, order_id: str, at: datetime) -> None:
        self._apply(
            [OrderDelivered(tab_id=self.by_room[room], at=at, actor=WAITER, order_id=order_id)]
        )

    def cancel(
        self,
        room: str,
        order_id: str,
        at: datetime,
        reason: str = "客人不要了",
        actor: Actor = WAITER,
    ) -> None:
        self._apply(
            [
                OrderCancelled(
                    tab_id=self.by_room[room], at=at, actor=actor, order_id=order_id, reason=reason
                )
            ]
        )

    def comp(
        self, room: str, order_id: str, at: datetime, actor: Actor = MANAGER, reason: str = "老客户"
    ) -> None:
        self._apply(
            [
                OrderComped(
                    tab_id=self.by_room[room], at=at, actor=actor, order_id=order_id, reason=reason
                )
            ]
        )

    def discount(
        self,
        room: str,
        at: datetime,
        *,
        percent_bp: int = 0,
        amount_fen: int = 0,
        reason: str = "生日",
        actor: Actor = MANAGER,
    ) -> None:
        d = Discount(self.new_id("discount"), reason, percent_bp, amount_fen)
        self._apply([DiscountGiven(tab_id=self.by_room[room], at=at, actor=actor, discount=d)])

    def pay(self, room: str, at: datetime, *tenders: TenderAmount) -> list[str]:
        events = decide_payments(self.tab(room), self.plan, tenders, at, CASHIER, self.new_id)
        self._apply(events)
        return [e.payment.payment_id for e in events]

    def refund(
        self,
        room: str,
        payment_id: str,
        amount_fen: int,
        at: datetime,
        actor: Actor = MANAGER,
        reason: str = "多收",
    ) -> None:
        event = decide_refund(
            self.tab(room), payment_id, amount_fen, reason, at, actor, self.new_id("refund")
        )
        self._apply([event])

    def bill(self, room: str, at: datetime) -> Bill:
        return self.ledger.bill(self.by_room[room], at)

    def checkout(self, room: str, at: datetime, *tenders: TenderAmount) -> Bill:
        if tenders:
            self.pay(room, at, *tenders)
        tab = self.tab(room)
        self._apply([decide_checkout(tab, at, CASHIER)])
        return self.ledger.bill(tab.tab_id, at)


def cash(yuan_fen: int) -> TenderAmount:
    return TenderAmount(Tender.CASH, yuan_fen)


def wechat(fen: int) -> TenderAmount:
    return TenderAmount(Tender.WECHAT, fen, reference="wx-0001")


@pytest.fixture
def plan() -> PricePlan:
    return build_plan()


@pytest.fixture
def desk(plan: PricePlan) -> FrontDesk:
    return FrontDesk(plan)
