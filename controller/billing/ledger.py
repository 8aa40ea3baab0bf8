"""How events change tabs, with every rule checked: roles, states, amounts. The same code
runs live and on replay, so an event that was accepted once folds the same way forever.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime

from controller.auth.model import Role
from controller.billing.bill import Bill, compute_bill
from controller.billing.clock import require_utc
from controller.billing.events import (
    DiscountGiven,
    GuestsChanged,
    OrderCancelled,
    OrderComped,
    OrderDelivered,
    OrderPlaced,
    PaymentRefunded,
    PaymentTaken,
    RoomMoved,
    TabCheckedOut,
    TabEvent,
    TabOpened,
    TabsMerged,
    TimeBought,
)
from controller.billing.money import format_yuan
from controller.billing.plan import PricePlan
from controller.billing.records import (
    Actor,
    OrderStatus,
    Segment,
    Stay,
    Tender,
)
from controller.billing.tab import Tab, TabStatus
from ktv.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
)

MANAGERS = frozenset({Role.MANAGER, Role.ADMIN})
CASHIERS = MANAGERS | {Role.CASHIER}
SERVERS = CASHIERS | {Role.WAITER}
ORDERERS = SERVERS | {Role.GUEST, Role.AGENT}
# a room's own touchscreen may buy 续钟 paid in full from a member's stored value (the PIN is
# the member's consent; the API refuses any other tender from a room)
SELF_SERVICE_TIME = CASHIERS | {Role.AGENT}


def require_role(actor: Actor, roles: frozenset[Role], what: str) -> None:
    if actor.role not in roles:
        need = "a manager" if roles == MANAGERS else "/".join(sorted(r.key for r in roles))
        raise PermissionDenied(f"{what} needs {need} (you are {actor.role.key})")


def require_authority(
    actor: Actor, event: OrderComped | DiscountGiven | PaymentRefunded, what: str
) -> None:
    """A manager, or a cashier acting within their cap or with a manager's approval (the
    desk checks the caps and the approver's PIN: controller/billing/caps.py)."""
    if actor.role in MANAGERS:
        return
    if actor.role is Role.CASHIER and (event.within_cap or event.approved_by):
        return
    require_role(actor, MANAGERS, what)


def _reason(reason: str, what: str) -> None:
    if not reason.strip():
        raise InvalidArgument(f"{what} needs a reason", reason="REASON_REQUIRED")


def open_tab(event: TabOpened, plan: PricePlan) -> Tab:
    require_role(event.actor, CASHIERS, "opening a room")
    if event.plan_version != plan.version:
        raise InvalidArgument(f"event pins plan {event.plan_version}, got {plan.version}")
    if event.guests < 1:
        raise InvalidArgument("a room opens with at least one guest", reason="BAD_GUESTS")
    plan.tier(event.tier)
    at = require_utc(event.at)
    return Tab(
        tab_id=event.tab_id,
        plan_version=event.plan_version,
        mode=event.mode,
        opened_at=at,
        stays=(Stay(segments=(Segment(event.room, event.tier, at),)),),
        guests=event.guests,
        max_guests=event.guests,
        booking=event.booking,
        fees=event.head_fees,
    )


def apply(tab: Tab, event: TabEvent, plan: PricePlan) -> Tab:
    """The tab after ``event``; raises a KtvError (and changes nothing) if it may not happen."""
    if event.tab_id != tab.tab_id:
        raise InvalidArgument(f"event for {event.tab_id} applied to {tab.tab_id}")
    if require_utc(event.at) < tab.opened_at:
        raise InvalidArgument("an event cannot happen before its tab was opened")
    if not tab.is_open and not isinstance(event, PaymentRefunded):
        raise FailedPrecondition(
            f"tab {tab.tab_id} is {tab.status.value}: only refunds are possible",
            reason="BILL_CLOSED",
        )
    handler = _HANDLERS.get(type(event))
    if handler is None:
        raise InvalidArgument(f"{type(event).__name__} is not applied to a single tab")
    return handler(tab, event, plan)


def _time_bought(tab: Tab, e: TimeBought, plan: PricePlan) -> Tab:
    require_role(e.actor, SELF_SERVICE_TIME, "selling room time")
    i = tab.stay_index(e.room)
    if e.cover.end <= e.cover.start or any(line.amount_fen < 0 for line in e.cover.lines):
        raise InvalidArgument("bought time must have a positive length and price")
    stay = tab.stays[i]
    stays = list(tab.stays)
    stays[i] = replace(stay, covers=(*stay.covers, e.cover))
    return replace(tab, stays=tuple(stays))


def _guests(tab: Tab, e: GuestsChanged, plan: PricePlan) -> Tab:
    require_role(e.actor, SERVERS, "changing the guest count")
    if e.guests < 1:
        raise InvalidArgument("a room has at least one guest", reason="BAD_GUESTS")
    return replace(
        tab, guests=e.guests, max_guests=max(tab.max_guests, e.guests), fees=tab.fees + e.head_fees
    )


def _moved(tab: Tab, e: RoomMoved, plan: PricePlan) -> Tab:
    require_role(e.actor, CASHIERS, "changing rooms")
    plan.tier(e.to_tier)
    i = tab.stay_index(e.from_room)
    if e.to_room in tab.rooms:
        raise FailedPrecondition(
            f"room {e.to_room} is already on this bill", reason="ROOM_OCCUPIED"
        )
    stay = tab.stays[i]
    at = require_utc(e.at)
    last = stay.segments[-1]
    segments = (*stay.segments[:-1], replace(last, end=at), Segment(e.to_room, e.to_tier, at))
    stays = list(tab.stays)
    stays[i] = replace(stay, segments=segments)
    return replace(tab, stays=tuple(stays), fees=tab.fees + e.fees)


def _order_placed(tab: Tab, e: OrderPlaced, plan: PricePlan) -> Tab:
    require_role(e.actor, ORDERERS, "ordering")
    order = e.order
    tab.stay_index(order.room)
    if not order.lines:
        raise InvalidArgument("an order needs at least one item", reason="EMPTY_ORDER")
    for line in order.lines:
        if line.quantity <= 0:
            raise InvalidArgument(f"{line.name}: quantity must be positive", reason="BAD_QUANTITY")
        if line.unit_fen < 0:
            raise InvalidArgument(f"{line.name}: negative price", reason="BAD_PRICE")
    if any(o.order_id == order.order_id for o in tab.orders):
        raise AlreadyExists(f"order {order.order_id} exists")
    if order.status is not OrderStatus.PLACED or order.comped:
        raise InvalidArgument("a new order starts as placed")
    return replace(tab, orders=(*tab.orders, order))


def _replace_order(tab: Tab, order_id: str, **changes: object) -> Tab:
    orders = tuple(replace(o, **changes) if o.order_id == order_id else o for o in tab.orders)
    return replace(tab, orders=orders)


def _delivered(tab: Tab, e: OrderDelivered, plan: PricePlan) -> Tab:
    require_role(e.actor, SERVERS, "delivering an order")
    if tab.order(e.order_id).status is not OrderStatus.PLACED:
        raise FailedPrecondition(f"order {e.order_id} is not waiting for delivery")
    return _replace_order(tab, e.order_id, status=OrderStatus.DELIVERED)


def _cancelled(tab: Tab, e: OrderCancelled, plan: PricePlan) -> Tab:
    order = tab.order(e.order_id)
    _reason(e.reason, "cancelling an order")
    if order.status is OrderStatus.CANCELLED:
        raise FailedPrecondition(f"order {e.order_id} is already cancelled")
    if order.status is OrderStatus.DELIVERED:
        require_role(e.actor, MANAGERS, "cancelling a delivered order")
    else:
        require_role(e.actor, SERVERS, "cancelling an order")
    return _replace_order(tab, e.order_id, status=OrderStatus.CANCELLED, note=e.reason)


def _comped(tab: Tab, e: OrderComped, plan: PricePlan) -> Tab:
    require_authority(e.actor, e, "comping an order (赠送)")
    _reason(e.reason, "a comp")
    order = tab.order(e.order_id)
    if order.status is OrderStatus.CANCELLED or order.comped or order.included:
        raise FailedPrecondition(f"order {e.order_id} cannot be comped now")
    return _replace_order(tab, e.order_id, comped=True, note=e.reason)


def _discount(tab: Tab, e: DiscountGiven, plan: PricePlan) -> Tab:
    require_authority(e.actor, e, "a discount")
    d = e.discount
    _reason(d.reason, "a discount")
    if (
        not 0 <= d.percent_bp <= 10_000
        or d.amount_fen < 0
        or (d.percent_bp == 0) == (d.amount_fen == 0)
    ):
        raise InvalidArgument("a discount is either a percentage (0-100 %) or a positive amount")
    return replace(tab, discounts=(*tab.discounts, d))


def _paid(tab: Tab, e: PaymentTaken, plan: PricePlan) -> Tab:
    p = e.payment
    member_pays = p.tender is Tender.STORED_VALUE
    require_role(e.actor, SELF_SERVICE_TIME if member_pays else CASHIERS, "taking a payment")
    if p.amount_fen <= 0 or p.refund_of:
        raise InvalidArgument("a payment is a positive amount", reason="BAD_AMOUNT")
    if p.tender is Tender.HOSPITALITY:
        require_role(e.actor, MANAGERS, "招待 (hospitality)")
        if not p.reference.strip():
            raise InvalidArgument("招待 needs a reference: for whom", reason="REASON_REQUIRED")
    if p.tender is Tender.SIGNED_CREDIT and not p.reference.strip():
        raise InvalidArgument(
            "签单 needs the account it is signed to (--account)", reason="ACCOUNT_REQUIRED"
        )
    if any(q.payment_id == p.payment_id for q in tab.payments):
        raise AlreadyExists(f"payment {p.payment_id} exists")
    due = compute_bill(tab, plan, e.at).due_fen
    if p.amount_fen > due:
        raise InvalidArgument(
            f"{p.tender.value} {format_yuan(p.amount_fen)} is more than the {format_yuan(due)} due",
            reason="OVERPAYMENT",
        )
    if p.tender is Tender.CASH:
        if p.tendered_fen < p.amount_fen or p.change_fen != p.tendered_fen - p.amount_fen:
            raise InvalidArgument(
                "cash: tendered - change must equal the amount", reason="BAD_AMOUNT"
            )
    elif p.change_fen:
        raise InvalidArgument("only cash gives change", reason="OVERPAYMENT")
    return replace(tab, payments=(*tab.payments, p))


def _refunded(tab: Tab, e: PaymentRefunded, plan: PricePlan) -> Tab:
    require_authority(e.actor, e, "a refund")
    p = e.payment
    _reason(p.reason, "a refund")
    original = tab.payment(p.refund_of)
    if original.amount_fen <= 0:
        raise InvalidArgument("only a payment can be refunded", reason="BAD_REFUND")
    if p.amount_fen >= 0:
        raise InvalidArgument("a refund is recorded as a negative amount", reason="BAD_AMOUNT")
    left = original.amount_fen - tab.refunded_fen(original.payment_id)
    if -p.amount_fen > left:
        raise InvalidArgument(
            f"refund {format_yuan(-p.amount_fen)} is more than the {format_yuan(left)} "
            f"left of payment {original.payment_id}",
            reason="REFUND_TOO_LARGE",
        )
    if p.tender is not original.tender:
        raise InvalidArgument("a refund goes back to the tender it was paid with")
    return replace(tab, payments=(*tab.payments, p))


def _checked_out(tab: Tab, e: TabCheckedOut, plan: PricePlan) -> Tab:
    require_role(e.actor, CASHIERS, "checking out")
    at = require_utc(e.at)
    bill = compute_bill(tab, plan, at)
    if bill.due_fen != 0:
        raise FailedPrecondition(
            f"bill {tab.tab_id} is {format_yuan(bill.total_fen)}, paid "
            f"{format_yuan(bill.paid_fen)}: {format_yuan(bill.due_fen)} still due",
            reason="BILL_NOT_PAID",
        )
    stays = tuple(
        replace(s, segments=(*s.segments[:-1], replace(s.segments[-1], end=at))) for s in tab.stays
    )
    closed: Bill = replace(bill, closed=True)
    return replace(tab, stays=stays, status=TabStatus.CLOSED, closed_at=at, closed_bill=closed)


_HANDLERS = {
    TimeBought: _time_bought,
    GuestsChanged: _guests,
    RoomMoved: _moved,
    OrderPlaced: _order_placed,
    OrderDelivered: _delivered,
    OrderCancelled: _cancelled,
    OrderComped: _comped,
    DiscountGiven: _discount,
    PaymentTaken: _paid,
    PaymentRefunded: _refunded,
    TabCheckedOut: _checked_out,
}


def merge(target: Tab, source: Tab, e: TabsMerged) -> tuple[Tab, Tab]:
    """并房: (target with the source's rooms, orders and payments, source marked merged)."""
    require_role(e.actor, CASHIERS, "merging rooms")
    if target.tab_id == source.tab_id:
        raise InvalidArgument("a tab cannot be merged into itself")
    if not (target.is_open and source.is_open):
        raise FailedPrecondition("only open tabs can be merged", reason="BILL_CLOSED")
    if target.plan_version != source.plan_version:
        raise FailedPrecondition("tabs opened under different price plans cannot be merged")
    merged = replace(
        target,
        stays=target.stays + source.stays,
        guests=target.guests + source.guests,
        max_guests=target.max_guests + source.max_guests,
        fees=target.fees + source.fees,
        orders=target.orders + source.orders,
        discounts=target.discounts + source.discounts,
        payments=target.payments + source.payments,
        merged_from=(*target.merged_from, source.tab_id, *source.merged_from),
    )
    emptied = replace(
        source,
        stays=(),
        fees=(),
        orders=(),
        discounts=(),
        payments=(),
        status=TabStatus.MERGED,
        merged_into=target.tab_id,
        closed_at=require_utc(e.at),
    )
    return merged, emptied


class Ledger:
    """Every tab as the fold of its events (for replay, audits and tests)."""

    def __init__(self, plans: Mapping[str, PricePlan]) -> None:
        self.plans = dict(plans)
        self.tabs: dict[str, Tab] = {}

    def plan_of(self, tab: Tab) -> PricePlan:
        return self.plans[tab.plan_version]

    def tab(self, tab_id: str) -> Tab:
        try:
            return self.tabs[tab_id]
        except KeyError:
            raise NotFound(f"no tab {tab_id!r}", reason="UNKNOWN_BILL") from None

    def apply(self, event: TabEvent) -> Tab:
        """Apply one event; on error nothing changes."""
        if isinstance(event, TabOpened):
            if event.tab_id in self.tabs:
                raise AlreadyExists(f"tab {event.tab_id} exists")
            plan = self.plans.get(event.plan_version)
            if plan is None:
                raise NotFound(f"no price plan {event.plan_version!r}", reason="UNKNOWN_PLAN")
            self.tabs[event.tab_id] = open_tab(event, plan)
        elif isinstance(event, TabsMerged):
            target, source = merge(self.tab(event.tab_id), self.tab(event.source_tab_id), event)
            self.tabs[target.tab_id], self.tabs[source.tab_id] = target, source
        else:
            tab = self.tab(event.tab_id)
            self.tabs[tab.tab_id] = apply(tab, event, self.plan_of(tab))
        return self.tabs[event.tab_id]

    def apply_all(self, events: Iterable[TabEvent]) -> None:
        for event in events:
            self.apply(event)

    def bill(self, tab_id: str, as_of: datetime) -> Bill:
        tab = self.tab(tab_id)
        return compute_bill(tab, self.plan_of(tab), as_of)
