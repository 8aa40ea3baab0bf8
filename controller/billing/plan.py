"""Price plans: what an hour, a package, a 场次 session, a guest and a beer cost, by room
tier, time band and day type. A plan is an immutable, versioned value; a session pins the
version it opened under, so a price change never rewrites an open or closed bill.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from enum import Enum

from controller.billing.clock import VenueClock
from controller.billing.money import RoundingRule
from ktv.errors import InvalidArgument, NotFound
from ktv.limits import PRICE_BANDS_MAX, PrepaidLimits

MINUTES_PER_DAY = 24 * 60


class DayType(Enum):
    WEEKDAY = "weekday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"


# A missing rate for a day type falls back along this chain (holiday -> weekend -> weekday).
DAY_TYPE_FALLBACK: dict[DayType, tuple[DayType, ...]] = {
    DayType.WEEKDAY: (DayType.WEEKDAY,),
    DayType.WEEKEND: (DayType.WEEKEND, DayType.WEEKDAY),
    DayType.HOLIDAY: (DayType.HOLIDAY, DayType.WEEKEND, DayType.WEEKDAY),
}


@dataclass(frozen=True)
class HolidayCalendar:
    """Day types of business days: weekend weekdays (Mon=0), public holidays, and make-up
    working days (调休) that count as weekdays even on a weekend."""

    weekend_days: frozenset[int] = frozenset({5, 6})
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()

    def day_type(self, day: date) -> DayType:
        if day in self.holidays:
            return DayType.HOLIDAY
        if day in self.workdays:
            return DayType.WEEKDAY
        return DayType.WEEKEND if day.weekday() in self.weekend_days else DayType.WEEKDAY


def minute_of(t: time) -> int:
    return t.hour * 60 + t.minute


@dataclass(frozen=True)
class TimeBand:
    """A wall-clock band such as 白天档 10:00-18:00; ``end`` may wrap past midnight."""

    code: str
    label: str
    start: time
    end: time

    def minutes(self) -> set[int]:
        start, end = minute_of(self.start), minute_of(self.end)
        length = (end - start) % MINUTES_PER_DAY or MINUTES_PER_DAY
        return {(start + i) % MINUTES_PER_DAY for i in range(length)}


@dataclass(frozen=True)
class BlockRule:
    """Billing granularity for hourly room time.

    The first block is a minimum ("under 1 hour counts as 1 hour"); after it time is billed
    per started block (``block_minutes=1`` is per minute); a started block whose used part is
    at most ``grace_minutes`` is forgiven. A session closed within ``free_minutes`` of opening
    pays no room time.
    """

    first_block_minutes: int = 60
    block_minutes: int = 15
    grace_minutes: int = 0
    free_minutes: int = 0

    def __post_init__(self) -> None:
        if self.block_minutes < 1:
            raise InvalidArgument("block_minutes must be at least 1")
        if min(self.first_block_minutes, self.grace_minutes, self.free_minutes) < 0:
            raise InvalidArgument("block rule minutes must not be negative")
        if self.grace_minutes >= self.block_minutes and self.block_minutes > 1:
            raise InvalidArgument("grace_minutes must be shorter than block_minutes")

    def billable_seconds(self, actual_s: int, *, first_block: bool) -> int:
        """Seconds to charge for ``actual_s`` seconds used (first_block: apply the minimum)."""
        if actual_s <= 0 or (first_block and actual_s <= self.free_minutes * 60):
            return 0
        first = self.first_block_minutes * 60 if first_block else 0
        if actual_s <= first:
            return first
        block = self.block_minutes * 60
        full, rest = divmod(actual_s - first, block)
        if rest > self.grace_minutes * 60:
            full += 1
        return first + full * block


class AfterCover(Enum):
    """What happens when prepaid, package or 场次 time runs out."""

    CONTINUE_HOURLY = "continue_hourly"  # keep singing, overtime at the hourly rate
    REQUIRE_RENEWAL = "require_renewal"  # the room locks until 续钟 (overtime still billed)


class TierChange(Enum):
    """Pricing of remaining prepaid/package time when a session moves to another tier."""

    CARRY_OVER = "carry_over"  # remaining time moves for free
    CHARGE_DIFFERENCE = "charge_difference"  # upgrade pays the hourly-rate difference


class MinimumSpendBasis(Enum):
    """What counts toward 最低消费."""

    ROOM_AND_ORDERS = "room_and_orders"
    ORDERS_ONLY = "orders_only"


BandKey = tuple[DayType, str]


@dataclass(frozen=True)
class TierPrices:
    """Everything priced per room tier: hourly rates, minimum spend and per-head fee by
    (day type, band), and the tier's product price list (same beer, dearer in a VIP room)."""

    hourly_fen: Mapping[BandKey, int]
    minimum_spend_fen: Mapping[BandKey, int] = field(default_factory=dict)
    head_fee_fen: Mapping[BandKey, int] = field(default_factory=dict)
    product_fen: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class IncludedItem:
    sku: str
    quantity: int


@dataclass(frozen=True)
class Package:
    """套餐: ``minutes`` of room time for a flat price per tier, optionally with items,
    sold only when opened in ``bands`` on ``day_types`` (empty = any)."""

    code: str
    label: str
    minutes: int
    price_fen: Mapping[str, int]
    bands: frozenset[str] = frozenset()
    day_types: frozenset[DayType] = frozenset()
    items: tuple[IncludedItem, ...] = ()


@dataclass(frozen=True)
class SessionSlot:
    """场次: a named window of the business day (黄金场 18:00-24:00) at a flat price per
    tier. Bought late, it still ends at ``end``."""

    code: str
    label: str
    start: time
    end: time
    price_fen: Mapping[str, int]
    day_types: frozenset[DayType] = frozenset()
    after: AfterCover = AfterCover.REQUIRE_RENEWAL


@dataclass(frozen=True)
class BonusRule:
    """买钟赠送: every ``every_minutes`` bought in one purchase gives ``bonus_minutes`` free."""

    every_minutes: int
    bonus_minutes: int

    def bonus_for(self, bought_minutes: int) -> int:
        if self.every_minutes <= 0:
            return 0
        return (bought_minutes // self.every_minutes) * self.bonus_minutes


@dataclass(frozen=True)
class PricePlan:
    version: str
    bands: tuple[TimeBand, ...]
    tiers: Mapping[str, TierPrices]
    clock: VenueClock = field(default_factory=VenueClock)
    calendar: HolidayCalendar = field(default_factory=HolidayCalendar)
    blocks: BlockRule = field(default_factory=BlockRule)
    service_charge_bp: int = 0
    rounding: RoundingRule = RoundingRule.NONE
    minimum_basis: MinimumSpendBasis = MinimumSpendBasis.ROOM_AND_ORDERS
    packages: Mapping[str, Package] = field(default_factory=dict)
    slots: tuple[SessionSlot, ...] = ()
    bonus: BonusRule | None = None
    after_prepaid: AfterCover = AfterCover.CONTINUE_HOURLY
    tier_change: TierChange = TierChange.CHARGE_DIFFERENCE
    limits: PrepaidLimits = field(default_factory=PrepaidLimits)
    _band_index: tuple[int, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.version:
            raise InvalidArgument("a price plan needs a version")
        self._check_bands()
        codes = {b.code for b in self.bands}
        for tier, prices in self.tiers.items():
            for band in codes:
                if (DayType.WEEKDAY, band) not in prices.hourly_fen:
                    raise InvalidArgument(f"tier {tier!r} has no weekday rate for band {band!r}")
            for table in (prices.hourly_fen, prices.minimum_spend_fen, prices.head_fee_fen):
                for (_, band), fen in table.items():
                    if band not in codes:
                        raise InvalidArgument(f"tier {tier!r} prices unknown band {band!r}")
                    if fen < 0:
                        raise InvalidArgument(f"tier {tier!r}: negative amount {fen}")
            if any(fen < 0 for fen in prices.product_fen.values()):
                raise InvalidArgument(f"tier {tier!r}: negative product price")
        if not 0 <= self.service_charge_bp <= 10_000:
            raise InvalidArgument("service charge must be between 0 and 100 %")
        for pkg in self.packages.values():
            if pkg.minutes <= 0 or any(p < 0 for p in pkg.price_fen.values()):
                raise InvalidArgument(f"package {pkg.code!r}: bad minutes or price")
            if not pkg.bands <= codes:
                raise InvalidArgument(f"package {pkg.code!r} names an unknown band")
            if pkg.minutes > self.limits.session_max_minutes:
                raise InvalidArgument(
                    f"package {pkg.code!r}: {pkg.minutes} minutes is more than a session may "
                    f"buy ({self.limits.session_max_minutes})"
                )

    def _check_bands(self) -> None:
        if not self.bands:
            raise InvalidArgument("a price plan needs at least one time band")
        if len(self.bands) > PRICE_BANDS_MAX:
            raise InvalidArgument(f"a price plan has at most {PRICE_BANDS_MAX} time bands")
        index = [-1] * MINUTES_PER_DAY
        for i, band in enumerate(self.bands):
            for minute in band.minutes():
                if index[minute] != -1:
                    raise InvalidArgument(f"time band {band.code!r} overlaps another band")
                index[minute] = i
        if -1 in index:
            raise InvalidArgument("time bands must cover all 24 hours")
        if len({b.code for b in self.bands}) != len(self.bands):
            raise InvalidArgument("time band codes must be unique")
        object.__setattr__(self, "_band_index", tuple(index))

    def band_at_minute(self, minute_of_day: int) -> TimeBand:
        return self.bands[self._band_index[minute_of_day]]

    def band(self, code: str) -> TimeBand:
        for band in self.bands:
            if band.code == code:
                return band
        raise NotFound(f"no time band {code!r}", reason="UNKNOWN_BAND")

    def tier(self, tier: str) -> TierPrices:
        try:
            return self.tiers[tier]
        except KeyError:
            raise NotFound(
                f"no room tier {tier!r} in plan {self.version}", reason="UNKNOWN_TIER"
            ) from None

    def _lookup(self, table: Mapping[BandKey, int], day_type: DayType, band: str) -> int | None:
        for dt in DAY_TYPE_FALLBACK[day_type]:
            if (dt, band) in table:
                return table[(dt, band)]
        return None

    def hourly_fen(self, tier: str, day_type: DayType, band: str) -> int:
        rate = self._lookup(self.tier(tier).hourly_fen, day_type, band)
        assert rate is not None  # a weekday rate exists for every band (checked at build)
        return rate

    def minimum_spend_fen(self, tier: str, day_type: DayType, band: str) -> int:
        return self._lookup(self.tier(tier).minimum_spend_fen, day_type, band) or 0

    def head_fee_fen(self, tier: str, day_type: DayType, band: str) -> int:
        return self._lookup(self.tier(tier).head_fee_fen, day_type, band) or 0

    def product_fen(self, tier: str, sku: str, base_fen: int) -> int:
        """The tier's price for a product, or the menu's base price."""
        return self.tier(tier).product_fen.get(sku, base_fen)

    def package(self, code: str) -> Package:
        try:
            return self.packages[code]
        except KeyError:
            raise NotFound(
                f"no package {code!r} in plan {self.version}", reason="UNKNOWN_PACKAGE"
            ) from None
