"""The bar's evening through ``ktvctl stock`` against a real controller: define, receive, move,
count, order, store a bottle; every command with --json, bad input exits with one line."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from tests.support.controller import start_controller
from tests.support.ktvctl import run_ktvctl

from ..billing.grpc_support import write_venue

BEST = (date.today() + timedelta(days=20)).isoformat()


@pytest.fixture(scope="module")
def ctl(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("ktvctl-stock") / "data"
    venue = write_venue(data_dir)
    with start_controller(data_dir, ["--venue-config", str(venue), "--no-mdns"]) as running:
        yield running


@pytest.fixture
def stock(ctl, tmp_path):
    def run(*argv: str, code: int = 0):  # type: ignore[no-untyped-def]
        result = run_ktvctl(
            ["--controller", ctl.address, "--data-dir", str(ctl.data_dir), "--insecure", *argv],
            config_dir=tmp_path,
        )
        assert result.code == code, (result.stdout, result.stderr)
        return json.loads(result.stdout) if "--json" in argv and code == 0 else result

    return run


def test_a_night_at_the_bar(stock, tmp_path) -> None:
    stock(
        "stock",
        "item",
        "beer-b",
        "青岛啤酒",
        "--case",
        "箱",
        "--per-case",
        "24",
        "--expiry",
        "--cost",
        "3",
        "--reorder-point",
        "50",
        "--reorder-target",
        "72",
    )
    stock("stock", "recipe", "beer", "beer-b:1")
    got = stock("stock", "receive", "beer-b:2:箱", "--best-before", BEST, "--json")
    assert [x["quantity"] for x in got["document"]["lines"]] == ["48"]
    moved = stock("stock", "transfer", "beer-b:30", "--json")
    assert {x["location"] for x in moved["document"]["lines"]} == {"store", "bar"}
    levels = stock("stock", "show", "--json")["levels"]
    beer = next(x for x in levels if x["item"]["item_id"] == "beer-b")
    assert beer["on_hand_text"] == "2箱" and beer["expiry_warning_days"] == 30
    shown = stock("stock", "show", "--warnings")
    assert "30天内" in shown.stdout and "beer-b" in shown.stdout
    take = stock("stock", "stocktake", "open", "bar", "--json")["stocktake"]["stocktake_id"]
    sheet = stock("stock", "stocktake", "count", take, "beer-b", "29", "--json")["stocktake"]
    line = next(x for x in sheet["lines"] if x["item"]["item_id"] == "beer-b")
    assert line["variance"] == "-1"
    stock("stock", "stocktake", "approve", take)
    stock("stock", "waste", "beer-b:1", "--at", "bar", "--reason", "打碎")
    assert "青岛啤酒" in stock("stock", "alerts").stdout
    alerts = stock("stock", "alerts", "--json").get("alerts", [])
    assert {a["kind"] for a in alerts} >= {"low_stock", "expiring"}
    out = stock(
        "stock",
        "storage",
        "put",
        "13800138000",
        "beer-b",
        "3",
        "--opened",
        "--label",
        "K1",
        "--json",
    )
    assert out["bottle"]["label_code"] == "K1"
    stock("stock", "storage", "take", "K1", "5", code=5)
    assert (
        stock("stock", "storage", "list", "13800138000", "--json")["bottles"][0]["remaining"] == "3"
    )


def test_purchasing_from_the_command_line(stock, tmp_path) -> None:
    stock(
        "stock",
        "item",
        "cola",
        "可乐",
        "--case",
        "箱",
        "--per-case",
        "24",
        "--cost",
        "1.5",
        "--reorder-point",
        "24",
        "--reorder-target",
        "48",
    )
    suggested = stock("stock", "suggest", "--json")["suggestions"]
    assert next(s for s in suggested if s["item"]["item_id"] == "cola")["quantity_text"] == "2箱"


@pytest.mark.parametrize(
    ("argv", "code", "says"),
    [
        (("stock", "receive", "nope:1"), 3, "no stock item"),
        (("stock", "receive", "cola2:0.5"), 2, "whole"),
        (("stock", "receive", "cola2"), 2, "ITEM:QTY"),
        (("stock", "issue", "cola2:1", "--at", "bar", "--reason", "x"), 5, "wanted"),
        (("stock", "storage", "take", "NOPE", "1"), 3, "no stored bottle"),
    ],
)
def test_bad_input_exits_with_one_line(stock, argv, code, says) -> None:
    stock("stock", "item", "cola2", "可乐", "--cost", "1.5")
    result = stock(*argv, code=code)
    assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1
