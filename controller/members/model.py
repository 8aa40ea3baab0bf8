"""Member values: who a member is, how their money and points move.

Money is integer fen, time is UTC. Every change to stored value or points is an entry in an
append-only ledger; balances are sums of entries (the store keeps a checked cache of them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from ktv.errors import InvalidArgument

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
CARD_RE = re.compile(r"^[A-Za-z0-9]{4,32}$")
PIN_RE = re.compile(r"^\d{4,8}$")
MEMBER_ID_RE = re.compile(r"^m-[0-9a-f]{6,32}$")


def check_phone(phone: str) -> str:
    """A mainland mobile number: 1[3-9] and nine more digits (spaces and dashes ignored)."""
    cleaned = re.sub(r"[\s-]", "", phone or "").removeprefix("+86")
    if not PHONE_RE.match(cleaned):
        raise InvalidArgument(
            f"{phone!r} is not a mainland mobile number (1[3-9]XXXXXXXXX)", reason="BAD_PHONE"
        )
    return cleaned


def check_card(card: str) -> str:
    if card and not CARD_RE.match(card):
        raise InvalidArgument(
            f"card number {card!r}: 4-32 letters or digits", reason="BAD_CARD_NUMBER"
        )
    return card


def check_pin(pin: str) -> str:
    if not PIN_RE.match(pin or ""):
        raise InvalidArgument("a member PIN is 4-8 digits", reason="BAD_PIN")
    return pin


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 40:
        raise InvalidArgument("a member needs a name (at most 40 characters)", reason="BAD_NAME")
    return name


class Tier(Enum):
    REGULAR = "regular"
    SILVER = "silver"
    GOLD = "gold"
    DIAMOND = "diamond"


class EntryKind(Enum):
    TOPUP = "topup"  # money in (principal) + promotion bonus
    PAYMENT = "payment"  # a bill paid from the balance
    PAYMENT_REFUND = "payment_refund"  # a bill payment given back to the balance
    CASH_OUT = "cash_out"  # unused stored value refunded: principal only, bonus forfeited


class BonusOrder(Enum):
    AFTER_PRINCIPAL = "after_principal"  # spend principal first, bonus when it is gone
    PRO_RATA = "pro_rata"  # each payment takes bonus in proportion to the balance


@dataclass(frozen=True)
class Balance:
    principal_fen: int = 0
    bonus_fen: int = 0

    @property
    def total_fen(self) -> int:
        return self.principal_fen + self.bonus_fen

    def plus(self, principal_fen: int, bonus_fen: int) -> Balance:
        return Balance(self.principal_fen + principal_fen, self.bonus_fen + bonus_fen)


@dataclass(frozen=True)
class Member:
    member_id: str
    phone: str
    name: str
    birthday: date | None
    card_number: str
    registered_at: datetime
    balance: Balance
    points: int
    tier: Tier
    has_pin: bool


@dataclass(frozen=True)
class LedgerEntry:
    """One change of a member's stored value (signed deltas)."""

    entry_id: int
    member_id: str
    kind: EntryKind
    principal_fen: int
    bonus_fen: int
    at: datetime
    request_id: str
    tender: str = ""  # how a top-up was paid (cash, wechat...)
    reference: str = ""  # bill, payment reference, note
    actor: str = ""

    @property
    def amount_fen(self) -> int:
        return self.principal_fen + self.bonus_fen


@dataclass(frozen=True)
class TopUpPromotion:
    """Top up at least ``min_topup_fen`` in one go and get ``bonus_fen`` (充500送100)."""

    min_topup_fen: int
    bonus_fen: int
