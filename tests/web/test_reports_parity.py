"""Parity of the ``ktvctl report`` and ``ktvctl shift`` commands with the report pages: each has
its element, seen in a real Chromium (a manager for the reports, the cashier for the shift).
tests/web/test_desk_parity.py counts these as placed."""

from __future__ import annotations

from playwright.sync_api import expect

from controller.ktvctl import build_parser
from tests.web.conftest import DESK
from tests.web.desk_support import TIMEOUT_MS, api_post, rid, tid

REPORTS_IN_THE_APP: dict[tuple[str, ...], str] = {
    ("report", "day"): "day-report",
    ("report", "close"): "close-day",
    ("report", "week"): "kind-week",
    ("report", "month"): "kind-month",
    ("report", "quarter"): "kind-quarter",
    ("report", "range"): "kind-range",
    ("shift", "start"): "shift-start",
    ("shift", "show"): "shift-view",
    ("shift", "handover"): "handover-form",
}
REPORTS_NOT_IN_THE_APP: dict[tuple[str, ...], str] = {}


def test_every_report_command_is_placed() -> None:
    _, runners = build_parser()
    ours = {c for c in runners if c[0] in ("report", "shift")}
    assert ours == set(REPORTS_IN_THE_APP) | set(REPORTS_NOT_IN_THE_APP)


def _seen(page) -> set[str]:  # type: ignore[no-untyped-def]
    return set(page.eval_on_selector_all("[data-test]", "els => els.map(e => e.dataset.test)"))


def test_the_report_pages_offer_each_command(web_venue, page_for) -> None:  # type: ignore[no-untyped-def]
    seen: set[str] = set()
    manager = page_for(DESK, signed_in_as="m1")
    manager.goto("/#/reports/day")
    expect(tid(manager, "close-day")).to_be_visible(timeout=TIMEOUT_MS)
    seen |= _seen(manager)
    manager.goto("/#/reports/period")
    expect(tid(manager, "kind-range")).to_be_visible(timeout=TIMEOUT_MS)
    seen |= _seen(manager)

    cashier = page_for(DESK, signed_in_as="c1")
    cashier.goto("/#/reports/shift")
    expect(tid(cashier, "shift-start")).to_be_visible(timeout=TIMEOUT_MS)
    seen |= _seen(cashier)
    started = api_post(
        cashier,
        web_venue.base_url,
        "/api/v1/ReportService/StartShift",
        {"drawer": "desk", "float_fen": "10000", "request_id": rid()},
    )
    assert started.ok, started.text()
    cashier.reload()
    expect(tid(cashier, "handover-form")).to_be_visible(timeout=TIMEOUT_MS)
    seen |= _seen(cashier)

    missing = {c: e for c, e in REPORTS_IN_THE_APP.items() if e not in seen}
    assert missing == {}
