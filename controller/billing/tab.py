"""A tab (台账): everything one bill is made of, as an immutable value."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING

from controller.billing.records import (
    Discount,
    Line,
    OpeningMode,
    Order,
    Payment,
    Stay,
)
from ktv.errors import NotFound
from ktv.text import short

if TYPE_CHECKING:
    from controller.billing.bill import Bill


class TabStatus(Enum):
    OPEN = "open"
    CLOSED = "closed"  # checked out: the bill is frozen
    MERGED = "merged"  # joined another tab's bill (并房)


@dataclass(frozen=True)
class Tab:
    tab_id: str
    plan_version: str
    mode: OpeningMode
    opened_at: datetime
    stays: tuple[Stay, ...]
    guests: int
    max_guests: int
    status: TabStatus = TabStatus.OPEN
    booking: str = ""
    fees: tuple[Line, ...] = ()
    orders: tuple[Order, ...] = ()
    discounts: tuple[Discount, ...] = ()
    payments: tuple[Payment, ...] = ()
    merged_from: tuple[str, ...] = ()
    merged_into: str = ""
    closed_at: datetime | None = None
    closed_bill: Bill | None = field(default=None, compare=False)

    @property
    def rooms(self) -> tuple[str, ...]:
        return tuple(s.room for s in self.stays)

    @property
    def is_open(self) -> bool:
        return self.status is TabStatus.OPEN

    @property
    def paid_fen(self) -> int:
        return sum(p.amount_fen for p in self.payments)

    @property
    def line_count(self) -> int:
        """Lines this tab puts on its bill: orders' lines (cancelled ones stay on the tab),
        fees, discounts and time bought. Its bound (Limits.bill_lines_max) keeps every bill,
        and every action that folds it, small."""
        return (
            sum(len(o.lines) for o in self.orders)
            + len(self.fees)
            + len(self.discounts)
            + sum(len(c.lines) for s in self.stays for c in s.covers)
        )

    def stay_index(self, room: str) -> int:
        for i, stay in enumerate(self.stays):
            if stay.room == room:
                return i
        raise NotFound(
            f"room {short(room)} is not on bill {self.tab_id}", reason="ROOM_NOT_ON_BILL"
        )

    def order(self, order_id: str) -> Order:
        for order in self.orders:
            if order.order_id == order_id:
                return order
        raise NotFound(f"no order {short(order_id)} on tab {self.tab_id}", reason="UNKNOWN_ORDER")

    def payment(self, payment_id: str) -> Payment:
        for payment in self.payments:
            if payment.payment_id == payment_id:
                return payment
        raise NotFound(
            f"no payment {short(payment_id)} on tab {self.tab_id}", reason="UNKNOWN_PAYMENT"
        )

    def refunded_fen(self, payment_id: str) -> int:
        """How much of a payment has been refunded already (a positive number)."""
        return -sum(p.amount_fen for p in self.payments if p.refund_of == payment_id)
