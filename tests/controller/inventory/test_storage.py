"""存酒: stored under a phone, withdrawn in parts, reminded, and each expiry action counted."""

from __future__ import annotations

import json

import pytest

from controller.inventory.model import BAR
from controller.inventory.storage_rules import BottleStatus, ExpiryAction
from ktv.errors import FailedPrecondition, InvalidArgument

from .conftest import BEER, MANAGER, WAITER, WHISKY, Venue

PHONE = "13800138000"


def _member(venue: Venue) -> str:
    venue.store.execute(
        "INSERT INTO members (member_id, phone, name, registered_at)"
        " VALUES ('m-abcdef', ?, '张三', '2026-01-01T00:00:00+00:00')",
        (PHONE,),
    )
    return "m-abcdef"


def test_a_bottle_keeps_by_its_category_and_is_withdrawn_in_parts(venue: Venue) -> None:
    storage = venue.inventory.storage
    whisky = storage.deposit(PHONE, WHISKY.item_id, "1", WAITER, opened=False, label_code="A-001")
    assert (whisky.expires_on - venue.today()).days == 40
    beer = storage.deposit("138 0013 8000", BEER.item_id, "5", WAITER, opened=True)
    assert (beer.expires_on - venue.today()).days == 7 and beer.phone == PHONE
    left = storage.withdraw(beer.label_code, "2", WAITER)
    assert left.remaining == 3 and left.status is BottleStatus.STORED
    with pytest.raises(FailedPrecondition) as more:
        storage.withdraw(beer.label_code, "4", WAITER)
    assert more.value.reason == "INSUFFICIENT_STORED"
    assert storage.withdraw(beer.label_code, "3", WAITER).status is BottleStatus.EMPTY
    assert [b.label_code for b in storage.of_phone(PHONE)] == ["A-001"]
    assert venue.lines() == 0  # the guest's bottles are not the venue's stock


def test_bad_input_stores_nothing(venue: Venue) -> None:
    storage = venue.inventory.storage
    with pytest.raises(InvalidArgument):
        storage.deposit("12345", WHISKY.item_id, "1", WAITER, opened=False)
    with pytest.raises(InvalidArgument):
        storage.deposit(PHONE, WHISKY.item_id, "0.5", WAITER, opened=False)
    storage.deposit(PHONE, WHISKY.item_id, "1", WAITER, opened=False, label_code="X1")
    with pytest.raises(Exception) as taken:
        storage.deposit(PHONE, WHISKY.item_id, "1", WAITER, opened=False, label_code="X1")
    assert getattr(taken.value, "reason", "") == "LABEL_TAKEN"
    assert len(storage.of_phone(PHONE)) == 1


def test_an_expiring_bottle_is_reminded_once_then_each_action_is_accounted(venue: Venue) -> None:
    member = _member(venue)
    storage = venue.inventory.storage
    for label in ("E1", "E2", "E3"):
        storage.deposit(PHONE, WHISKY.item_id, "1", WAITER, opened=False, label_code=label)
    venue.clock.advance(days=36)  # 4 days left: not yet
    assert storage.remind() == 0
    venue.clock.advance(days=1)  # 3 days left
    assert storage.remind() == 3 and storage.remind() == 0
    notes = venue.store.query("SELECT member_id, template, payload FROM notifications")
    assert {n["member_id"] for n in notes} == {member} and len(notes) == 3
    assert json.loads(notes[0]["payload"])["label"] in ("E1", "E2", "E3")
    assert {a.kind.value for a in venue.inventory.alerts()} >= {"storage_expiring"}
    venue.clock.advance(days=4)  # expired
    with pytest.raises(FailedPrecondition) as late:
        storage.withdraw("E1", "1", WAITER)
    assert late.value.reason == "BOTTLE_EXPIRED"
    extended = storage.resolve("E1", ExpiryAction.EXTEND, MANAGER, days=10)
    assert (extended.expires_on - venue.today()).days == 10
    forfeited = storage.resolve("E2", ExpiryAction.FORFEIT, MANAGER)
    assert forfeited.status is BottleStatus.FORFEITED
    assert venue.on_hand(WHISKY, BAR) == 1  # into the venue's stock at cost
    served = storage.resolve("E3", ExpiryAction.SERVE, MANAGER, note="老客户")
    assert served.status is BottleStatus.SERVED
    assert [k for k, _, _ in storage.history("E3")] == ["deposit", "reminded", "serve"]
    assert venue.stock.verify() == []


def test_the_monthly_check_finds_missing_and_extra_bottles(venue: Venue) -> None:
    storage = venue.inventory.storage
    for label in ("M1", "M2", "M3"):
        storage.deposit(PHONE, WHISKY.item_id, "1", WAITER, opened=False, label_code=label)
    result = storage.check(["M1", "M3", "Z9"], MANAGER)
    assert (result.matched, result.missing, result.extra) == (("M1", "M3"), ("M2",), ("Z9",))
    assert storage.get("M2").status is BottleStatus.MISSING
