"""Phone payments as intents (pure): a payment started from the guest's phone, paid on the
gateway's own page, recorded when the gateway says paid.

A gateway (WeChat Pay, Alipay, the sandbox) is a :class:`PhoneGateway`: it opens an order
for an intent, answers a query of it, closes it, refunds, and turns a notification (headers
and raw body) into a :class:`GatewayPayment` after checking its signature. What happens to
money the gateway took is decided here (:func:`apportion`): the bill takes what it still
owes, the rest goes back (refunded, or flagged for the desk when the refund fails).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Protocol

from controller.billing.records import Tender


class IntentState(Enum):
    PENDING = "pending"
    PAID = "paid"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    FAILED = "failed"


class IssueKind(Enum):
    LATE = "late"  # the bill was closed or fully paid when the money arrived
    OVERPAID = "overpaid"  # the excess over the balance due


class IssueState(Enum):
    OPEN = "open"  # the refund failed: the desk must act
    REFUNDED = "refunded"
    RESOLVED = "resolved"  # by hand, with a note


@dataclass(frozen=True)
class PaymentIntent:
    payment_id: str  # the gateway order's out_trade_no
    room_id: str
    tab_id: str
    provider: str
    amount_fen: int
    state: IntentState
    created_at: datetime
    expires_at: datetime
    pay_url: str = ""
    qr_content: str = ""
    transaction_id: str = ""
    recorded_fen: int = 0
    refunded_fen: int = 0
    failure: str = ""
    started_by: str = ""  # guest or staff, for the audit


@dataclass(frozen=True)
class GatewayOrder:
    """What the gateway answered when the order was opened."""

    pay_url: str
    qr_content: str = ""


@dataclass(frozen=True)
class GatewayPayment:
    """A verified notification, or the answer to our query of an order."""

    out_trade_no: str
    state: IntentState  # PAID, PENDING (not yet), FAILED/CANCELLED/EXPIRED (closed unpaid)
    transaction_id: str = ""
    amount_fen: int = 0  # what the guest paid (when PAID)


@dataclass(frozen=True)
class NotifyAnswer:
    """What the HTTP layer sends back to the gateway."""

    http_status: int
    content_type: str
    body: bytes


class PhoneGateway(Protocol):
    """One payment gateway. Calls may raise :class:`ktv.errors.Unavailable` (unreachable) or
    :class:`ktv.errors.PaymentDeclined` (refused); ``parse_notification`` raises
    :class:`ktv.errors.Unauthenticated` for a signature that does not verify."""

    name: str
    tender: Tender

    def create(self, intent: PaymentIntent, description: str, payer_ip: str) -> GatewayOrder:
        """Open the order; ``payer_ip`` is the phone's address (WeChat H5 pay wants it)."""
        ...

    def query(self, payment_id: str) -> GatewayPayment: ...

    def close(self, payment_id: str) -> None: ...

    def refund(self, intent: PaymentIntent, refund_id: str, amount_fen: int) -> str:
        """Give ``amount_fen`` of a paid intent back; the gateway's refund reference."""
        ...

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> GatewayPayment: ...

    def accepted(self) -> NotifyAnswer:
        """The answer that tells the gateway to stop resending."""
        ...

    def refused(self, why: str) -> NotifyAnswer:
        """The answer to a notification we could not take (the gateway retries)."""
        ...


@dataclass(frozen=True)
class Apportioned:
    """How money the gateway took is split: onto the bill, and back to the guest."""

    record_fen: int
    excess_fen: int
    issue: IssueKind | None


def apportion(paid_fen: int, due_fen: int, bill_open: bool) -> Apportioned:
    """The bill takes at most its balance due; what it cannot take is an issue (refunded)."""
    if paid_fen <= 0:
        return Apportioned(0, 0, None)
    if not bill_open or due_fen <= 0:
        return Apportioned(0, paid_fen, IssueKind.LATE)
    record = min(paid_fen, due_fen)
    excess = paid_fen - record
    return Apportioned(record, excess, IssueKind.OVERPAID if excess else None)


def yuan_text(fen: int) -> str:
    """Fen as the gateways' decimal yuan text (Alipay's total_amount): 12345 -> "123.45"."""
    if fen < 0:
        raise ValueError("an amount is never negative here")
    return f"{fen // 100}.{fen % 100:02d}"


def fen_of_yuan_text(text: str) -> int:
    """ "123.45" -> 12345, exactly (no float); anything else is ValueError."""
    whole, _, part = text.strip().partition(".")
    if not whole.isdigit() or len(part) > 2 or (part and not part.isdigit()):
        raise ValueError(f"not an amount in yuan: {text!r}")
    return int(whole) * 100 + int(part.ljust(2, "0") or 0)
