"""Room time pricing: split time into (business day, band) pieces, price them at the tier's
hourly rate, apply the block rule, and price time bought up front (prepaid, package, 场次).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from controller.billing.clock import require_utc
from controller.billing.money import prorate
from controller.billing.plan import DayType, PricePlan, SessionSlot
from controller.billing.records import Segment
from ktv.errors import FailedPrecondition, InvalidArgument, NotFound
from ktv.limits import PREPAID_MINUTES_CEILING


@dataclass(frozen=True)
class BandPiece:
    """A stretch of time inside one business day and one time band."""

    start: datetime
    end: datetime
    business_day: date
    day_type: DayType
    band: str

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())


def _next_wall_time(tz: ZoneInfo, t: datetime, wall: time) -> datetime:
    """The first instant after ``t`` at which the venue's wall clock reads ``wall``: either
    pass of an hour repeated when DST ends; a time skipped when DST starts moves forward."""
    today = t.astimezone(tz).date()
    for day in (today, today + timedelta(days=1)):
        first = datetime.combine(day, wall, tzinfo=tz)
        second = first.replace(fold=1)
        candidates = [first]
        if first.utcoffset() != second.utcoffset() and first.utcoffset() > second.utcoffset():
            candidates.append(second)  # an hour the clock shows twice
        for at in candidates:
            instant = at.astimezone(UTC)
            if instant > t:
                return instant
    raise AssertionError("a wall-clock time recurs within two days")  # pragma: no cover


def _offset_change(tz: ZoneInfo, t: datetime, stop: datetime) -> datetime:
    """The first instant in (t, stop] where the UTC offset differs from t's, else ``stop``.
    Such instants are rare (DST), so bisecting whole seconds is cheap."""
    offset = t.astimezone(tz).utcoffset()
    if stop.astimezone(tz).utcoffset() == offset:
        return stop
    low, high = 0, int((stop - t).total_seconds())
    while high - low > 1:
        mid = (low + high) // 2
        if (t + timedelta(seconds=mid)).astimezone(tz).utcoffset() == offset:
            low = mid
        else:
            high = mid
    return t + timedelta(seconds=high)


def band_pieces(plan: PricePlan, start: datetime, end: datetime) -> list[BandPiece]:
    """Split [start, end) where the band or the business day changes (by the venue's wall
    clock, DST included): one piece per band crossed, work proportional to the pieces."""
    start, end = require_utc(start), require_utc(end)
    pieces: list[BandPiece] = []
    t = start
    clock = plan.clock
    while t < end:
        day = clock.business_day(t)
        band = plan.band_at_minute(clock.minutes_into_day(t))
        stop = min(
            _next_wall_time(clock.tz, t, band.end),
            _next_wall_time(clock.tz, t, clock.cutoff),
            end,
        )
        stop = _offset_change(clock.tz, t, stop)
        last = pieces[-1] if pieces else None
        if last is not None and (last.business_day, last.band) == (day, band.code):
            # the same band and day go on (a 24 h band, a DST change): one piece
            pieces[-1] = BandPiece(last.start, stop, day, last.day_type, band.code)
        else:
            pieces.append(BandPiece(t, stop, day, plan.calendar.day_type(day), band.code))
        t = stop
    return pieces


def band_at(plan: PricePlan, instant: datetime) -> BandPiece:
    """The business day, day type and band an instant falls in."""
    return band_pieces(plan, instant, require_utc(instant) + timedelta(seconds=1))[0]


@dataclass(frozen=True)
class TimeCharge:
    """Room time priced at one rate: ``billed_seconds`` x ``rate_fen`` per hour."""

    room: str
    tier: str
    band: str
    day_type: DayType
    start: datetime
    end: datetime
    billed_seconds: int
    rate_fen: int
    amount_fen: int


def _charges(
    plan: PricePlan, room: str, tier: str, start: datetime, end: datetime
) -> list[TimeCharge]:
    out = []
    for piece in band_pieces(plan, start, end):
        rate = plan.hourly_fen(tier, piece.day_type, piece.band)
        out.append(
            TimeCharge(
                room,
                tier,
                piece.band,
                piece.day_type,
                piece.start,
                piece.end,
                piece.seconds,
                rate,
                prorate(rate, piece.seconds),
            )
        )
    return out


def price_interval(
    plan: PricePlan, room: str, tier: str, start: datetime, end: datetime
) -> list[TimeCharge]:
    """Exact price of [start, end) in one tier, per band (used for prepaid blocks)."""
    return _charges(plan, room, tier, start, end)


def uncovered(
    segments: Sequence[Segment], covers: Iterable[tuple[datetime, datetime]], until: datetime
) -> list[Segment]:
    """The parts of ``segments`` (open ends closed at ``until``) outside every cover."""
    spans = sorted(covers)
    out: list[Segment] = []
    for seg in segments:
        pos, stop = seg.start, min(seg.end or until, until)
        for c_start, c_end in spans:
            if c_end <= pos or c_start >= stop:
                continue
            if c_start > pos:
                out.append(Segment(seg.room, seg.tier, pos, c_start))
            pos = max(pos, c_end)
            if pos >= stop:
                break
        if pos < stop:
            out.append(Segment(seg.room, seg.tier, pos, stop))
    return out


def price_hourly(
    plan: PricePlan, segments: Sequence[Segment], *, first_block: bool
) -> list[TimeCharge]:
    """Price closed uncovered segments by the block rule applied to their total.

    The time used is measured exactly and rounded up to whole seconds (a started second
    counts, like a started block: a stay under a second still meets the first-block minimum).
    The billed time is laid over the actual pieces from the start; time added by rounding up
    is charged at the rate of the last piece, time forgiven by grace comes off the end.
    """
    pieces: list[TimeCharge] = []
    used = timedelta()
    for seg in segments:
        assert seg.end is not None
        pieces.extend(_charges(plan, seg.room, seg.tier, seg.start, seg.end))
        used += seg.end - seg.start
    actual = -(-used // timedelta(seconds=1))
    billable = plan.blocks.billable_seconds(actual, first_block=first_block)
    out: list[TimeCharge] = []
    left = billable
    for i, p in enumerate(pieces):
        if left <= 0:
            break
        last = i == len(pieces) - 1
        secs = left if last else min(left, p.billed_seconds)
        left -= secs
        out.append(
            TimeCharge(
                p.room,
                p.tier,
                p.band,
                p.day_type,
                p.start,
                p.end,
                secs,
                p.rate_fen,
                prorate(p.rate_fen, secs),
            )
        )
    return out


def _check_open(plan: PricePlan, tier: str) -> None:
    plan.tier(tier)


def package_cover(plan: PricePlan, code: str, tier: str, at: datetime) -> tuple[datetime, int]:
    """(end, price) of package ``code`` opened at ``at``; refuses outside its bands/days."""
    _check_open(plan, tier)
    pkg = plan.package(code)
    piece = band_at(plan, at)
    if pkg.bands and piece.band not in pkg.bands:
        raise FailedPrecondition(
            f"package {code!r} is not sold in band {piece.band!r}", reason="PACKAGE_NOT_VALID_NOW"
        )
    if pkg.day_types and piece.day_type not in pkg.day_types:
        raise FailedPrecondition(
            f"package {code!r} is not sold on a {piece.day_type.value}",
            reason="PACKAGE_NOT_VALID_NOW",
        )
    if tier not in pkg.price_fen:
        raise FailedPrecondition(
            f"package {code!r} is not sold for tier {tier!r}", reason="PACKAGE_NOT_VALID_NOW"
        )
    return at + timedelta(minutes=pkg.minutes), pkg.price_fen[tier]


def find_slot(plan: PricePlan, code: str, at: datetime) -> tuple[SessionSlot, datetime, datetime]:
    """The 场次 ``code`` running at ``at``: (slot, its start, its end) in the business day."""
    day = plan.clock.business_day(at)
    day_type = plan.calendar.day_type(day)
    matches = [s for s in plan.slots if s.code == code or s.label == code]
    if not matches:
        raise NotFound(f"no session {code!r} in plan {plan.version}", reason="UNKNOWN_SESSION")
    for slot in matches:
        if slot.day_types and day_type not in slot.day_types:
            continue
        start = plan.clock.at(day, slot.start)
        end = plan.clock.at(day, slot.end)
        if end <= start:
            end += timedelta(days=1)
        if start <= at < end:
            return slot, start, end
    raise FailedPrecondition(f"session {code!r} is not running now", reason="SESSION_NOT_RUNNING")


def slot_cover(
    plan: PricePlan, code: str, tier: str, at: datetime
) -> tuple[SessionSlot, datetime, int]:
    """(slot, end, flat price) of a 场次 bought at ``at`` (late buyers still end at its end)."""
    _check_open(plan, tier)
    slot, _, end = find_slot(plan, code, at)
    if tier not in slot.price_fen:
        raise FailedPrecondition(
            f"session {code!r} is not sold for tier {tier!r}", reason="SESSION_NOT_RUNNING"
        )
    return slot, end, slot.price_fen[tier]


def prepaid_cover(
    plan: PricePlan, tier: str, at: datetime, minutes: int
) -> tuple[datetime, int, list[TimeCharge]]:
    """(end incl. bonus, bonus minutes, per-band charges) of ``minutes`` bought from ``at``."""
    if minutes <= 0:
        raise InvalidArgument("prepaid time must be positive", reason="BAD_DURATION")
    if minutes > PREPAID_MINUTES_CEILING:  # callers check the plan's limits; never price more
        raise InvalidArgument(f"cannot price {minutes} minutes", reason="PREPAID_TOO_LONG")
    _check_open(plan, tier)
    paid_end = at + timedelta(minutes=minutes)
    bonus = plan.bonus.bonus_for(minutes) if plan.bonus else 0
    return paid_end + timedelta(minutes=bonus), bonus, price_interval(plan, "", tier, at, paid_end)


def tier_difference_fen(
    plan: PricePlan, old_tier: str, new_tier: str, start: datetime, end: datetime
) -> int:
    """What an upgrade costs for covered time left in [start, end) (never negative)."""
    if end <= start:
        return 0
    new = sum(c.amount_fen for c in price_interval(plan, "", new_tier, start, end))
    old = sum(c.amount_fen for c in price_interval(plan, "", old_tier, start, end))
    return max(0, new - old)
