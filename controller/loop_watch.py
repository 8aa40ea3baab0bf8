"""Event-loop stall warnings: everything in the controller runs on one asyncio loop, so a
slow step (a long transaction, a big GC pass, CPU starvation) delays every room at once.
A probe sleeps ``loop_probe_interval_s`` and logs a warning when it wakes more than
``loop_stall_warn_ms`` late."""

from __future__ import annotations

import asyncio
import gc
import logging
import time

from controller import settings

log = logging.getLogger("controller.loop")


class GcPauses:
    """Logs garbage-collector passes that take longer than ``warn_ms`` (they stall the loop)."""

    def __init__(self, warn_ms: float = settings.loop_stall_warn_ms) -> None:
        self.warn_ms = warn_ms
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        took_ms = (time.perf_counter() - self._started) * 1000
        if took_ms > self.warn_ms:
            log.warning(
                "garbage collection (generation %d) took %.0f ms", info["generation"], took_ms
            )

    def install(self) -> None:
        gc.callbacks.append(self)

    def remove(self) -> None:
        if self in gc.callbacks:
            gc.callbacks.remove(self)


async def watch_loop_stalls(
    interval_s: float = settings.loop_probe_interval_s,
    warn_ms: float = settings.loop_stall_warn_ms,
) -> None:
    while True:
        started = time.perf_counter()
        await asyncio.sleep(interval_s)
        late_ms = (time.perf_counter() - started - interval_s) * 1000
        if late_ms > warn_ms:
            log.warning("event loop stalled %.0f ms", late_ms)
