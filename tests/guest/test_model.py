"""The pure rules of guests' phones: nicknames, the [guests] table, the token bucket."""

from __future__ import annotations

import pytest

from controller.guests.model import (
    GuestSettings,
    TokenBucket,
    guest_settings,
    nickname_input,
    note_input,
)
from ktv.errors import InvalidArgument


def test_nicknames_are_normalised_bounded_and_plain_text() -> None:
    assert nickname_input(" ＡＢＣ小王 ") == "ABC小王"
    assert nickname_input("<script>") == "<script>"  # text, shown as text
    for bad in ("", "   ", "x" * 17, "a\u202eb", "a\nb", "x" * 500):
        with pytest.raises(InvalidArgument) as caught:
            nickname_input(bad)
        assert caught.value.reason == "BAD_NICKNAME"
    assert note_input(" 加冰\u200b ") == "加冰"


def test_the_guests_table_has_venue_defaults_and_refuses_what_it_does_not_know() -> None:
    assert guest_settings({}) == GuestSettings()
    assert not GuestSettings().permissions.may_queue_top  # 优先 from phones: off by default
    custom = guest_settings(
        {"guests": {"may_queue_top": True, "adds_per_minute": 5, "base_url": "https://k.cn/"}}
    )
    assert custom.permissions.may_queue_top and custom.adds_per_minute == 5
    assert custom.base_url == "https://k.cn"
    for bad in (
        {"guests": {"nope": 1}},
        {"guests": {"adds_per_minute": 0}},
        {"guests": {"may_skip": "yes"}},
        {"guests": {"base_url": "ftp://x"}},
        {"guests": []},
    ):
        with pytest.raises(InvalidArgument) as caught:
            guest_settings(bad)
        assert caught.value.reason == "BAD_GUEST_SETTING"


def test_a_bucket_allows_its_burst_then_its_rate_per_key() -> None:
    bucket = TokenBucket(rate_per_s=0.5, burst=3)
    assert [bucket.take("a", 0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take("a", 0.0) == pytest.approx(2.0)  # one token every 2 s
    assert bucket.take("b", 0.0) == 0.0  # another phone is not slowed
    assert bucket.take("a", 2.0) == 0.0
    assert bucket.take("a", 2.0) > 0


def test_a_flood_of_keys_is_forgotten_once_they_are_full_again() -> None:
    bucket = TokenBucket(rate_per_s=1.0, burst=1, max_keys=10)
    for i in range(20):
        bucket.take(f"k{i}", 0.0)
        bucket.take(f"k{i}", 0.0)
    bucket.take("late", 100.0)
    bucket.take("late", 100.0)
    assert len(bucket._state) <= 11
