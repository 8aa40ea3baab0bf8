"""Properties of the pricing core: time is split without losing a second, in any timezone
(DST included), and the block rule never charges less for staying longer."""

import itertools
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from controller.billing.clock import VenueClock
from controller.billing.money import prorate
from controller.billing.plan import BlockRule, DayType, PricePlan, TierPrices, TimeBand
from controller.billing.pricing import band_pieces, price_interval

from .conftest import build_plan

ZONES = ["Asia/Shanghai", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]
# around the 2026 DST changes in Europe (29 Mar, 25 Oct) and the US (8 Mar, 1 Nov)
START = datetime(2026, 3, 1, tzinfo=UTC)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(ZONES), st.integers(0, 280 * 24 * 60), st.integers(1, 30 * 60))
def test_time_is_split_into_bands_without_losing_a_second(zone, start_min, length_min):
    plan = replace(build_plan(), clock=VenueClock(zone, build_plan().clock.cutoff))
    start = START + timedelta(minutes=start_min)
    end = start + timedelta(minutes=length_min)
    pieces = band_pieces(plan, start, end)
    assert pieces[0].start == start and pieces[-1].end == end
    assert all(a.end == b.start for a, b in itertools.pairwise(pieces))
    assert sum(p.seconds for p in pieces) == length_min * 60
    for p in pieces:
        assert p.seconds > 0
        assert plan.clock.business_day(p.start) == p.business_day
        assert plan.band_at_minute(plan.clock.minutes_into_day(p.start)).code == p.band


@given(
    st.integers(0, 120),
    st.integers(1, 30),
    st.integers(0, 29),
    st.integers(0, 10),
    st.integers(0, 10 * 3600),
    st.integers(1, 3600),
    st.booleans(),
)
def test_staying_longer_never_costs_less_and_grace_is_the_only_discount(
    first, block, grace, free, actual, more, first_block
):
    if grace >= block and block > 1:
        grace = block - 1
    rule = BlockRule(first, block, grace, free)
    now, later = (
        rule.billable_seconds(actual, first_block=first_block),
        rule.billable_seconds(actual + more, first_block=first_block),
    )
    assert later >= now
    if actual > free * 60 or not first_block:
        assert now >= actual - grace * 60 - (60 if block == 1 else 0)


@st.composite
def random_plans(draw) -> PricePlan:
    """A plan with 1-6 bands at random wall-clock minutes, random rates and cut-off."""
    n = draw(st.integers(1, 6))
    cuts = sorted(draw(st.sets(st.integers(0, 24 * 60 - 1), min_size=n, max_size=n)))
    bands = []
    for i, start in enumerate(cuts):
        end = cuts[(i + 1) % n]
        bands.append(
            TimeBand(f"b{i}", f"档{i}", time(start // 60, start % 60), time(end // 60, end % 60))
        )
    rates = {}
    for band in bands:
        rates[(DayType.WEEKDAY, band.code)] = draw(st.integers(0, 60_000))
        if draw(st.booleans()):
            rates[(DayType.WEEKEND, band.code)] = draw(st.integers(0, 60_000))
    cutoff = draw(st.integers(0, 24 * 60 - 1))
    clock = VenueClock(draw(st.sampled_from(ZONES)), time(cutoff // 60, cutoff % 60))
    return build_plan(
        bands=tuple(bands),
        tiers={"small": TierPrices(rates)},
        clock=clock,
        packages={},
        slots=(),
    )


def _per_minute_reference(plan: PricePlan, start: datetime, minutes: int) -> list[tuple]:
    """The obvious way: walk the time minute by minute, group minutes of the same business
    day and band, price each group at its rate (half up, per line)."""
    groups: list[list] = []
    for i in range(minutes):
        t = start + timedelta(minutes=i)
        day = plan.clock.business_day(t)
        band = plan.band_at_minute(plan.clock.minutes_into_day(t)).code
        if groups and groups[-1][0] == (day, band):
            groups[-1][2] += 60
        else:
            groups.append([(day, band), t, 60])
    out = []
    for (day, band), t, seconds in groups:
        rate = plan.hourly_fen("small", plan.calendar.day_type(day), band)
        out.append((band, t, seconds, rate, prorate(rate, seconds)))
    return out


@settings(max_examples=300, deadline=None)
@given(random_plans(), st.integers(0, 300 * 24 * 60), st.integers(1, 24 * 60))
def test_pricing_by_band_pieces_equals_pricing_minute_by_minute(plan, start_min, minutes):
    start = START + timedelta(minutes=start_min)
    fast = price_interval(plan, "", "small", start, start + timedelta(minutes=minutes))
    assert [
        (c.band, c.start, c.billed_seconds, c.rate_fen, c.amount_fen) for c in fast
    ] == _per_minute_reference(plan, start, minutes)


# the days the clocks change in ZONES' 2026 (minutes after START, midnight UTC of the day before)
DST_DAYS_MIN = [d * 24 * 60 for d in (6, 7, 27, 28, 34, 35, 216, 217, 236, 237, 244, 245)]


@settings(max_examples=300, deadline=None)
@given(
    random_plans(),
    st.sampled_from(DST_DAYS_MIN),
    st.integers(0, 48 * 60),
    st.integers(1, 24 * 60),
)
def test_pricing_follows_the_wall_clock_when_the_clocks_change(plan, day_min, offset, minutes):
    """An hour shown twice when DST ends is priced by the band the wall clock shows each
    time; an hour skipped when it starts is never priced."""
    start = START + timedelta(minutes=day_min + offset)
    fast = price_interval(plan, "", "small", start, start + timedelta(minutes=minutes))
    assert [
        (c.band, c.start, c.billed_seconds, c.rate_fen, c.amount_fen) for c in fast
    ] == _per_minute_reference(plan, start, minutes)
