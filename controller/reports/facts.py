"""Facts reports are made of, and how a closed bill becomes them (pure: no SQLite).

A bill's revenue belongs to the business day its session opened (``origin_day``); money
belongs to the business day it was taken. Once a day is closed nothing is added to it: a fact
whose day is closed is *booked* on the first open day after (``booked_day``) and keeps its
``origin_day`` (a late refund, a bill that closed after its day was closed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from controller.billing.bill import Bill, LineKind
from controller.billing.plan import PricePlan
from controller.billing.pricing import band_at
from controller.billing.records import CoverKind, OrderStatus
from controller.billing.tab import Tab


@dataclass(frozen=True)
class BillFact:
    """One closed bill (并房: the bill that was checked out, with every room it held)."""

    tab_id: str
    origin_day: date
    booked_day: date
    opened_at: datetime
    closed_at: datetime
    tier: str  # the tier it opened in
    band: str  # the band it opened in (白天档, 黄金档...)
    sessions: int  # room stays on the bill
    guests: int
    stay_s: int
    room_time_fen: int  # hourly time, prepaid blocks, 场次 (gifts at list: see comp_fen)
    package_fen: int  # 套餐
    fee_fen: int  # head fees, tier differences
    products_fen: int  # orders at list (comps included: see comp_fen)
    minimum_fen: int  # 最低消费 top-up
    service_fen: int
    comp_fen: int  # 赠送 and 开房赠送 at list (positive)
    comp_cost_fen: int  # comped items at cost, where cost is known
    discount_fen: int  # positive
    rounding_fen: int  # signed (抹零 is negative)
    total_fen: int
    closed_by: str = ""
    count: int = 1  # the reader may sum bills of a day, tier and band into one fact
    rooms: str = ""  # the rooms of the bill ("A08", or "A08,A09" after 并房)

    @property
    def gross_fen(self) -> int:
        return (
            self.room_time_fen
            + self.package_fen
            + self.fee_fen
            + self.products_fen
            + self.minimum_fen
            + self.service_fen
        )


@dataclass(frozen=True)
class LineFact:
    """What one product sold on one day in one tier (order lines summed by the reader)."""

    booked_day: date
    sku: str
    name: str
    category: str
    tier: str
    quantity: int  # charged (comped included, package items not)
    amount_fen: int  # at list
    comped_quantity: int = 0
    comped_fen: int = 0
    included_quantity: int = 0  # package items, at 0
    # At cost, where the sale deducted stock (inventory fixes each order's cost at the time
    # of sale): the charged quantity with a known cost and that cost (comps included), the
    # comped part of it, and the package items' cost.
    costed_quantity: int = 0
    cost_fen: int = 0
    comped_cost_fen: int = 0
    included_cost_fen: int = 0

    @property
    def sold_cost_fen(self) -> int:
        """Cost of what was sold and paid for (comps apart)."""
        return self.cost_fen - self.comped_cost_fen


@dataclass(frozen=True)
class PaymentFact:
    payment_id: str
    tab_id: str
    at: datetime
    booked_day: date
    origin_day: date  # the bill's day
    tender: str  # Tender.value
    amount_fen: int  # negative for a refund
    staff_id: str
    refund_of: str = ""
    reason: str = ""
    count: int = 1  # the reader may sum payments of a day, tender and cashier into one


@dataclass(frozen=True)
class TopUpFact:
    """Stored value in: a liability until it is spent (principal = money, bonus = promotion)."""

    member_id: str
    day: date
    kind: str  # topup, cash_out
    principal_fen: int
    bonus_fen: int
    tender: str


@dataclass(frozen=True)
class PointsFact:
    day: date
    kind: str  # earn, redeem, expire
    points: int


@dataclass(frozen=True)
class OpenBill:
    tab_id: str
    rooms: str
    opened_at: datetime
    running_total_fen: int
    paid_fen: int


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    category: str


@dataclass(frozen=True)
class RoomFact:
    """A room's bills in a period (a merged bill counts for its rooms together)."""

    rooms: str
    bills: int
    room_fee_fen: int
    revenue_fen: int
    stay_s: int


@dataclass(frozen=True)
class ServedWineFact:
    """Expired stored bottles (存酒) served anyway on one business day: non-revenue, not on a
    bill, at the list value and the cost fixed when they were served (inventory's log)."""

    day: date
    bottles: int
    value_fen: int
    cost_fen: int


@dataclass(frozen=True)
class EnergyFact:
    """One room's energy over a business day (controller/devices, rounded to whole Wh):
    by the room's state, and the waste (power on, nobody present, no session)."""

    room: str
    session_wh: int
    idle_wh: int
    cleaning_wh: int
    other_wh: int
    waste_wh: int
    on_s: int
    metered: bool

    @property
    def total_wh(self) -> int:
        return self.session_wh + self.idle_wh + self.cleaning_wh + self.other_wh


@dataclass(frozen=True)
class MemberActivity:
    new_members: int
    active_by_tier: Mapping[str, int]  # members with a visit in the period, by tier
    # the same members by behaviour tag as of the period's end (controller/members/tiers.py:
    # a member may carry several tags, or none)
    active_by_tag: Mapping[str, int] = field(default_factory=dict)


def bill_facts(
    tab: Tab,
    bill: Bill,
    plan: PricePlan,
    menu: Mapping[str, Product],
    *,
    origin_day: date,
    booked_day: date,
    closed_by: str = "",
    costs: Mapping[tuple[str, str], int] | None = None,
) -> tuple[BillFact, list[LineFact]]:
    """A closed bill as report facts. Every fen of its total lands in exactly one figure:
    total = gross - comps - discounts + rounding (checked: a mismatch is a bug, raised).

    ``costs``: (order id, sku) -> the cost in fen that order's stock deduction took for that
    product (inventory's, fixed at the time of sale); a product without one has no known
    cost (a service, or sold before it had a recipe)."""
    costs = costs or {}
    assert tab.closed_at is not None
    room_time = sum(ln.amount_fen for ln in bill.lines if ln.kind is LineKind.ROOM_TIME)
    package = comp = 0
    for stay in tab.stays:
        for cover in stay.covers:
            if cover.kind is CoverKind.PACKAGE:
                package += cover.amount_fen
            else:
                room_time += cover.amount_fen
            if cover.gift:
                comp += cover.amount_fen
    fee = sum(ln.amount_fen for ln in bill.lines if ln.kind is LineKind.FEE)
    minimum = sum(ln.amount_fen for ln in bill.lines if ln.kind is LineKind.MINIMUM_SPEND)
    tier_of_room = {seg.room: seg.tier for stay in tab.stays for seg in stay.segments}
    # qty, amount, comped qty, comped fen, included qty, costed qty, cost, comped cost,
    # included cost
    lines: dict[tuple[str, str], list[int]] = {}
    products = comp_cost = 0
    for order in tab.orders:
        if order.status is OrderStatus.CANCELLED:
            continue
        seen: set[str] = set()  # an order's cost is per product: count it once
        for ol in order.lines:
            key = (ol.sku, tier_of_room.get(order.room, ""))
            acc = lines.setdefault(key, [0] * 9)
            cost = costs.get((order.order_id, ol.sku))
            if cost is not None and ol.sku in seen:
                cost = 0
            seen.add(ol.sku)
            if order.included:
                acc[4] += ol.quantity
                acc[8] += cost or 0
                continue
            acc[0] += ol.quantity
            acc[1] += ol.amount_fen
            products += ol.amount_fen
            if cost is not None:
                acc[5] += ol.quantity
                acc[6] += cost
            if order.comped:
                acc[2] += ol.quantity
                acc[3] += ol.amount_fen
                comp += ol.amount_fen
                acc[7] += cost or 0
                comp_cost += cost or 0
    service = bill.service_charge_fen
    gross = room_time + package + fee + products + minimum + service
    if gross - comp - bill.discount_fen + bill.rounding_fen != bill.total_fen:
        raise AssertionError(f"bill {tab.tab_id}: report figures do not add up to its total")
    stay_s = 0
    for stay in tab.stays:
        start, end = stay.segments[0].start, stay.segments[-1].end or tab.closed_at
        stay_s += int((end - start).total_seconds())
    where = band_at(plan, tab.opened_at)
    fact = BillFact(
        tab_id=tab.tab_id,
        origin_day=origin_day,
        booked_day=booked_day,
        opened_at=tab.opened_at,
        closed_at=tab.closed_at,
        tier=tab.stays[0].segments[0].tier,
        band=plan.band(where.band).label,
        sessions=len(tab.stays),
        guests=tab.max_guests,
        stay_s=stay_s,
        room_time_fen=room_time,
        package_fen=package,
        fee_fen=fee,
        products_fen=products,
        minimum_fen=minimum,
        service_fen=service,
        comp_fen=comp,
        comp_cost_fen=comp_cost,
        discount_fen=bill.discount_fen,
        rounding_fen=bill.rounding_fen,
        total_fen=bill.total_fen,
        closed_by=closed_by,
        rooms=",".join(tab.rooms),
    )
    out = []
    for (sku, tier), v in lines.items():
        p = menu.get(sku, Product(sku, sku, "other"))
        out.append(LineFact(booked_day, sku, p.name, p.category, tier, *v))
    return fact, out
