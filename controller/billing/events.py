"""Everything that happens to a tab is one of these events. A tab is the fold of its events,
so the audit log replays to the very same bills. Amounts that depend on the plan at the
moment of the decision (a package, a head fee, an upgrade) are fixed inside the event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from controller.billing.records import (
    Actor,
    Cover,
    Discount,
    Line,
    OpeningMode,
    Order,
    Payment,
)


@dataclass(frozen=True, kw_only=True)
class TabEvent:
    tab_id: str
    at: datetime
    actor: Actor


@dataclass(frozen=True, kw_only=True)
class TabOpened(TabEvent):
    """开台."""

    room: str
    tier: str
    guests: int
    mode: OpeningMode
    plan_version: str
    head_fees: tuple[Line, ...] = ()
    booking: str = ""


@dataclass(frozen=True, kw_only=True)
class TimeBought(TabEvent):
    """A package, a prepaid block / 续钟, or a 场次 for the stay in ``room``."""

    room: str
    cover: Cover


@dataclass(frozen=True, kw_only=True)
class GuestsChanged(TabEvent):
    guests: int
    head_fees: tuple[Line, ...] = ()  # fees for guests above the previous maximum


@dataclass(frozen=True, kw_only=True)
class RoomMoved(TabEvent):
    """换房: time so far stays at the old tier; the new tier applies from ``at``."""

    from_room: str
    to_room: str
    to_tier: str
    fees: tuple[Line, ...] = ()  # tier difference on remaining prepaid time


@dataclass(frozen=True, kw_only=True)
class TabsMerged(TabEvent):
    """并房: the source tab's rooms, orders and payments join this tab's bill."""

    source_tab_id: str


@dataclass(frozen=True, kw_only=True)
class OrderPlaced(TabEvent):
    order: Order


@dataclass(frozen=True, kw_only=True)
class OrderDelivered(TabEvent):
    order_id: str


@dataclass(frozen=True, kw_only=True)
class OrderCancelled(TabEvent):
    order_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class OrderComped(TabEvent):
    """赠送: the order stays on the bill with an equal negative line."""

    order_id: str
    reason: str
    approved_by: str = ""  # the manager whose PIN approved it (over the actor's cap)
    within_cap: bool = False  # a cashier acting within their cap (controller/billing/caps.py)


@dataclass(frozen=True, kw_only=True)
class DiscountGiven(TabEvent):
    discount: Discount
    approved_by: str = ""
    within_cap: bool = False


@dataclass(frozen=True, kw_only=True)
class PaymentTaken(TabEvent):
    payment: Payment


@dataclass(frozen=True, kw_only=True)
class PaymentRefunded(TabEvent):
    payment: Payment  # negative amount, refund_of set
    approved_by: str = ""
    within_cap: bool = False


@dataclass(frozen=True, kw_only=True)
class TabCheckedOut(TabEvent):
    """结账: the bill is frozen as of ``at``; the room goes to cleaning."""


EVENT_TYPES: tuple[type[TabEvent], ...] = (
    TabOpened,
    TimeBought,
    GuestsChanged,
    RoomMoved,
    TabsMerged,
    OrderPlaced,
    OrderDelivered,
    OrderCancelled,
    OrderComped,
    DiscountGiven,
    PaymentTaken,
    PaymentRefunded,
    TabCheckedOut,
)
