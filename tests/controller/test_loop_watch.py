"""Stall warnings for the controller's one event loop."""

from __future__ import annotations

import asyncio
import gc
import logging
import time

import pytest

from controller.loop_watch import GcPauses, watch_loop_stalls


def test_a_blocked_loop_is_reported(caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        probe = asyncio.create_task(watch_loop_stalls(interval_s=0.01, warn_ms=30))
        await asyncio.sleep(0.05)
        time.sleep(0.3)  # a step that hogs the loop
        await asyncio.sleep(0.05)
        probe.cancel()

    with caplog.at_level(logging.WARNING, logger="controller.loop"):
        asyncio.run(scenario())
    stalls = [r.getMessage() for r in caplog.records if "stalled" in r.getMessage()]
    assert stalls, "the 300 ms block was not reported"
    assert int(stalls[0].split()[3]) >= 200


def test_slow_garbage_collection_is_reported(caplog: pytest.LogCaptureFixture) -> None:
    pauses = GcPauses(warn_ms=-1)  # report every pass
    pauses.install()
    try:
        with caplog.at_level(logging.WARNING, logger="controller.loop"):
            gc.collect()
    finally:
        pauses.remove()
    assert any("garbage collection (generation 2)" in r.getMessage() for r in caplog.records)
    assert pauses not in gc.callbacks
