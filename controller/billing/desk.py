"""The front desk's decisions: turn what the cashier asks for into events, pricing it with
the tab's pinned plan. Nothing here changes state; :mod:`controller.billing.ledger` checks and
applies the events.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from controller.billing.bill import compute_bill
from controller.billing.bounds import (
    check_bill_room,
    check_order_items,
    check_order_line,
    check_tenders,
)
from controller.billing.events import (
    GuestsChanged,
    OrderPlaced,
    PaymentRefunded,
    PaymentTaken,
    RoomMoved,
    TabCheckedOut,
    TabEvent,
    TabOpened,
    TimeBought,
)
from controller.billing.money import format_yuan
from controller.billing.plan import PricePlan, TierChange
from controller.billing.pricing import (
    band_at,
    find_slot,
    package_cover,
    prepaid_cover,
    slot_cover,
    tier_difference_fen,
)
from controller.billing.records import (
    Actor,
    Cover,
    CoverKind,
    Line,
    OpeningMode,
    Order,
    OrderLine,
    OrderSource,
    Payment,
    Stay,
    Tender,
)
from controller.billing.tab import Tab
from ktv.errors import FailedPrecondition, InvalidArgument, NotFound
from ktv.limits import DEFAULT, PREPAID_MINUTES_CEILING, Limits
from ktv.text import short

NewId = Callable[[str], str]  # kind ("order", "payment", ...) -> a fresh opaque id


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    category: str
    base_fen: int
    available: bool = True


@dataclass(frozen=True)
class TimePurchase:
    """What time to sell: a package, a prepaid block of minutes, or a 场次 (exactly one)."""

    package: str = ""
    prepaid_minutes: int = 0
    session: str = ""
    gift: bool = False  # 开房赠送

    def __post_init__(self) -> None:
        if sum((bool(self.package), self.prepaid_minutes != 0, bool(self.session))) != 1:
            raise InvalidArgument("sell exactly one of: a package, prepaid minutes, a session")
        if self.prepaid_minutes > PREPAID_MINUTES_CEILING:  # the edge: before any tab is read
            raise InvalidArgument(
                f"买钟 {self.prepaid_minutes} minutes: one sale buys at most "
                f"{PREPAID_MINUTES_CEILING} minutes",
                reason="PREPAID_TOO_LONG",
            )


@dataclass(frozen=True)
class TenderAmount:
    """One tender of a split payment; for cash ``amount_fen`` is what the guest handed over."""

    tender: Tender
    amount_fen: int
    reference: str = ""
    provider: str = ""


def _hm(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def head_fee_lines(plan: PricePlan, tier: str, at: datetime, heads: int) -> tuple[Line, ...]:
    """人头费 for ``heads`` more guests arriving at ``at`` (nothing if the band has no fee)."""
    where = band_at(plan, at)
    fee = plan.head_fee_fen(tier, where.day_type, where.band)
    if heads <= 0 or fee == 0:
        return ()
    label = f"人头费 {plan.band(where.band).label} {heads}人"
    return (Line(label, fee * heads, heads, fee),)


def _minutes(span: timedelta) -> int:
    return -(-span // timedelta(minutes=1))  # a started minute counts


def bought_minutes(stay: Stay | None) -> int:
    """Room time a stay has bought so far, in minutes (bonus time not counted)."""
    if stay is None:
        return 0
    return sum(_minutes(c.end - c.start) - c.bonus_minutes for c in stay.covers)


def check_time_limits(
    plan: PricePlan, purchase: TimePurchase, at: datetime, stay: Stay | None = None
) -> None:
    """The plan's prepaid limits, before anything is priced: one 买钟/续钟 at most
    ``purchase_max_minutes``; a session buys at most ``session_max_minutes`` in total."""
    limits = plan.limits
    if purchase.prepaid_minutes:
        added = purchase.prepaid_minutes
        if added <= 0:
            raise InvalidArgument("prepaid time must be positive", reason="BAD_DURATION")
        if added > limits.purchase_max_minutes:
            raise InvalidArgument(
                f"买钟 {_hm(added)}: one sale buys at most {_hm(limits.purchase_max_minutes)} "
                f"(price plan {plan.version}, pricing.limits.purchase_max_minutes)",
                reason="PREPAID_TOO_LONG",
            )
    elif purchase.package:
        added = plan.package(purchase.package).minutes
    else:
        _, _, end = find_slot(plan, purchase.session, at)
        added = _minutes(end - at)
    so_far = bought_minutes(stay)
    if so_far + added > limits.session_max_minutes:
        raise InvalidArgument(
            f"this session has bought {_hm(so_far)}; {_hm(added)} more would pass the "
            f"{_hm(limits.session_max_minutes)} a session may buy "
            f"(price plan {plan.version}, pricing.limits.session_max_minutes)",
            reason="SESSION_TIME_LIMIT",
        )


def sell_time(
    plan: PricePlan, tier: str, at: datetime, purchase: TimePurchase, cover_id: str
) -> Cover:
    """Price a package / prepaid block / 场次 starting at ``at`` for a room of ``tier``."""
    if purchase.package:
        end, price = package_cover(plan, purchase.package, tier, at)
        pkg = plan.package(purchase.package)
        lines = (Line(f"套餐 {pkg.label}", price, 1, price),)
        return Cover(
            cover_id,
            CoverKind.PACKAGE,
            pkg.code,
            pkg.label,
            tier,
            at,
            end,
            0,
            plan.after_prepaid,
            lines,
            purchase.gift,
        )
    if purchase.session:
        slot, end, price = slot_cover(plan, purchase.session, tier, at)
        lines = (Line(f"场次 {slot.label}", price, 1, price),)
        return Cover(
            cover_id,
            CoverKind.SESSION,
            slot.code,
            slot.label,
            tier,
            at,
            end,
            0,
            slot.after,
            lines,
            purchase.gift,
        )
    minutes = purchase.prepaid_minutes
    end, bonus, charges = prepaid_cover(plan, tier, at, minutes)
    lines = [
        Line(
            f"买钟 {plan.band(c.band).label} {_hm(c.billed_seconds // 60)} "
            f"@{format_yuan(c.rate_fen)}/h",
            c.amount_fen,
            1,
            c.rate_fen,
        )
        for c in charges
    ]
    if bonus:
        lines.append(Line(f"买钟赠送 {bonus} 分钟", 0))
    label = f"买钟 {_hm(minutes)}"
    return Cover(
        cover_id,
        CoverKind.PREPAID,
        "",
        label,
        tier,
        at,
        end,
        bonus,
        plan.after_prepaid,
        tuple(lines),
        purchase.gift,
    )


def decide_open(
    plan: PricePlan,
    *,
    tab_id: str,
    room: str,
    tier: str,
    guests: int,
    at: datetime,
    actor: Actor,
    new_id: NewId,
    purchase: TimePurchase | None = None,
    menu: Mapping[str, Product] | None = None,
    booking: str = "",
) -> list[TabEvent]:
    """开台 (with a package, prepaid time or a 场次); package items become an included order."""
    mode = OpeningMode.POSTPAID
    if purchase is not None and (purchase.prepaid_minutes or purchase.session):
        mode = OpeningMode.PREPAID
    if purchase is not None:
        check_time_limits(plan, purchase, at)
    events: list[TabEvent] = [
        TabOpened(
            tab_id=tab_id,
            at=at,
            actor=actor,
            room=room,
            tier=tier,
            guests=guests,
            mode=mode,
            plan_version=plan.version,
            booking=booking,
            head_fees=head_fee_lines(plan, tier, at, guests),
        )
    ]
    if purchase is not None:
        cover = sell_time(plan, tier, at, purchase, new_id("cover"))
        events.append(TimeBought(tab_id=tab_id, at=at, actor=actor, room=room, cover=cover))
        if purchase.package and plan.package(purchase.package).items:
            lines = []
            for item in plan.package(purchase.package).items:
                product = _product(menu or {}, item.sku, check_available=False)
                lines.append(
                    OrderLine(
                        item.sku,
                        product.name,
                        item.quantity,
                        plan.product_fen(tier, item.sku, product.base_fen),
                    )
                )
            order = Order(
                new_id("order"), room, tuple(lines), OrderSource.FRONT_DESK, at, included=True
            )
            events.append(OrderPlaced(tab_id=tab_id, at=at, actor=actor, order=order))
    return events


def decide_extend(
    tab: Tab,
    plan: PricePlan,
    room: str,
    at: datetime,
    actor: Actor,
    purchase: TimePurchase,
    cover_id: str,
) -> TimeBought:
    """续时 / 续钟: new time starts when the bought time ends (or now, if it already has)."""
    stay = tab.stays[tab.stay_index(room)]
    start = max(at, stay.paid_until or at)
    check_time_limits(plan, purchase, start, stay)
    cover = sell_time(plan, stay.tier, start, purchase, cover_id)
    return TimeBought(tab_id=tab.tab_id, at=at, actor=actor, room=room, cover=cover)


def decide_guests(
    tab: Tab, plan: PricePlan, guests: int, at: datetime, actor: Actor
) -> GuestsChanged:
    """Guests above the session's highest count so far pay the head fee of the current band."""
    tier = tab.stays[0].tier if tab.stays else ""
    extra = guests - tab.max_guests
    fees = head_fee_lines(plan, tier, at, extra) if tier else ()
    return GuestsChanged(tab_id=tab.tab_id, at=at, actor=actor, guests=guests, head_fees=fees)


def decide_move(
    tab: Tab,
    plan: PricePlan,
    from_room: str,
    to_room: str,
    to_tier: str,
    at: datetime,
    actor: Actor,
) -> RoomMoved:
    """换房: prepaid time left carries over; an upgrade pays the difference if the plan says so."""
    stay = tab.stays[tab.stay_index(from_room)]
    plan.tier(to_tier)
    fees: tuple[Line, ...] = ()
    left_until = stay.paid_until
    if plan.tier_change is TierChange.CHARGE_DIFFERENCE and left_until and left_until > at:
        diff = tier_difference_fen(plan, stay.tier, to_tier, at, left_until)
        if diff:
            fees = (Line(f"换房补差 {from_room}->{to_room}", diff, 1, diff),)
    return RoomMoved(
        tab_id=tab.tab_id,
        at=at,
        actor=actor,
        from_room=from_room,
        to_room=to_room,
        to_tier=to_tier,
        fees=fees,
    )


def _product(menu: Mapping[str, Product], sku: str, *, check_available: bool = True) -> Product:
    product = menu.get(sku)
    if product is None:
        raise NotFound(f"no product {short(sku)} on the menu", reason="UNKNOWN_PRODUCT")
    if check_available and not product.available:
        raise FailedPrecondition(f"{product.name} is not available now", reason="SOLD_OUT")
    return product


def decide_order(
    tab: Tab,
    plan: PricePlan,
    menu: Mapping[str, Product],
    room: str,
    items: Sequence[tuple[str, int]],
    at: datetime,
    actor: Actor,
    order_id: str,
    source: OrderSource = OrderSource.FRONT_DESK,
    limits: Limits = DEFAULT,
) -> OrderPlaced:
    """An order into the room's bill at the room tier's prices."""
    check_order_items(items, limits)
    check_bill_room(tab, len(items), limits)
    tier = tab.stays[tab.stay_index(room)].tier
    lines = []
    for sku, quantity in items:
        product = _product(menu, sku)
        line = OrderLine(sku, product.name, quantity, plan.product_fen(tier, sku, product.base_fen))
        lines.append(check_order_line(line, limits))
    order = Order(order_id, room, tuple(lines), source, at)
    return OrderPlaced(tab_id=tab.tab_id, at=at, actor=actor, order=order)


def decide_payments(
    tab: Tab,
    plan: PricePlan,
    tenders: Sequence[TenderAmount],
    at: datetime,
    actor: Actor,
    new_id: NewId,
    limits: Limits = DEFAULT,
) -> list[PaymentTaken]:
    """Split tender: card/QR/stored value first, cash last (it alone may exceed and give change)."""
    check_tenders(tab, [t.amount_fen for t in tenders], limits)  # before any pricing
    if not tab.is_open:
        raise FailedPrecondition(f"bill {tab.tab_id} is {tab.status.value}", reason="BILL_CLOSED")
    due = compute_bill(tab, plan, at).due_fen
    ordered = sorted(tenders, key=lambda t: t.tender is Tender.CASH)
    events = []
    for t in ordered:
        if t.amount_fen <= 0:
            raise InvalidArgument(f"{t.tender.value}: amount must be positive", reason="BAD_AMOUNT")
        if due <= 0:
            raise InvalidArgument(f"nothing left to pay for {t.tender.value}", reason="OVERPAYMENT")
        if t.tender is Tender.CASH:
            applied = min(t.amount_fen, due)
            payment = Payment(
                new_id("payment"),
                t.tender,
                applied,
                at,
                t.amount_fen,
                t.amount_fen - applied,
                t.provider,
                t.reference,
            )
        else:
            if t.amount_fen > due:
                raise InvalidArgument(
                    f"{t.tender.value} {format_yuan(t.amount_fen)} is more than the "
                    f"{format_yuan(due)} due",
                    reason="OVERPAYMENT",
                )
            payment = Payment(
                new_id("payment"),
                t.tender,
                t.amount_fen,
                at,
                t.amount_fen,
                0,
                t.provider,
                t.reference,
            )
        due -= payment.amount_fen
        events.append(PaymentTaken(tab_id=tab.tab_id, at=at, actor=actor, payment=payment))
    return events


def decide_refund(
    tab: Tab,
    payment_id: str,
    amount_fen: int,
    reason: str,
    at: datetime,
    actor: Actor,
    refund_id: str,
    reference: str = "",
    limits: Limits = DEFAULT,
) -> PaymentRefunded:
    """A refund is a new negative payment against ``payment_id``; nothing is edited."""
    if amount_fen <= 0:
        raise InvalidArgument("a refund amount must be positive", reason="BAD_AMOUNT")
    check_tenders(tab, [amount_fen], limits)
    original = tab.payment(payment_id)
    payment = Payment(
        refund_id,
        original.tender,
        -amount_fen,
        at,
        provider=original.provider,
        reference=reference,
        refund_of=payment_id,
        reason=reason,
    )
    return PaymentRefunded(tab_id=tab.tab_id, at=at, actor=actor, payment=payment)


def decide_checkout(tab: Tab, at: datetime, actor: Actor) -> TabCheckedOut:
    if not tab.is_open:
        raise FailedPrecondition(
            f"tab {tab.tab_id} is already {tab.status.value}", reason="BILL_CLOSED"
        )
    return TabCheckedOut(tab_id=tab.tab_id, at=at, actor=actor)
