"""Prepaid time (买钟/续钟) refused with a clear error and nothing written: extending a closed
session, zero or negative time, a 场次 that does not exist, paying less than the price."""

from __future__ import annotations

import pytest

from controller.billing.desk import TenderAmount, TimePurchase
from controller.billing.records import Tender
from controller.rooms.model import RoomState
from ktv.errors import FailedPrecondition, InvalidArgument, NotFound

from . import test_service
from .conftest import CASHIER, TUESDAY, local

# the service over a real SQLite file and board, as billing's own tests use it
clock, sandbox, venue = test_service.clock, test_service.sandbox, test_service.venue
events = test_service.events

PAID_HOUR = [TenderAmount(Tender.CASH, 50000)]  # cash: the change goes back


def board_row(billing, room: str):
    return billing.store.query_one("SELECT * FROM rooms WHERE room_id = ?", (room,))


def test_extending_a_room_whose_session_is_closed_is_refused_and_writes_nothing(venue, clock):
    venue.open("A08", 2, CASHIER, purchase=TimePurchase(prepaid_minutes=60), tenders=PAID_HOUR)
    clock.advance(30)
    venue.checkout("A08", CASHIER, [])
    before, row = events(venue), board_row(venue, "A08")
    with pytest.raises((FailedPrecondition, NotFound)) as refused:
        venue.extend("A08", TimePurchase(prepaid_minutes=60), CASHIER, tenders=PAID_HOUR)
    assert refused.value.message
    assert events(venue) == before and board_row(venue, "A08") == row
    assert venue.board.get("A08").session_ends_at is None


@pytest.mark.parametrize("minutes", [0, -60])
def test_zero_or_negative_prepaid_time_is_refused(venue, clock, minutes: int):
    before = events(venue)
    with pytest.raises(InvalidArgument):
        venue.open(
            "A08", 2, CASHIER, purchase=TimePurchase(prepaid_minutes=minutes), tenders=PAID_HOUR
        )
    venue.open("A09", 2, CASHIER, purchase=TimePurchase(prepaid_minutes=60), tenders=PAID_HOUR)
    end = venue.board.get("A09").session_ends_at
    after_open = events(venue)
    with pytest.raises(InvalidArgument):
        venue.extend("A09", TimePurchase(prepaid_minutes=minutes), CASHIER, tenders=PAID_HOUR)
    assert events(venue) == after_open > before
    assert venue.board.get("A08").state is RoomState.IDLE
    assert venue.board.get("A09").session_ends_at == end


def test_a_session_name_that_does_not_exist_today_is_not_found(venue):
    before = events(venue)
    with pytest.raises(NotFound) as refused:
        venue.open(
            "A08", 2, CASHIER, purchase=TimePurchase(session="通宵场不存在"), tenders=PAID_HOUR
        )
    assert refused.value.reason == "UNKNOWN_SESSION"
    assert events(venue) == before and venue.board.get("A08").state is RoomState.IDLE


def test_paying_less_than_the_price_of_the_time_opens_nothing(venue):
    before = events(venue)
    with pytest.raises((FailedPrecondition, InvalidArgument)) as refused:
        venue.open(
            "A08",
            2,
            CASHIER,
            purchase=TimePurchase(prepaid_minutes=180),
            tenders=[TenderAmount(Tender.CASH, 100)],
        )
    assert refused.value.reason == "PREPAY_REQUIRED"
    assert events(venue) == before and venue.board.get("A08").state is RoomState.IDLE


def test_an_extension_paid_short_moves_no_end_and_writes_nothing(venue, clock):
    clock.now = local(TUESDAY, 11)  # day band: no minimum spend already paid to absorb it
    venue.open("A08", 2, CASHIER, purchase=TimePurchase(prepaid_minutes=60), tenders=PAID_HOUR)
    clock.advance(50)
    end, before = venue.board.get("A08").session_ends_at, events(venue)
    with pytest.raises((FailedPrecondition, InvalidArgument)) as refused:
        venue.extend(
            "A08",
            TimePurchase(prepaid_minutes=60),
            CASHIER,
            tenders=[TenderAmount(Tender.CASH, 100)],
        )
    assert refused.value.reason == "PREPAY_REQUIRED"
    assert events(venue) == before and venue.board.get("A08").session_ends_at == end
