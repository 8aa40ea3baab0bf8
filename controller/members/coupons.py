"""Coupons: fixed amount, percent off, or a free item; minimum spend, categories, validity
window, stacking. Pure: what a coupon is worth on a bill, or why it cannot be used."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from controller.billing.money import div_half_up
from controller.members.points import SpendLine
from ktv.errors import FailedPrecondition, InvalidArgument
from ktv.limits import FEN_MAX, PERCENT_BP_MAX, check_fen


class CouponKind(Enum):
    FIXED = "fixed"  # value: fen off
    PERCENT = "percent"  # value: basis points off (1000 = 10 %)
    FREE_ITEM = "free_item"  # value: fen of the item (its price, up to this)


@dataclass(frozen=True)
class CouponSpec:
    kind: CouponKind
    value: int
    valid_from: datetime
    valid_until: datetime
    min_spend_fen: int = 0
    categories: tuple[str, ...] = ()  # empty: the whole bill
    stackable: bool = False
    campaign: str = ""

    def __post_init__(self) -> None:
        top = PERCENT_BP_MAX if self.kind is CouponKind.PERCENT else FEN_MAX
        if isinstance(self.value, bool) or not 0 < self.value <= top:
            raise InvalidArgument(
                f"a {self.kind.value} coupon's value is 1-{top}, got {self.value}",
                reason="BAD_COUPON",
            )
        check_fen(self.min_spend_fen, what="a coupon's minimum spend", reason="BAD_COUPON")
        if self.valid_until <= self.valid_from:
            raise InvalidArgument("a coupon must be valid for some time", reason="BAD_COUPON")


@dataclass(frozen=True)
class Coupon:
    code: str
    member_id: str
    spec: CouponSpec
    issued_at: datetime
    used_at: datetime | None = None
    used_bill: str = ""


def coupon_value(coupon: Coupon, lines: Sequence[SpendLine], now: datetime) -> int:
    """Fen off the bill for this coupon, or raise why it does not apply."""
    spec = coupon.spec
    if coupon.used_at is not None:
        raise FailedPrecondition(f"coupon {coupon.code} was already used", reason="COUPON_USED")
    if not spec.valid_from <= now < spec.valid_until:
        raise FailedPrecondition(
            f"coupon {coupon.code} is valid {spec.valid_from:%Y-%m-%d} to "
            f"{spec.valid_until:%Y-%m-%d}",
            reason="COUPON_NOT_VALID_NOW",
        )
    eligible = sum(
        line.amount_fen for line in lines if not spec.categories or line.category in spec.categories
    )
    if eligible < max(spec.min_spend_fen, 1):
        raise FailedPrecondition(
            f"coupon {coupon.code} needs a spend of {spec.min_spend_fen} fen on "
            f"{', '.join(spec.categories) or 'the bill'}",
            reason="COUPON_MIN_SPEND",
        )
    if spec.kind is CouponKind.PERCENT:
        return div_half_up(eligible * spec.value, 10_000)
    return min(spec.value, eligible)


def check_stacking(coupons: Sequence[Coupon]) -> None:
    """At most one non-stackable coupon per bill; stackable ones combine freely."""
    single = [c for c in coupons if not c.spec.stackable]
    if len(single) > 1 or (single and len(coupons) > 1):
        raise FailedPrecondition(
            "only one coupon per bill unless every coupon is stackable", reason="COUPON_STACKING"
        )
    if len({c.code for c in coupons}) != len(coupons):
        raise InvalidArgument("the same coupon twice", reason="COUPON_REPEATED")


def redeem_total(coupons: Sequence[Coupon], lines: Sequence[SpendLine], now: datetime) -> int:
    check_stacking(coupons)
    total = sum(coupon_value(c, lines, now) for c in coupons)
    return min(total, sum(line.amount_fen for line in lines))
