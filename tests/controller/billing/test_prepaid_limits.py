"""Prepaid time has limits, checked before anything is priced: one 买钟/续钟 buys at most
``purchase_max_minutes`` (12 h), a session at most ``session_max_minutes`` (24 h) in total,
a venue sets both in its price plan; prepaid time comes with a tender and a member's PIN is
checked before pricing too. Refusals are clear errors that write nothing."""

from __future__ import annotations

import time
from datetime import time as clock_time
from datetime import timedelta

import pytest

import controller.billing.pricing as pricing_module
import controller.members.schema  # noqa: F401 - registers the members migrations
from controller.billing.desk import TenderAmount, TimePurchase
from controller.billing.payments import SandboxProvider
from controller.billing.plan import TimeBand
from controller.billing.plan_config import load_plan_text
from controller.billing.records import Tender
from controller.billing.service import BillingDesk
from controller.members.desk import MemberDesk
from controller.members.stored_value import StoredValueProvider
from controller.rooms.board import RoomBoard
from controller.rooms.model import RoomState
from controller.store.db import open_store
from ktv.errors import FailedPrecondition, InvalidArgument, PermissionDenied
from ktv.limits import (
    PREPAID_MINUTES_CEILING,
    PREPAID_PURCHASE_MAX_MINUTES,
    PREPAID_SESSION_MAX_MINUTES,
    PRICE_BANDS_MAX,
    PrepaidLimits,
)

from . import test_service
from .conftest import CASHIER, MANAGER, TUESDAY, FrontDesk, build_plan, cash, local

clock, venue, events = test_service.clock, test_service.venue, test_service.events
sandbox = test_service.sandbox
EXAMPLE = test_service.EXAMPLE

YEAR_MIN = 365 * 24 * 60
INT32_MAX = 2**31 - 1
PLENTY = [TenderAmount(Tender.CASH, 10**7)]  # cash: the change goes back


@pytest.fixture
def no_pricing(monkeypatch):
    """Pricing (splitting time into band pieces) fails the test if anything reaches it."""

    def refuse(*args, **kwargs):
        raise AssertionError("time was priced before the request was checked")

    monkeypatch.setattr(pricing_module, "band_pieces", refuse)


# --- the domain rule -------------------------------------------------------------------------


def test_the_defaults_are_a_day_per_session_and_half_a_day_per_sale():
    assert build_plan().limits == PrepaidLimits(24 * 60, 12 * 60)
    assert (PREPAID_SESSION_MAX_MINUTES, PREPAID_PURCHASE_MAX_MINUTES) == (1440, 720)


@pytest.mark.parametrize("minutes", [PREPAID_PURCHASE_MAX_MINUTES + 1, YEAR_MIN])
def test_a_purchase_longer_than_one_sale_may_buy_is_refused_before_it_is_priced(
    desk, no_pricing, minutes
):
    with pytest.raises(InvalidArgument) as refused:
        desk.open("A08", local(TUESDAY, 14), purchase=TimePurchase(prepaid_minutes=minutes))
    assert refused.value.reason == "PREPAID_TOO_LONG"
    assert "12:00" in refused.value.message or str(PREPAID_MINUTES_CEILING) in refused.value.message
    assert desk.events == []


def test_more_minutes_than_any_venue_may_allow_are_refused_where_the_request_is_read():
    for minutes in (PREPAID_MINUTES_CEILING + 1, INT32_MAX):
        started = time.perf_counter()
        with pytest.raises(InvalidArgument) as refused:
            TimePurchase(prepaid_minutes=minutes)
        assert refused.value.reason == "PREPAID_TOO_LONG"
        assert time.perf_counter() - started < 0.05
    assert TimePurchase(prepaid_minutes=PREPAID_MINUTES_CEILING).prepaid_minutes > 0


def test_a_session_buys_at_most_a_day_in_total_bonus_time_not_counted(desk):
    at = local(TUESDAY, 14)
    desk.open("A08", at, purchase=TimePurchase(prepaid_minutes=720), tenders=[cash(10**7)])
    tab = desk.extend("A08", at, TimePurchase(prepaid_minutes=720))  # 24 h bought, +6 h bonus
    assert tab.stays[0].paid_until == at + timedelta(hours=24 + 6)
    before = len(desk.events)
    with pytest.raises(InvalidArgument) as refused:
        desk.extend("A08", at, TimePurchase(prepaid_minutes=1))
    assert refused.value.reason == "SESSION_TIME_LIMIT"
    assert "24:00" in refused.value.message
    assert len(desk.events) == before


def test_packages_and_sessions_count_toward_the_days_limit(desk):
    desk.open("A09", local(TUESDAY, 18), purchase=TimePurchase(session="golden"))  # 6 h
    desk.extend("A09", local(TUESDAY, 18), TimePurchase(prepaid_minutes=720))
    desk.extend("A09", local(TUESDAY, 18), TimePurchase(prepaid_minutes=360))  # 24 h
    with pytest.raises(InvalidArgument) as refused:
        desk.extend("A09", local(TUESDAY, 18), TimePurchase(package="happy3"))
    assert refused.value.reason == "SESSION_TIME_LIMIT"


def venue_with_limits(body: str) -> str:
    """The example venue config with its ``[pricing.limits]`` table replaced by ``body``."""
    text = EXAMPLE.read_text(encoding="utf-8")
    start = text.index("[pricing.limits]")
    end = text.index("\n\n", start)
    return f"{text[:start]}[pricing.limits]\n{body}{text[end:]}"


def test_the_example_venue_states_the_default_limits():
    assert load_plan_text(EXAMPLE.read_text(encoding="utf-8")).limits == PrepaidLimits()


def test_the_venue_sets_its_own_limits_in_the_price_plan():
    plan = load_plan_text(
        venue_with_limits("session_max_minutes = 300\npurchase_max_minutes = 240")
    )
    assert plan.limits == PrepaidLimits(session_max_minutes=300, purchase_max_minutes=240)
    desk = FrontDesk(plan)
    at = local(TUESDAY, 14)
    desk.open("A08", at, purchase=TimePurchase(prepaid_minutes=240), tenders=[cash(10**6)])
    with pytest.raises(InvalidArgument) as too_long:
        desk.extend("A08", at, TimePurchase(prepaid_minutes=241))
    assert too_long.value.reason == "PREPAID_TOO_LONG"
    with pytest.raises(InvalidArgument) as too_much:
        desk.extend("A08", at, TimePurchase(prepaid_minutes=61))
    assert too_much.value.reason == "SESSION_TIME_LIMIT"
    desk.extend("A08", at, TimePurchase(prepaid_minutes=60))


@pytest.mark.parametrize(
    "limits",
    [
        "session_max_minutes = 0",
        "purchase_max_minutes = -5",
        f"session_max_minutes = {PREPAID_MINUTES_CEILING + 1}",
        "session_max_minutes = 60\npurchase_max_minutes = 120",
        'session_max_minutes = "24h"',
        "session_max_minutes = 1.5",
        "session_max_minutes = true",
        "sesion_max_minutes = 60",
    ],
)
def test_a_bad_limit_in_the_venue_config_is_refused_with_the_key_named(limits):
    with pytest.raises(InvalidArgument) as refused:
        load_plan_text(venue_with_limits(limits))
    assert "pricing.limits" in refused.value.message


def test_a_plan_cannot_sell_a_package_longer_than_a_session_may_buy():
    plan = build_plan()
    long = plan.packages["happy3"].__class__("all", "全天", 1441, {"small": 100})
    with pytest.raises(InvalidArgument, match="more than a session may buy"):
        build_plan(packages={"all": long})


def test_a_plan_has_at_most_96_time_bands():
    def bands(n: int) -> tuple[TimeBand, ...]:
        step = 24 * 60 // n
        out = []
        for i in range(n):
            start, end = i * step, (i + 1) * step % (24 * 60)
            out.append(
                TimeBand(
                    f"b{i}",
                    f"b{i}",
                    clock_time(start // 60, start % 60),
                    clock_time(end // 60, end % 60),
                )
            )
        return tuple(out)

    def tier(codes):
        from controller.billing.plan import DayType, TierPrices

        return {"small": TierPrices({(DayType.WEEKDAY, b.code): 3600 for b in codes})}

    fine = bands(PRICE_BANDS_MAX)
    build_plan(bands=fine, tiers=tier(fine), packages={}, slots=())
    too_many = bands(160)  # 9-minute bands
    with pytest.raises(InvalidArgument, match="at most 96 time bands"):
        build_plan(bands=too_many, tiers=tier(too_many), packages={}, slots=())


def _plan_with_the_most_bands_and_the_highest_limits():
    from controller.billing.plan import DayType, TierPrices

    bands = tuple(
        TimeBand(
            f"b{i}",
            f"档{i}",
            clock_time(i * 15 // 60, i * 15 % 60),
            clock_time((i + 1) * 15 % 1440 // 60, (i + 1) * 15 % 60),
        )
        for i in range(PRICE_BANDS_MAX)
    )
    rates = {(DayType.WEEKDAY, b.code): 3600 + i for i, b in enumerate(bands)}
    return build_plan(
        bands=bands,
        tiers={"small": TierPrices(rates)},
        packages={},
        slots=(),
        limits=PrepaidLimits(PREPAID_MINUTES_CEILING, PREPAID_MINUTES_CEILING),
    )


def test_the_longest_purchase_a_venue_may_allow_makes_a_small_audit_event():
    """Bounded whatever the input: the ceiling (72 h) on a plan with the most bands (96)."""
    from controller.billing.codec import encode_event

    desk = FrontDesk(_plan_with_the_most_bands_and_the_highest_limits())
    started = time.perf_counter()
    desk.open(
        "A08",
        local(TUESDAY, 14),
        purchase=TimePurchase(prepaid_minutes=PREPAID_MINUTES_CEILING),
        tenders=[cash(10**7)],
    )
    priced_s = time.perf_counter() - started
    bought = next(e for e in desk.events if type(e).__name__ == "TimeBought")
    size = len(encode_event(bought).encode())
    assert len(bought.cover.lines) == 3 * PRICE_BANDS_MAX + 1  # a line per band piece + bonus
    assert size < 100_000, size
    assert priced_s < 1.0, priced_s


# --- the front desk over a real SQLite file and board -----------------------------------------


def board_row(billing, room: str):
    return billing.store.query_one("SELECT * FROM rooms WHERE room_id = ?", (room,))


def test_a_year_of_prepaid_time_at_the_desk_writes_nothing_and_the_room_stays_idle(venue):
    before, row = events(venue), board_row(venue, "A08")
    started = time.perf_counter()
    for minutes in (PREPAID_PURCHASE_MAX_MINUTES + 1, YEAR_MIN):
        with pytest.raises(InvalidArgument) as refused:
            venue.open(
                "A08", 2, CASHIER, purchase=TimePurchase(prepaid_minutes=minutes), tenders=PLENTY
            )
        assert refused.value.reason == "PREPAID_TOO_LONG"
    assert time.perf_counter() - started < 0.5
    assert events(venue) == before and board_row(venue, "A08") == row
    assert venue.board.get("A08").state is RoomState.IDLE


def test_a_pay_later_room_cannot_be_extended_by_five_years(venue, clock):
    venue.open("A08", 2, CASHIER)  # 后结: pays at checkout
    before, row = events(venue), board_row(venue, "A08")
    with pytest.raises(InvalidArgument) as refused:
        venue.extend("A08", TimePurchase(prepaid_minutes=5 * YEAR_MIN), CASHIER)
    assert refused.value.reason == "PREPAID_TOO_LONG"
    with pytest.raises(InvalidArgument) as refused:  # two sales of 12 h and one more hour
        venue.extend("A08", TimePurchase(prepaid_minutes=720), CASHIER)
        venue.extend("A08", TimePurchase(prepaid_minutes=720), CASHIER)
        venue.extend("A08", TimePurchase(prepaid_minutes=60), CASHIER)
    assert refused.value.reason == "SESSION_TIME_LIMIT"
    assert venue.board.get("A08").session_ends_at == clock.now + timedelta(hours=24 + 6)
    assert events(venue) == before + 2 and board_row(venue, "A08") != row


def test_prepaid_time_without_any_tender_is_refused_before_it_is_priced(venue, no_pricing):
    before = events(venue)
    with pytest.raises(FailedPrecondition) as refused:
        venue.open("A08", 2, CASHIER, purchase=TimePurchase(prepaid_minutes=180))
    assert refused.value.reason == "PREPAY_REQUIRED"
    assert events(venue) == before and venue.board.get("A08").state is RoomState.IDLE


def test_a_prepaid_extension_without_a_tender_is_refused_before_it_is_priced(
    venue, clock, monkeypatch
):
    clock.now = local(TUESDAY, 11)  # day band: no minimum spend paid that could cover more time
    venue.open("A08", 2, CASHIER, purchase=TimePurchase(prepaid_minutes=60), tenders=PLENTY)
    before = events(venue)

    def refuse(*args, **kwargs):
        raise AssertionError("time was priced before the payment was checked")

    monkeypatch.setattr(pricing_module, "band_pieces", refuse)
    with pytest.raises(FailedPrecondition) as refused:
        venue.extend("A08", TimePurchase(prepaid_minutes=60), CASHIER)
    assert refused.value.reason == "PREPAY_REQUIRED"
    assert events(venue) == before


@pytest.fixture
def members_venue(tmp_path, clock):
    """The desk with member stored value as a tender (the real provider and PIN lockout)."""
    store = open_store(tmp_path / "controller.db")
    board = RoomBoard(store, tiers=("small", "vip"), clock=clock)
    board.load()
    board.create_room("A08", "A08", "small")
    members = MemberDesk(store, clock)
    providers = {t: SandboxProvider() for t in Tender if t is not Tender.CASH}
    providers[Tender.STORED_VALUE] = StoredValueProvider(members)
    billing = BillingDesk(board, clock=clock, providers=providers)
    billing.import_config(EXAMPLE.read_text(encoding="utf-8"), MANAGER)
    m = members.register("13800138000", "张伟", pin="2580")
    members.top_up(m.member_id, 100_000, tender="cash", request_id="t1")
    yield billing, members, m.member_id
    store.close()


@pytest.mark.parametrize("by_room", [False, True])
def test_a_wrong_pin_is_refused_before_the_time_is_priced(
    members_venue, clock, monkeypatch, by_room
):
    billing, members, member_id = members_venue
    clock.now = local(TUESDAY, 11)  # day band: the extension is due in full (36/h)
    billing.open("A08", 2, CASHIER, purchase=TimePurchase(prepaid_minutes=60), tenders=PLENTY)
    before, balance = events(billing), members.get(member_id).balance.total_fen
    real_band_pieces = pricing_module.band_pieces
    priced = []

    def counting(*args, **kwargs):
        priced.append(args)
        return real_band_pieces(*args, **kwargs)

    monkeypatch.setattr(pricing_module, "band_pieces", counting)
    with pytest.raises(PermissionDenied) as wrong:
        billing.extend(
            "A08",
            TimePurchase(prepaid_minutes=60),
            CASHIER,
            tenders=[TenderAmount(Tender.STORED_VALUE, 3600, "13800138000:0000")],
            pay_in_full=by_room,
        )
    assert wrong.value.reason == "WRONG_PIN"
    assert priced == [] and events(billing) == before
    assert members.get(member_id).balance.total_fen == balance
    out = billing.extend(
        "A08",
        TimePurchase(prepaid_minutes=60),
        CASHIER,
        tenders=[TenderAmount(Tender.STORED_VALUE, 3600, "13800138000:2580")],
        pay_in_full=by_room,
    )
    assert priced and out.tab.stays[0].paid_until is not None
    assert members.get(member_id).balance.total_fen == balance - 3600


def test_the_board_refresh_prices_only_the_time_outside_what_was_bought(venue, clock, monkeypatch):
    for room in ("A08", "A09", "B02"):
        venue.open(room, 2, CASHIER, purchase=TimePurchase(prepaid_minutes=720), tenders=PLENTY)
        venue.extend(room, TimePurchase(prepaid_minutes=720), CASHIER, tenders=PLENTY)
    real_band_pieces = pricing_module.band_pieces
    pieces = []

    def counting(*args, **kwargs):
        out = real_band_pieces(*args, **kwargs)
        pieces.extend(out)
        return out

    monkeypatch.setattr(pricing_module, "band_pieces", counting)
    clock.advance(23 * 60)
    venue.refresh_running_totals()
    assert len(pieces) <= 3  # the band each room opened in (minimum spend), nothing bought
