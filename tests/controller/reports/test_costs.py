"""Margins, comps at cost and package items at cost, worked out by hand (issue 21, 22).

A product's cost is what its stock deduction took, batch by batch (FEFO), at the time of
sale: inventory writes it per order and product in the order's own transaction; the report
reads it when the bill closes. Tue 24 Nov 2026, 14:00 Shanghai (day band), small rooms:

  stock at the bar: beer 4 @ 4.50 (best before in 20 days) and 10 @ 5.20 (90 days);
                    melon 10 @ 8.00, grapes 10 @ 9.00; fruit = 2 melon + 1 grapes = 25.00
  A08: beer 6 (10 each) -> 4 x 4.50 + 2 x 5.20 = 28.40 at cost; fruit 1 (38), comped ->
       25.00 at cost; water 2 (no recipe: no cost); beer 1 then voided (counts nothing)
  A09: happy3 package (fruit + 6 beer included): beer 6 x 5.20 = 31.20, fruit 25.00
       -> package items at cost 56.20
  then beer is received again at 9.99: the closed bills' costs do not move.

  cost of sales (sold, comps apart) = 28.40; comps at cost 25.00; package items 56.20
  best sellers: beer qty 6, sold 60.00, cost 28.40, margin 31.60, in packages 6 at 31.20
                fruit qty 1 comped, sold 0, cost 0, margin 0, comped cost 25.00,
                in packages 1 at 25.00; water: no cost, no margin
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import controller.reports.store  # noqa: F401 - registers the report migrations
from controller.billing.desk import TenderAmount, TimePurchase
from controller.billing.records import Tender
from controller.inventory.desk import recipe_of
from controller.reports.model import PeriodKind
from controller.reports.service import ReportDesk
from tests.controller.inventory.conftest import (
    BEER,
    CASHIER,
    GRAPES,
    MANAGER,
    MELON,
    Clock,
    make_venue,
)


def test_margins_and_comps_at_the_cost_the_sale_took(tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 11, 24, 6, 0, tzinfo=UTC))  # 14:00 in Shanghai
    v = make_venue(tmp_path, clock)
    try:
        reports = ReportDesk(v.store, clock=clock)
        v.stock.set_recipe(recipe_of("beer", [(BEER.item_id, 1)], False), MANAGER)
        v.stock.set_recipe(
            recipe_of("fruit", [(MELON.item_id, 2), (GRAPES.item_id, 1)], False), MANAGER
        )
        v.receive(BEER, "4", days=20, cost=450, batch="old")
        v.receive(BEER, "10", days=90, cost=520, batch="new")
        v.receive(MELON, "10", cost=800)
        v.receive(GRAPES, "10", cost=900)
        b = v.billing
        b.open("A08", 4, CASHIER)
        v.order("A08", ("beer", 6))
        fruit = v.order("A08", ("fruit", 1))
        b.update_order("A08", fruit, "comp", MANAGER, "老客户")
        v.order("A08", ("water", 2))
        extra = v.order("A08", ("beer", 1))
        b.update_order("A08", extra, "cancel", MANAGER, "点错了")
        b.open("A09", 3, CASHIER, purchase=TimePurchase(package="happy3"))
        clock.advance(hours=1)
        for room in ("A08", "A09"):
            due = b.bill(b.tab_id_of(room)).bill.due_fen
            b.checkout(room, CASHIER, [TenderAmount(Tender.CASH, due)])
        v.receive(BEER, "10", days=120, cost=999, batch="dear")

        day = reports.day()
        f = {x.key: x.value for x in day.figures}
        assert (f["cost_of_sales_fen"], f["comp_cost_fen"], f["package_items_cost_fen"]) == (
            2840,
            2500,
            5620,
        )
        s = day.section("best_sellers")
        keys = [c.key for c in s.columns]
        got = {
            r[0]: {
                k: r[keys.index(k)]
                for k in (
                    "quantity",
                    "revenue_fen",
                    "cost_fen",
                    "margin_fen",
                    "comped_cost_fen",
                    "included_quantity",
                    "included_cost_fen",
                )
            }
            for r in s.rows
        }
        assert got["beer"] == {
            "quantity": 6,
            "revenue_fen": 6000,
            "cost_fen": 2840,
            "margin_fen": 3160,
            "comped_cost_fen": 0,
            "included_quantity": 6,
            "included_cost_fen": 3120,
        }
        assert got["fruit"] == {
            "quantity": 1,
            "revenue_fen": 0,
            "cost_fen": 0,
            "margin_fen": 0,
            "comped_cost_fen": 2500,
            "included_quantity": 1,
            "included_cost_fen": 2500,
        }
        assert (got["water"]["cost_fen"], got["water"]["margin_fen"]) == ("", "")
        # the week adds the same costs up (read model rows, not the day's snapshot)
        week = reports.period(PeriodKind.WEEK, v.today())
        w = {x.key: x.value for x in week.figures}
        assert (w["cost_of_sales_fen"], w["comp_cost_fen"], w["package_items_cost_fen"]) == (
            2840,
            2500,
            5620,
        )
    finally:
        v.store.close()
