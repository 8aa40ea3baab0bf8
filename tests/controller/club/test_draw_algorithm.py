"""ktv-draw-v1, the pure draw: the commitment is sha256 of the seed, the winners follow from
the seed and the sorted entrants exactly as docs/guest.md says (an independent reading of the
text agrees on random inputs), nobody outside the entrants wins, and verify() catches a
swapped seed, a changed entrant list or a changed winner."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from controller.club import draws
from controller.club.draws import (
    BillCandidate,
    DrawRule,
    Eligibility,
    MemberCandidate,
    Prize,
    PrizeKind,
    Published,
)
from ktv.errors import InvalidArgument

SEED = "00" * 31 + "2a"
T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def as_documented(seed_hex: str, draw_id: str, entrants: list[str], count: int) -> list[str]:
    """docs/guest.md's algorithm, read from the text, not from the module."""
    seed = bytes.fromhex(seed_hex)
    pool = sorted(set(entrants), key=str.encode)
    won = []
    for r in range(min(count, len(pool))):
        n, c = len(pool), 0
        while True:
            h = hashlib.sha256(
                seed + draw_id.encode() + r.to_bytes(4, "big") + c.to_bytes(4, "big")
            )
            x = int.from_bytes(h.digest(), "big")
            if x < 2**256 - 2**256 % n:
                break
            c += 1
        won.append(pool.pop(x % n))
    return won


def test_the_commitment_is_sha256_of_the_seed_bytes() -> None:
    assert draws.commitment(SEED) == hashlib.sha256(bytes.fromhex(SEED)).hexdigest()
    with pytest.raises(InvalidArgument):
        draws.commitment("abc")


def test_a_known_draw_gives_the_same_winners_forever() -> None:
    entrants = [f"bills/t{i}" for i in range(10)]
    first = draws.draw_winners(SEED, "d1", entrants, 3)
    assert first == draws.draw_winners(SEED, "d1", list(reversed(entrants)), 3)
    assert first == as_documented(SEED, "d1", entrants, 3)
    assert len(set(first)) == 3
    assert draws.draw_winners(SEED, "d2", entrants, 3) != first  # the draw id is in the hash


@settings(max_examples=60, deadline=None)
@given(
    seed=st.binary(min_size=32, max_size=32).map(bytes.hex),
    entrants=st.lists(st.text(min_size=1, max_size=12), max_size=30),
    count=st.integers(1, 12),
)
def test_winners_are_entrants_distinct_and_as_the_text_says(seed, entrants, count) -> None:
    won = draws.draw_winners(seed, "draw", entrants, count)
    assert set(won) <= set(entrants)
    assert len(won) == len(set(won)) == min(count, len(set(entrants)))
    assert won == as_documented(seed, "draw", entrants, count)


def published(entrants: list[str], count: int = 2) -> Published:
    ordered = draws.entrant_order(entrants)
    return Published(
        "d1",
        draws.commitment(SEED),
        SEED,
        tuple(ordered),
        count,
        tuple(draws.draw_winners(SEED, "d1", ordered, count)),
    )


def test_verify_passes_a_true_draw_and_names_each_tampering() -> None:
    good = published([f"members/m{i}" for i in range(6)])
    assert draws.verify(good) == []
    other_seed = "11" * 32
    assert "commitment" in draws.verify(replace(good, seed=other_seed))[0]
    without_winner = replace(good, entrants=tuple(e for e in good.entrants if e != good.winners[0]))
    assert any("outside the entrants" in p for p in draws.verify(without_winner))
    loser = next(e for e in good.entrants if e not in good.winners)
    swapped = replace(good, winners=(loser, *good.winners[1:]))
    assert any("winners should be" in p for p in draws.verify(swapped))
    unsorted = replace(good, entrants=tuple(reversed(good.entrants)))
    assert any("documented" in p for p in draws.verify(unsorted))
    outsider = replace(good, winners=("members/nobody", *good.winners[1:]))
    assert any("outside the entrants" in p for p in draws.verify(outsider))


def rule(eligibility: Eligibility, prize: PrizeKind, **kw) -> DrawRule:  # type: ignore[no-untyped-def]
    return DrawRule(
        T0,
        T0 + timedelta(hours=4),
        eligibility,
        Prize(prize, 5000, "beer" if prize is PrizeKind.COMP_PRODUCT else ""),
        2,
        **kw,
    )


def bill(tab: str, opened_h: float, closed_h: float | None, total: int, *members: str):  # type: ignore[no-untyped-def]
    return BillCandidate(
        tab,
        "A0" + tab[-1],
        T0 + timedelta(hours=opened_h),
        None if closed_h is None else T0 + timedelta(hours=closed_h),
        total,
        tuple(members),
    )


BILLS = [
    bill("t1", -2, -1, 90_000, "m1"),  # closed before the window: out
    bill("t2", -1, 1, 40_000, "m2"),  # overlaps, over 300, closed
    bill("t3", 1, None, 35_000),  # open, over 300, no member
    bill("t4", 2, None, 20_000, "m4"),  # open, under 300
    bill("t5", 5, None, 99_000, "m5"),  # opened after the window: out
]


def test_bill_over_300_enters_the_window_s_bills_that_reached_it() -> None:
    comp = rule(Eligibility.BILL_OVER, PrizeKind.COMP_AMOUNT, min_bill_fen=30_000)
    assert draws.eligible_bills(comp, BILLS) == ["bills/t3"]  # a comp needs an open bill
    coupon = rule(Eligibility.BILL_OVER, PrizeKind.COUPON, min_bill_fen=30_000)
    assert draws.eligible_bills(coupon, BILLS) == ["bills/t2"]  # a coupon needs a member


def test_rooms_open_in_the_window_enter_whatever_they_spent() -> None:
    comp = rule(Eligibility.ROOM_OPEN, PrizeKind.COMP_PRODUCT)
    assert draws.eligible_bills(comp, BILLS) == ["bills/t3", "bills/t4"]


def test_members_of_a_tier_or_higher_who_signed_in_in_the_window() -> None:
    at = T0 + timedelta(hours=1)
    found = [
        MemberCandidate("m1", "regular", at, "A01"),
        MemberCandidate("m2", "gold", at, "A02"),
        MemberCandidate("m3", "diamond", at, "A03"),
        MemberCandidate("m4", "gold", T0 - timedelta(hours=1), "A04"),
    ]
    gold = rule(Eligibility.MEMBER_TIER, PrizeKind.COUPON, tier="gold")
    assert draws.eligible_members(gold, found) == ["members/m2", "members/m3"]


@pytest.mark.parametrize(
    "bad",
    [
        dict(end=T0),
        dict(end=T0 + timedelta(days=40)),
        dict(winner_count=0),
        dict(winner_count=101),
        dict(eligibility=Eligibility.BILL_OVER, min_bill_fen=0),
        dict(prize=Prize(PrizeKind.COUPON, 0)),
        dict(prize=Prize(PrizeKind.COMP_PRODUCT, 0, "")),
        dict(eligibility=Eligibility.MEMBER_TIER, prize=Prize(PrizeKind.COMP_AMOUNT, 100)),
    ],
)
def test_a_draw_that_cannot_be_drawn_is_refused(bad) -> None:  # type: ignore[no-untyped-def]
    base = rule(Eligibility.ROOM_OPEN, PrizeKind.COMP_AMOUNT)
    with pytest.raises(InvalidArgument) as err:
        draws.check_rule(replace(base, **bad), max_window_days=31, max_winners=100)
    assert err.value.reason == "BAD_DRAW"
