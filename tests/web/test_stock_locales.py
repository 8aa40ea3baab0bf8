"""Every string of the stock pages (src/stock, the ``stock.*`` keys) in both languages: the two
locale files have the same keys, and every key the pages name exists."""

from __future__ import annotations

from tests.web.locale_keys import UI, locale_keys, named_keys


def test_both_languages_have_the_same_stock_keys() -> None:
    zh, en = locale_keys("stock", "zh-CN"), locale_keys("stock", "en")
    assert zh - en == set(), "keys only in Chinese"
    assert en - zh == set(), "keys only in English"
    assert len(zh) > 150


def test_every_stock_key_the_pages_name_exists() -> None:
    known = locale_keys("stock", "zh-CN")
    named, prefixes = named_keys(
        "stock", [*(UI / "stock").rglob("*.vue"), *(UI / "stock").rglob("*.js"), UI / "App.vue"]
    )
    assert len(named) > 100, "found few stock keys: the pattern is wrong"
    assert named - known == set()
    for prefix in prefixes:  # t(`stock.kind.${k}`), t(`stock.buy.status_${s}`): the family exists
        assert any(k.startswith(prefix) for k in known), prefix
