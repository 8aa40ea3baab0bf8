"""Every string of the draws and payment-issue pages (src/club, the ``club.*`` keys) in both
languages: the two locale files have the same keys, and every key the pages name exists."""

from __future__ import annotations

from tests.web.locale_keys import UI, locale_keys, named_keys


def test_both_languages_have_the_same_club_keys() -> None:
    zh, en = locale_keys("club", "zh-CN"), locale_keys("club", "en")
    assert zh - en == set(), "keys only in Chinese"
    assert en - zh == set(), "keys only in English"
    assert len(zh) > 80


def test_every_club_key_the_pages_name_exists() -> None:
    known = locale_keys("club", "zh-CN")
    named, prefixes = named_keys(
        "club", [*(UI / "club").rglob("*.vue"), *(UI / "club").rglob("*.js"), UI / "App.vue"]
    )
    assert len(named) > 50, "found few club keys: the pattern is wrong"
    assert named - known == set()
    for prefix in prefixes:  # t(`club.stateName.${s}`): the family exists
        assert any(k.startswith(prefix) for k in known), prefix
