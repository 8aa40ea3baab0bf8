"""Parity of the ``ktvctl stock`` commands with the web app's stock pages: each has its element
(seen in a real Chromium, signed in as a manager) or is named with the reason it is not there.
tests/web/test_desk_parity.py counts these as placed."""

from __future__ import annotations

from playwright.sync_api import expect

from controller.ktvctl import build_parser
from tests.web.conftest import DESK
from tests.web.desk_support import TIMEOUT_MS, tid

expect.set_options(timeout=TIMEOUT_MS)

STOCK_IN_THE_APP: dict[tuple[str, ...], str] = {
    ("stock", "show"): "stock-levels",
    ("stock", "alerts"): "stock-alerts",
    ("stock", "receive"): "move-kind-receipt",
    ("stock", "issue"): "move-kind-issue",
    ("stock", "transfer"): "move-kind-transfer",
    ("stock", "waste"): "move-kind-waste",
    ("stock", "stocktake"): "count-open",
    ("stock", "suggest"): "suggestions",
    ("stock", "po"): "orders",
    ("stock", "storage"): "bottle-lookup",
    ("stock", "item"): "item-add",
    ("stock", "recipe"): "recipe-save",
}

STOCK_NOT_IN_THE_APP: dict[tuple[str, ...], str] = {
    ("stock", "expire"): "the levels page's write-off button (stock-write-off) shows only while "
    "a batch is expired, which a test cannot reach without the controller's clock",
}


def test_every_stock_command_is_placed() -> None:
    _, runners = build_parser()
    stock = {c for c in runners if c[0] == "stock"}
    placed = set(STOCK_IN_THE_APP) | set(STOCK_NOT_IN_THE_APP)
    assert stock - placed == set(), "ktvctl stock commands the web app does not account for"
    assert placed - stock == set(), "commands ktvctl no longer has"


def test_the_stock_pages_offer_each_command_to_a_manager(web_venue, page_for) -> None:  # type: ignore[no-untyped-def]
    page = page_for(DESK, signed_in_as="m1")
    seen: set[str] = set()
    for tab, element in (
        ("levels", "stock-levels"),
        ("moves", "move-submit"),
        ("counts", "count-open"),
        ("purchasing", "orders"),
        ("storage", "bottle-lookup"),
        ("setup", "item-add"),
    ):
        page.goto(f"/#/stock/{tab}")
        expect(tid(page, element)).to_be_visible()
        seen |= set(page.eval_on_selector_all("[data-test]", "els => els.map(e => e.dataset.test)"))
    missing = {c: e for c, e in STOCK_IN_THE_APP.items() if e not in seen}
    assert missing == {}
