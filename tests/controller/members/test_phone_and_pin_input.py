"""What a guest or a cashier types, normalised at the desk: phones and card numbers typed with
an IME's full-width digits are the same member, PINs are ASCII digits only, and rows stored
before that are rewritten by a migration that never merges two members."""

from __future__ import annotations

import logging
import time

import pytest

from controller.members.desk import MemberDesk
from controller.store.db import Store, open_store
from controller.store.migrations import apply_migrations, load_builtin_areas, registered_areas
from ktv.errors import AlreadyExists, InvalidArgument, PermissionDenied


def test_a_phone_typed_with_full_width_digits_is_the_same_member(members: MemberDesk) -> None:
    m = members.register("13800138000", "张伟")
    for typed in (
        "13８00138000",
        "１３８００１３８０００",
        "+86 138-0013-8000",
        "＋８６ １３８－００１３－８０００",
    ):
        with pytest.raises(AlreadyExists) as err:
            members.register(typed, "张伟的另一个号")
        assert err.value.reason == "PHONE_TAKEN"
        assert members.resolve(typed).member_id == m.member_id
    assert members.store.query("SELECT phone FROM members") == [{"phone": "13800138000"}]


@pytest.mark.parametrize(
    "typed",
    [
        "13٨٠٠١٣٨٠٠٠",
        "١٣٨٠٠١٣٨٠٠٠",
        "13800138000\u0663",
        "1380013800²",
        "①3800138000",
        "1" * 100_000,
    ],
)
def test_other_scripts_digits_and_superscripts_are_not_a_phone_number(
    members: MemberDesk, typed: str
) -> None:
    with pytest.raises(InvalidArgument) as err:
        members.register(typed, "张伟")
    assert err.value.reason == "BAD_PHONE" and len(err.value.message) < 200


def test_a_card_number_typed_full_width_is_stored_and_found_as_ascii(members: MemberDesk) -> None:
    m = members.register("13800138000", "张伟", card_number="ＶＩＰ００７\n")
    assert m.card_number == "VIP007"
    assert members.resolve("VIP007").member_id == m.member_id
    assert members.resolve("ＶＩＰ００７").member_id == m.member_id
    with pytest.raises(AlreadyExists):
        members.register("13900139000", "李娜", card_number="VIP007")


def test_pins_are_ascii_digits_full_width_mapped_and_checked_before_hashing(
    members: MemberDesk,
) -> None:
    m = members.register("13800138000", "张伟", pin="２５８０\n")
    members.check_pin(m.member_id, "2580")  # the IME's digits and the newline were not kept
    members.check_pin(m.member_id, " 2580")
    for bad in ("٢٥٨٠", "25８0²", "25 80", "258", "2" * 13):
        with pytest.raises(InvalidArgument) as err:
            members.check_pin(m.member_id, bad)
        assert err.value.reason == "BAD_PIN" and bad.strip() not in err.value.message
    with pytest.raises(InvalidArgument):
        members.set_pin(m.member_id, "123456789", old_pin="2580")  # 9 digits: too long to set
    started = time.perf_counter()
    with pytest.raises(InvalidArgument):
        members.check_pin(m.member_id, "1" * 1_000_000)
    assert time.perf_counter() - started < 0.02  # refused before any hash (~50 ms)
    assert members.pins.failures(m.member_id).count == 0  # malformed input is not a try
    with pytest.raises(PermissionDenied):
        members.check_pin(m.member_id, "0000")
    assert members.pins.failures(m.member_id).count == 1


def test_a_huge_lookup_is_refused_with_a_short_message(members: MemberDesk) -> None:
    with pytest.raises(InvalidArgument) as err:
        members.find("张" * 100_000)
    assert err.value.reason == "BAD_QUERY" and len(err.value.message) < 200


def _old_database(store: Store) -> None:
    """A database whose members area is current but was written before normalisation."""
    load_builtin_areas()
    apply_migrations(store, up_to={"members_normalised": 0})
    assert "members_normalised" in registered_areas()
    rows = [
        ("m-000000000001", "13８00138000", "VIP001", "2026-01-01T00:00:00+00:00"),
        ("m-000000000002", "13900139000", None, "2026-01-02T00:00:00+00:00"),
        ("m-000000000003", "139００139000", "ＶＩＰ００２", "2026-01-03T00:00:00+00:00"),
        ("m-000000000004", "١٣٧٠٠١٣٧٠٠٠", None, "2026-01-04T00:00:00+00:00"),
    ]
    for member_id, phone, card, at in rows:
        store.execute(
            "INSERT INTO members (member_id, phone, name, card_number, registered_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (member_id, phone, "老会员", card, at),
        )


def test_the_migration_rewrites_old_phones_and_cards_and_reports_duplicates_unmerged(
    tmp_path, clock, caplog: pytest.LogCaptureFixture
) -> None:
    store = open_store(tmp_path / "old.db", migrate=False)
    _old_database(store)
    with caplog.at_level(logging.WARNING):
        assert apply_migrations(store) == ["members_normalised:1"]
    members = MemberDesk(store, clock)
    phones = {
        r["member_id"]: (r["phone"], r["card_number"])
        for r in store.query("SELECT member_id, phone, card_number FROM members")
    }
    assert phones == {
        "m-000000000001": ("13800138000", "VIP001"),
        "m-000000000002": ("13900139000", None),
        "m-000000000003": ("139００139000", "VIP002"),  # its number is m-…2's: left, reported
        "m-000000000004": ("13700137000", None),
    }
    assert "m-000000000003" in caplog.text and "m-000000000002" in caplog.text
    assert members.resolve("13８00138000").member_id == "m-000000000001"
    assert members.resolve("13700137000").member_id == "m-000000000004"
    store.close()
