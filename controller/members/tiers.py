"""Tiers by rolling 12-month spend, their benefits, behaviour tags and an RFM score. Pure."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum
from functools import lru_cache

from controller.members import settings
from controller.members.model import Tier

ROLLING_DAYS = 365


@dataclass(frozen=True)
class TierBenefits:
    room_discount_bp: int
    drink_discount_bp: int
    points_multiplier_bp: int


@dataclass(frozen=True)
class TierRules:
    """Spend over the last 12 months that reaches each tier (fen) and what it gives."""

    thresholds_fen: Mapping[Tier, int] = field(
        default_factory=lambda: {
            Tier.SILVER: 300_000,
            Tier.GOLD: 1_000_000,
            Tier.DIAMOND: 3_000_000,
        }
    )
    benefits: Mapping[Tier, TierBenefits] = field(
        default_factory=lambda: {
            Tier.REGULAR: TierBenefits(0, 0, 10_000),
            Tier.SILVER: TierBenefits(500, 500, 12_000),
            Tier.GOLD: TierBenefits(1_000, 800, 15_000),
            Tier.DIAMOND: TierBenefits(1_500, 1_000, 20_000),
        }
    )


def rolling_spend(visits: Iterable[tuple[datetime, int]], now: datetime) -> int:
    since = now - timedelta(days=ROLLING_DAYS)
    return sum(spend for at, spend in visits if since < at <= now)


def tier_for(spend_12m_fen: int, rules: TierRules = TierRules()) -> Tier:
    """The highest tier the spend reaches: up as soon as it is reached, down when old
    visits roll out of the 12 months."""
    best = Tier.REGULAR
    for tier in (Tier.SILVER, Tier.GOLD, Tier.DIAMOND):
        if spend_12m_fen >= rules.thresholds_fen[tier]:
            best = tier
    return best


class Tag(Enum):
    NEW = "new"
    HIGH_FREQUENCY = "high_frequency"
    VIP = "high_value_vip"
    DORMANT = "dormant"
    BIRTHDAY_THIS_MONTH = "birthday_this_month"


@dataclass(frozen=True)
class Activity:
    """What tags and RFM are computed from (the store aggregates it per member)."""

    registered_at: datetime
    birthday: date | None
    last_visit: datetime | None
    visits_90d: int
    visits_12m: int
    spend_12m_fen: int


@dataclass(frozen=True)
class Profile:
    tags: frozenset[Tag]
    rfm: str  # "R5F3M4": 1 (worst) .. 5 (best) each


def _score(value: float, cuts: tuple[float, float, float, float]) -> int:
    return 1 + bisect_right(cuts, value)


RECENCY_CUTS_DAYS = (7.0, 30.0, 90.0, 180.0)
FREQUENCY_CUTS = (2.0, 4.0, 8.0, 16.0)
MONETARY_CUTS_FEN = (50_000.0, 200_000.0, 500_000.0, 1_500_000.0)


def profile(a: Activity, now: datetime) -> Profile:
    idle = a.last_visit or a.registered_at
    return profile_of(
        member_days=(now - a.registered_at).total_seconds() / 86_400,
        idle_days=(now - idle).total_seconds() / 86_400,
        has_visited=a.last_visit is not None,
        birthday_this_month=a.birthday is not None and a.birthday.month == now.month,
        visits_90d=a.visits_90d,
        visits_12m=a.visits_12m,
        spend_12m_fen=a.spend_12m_fen,
    )


def profile_of(
    *,
    member_days: float,
    idle_days: float,
    has_visited: bool,
    birthday_this_month: bool,
    visits_90d: int,
    visits_12m: int,
    spend_12m_fen: int,
) -> Profile:
    """Tags and RFM from plain numbers (the all-members recomputation feeds this directly)."""
    recency = 6 - _score(idle_days, RECENCY_CUTS_DAYS) if has_visited else 1
    return _profile(
        member_days <= settings.new_member_days,
        visits_90d >= settings.high_frequency_visits_90d,
        spend_12m_fen >= settings.vip_spend_12m_fen,
        idle_days >= settings.dormant_after_days,
        birthday_this_month,
        recency,
        _score(visits_12m, FREQUENCY_CUTS),
        _score(spend_12m_fen, MONETARY_CUTS_FEN),
    )


@lru_cache(maxsize=4096)
def _profile(
    new: bool, frequent: bool, vip: bool, dormant: bool, birthday: bool, r: int, f: int, m: int
) -> Profile:
    flags = (
        (new, Tag.NEW),
        (frequent, Tag.HIGH_FREQUENCY),
        (vip, Tag.VIP),
        (dormant, Tag.DORMANT),
        (birthday, Tag.BIRTHDAY_THIS_MONTH),
    )
    return Profile(frozenset(tag for on, tag in flags if on), f"R{r}F{f}M{m}")
