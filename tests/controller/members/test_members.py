"""Registering members, finding them at the desk, their PIN."""

from __future__ import annotations

from datetime import date

import pytest

from controller.members.model import check_phone
from ktv.errors import AlreadyExists, FailedPrecondition, InvalidArgument, PermissionDenied


@pytest.mark.parametrize("phone", ["13800138000", "199 1234 5678", "+8615012345678"])
def test_mainland_mobile_numbers_are_accepted(phone):
    assert len(check_phone(phone)) == 11


@pytest.mark.parametrize("phone", ["12800138000", "1380013800", "23800138000", "1380013800a", ""])
def test_anything_else_is_not_a_phone_number(phone):
    with pytest.raises(InvalidArgument) as err:
        check_phone(phone)
    assert err.value.reason == "BAD_PHONE"


def test_a_member_is_found_by_phone_card_or_name(members):
    zhang = members.register(
        "13800138000", "张伟", birthday=date(1990, 3, 8), card_number="VIP0001", pin="2580"
    )
    members.register("13900139000", "张敏")
    assert members.find("138 0013 8000") == [zhang]
    assert members.find("VIP0001") == [zhang]
    assert members.find("张伟") == [zhang]
    assert {m.name for m in members.find("张")} == {"张伟", "张敏"}
    assert zhang.has_pin and zhang.birthday == date(1990, 3, 8)


def test_one_phone_is_one_member(members):
    members.register("13800138000", "张伟")
    with pytest.raises(AlreadyExists):
        members.register("13800138000", "李四")


def test_a_card_belongs_to_one_member(members):
    members.register("13800138000", "张伟", card_number="VIP0001")
    with pytest.raises(AlreadyExists) as err:
        members.register("13900139000", "李四", card_number="VIP0001")
    assert err.value.reason == "CARD_TAKEN"


def test_the_pin_is_stored_as_a_salted_scrypt_hash(members, store):
    a = members.register("13800138000", "张伟", pin="2580")
    members.register("13900139000", "李四", pin="2580")
    rows = store.query("SELECT pin_salt, pin_hash FROM members ORDER BY phone")
    assert rows[0]["pin_hash"] != rows[1]["pin_hash"]  # same PIN, different salt
    assert b"2580" not in rows[0]["pin_hash"]
    members.check_pin(a.member_id, "2580")


def test_five_wrong_pins_lock_balance_payments_for_15_minutes(members, clock):
    m = members.register("13800138000", "张伟", pin="2580")
    members.top_up(m.member_id, 10_000, tender="cash", request_id="t1")
    for _ in range(5):
        with pytest.raises(PermissionDenied):
            members.pay(m.member_id, "0000", 100, request_id=f"p-{_}")
    with pytest.raises(FailedPrecondition) as err:  # even the right PIN is refused now
        members.pay(m.member_id, "2580", 100, request_id="p-right")
    assert err.value.reason == "PIN_LOCKED"
    clock.advance(minutes=14)
    with pytest.raises(FailedPrecondition):
        members.pay(m.member_id, "2580", 100, request_id="p-right")
    clock.advance(minutes=1, seconds=1)
    members.pay(m.member_id, "2580", 100, request_id="p-right")
    assert members.get(m.member_id).balance.total_fen == 9_900


def test_changing_a_pin_needs_the_old_one(members):
    m = members.register("13800138000", "张伟", pin="2580")
    with pytest.raises(PermissionDenied):
        members.set_pin(m.member_id, "1111", old_pin="9999")
    members.set_pin(m.member_id, "1111", old_pin="2580")
    members.check_pin(m.member_id, "1111")


def test_a_member_without_a_pin_cannot_pay_from_the_balance(members):
    m = members.register("13800138000", "张伟")
    members.top_up(m.member_id, 10_000, tender="cash", request_id="t1")
    with pytest.raises(FailedPrecondition) as err:
        members.pay(m.member_id, "", 100, request_id="p1")
    assert err.value.reason == "NO_PIN"
