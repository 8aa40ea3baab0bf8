"""The bill of a tab at any instant: room time, time bought, fees, orders, minimum-spend
top-up, service charge, discounts and rounding, line by line, in integer fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from controller.billing.clock import require_utc
from controller.billing.money import format_yuan, percent_bp
from controller.billing.plan import MinimumSpendBasis, PricePlan
from controller.billing.pricing import band_at, price_hourly, uncovered
from controller.billing.records import OrderStatus, Stay
from controller.billing.tab import Tab


class LineKind(Enum):
    ROOM_TIME = "room_time"
    TIME_BOUGHT = "time_bought"
    GIFT = "gift"  # 开房赠送
    FEE = "fee"  # head fee, tier difference
    ORDER = "order"
    INCLUDED = "included"  # package items, shown at 0
    COMP = "comp"  # 赠送
    MINIMUM_SPEND = "minimum_spend"
    SERVICE_CHARGE = "service_charge"
    DISCOUNT = "discount"
    ROUNDING = "rounding"


@dataclass(frozen=True)
class BillLine:
    kind: LineKind
    label: str
    amount_fen: int
    quantity: int = 1
    unit_fen: int = 0
    room: str = ""


@dataclass(frozen=True)
class Bill:
    tab_id: str
    plan_version: str
    as_of: datetime
    rooms: tuple[str, ...]
    lines: tuple[BillLine, ...]
    subtotal_fen: int
    service_charge_fen: int
    discount_fen: int
    rounding_fen: int
    total_fen: int
    paid_fen: int
    closed: bool

    @property
    def due_fen(self) -> int:
        return self.total_fen - self.paid_fen


def _hm(seconds: int) -> str:
    minutes = seconds // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


def _stay_lines(plan: PricePlan, stay: Stay, until: datetime) -> list[BillLine]:
    lines: list[BillLine] = []
    for cover in stay.covers:
        for line in cover.lines:
            lines.append(
                BillLine(LineKind.TIME_BOUGHT, line.label, line.amount_fen, room=stay.room)
            )
        if cover.gift:
            lines.append(
                BillLine(
                    LineKind.GIFT, f"开房赠送 {cover.label}", -cover.amount_fen, room=stay.room
                )
            )
    spans = [(c.start, c.end) for c in stay.covers]
    open_segments = uncovered(stay.segments, spans, until)
    for charge in price_hourly(plan, open_segments, first_block=not stay.covers):
        band = plan.band(charge.band).label
        rate = format_yuan(charge.rate_fen)
        kind = "超时" if stay.covers else "房费"  # time after bought time is overtime
        label = f"{kind} {charge.room} {band} {_hm(charge.billed_seconds)} @{rate}/h"
        lines.append(
            BillLine(
                LineKind.ROOM_TIME,
                label,
                charge.amount_fen,
                unit_fen=charge.rate_fen,
                room=charge.room,
            )
        )
    return lines


def _minimum_fen(plan: PricePlan, stay: Stay) -> int:
    """The stay's 最低消费: the highest minimum of its rooms, each at the band it began in."""
    best = 0
    for seg in stay.segments:
        where = band_at(plan, seg.start)
        best = max(best, plan.minimum_spend_fen(seg.tier, where.day_type, where.band))
    return best


_MEMO_SIZE = 512
_memo: dict[int, tuple[Tab, PricePlan, datetime, Bill]] = {}


def compute_bill(tab: Tab, plan: PricePlan, as_of: datetime) -> Bill:
    """The bill as of ``as_of`` (a closed tab returns its frozen bill with current payments).

    Tabs and plans are immutable, so the last bills are remembered by identity: one action
    asks for the same bill several times (validate, audit before/after, reply).
    """
    hit = _memo.get(id(tab))
    if hit is not None and hit[0] is tab and hit[1] is plan and hit[2] == as_of:
        return hit[3]
    bill = _compute_bill(tab, plan, as_of)
    if len(_memo) >= _MEMO_SIZE:
        _memo.clear()
    _memo[id(tab)] = (tab, plan, as_of, bill)
    return bill


def _compute_bill(tab: Tab, plan: PricePlan, as_of: datetime) -> Bill:
    if tab.closed_bill is not None:
        frozen = tab.closed_bill
        return Bill(**{**frozen.__dict__, "paid_fen": tab.paid_fen})
    until = require_utc(as_of)
    lines: list[BillLine] = []
    for stay in tab.stays:
        lines.extend(_stay_lines(plan, stay, until))
    for fee in tab.fees:
        lines.append(BillLine(LineKind.FEE, fee.label, fee.amount_fen, fee.quantity, fee.unit_fen))
    for order in tab.orders:
        if order.status is OrderStatus.CANCELLED:
            continue
        for ol in order.lines:
            kind = LineKind.INCLUDED if order.included else LineKind.ORDER
            amount = 0 if order.included else ol.amount_fen
            lines.append(BillLine(kind, ol.name, amount, ol.quantity, ol.unit_fen, order.room))
        if order.comped and not order.included:
            lines.append(
                BillLine(
                    LineKind.COMP, f"赠送 {order.note}".strip(), -order.amount_fen, room=order.room
                )
            )

    orders_net = sum(ln.amount_fen for ln in lines if ln.kind in (LineKind.ORDER, LineKind.COMP))
    room_net = sum(ln.amount_fen for ln in lines if ln.kind in _ROOM_KINDS)
    basis = orders_net + (
        room_net if plan.minimum_basis is MinimumSpendBasis.ROOM_AND_ORDERS else 0
    )
    minimum = sum(_minimum_fen(plan, stay) for stay in tab.stays)
    if basis < minimum:
        lines.append(
            BillLine(
                LineKind.MINIMUM_SPEND,
                f"最低消费补足 (最低 {format_yuan(minimum)})",
                minimum - basis,
            )
        )

    subtotal = sum(ln.amount_fen for ln in lines)
    service = percent_bp(subtotal, plan.service_charge_bp)
    if service:
        lines.append(
            BillLine(LineKind.SERVICE_CHARGE, f"服务费 {plan.service_charge_bp / 100:g}%", service)
        )
    running = subtotal + service
    before_discounts = running
    discount_total = 0
    for d in tab.discounts:
        off = d.amount_fen + percent_bp(before_discounts, d.percent_bp)
        off = min(off, running)
        running -= off
        discount_total += off
        lines.append(BillLine(LineKind.DISCOUNT, f"折扣 {d.reason}", -off))
    total = plan.rounding.apply(running)
    if total != running:
        lines.append(BillLine(LineKind.ROUNDING, "抹零", total - running))
    return Bill(
        tab_id=tab.tab_id,
        plan_version=tab.plan_version,
        as_of=until,
        rooms=tab.rooms,
        lines=tuple(lines),
        subtotal_fen=subtotal,
        service_charge_fen=service,
        discount_fen=discount_total,
        rounding_fen=total - running,
        total_fen=total,
        paid_fen=tab.paid_fen,
        closed=False,
    )


_ROOM_KINDS = (LineKind.ROOM_TIME, LineKind.TIME_BOUGHT, LineKind.GIFT, LineKind.FEE)


@dataclass(frozen=True)
class Outcome:
    """What an action leaves behind: the tab and its bill as of the action."""

    tab: Tab
    bill: Bill
    order_id: str = ""
