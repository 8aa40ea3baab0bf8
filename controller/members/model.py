"""Member values: who a member is, how their money and points move.

Money is integer fen, time is UTC. Every change to stored value or points is an entry in an
append-only ledger; balances are sums of entries (the store keeps a checked cache of them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from controller.auth.model import new_pin
from ktv.errors import InvalidArgument
from ktv.limits import CODE_MAX_CHARS, PHONE_MAX_DIGITS
from ktv.text import half_width_digits, nfkc, short

# ASCII only: ``\d`` would take full-width and Arabic-Indic digits (one number, two members)
PHONE_RE = re.compile(r"1[3-9][0-9]{9}", re.ASCII)
CARD_RE = re.compile(r"[A-Za-z0-9]{4,32}", re.ASCII)
MEMBER_ID_RE = re.compile(r"^m-[0-9a-f]{6,32}$")
# what people type between the digits of a phone number (ASCII and full-width forms)
_PHONE_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212\uff0d().\uff08\uff09]")


def phone_digits(phone: str) -> str | None:
    """``phone`` as stored and looked up (11 ASCII digits), or None when it is not a mainland
    mobile number: full-width digits mapped, spaces, dashes, dots and brackets dropped, a
    leading +86 / 0086 removed; superscripts, circled and Arabic-Indic digits refused."""
    phone = phone or ""
    if len(phone) > 4 * PHONE_MAX_DIGITS + 16:
        return None
    cleaned = _PHONE_SEPARATORS.sub("", half_width_digits(phone).replace("\uff0b", "+"))
    for prefix in ("+86", "0086"):
        if cleaned.startswith(prefix) and len(cleaned) > 11:
            cleaned = cleaned.removeprefix(prefix)
    return cleaned if PHONE_RE.fullmatch(cleaned) else None


def check_phone(phone: str) -> str:
    """A mainland mobile number: 1[3-9] and nine more digits (see :func:`phone_digits`)."""
    digits = phone_digits(phone)
    if digits is None:
        raise InvalidArgument(
            f"{short(phone or '')} is not a mainland mobile number (1[3-9]XXXXXXXXX)",
            reason="BAD_PHONE",
        )
    return digits


def card_number(card: str) -> str:
    """A card number as stored and looked up: NFKC (a full-width swipe or IME entry becomes
    ASCII), surrounding whitespace dropped; '' stays ''."""
    card = card or ""
    return nfkc(card) if len(card) <= 4 * CODE_MAX_CHARS + 16 else card


def check_card(card: str) -> str:
    value = card_number(card)
    if value and not CARD_RE.fullmatch(value):
        raise InvalidArgument(
            f"card number {short(card)}: 4-32 letters or digits", reason="BAD_CARD_NUMBER"
        )
    return value


def check_pin(pin: str) -> str:
    """A member PIN being set: 4-8 ASCII digits (full-width mapped), the PIN that is stored."""
    return new_pin(pin)


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
