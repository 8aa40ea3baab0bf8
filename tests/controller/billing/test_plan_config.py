from pathlib import Path

import pytest

from controller.billing.plan_config import load_plan_text, menu_from_config, parse_toml
from ktv.errors import InvalidArgument

from .conftest import MENU, build_plan

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "venue.toml"


def test_the_example_venue_config_is_the_plan_the_tests_price_with():
    plan = load_plan_text(EXAMPLE.read_text(encoding="utf-8"))
    assert plan == build_plan()


def test_the_example_menu_is_the_test_menu():
    products = menu_from_config(parse_toml(EXAMPLE.read_text(encoding="utf-8")))
    assert {p.sku: p for p in products} == MENU


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("prime = 72,", "prime = 72.5,"), "whole yuan"),
        (('end = "24:00"', 'end = "23:00"'), "24 hours"),
        (('rounding = "none"', 'rounding = "banker"'), "floor_yuan"),
        (('version = "2026-11"', 'version = ""'), "version"),
        (('"2026-10-02"', '"2026-13-02"'), "YYYY-MM-DD"),
        (('code = "late"', 'code = "day"'), "overlaps|unique|unknown band"),
    ],
)
def test_config_mistakes_are_named(change, message):
    text = EXAMPLE.read_text(encoding="utf-8").replace(*change, 1)
    with pytest.raises(InvalidArgument, match=message):
        load_plan_text(text)


def test_a_config_without_prices_says_so():
    with pytest.raises(InvalidArgument, match=r"no \[pricing\]"):
        load_plan_text('[venue]\nid = "x"\n')


def test_broken_toml_is_an_invalid_argument():
    with pytest.raises(InvalidArgument, match="TOML"):
        load_plan_text("[pricing\n")
