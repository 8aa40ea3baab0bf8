"""Points (积分): earned per fen spent by category and tier, redeemed as a discount or for
products, expiring by date. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from ktv.errors import FailedPrecondition, InvalidArgument


@dataclass(frozen=True)
class SpendLine:
    """What a bill line contributes: its category (room, drinks, food...) and amount."""

    category: str
    amount_fen: int


@dataclass(frozen=True)
class PointsRules:
    fen_per_point: int = 100  # 1 point per yuan
    category_bp: Mapping[str, int] = field(default_factory=lambda: {"room": 10_000})
    default_category_bp: int = 10_000  # categories not listed earn at 100 %
    fen_per_point_redeemed: int = 1  # 100 points = 1 yuan off


def points_earned(lines: Iterable[SpendLine], multiplier_bp: int, rules: PointsRules) -> int:
    """Points for a bill: each category at its rate, times the tier's multiplier (basis
    points, from the tier's benefits), rounded down."""
    weighted = sum(
        max(line.amount_fen, 0) * rules.category_bp.get(line.category, rules.default_category_bp)
        for line in lines
    )
    return weighted * multiplier_bp // (10_000 * 10_000 * rules.fen_per_point)


def discount_for(points: int, available: int, rules: PointsRules) -> int:
    """Fen off a bill for redeeming ``points`` (refused beyond what the member has)."""
    if points <= 0:
        raise InvalidArgument("redeem a positive number of points", reason="BAD_POINTS")
    if points > available:
        raise FailedPrecondition(f"only {available} points available", reason="INSUFFICIENT_POINTS")
    return points * rules.fen_per_point_redeemed


@dataclass(frozen=True)
class PointsEntry:
    points: int  # earned > 0; redeemed or expired < 0
    expires_on: date | None  # for earned points


def points_to_expire(entries: Sequence[PointsEntry], today: date) -> int:
    """Points that expire by ``today`` and were not spent yet (spending takes the oldest
    first): earned-and-expired minus everything already taken out, if positive."""
    expired = sum(
        e.points for e in entries if e.points > 0 and e.expires_on and e.expires_on <= today
    )
    taken = -sum(e.points for e in entries if e.points < 0)
    return max(expired - taken, 0)
