"""``run_async(coroutine)``: asyncio.run in a thread of its own. Playwright's sync API (the
session-scoped ``browser`` fixture) keeps an event loop running in the main thread, where
``asyncio.run`` then refuses to start; tests of this package that drive asyncio use this."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T], timeout_s: float = 120.0) -> T:
    result: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            result.append(asyncio.run(coroutine))
        except BaseException as error:  # handed to the test's thread
            failure.append(error)

    thread = threading.Thread(target=run, name="run_async")
    thread.start()
    thread.join(timeout_s)
    assert not thread.is_alive(), f"the scenario did not finish within {timeout_s} s"
    if failure:
        raise failure[0]
    return result[0]
