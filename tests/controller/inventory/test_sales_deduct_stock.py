"""Room orders deduct their recipes from the bar in the order's transaction; voids return."""

from __future__ import annotations

from datetime import timedelta

import pytest

from controller.inventory.desk import recipe_of
from controller.inventory.model import BAR, STORE_ROOM
from ktv.errors import FailedPrecondition

from .conftest import BEER, GRAPES, MANAGER, MELON, WATER, Venue


def _bill_lines(venue: Venue, room: str = "A08") -> int:
    tab = venue.billing.bill(venue.billing.tab_id_of(room)).tab
    return len(tab.orders)


def test_a_beer_order_takes_bottles_from_the_bar_not_the_store_room(venue: Venue) -> None:
    venue.stock.set_recipe(recipe_of("beer", [(BEER.item_id, 1)], False), MANAGER)
    venue.receive(BEER, "1", unit="箱")
    venue.receive(BEER, "2", unit="箱", where=STORE_ROOM)
    venue.open_room()
    venue.order("A08", ("beer", 6))
    assert venue.on_hand(BEER) == 18
    assert venue.on_hand(BEER, STORE_ROOM) == 48


def test_a_fruit_platter_takes_every_component(venue: Venue) -> None:
    venue.stock.set_recipe(
        recipe_of("fruit", [(MELON.item_id, 2), (GRAPES.item_id, 1)], False), MANAGER
    )
    venue.receive(MELON, "10")
    venue.receive(GRAPES, "10")
    venue.open_room()
    venue.order("A08", ("fruit", 3))
    assert (venue.on_hand(MELON), venue.on_hand(GRAPES)) == (4, 7)


def test_a_product_without_a_recipe_takes_nothing(venue: Venue) -> None:
    venue.open_room()
    venue.order("A08", ("water", 2))
    assert venue.lines() == 0


def test_a_void_returns_exactly_what_the_order_took(venue: Venue) -> None:
    venue.stock.set_recipe(recipe_of("beer", [(BEER.item_id, 1)], False), MANAGER)
    venue.receive(BEER, "4", days=20, batch="old")
    venue.receive(BEER, "10", days=90, batch="new")
    venue.open_room()
    order_id = venue.order("A08", ("beer", 6))
    assert venue.on_hand(BEER) == 8
    venue.billing.update_order("A08", order_id, "cancel", MANAGER, "点错了")
    assert venue.on_hand(BEER) == 14
    by_batch = {
        s.batch_id: s.quantity
        for s in venue.stock.records.stocks([BEER.item_id], BAR)[BEER.item_id]
    }
    assert sorted(by_batch.values()) == [4, 10]
    assert venue.stock.verify() == []


def test_out_of_stock_refuses_the_order_and_writes_nothing(venue: Venue) -> None:
    venue.stock.set_recipe(recipe_of("beer", [(BEER.item_id, 1)], False), MANAGER)
    venue.receive(BEER, "2")
    venue.open_room()
    before = venue.lines()
    with pytest.raises(FailedPrecondition) as refused:
        venue.order("A08", ("water", 1), ("beer", 3))
    assert refused.value.reason == "OUT_OF_STOCK"
    assert "青岛啤酒" in refused.value.message and "2 left" in refused.value.message
    assert venue.lines() == before and _bill_lines(venue) == 0
    assert venue.on_hand(BEER) == 2


def test_sold_out_shows_on_the_menu_and_negative_stock_is_a_venue_choice(venue: Venue) -> None:
    venue.stock.set_recipe(recipe_of("beer", [(BEER.item_id, 1)], False), MANAGER)
    venue.stock.set_recipe(recipe_of("water", [(WATER.item_id, 1)], True), MANAGER)
    venue.receive(BEER, "1")
    notes = venue.inventory.sales.stock_notes(["beer", "water", "fruit"])
    assert notes["beer"].sold_out is False and notes["beer"].warning == "1 left"
    assert notes["water"].sold_out is False and "below zero" in notes["water"].warning
    venue.open_room()
    venue.order("A08", ("beer", 1), ("water", 2))
    assert venue.inventory.sales.stock_notes(["beer"])["beer"].sold_out
    assert venue.on_hand(WATER) == -2
    assert venue.stock.verify() == []


def test_expired_stock_is_blocked_from_sale_and_written_off_in_one_action(venue: Venue) -> None:
    venue.stock.set_recipe(recipe_of("beer", [(BEER.item_id, 1)], False), MANAGER)
    venue.receive(BEER, "5", days=1)
    venue.clock.advance(days=3)
    note = venue.inventory.sales.stock_notes(["beer"])["beer"]
    assert note.sold_out and note.warning == "expired stock blocked"
    venue.open_room()
    with pytest.raises(FailedPrecondition):
        venue.order("A08", ("beer", 1))
    doc = venue.stock.write_off_expired(MANAGER)
    assert doc and venue.on_hand(BEER) == 0
    assert venue.stock.write_off_expired(MANAGER) == ""


def test_package_items_and_gifts_are_reported_apart_at_cost(venue: Venue) -> None:
    venue.clock.now = venue.clock.now.replace(hour=3)  # 11:00 in Shanghai: the day band
    venue.stock.set_recipe(recipe_of("beer", [(BEER.item_id, 1)], False), MANAGER)
    venue.stock.set_recipe(recipe_of("fruit", [(MELON.item_id, 1)], False), MANAGER)
    venue.receive(BEER, "24", cost=400)
    venue.receive(MELON, "5", cost=800)
    from controller.billing.desk import TimePurchase

    venue.billing.open("A08", 4, MANAGER, purchase=TimePurchase(package="happy3"))
    gift = venue.order("A08", ("beer", 2))
    venue.billing.update_order("A08", gift, "comp", MANAGER, "老客户")
    venue.order("A08", ("beer", 1))
    now = venue.clock()
    cost = venue.inventory.sales.cost_of_sales(now - timedelta(hours=1), now + timedelta(hours=1))
    assert cost == {"package": 6 * 400 + 800, "gift": 2 * 400, "sale": 400}


def test_the_next_receipt_settles_stock_sold_below_zero(venue: Venue) -> None:
    venue.stock.set_recipe(recipe_of("water", [(WATER.item_id, 1)], True), MANAGER)
    venue.stock.set_recipe(recipe_of("fruit", [(WATER.item_id, 1)], False), MANAGER)
    venue.open_room()
    venue.order("A08", ("water", 3))  # sold on with a warning: -3
    venue.receive(WATER, "5")
    assert venue.on_hand(WATER) == 2
    with pytest.raises(FailedPrecondition):  # only the 2 really there can be sold
        venue.order("A08", ("fruit", 3))
    venue.order("A08", ("fruit", 2))
    assert venue.on_hand(WATER) == 0 and venue.stock.verify() == []


def test_a_transfer_into_the_bar_settles_stock_sold_below_zero_too(venue: Venue) -> None:
    venue.stock.set_recipe(recipe_of("water", [(WATER.item_id, 1)], True), MANAGER)
    venue.stock.set_recipe(recipe_of("fruit", [(WATER.item_id, 1)], False), MANAGER)
    venue.receive(WATER, "4", where=STORE_ROOM)
    venue.open_room()
    venue.order("A08", ("water", 3))
    from controller.inventory.desk import MoveLine

    venue.stock.transfer(
        [MoveLine(WATER.item_id, "4")], MANAGER, from_location=STORE_ROOM, to_location=BAR
    )
    assert venue.on_hand(WATER) == 1
    with pytest.raises(FailedPrecondition):
        venue.order("A08", ("fruit", 2))
    assert venue.stock.verify() == []
