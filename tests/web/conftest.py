"""Fixtures of the HTTP side (also used by the web app's browser tests).

``web_venue`` (module scope): a real controller process serving the HTTP API on loopback with
four rooms on two floors (A01, A02 on 1F; B01, B02 on 2F), their real headless agents
connected, the example venue's price plan and menu (sandbox payments: every tender approved)
and demo staff: cashier ``c1``/PIN ``1111``, manager ``m1``/``2222``, waiter ``w1``/``3333``.
It runs with ``--insecure-dev`` (plain HTTP, so the agents need no certificates); the TLS path
(HTTPS with the venue CA, the Secure cookie, the CA page) is tested in test_tls.py.

``browser`` (module scope): Debian's Chromium through Playwright (never ``playwright install``).
Per module, not per session: while Playwright's sync API is open it leaves its event loop set
as the main thread's running loop, and a later module's ``asyncio.run()`` then refuses to start.
``page_for(viewport, signed_in_as="c1")``: a new page in its own context, signed in through
the API (the context keeps the cookies), at ``web_venue.base_url``. Once ``browser`` is up,
Playwright keeps an event loop running in the main thread: drive asyncio from a test with
``tests.web.aio.run_async`` (``asyncio.run`` refuses there).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.support.core_agents import Library, build_library
from tests.web.venue import WebVenue

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 768}
WALL_TV = {"width": 1920, "height": 1080}


@pytest.fixture(scope="session")
def web_library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    return build_library(tmp_path_factory.mktemp("web-library"))


@pytest.fixture(scope="module")
def web_venue(tmp_path_factory: pytest.TempPathFactory, web_library: Library) -> Iterator[WebVenue]:
    venue = WebVenue(tmp_path_factory.mktemp("web-venue"), web_library)
    try:
        yield venue
    finally:
        venue.close()


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox"]
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page_for(browser, web_venue: WebVenue) -> Iterator[Callable[..., object]]:  # type: ignore[no-untyped-def]
    contexts = []

    def open_page(viewport: dict[str, int] = DESK, signed_in_as: str | None = "c1"):  # type: ignore[no-untyped-def]
        context = browser.new_context(viewport=viewport, base_url=web_venue.base_url)
        contexts.append(context)
        if signed_in_as is not None:
            _, pin, *_ = web_venue.staff[signed_in_as]
            answer = context.request.post(
                "/api/session",
                data={"staff_id": signed_in_as, "pin": pin},
                headers={"origin": web_venue.base_url},
            )
            assert answer.ok, answer.text()
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
