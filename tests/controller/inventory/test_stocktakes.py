"""盘点: expected at the count's moment, variance at cost, stock changes only on approval."""

from __future__ import annotations

import pytest

from controller.inventory.desk import recipe_of
from controller.inventory.model import BAR
from ktv.errors import FailedPrecondition, InvalidArgument, PermissionDenied

from .conftest import BEER, MANAGER, WAITER, WATER, Venue


def test_sales_during_the_count_do_not_distort_the_variance(venue: Venue) -> None:
    venue.stock.set_recipe(recipe_of("beer", [(BEER.item_id, 1)], False), MANAGER)
    venue.receive(BEER, "24", cost=400)
    take = venue.inventory.stocktakes.open(BAR, WAITER)
    line = venue.inventory.stocktakes.count(take.stocktake_id, BEER.item_id, "22", WAITER)
    assert (line.expected, line.variance, line.variance_fen) == (24, -2, -800)
    venue.open_room()
    venue.order("A08", ("beer", 5))  # sold after the count, before the approval
    assert venue.on_hand(BEER) == 19  # nothing changes until approved
    done = venue.inventory.stocktakes.approve(take.stocktake_id, MANAGER)
    assert done.status.value == "approved" and done.variance_fen == -800
    assert venue.on_hand(BEER) == 17  # 22 counted - 5 sold since
    assert venue.stock.verify() == []


def test_a_surplus_and_an_uncounted_item_and_a_recount(venue: Venue) -> None:
    venue.receive(WATER, "10")
    venue.receive(BEER, "5")
    take = venue.inventory.stocktakes.open(BAR, WAITER)
    venue.inventory.stocktakes.count(take.stocktake_id, WATER.item_id, "9", WAITER)
    venue.inventory.stocktakes.count(take.stocktake_id, WATER.item_id, "12", WAITER)  # recount
    venue.inventory.stocktakes.approve(take.stocktake_id, MANAGER)
    assert (venue.on_hand(WATER), venue.on_hand(BEER)) == (12, 5)


def test_approval_is_a_managers_and_a_closed_count_takes_no_more(venue: Venue) -> None:
    venue.receive(WATER, "3")
    take = venue.inventory.stocktakes.open(BAR, WAITER)
    with pytest.raises(FailedPrecondition) as busy:
        venue.inventory.stocktakes.open(BAR, WAITER)
    assert busy.value.reason == "STOCKTAKE_OPEN"
    with pytest.raises(InvalidArgument):
        venue.inventory.stocktakes.count(take.stocktake_id, WATER.item_id, "-1", WAITER)
    venue.inventory.stocktakes.count(take.stocktake_id, WATER.item_id, "0", WAITER)
    with pytest.raises(PermissionDenied):
        venue.inventory.stocktakes.approve(take.stocktake_id, WAITER)
    venue.inventory.stocktakes.reject(take.stocktake_id, MANAGER)
    assert venue.on_hand(WATER) == 3
    with pytest.raises(FailedPrecondition) as closed:
        venue.inventory.stocktakes.count(take.stocktake_id, WATER.item_id, "1", WAITER)
    assert closed.value.reason == "STOCKTAKE_CLOSED"
