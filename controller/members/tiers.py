"""Tiers by rolling 12-month spend, their benefits, behaviour tags and an RFM score. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum

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
    return 1 + sum(value >= c for c in cuts)


def profile(a: Activity, now: datetime) -> Profile:
    tags: set[Tag] = set()
    if now - a.registered_at <= timedelta(days=settings.new_member_days):
        tags.add(Tag.NEW)
    if a.visits_90d >= settings.high_frequency_visits_90d:
        tags.add(Tag.HIGH_FREQUENCY)
    if a.spend_12m_fen >= settings.vip_spend_12m_fen:
        tags.add(Tag.VIP)
    seen = a.last_visit or a.registered_at
    idle_days = (now - seen).total_seconds() / 86_400
    if idle_days >= settings.dormant_after_days:
        tags.add(Tag.DORMANT)
    if a.birthday is not None and a.birthday.month == now.month:
        tags.add(Tag.BIRTHDAY_THIS_MONTH)
    recency = 6 - _score(idle_days, (7, 30, 90, 180)) if a.last_visit else 1
    frequency = _score(a.visits_12m, (2, 4, 8, 16))
    monetary = _score(a.spend_12m_fen, (50_000, 200_000, 500_000, 1_500_000))
    return Profile(frozenset(tags), f"R{recency}F{frequency}M{monetary}")
