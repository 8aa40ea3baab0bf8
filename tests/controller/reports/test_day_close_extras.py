"""The day close beyond the bills, worked out by hand: expired stored wine served anyway is
non-revenue at list value and at cost (never on a bill, never in 实收), and each room's
energy with its waste comes from what the rooms reported (controller/devices).

Tue 15 Dec 2026 (Shanghai, cut-off 10:00):
  12:00 a guest's 3 sealed bottles of 青岛啤酒 stored 24 Nov have expired (beer keeps 20
        days); a manager serves them anyway. Beer sells at 10.00 a bottle (recipe: 1 bottle)
        and costs 5.00: list value 30.00, cost 15.00.
  A08: the room reports 500 W from 12:00 to 16:00, nobody present (no sensor events);
       a session runs 14:00-16:00. Idle 12-14 = 1000 Wh, all of it waste (power on, nobody
       there, no session); in session 14-16 = 1000 Wh; on for 4 h. A09, B02: nothing.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import controller.reports.store  # noqa: F401 - registers the report migrations
from controller.billing.desk import TenderAmount
from controller.billing.records import Tender
from controller.inventory.desk import recipe_of
from controller.inventory.storage_rules import ExpiryAction
from controller.reports.service import ReportDesk
from tests.controller.inventory.conftest import BEER, CASHIER, MANAGER, Clock, make_venue


def _power(v, room: str, at: datetime, watts: int) -> None:  # type: ignore[no-untyped-def]
    v.store.execute(
        "INSERT INTO room_events (event_id, room_id, kind, occur_time, received_at, payload)"
        " VALUES (?, ?, 'PowerSwitched', ?, ?, ?)",
        (
            f"ev-{room}-{at.timestamp():.0f}",
            room,
            at.isoformat(),
            at.isoformat(),
            json.dumps({"powerSwitched": {"loadWatts": watts}}),
        ),
    )


def test_served_stored_wine_and_energy_in_the_day_close(tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 11, 24, 4, 0, tzinfo=UTC))  # 12:00 in Shanghai
    v = make_venue(tmp_path, clock)
    try:
        reports = ReportDesk(v.store, clock=clock)
        v.stock.set_recipe(recipe_of("beer", [(BEER.item_id, 1)], False), MANAGER)
        storage = v.inventory.storage
        storage.deposit("13800138000", BEER.item_id, "3", CASHIER, opened=False, label_code="W1")
        clock.advance(days=21)  # 15 Dec, 12:00: expired on the 14th
        storage.resolve("W1", ExpiryAction.SERVE, MANAGER, note="老客户生日")
        noon = clock.now
        _power(v, "A08", noon, 500)
        _power(v, "A08", noon + timedelta(hours=4), 0)
        clock.advance(hours=2)
        v.billing.open("A08", 2, CASHIER)
        clock.advance(hours=2)
        due = v.billing.bill(v.billing.tab_id_of("A08")).bill.due_fen
        v.billing.checkout("A08", CASHIER, [TenderAmount(Tender.CASH, due)])
        clock.advance(hours=2)

        day = reports.day()
        f = {x.key: x.value for x in day.figures}
        assert (
            f["stored_wine_served"],
            f["stored_wine_value_fen"],
            f["stored_wine_cost_fen"],
        ) == (1, 3000, 1500)
        assert f["non_revenue_fen"] == 0 and f["takings_fen"] == due  # not a tender, not 实收
        (wine,) = day.section("non_revenue_other").rows
        assert wine == ("stored_wine", "过期存酒招待", 1, 3000, 1500)
        assert (f["energy_wh"], f["energy_waste_wh"]) == (2000, 1000)
        energy = {r[0]: r[1:] for r in day.section("energy").rows}
        assert energy["A08"] == (2000, 1000, 1000, 0, 0, 1000, 14400, "估算")
        assert energy["A09"][:6] == (0, 0, 0, 0, 0, 0)
        # closing the day freezes both (the snapshot carries them)
        clock.advance(days=1)
        closed = reports.close_day(day.first_day, "manager-wang")
        assert closed.section("energy").rows == day.section("energy").rows
        assert closed.figure("stored_wine_value_fen") == 3000
    finally:
        v.store.close()
