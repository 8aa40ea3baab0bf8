"""The values a tab is made of: who acted, what time was bought, orders, payments."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from controller.auth.model import Role
from controller.billing.plan import AfterCover


@dataclass(frozen=True)
class Actor:
    """Who did something (recorded in the audit log with the role they acted in)."""

    staff_id: str
    role: Role  # stored as its key ("cashier")

    @property
    def is_manager(self) -> bool:
        return self.role in (Role.MANAGER, Role.ADMIN)


class OpeningMode(Enum):
    POSTPAID = "postpaid"  # 后结: pay at checkout
    PREPAID = "prepaid"  # 预付: time is paid up front, checkout settles orders and overtime


class CoverKind(Enum):
    PACKAGE = "package"  # 套餐
    PREPAID = "prepaid"  # 买钟 / 续钟
    SESSION = "session"  # 场次


@dataclass(frozen=True)
class Line:
    """A priced line fixed when it was decided (e.g. a package, a head fee)."""

    label: str
    amount_fen: int
    quantity: int = 1
    unit_fen: int = 0


@dataclass(frozen=True)
class Cover:
    """Room time bought up front: [start, end) is covered, ``end`` includes bonus minutes.
    A ``gift`` cover (开房赠送) shows its price and an equal negative line."""

    cover_id: str
    kind: CoverKind
    code: str
    label: str
    tier: str
    start: datetime
    end: datetime
    bonus_minutes: int
    after: AfterCover
    lines: tuple[Line, ...]
    gift: bool = False

    @property
    def amount_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines)


@dataclass(frozen=True)
class Segment:
    """A stretch of a stay in one room; ``end`` is None while the guests are there."""

    room: str
    tier: str
    start: datetime
    end: datetime | None = None


@dataclass(frozen=True)
class Stay:
    """One room's timeline within a tab (several after a merge; moves add segments)."""

    segments: tuple[Segment, ...]
    covers: tuple[Cover, ...] = ()

    @property
    def room(self) -> str:
        return self.segments[-1].room

    @property
    def tier(self) -> str:
        return self.segments[-1].tier

    @property
    def paid_until(self) -> datetime | None:
        return max((c.end for c in self.covers), default=None)

    @property
    def continues_after_end(self) -> bool | None:
        """What the room does when the time bought runs out: the policy of the cover that
        ends last (True: overtime at the hourly rate; False: stop until 续钟; None: no cover)."""
        if not self.covers:
            return None
        last = max(self.covers, key=lambda c: c.end)
        return last.after is AfterCover.CONTINUE_HOURLY


class OrderSource(Enum):
    FRONT_DESK = "front_desk"
    ROOM = "room"  # the room's touchscreen or a guest's phone


class OrderStatus(Enum):
    PLACED = "placed"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class OrderLine:
    sku: str
    name: str
    quantity: int
    unit_fen: int  # pinned at order time from the tier's price list

    @property
    def amount_fen(self) -> int:
        return self.quantity * self.unit_fen


@dataclass(frozen=True)
class Order:
    order_id: str
    room: str
    lines: tuple[OrderLine, ...]
    source: OrderSource
    placed_at: datetime
    status: OrderStatus = OrderStatus.PLACED
    included: bool = False  # part of a package: shown, not charged
    comped: bool = False  # 赠送 by a manager
    note: str = ""  # cancel / comp reason

    @property
    def amount_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines)


@dataclass(frozen=True)
class Discount:
    """A manager's discount: ``percent_bp`` of the bill so far, or a fixed ``amount_fen``."""

    discount_id: str
    reason: str
    percent_bp: int = 0
    amount_fen: int = 0


class Tender(Enum):
    CASH = "cash"
    BANK_CARD = "bank_card"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    UNIONPAY_QR = "unionpay_qr"
    STORED_VALUE = "stored_value"  # member balance (membership plugs in through a hook)
    HOSPITALITY = "hospitality"  # 招待: on the house (a manager's right; not revenue)
    SIGNED_CREDIT = "signed_credit"  # 签单/挂账: signed to a named account (paid later)


@dataclass(frozen=True)
class Payment:
    """Money in (positive) or a refund (negative, ``refund_of`` the original payment).

    Cash records what was handed over and the change; the bill only sees ``amount_fen``.
    """

    payment_id: str
    tender: Tender
    amount_fen: int
    at: datetime
    tendered_fen: int = 0
    change_fen: int = 0
    provider: str = ""
    reference: str = ""
    refund_of: str = ""
    reason: str = ""


def new_id(kind: str) -> str:
    """A fresh opaque id such as ``order-3f2a...`` (tabs, orders, payments, covers)."""
    return f"{kind}-{uuid.uuid4().hex[:16]}"
