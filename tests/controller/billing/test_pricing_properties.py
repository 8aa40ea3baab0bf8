"""Properties of the pricing core: time is split without losing a second, in any timezone
(DST included), and the block rule never charges less for staying longer."""

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from controller.billing.clock import VenueClock
from controller.billing.plan import BlockRule
from controller.billing.pricing import band_pieces

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
