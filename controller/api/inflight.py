"""Calls in flight, for a graceful stop: once closing, new calls are refused (UNAVAILABLE)
and the server waits for the single-response calls already running to finish."""

from __future__ import annotations

import asyncio

from ktv.errors import Unavailable


class InFlight:
    def __init__(self) -> None:
        self.count = 0
        self.closing = False
        self._idle = asyncio.Event()
        self._idle.set()

    def enter(self) -> None:
        if self.closing:
            raise Unavailable("the controller is shutting down", reason="SHUTTING_DOWN")
        self.count += 1
        self._idle.clear()

    def exit(self) -> None:
        self.count -= 1
        if self.count == 0:
            self._idle.set()

    def close(self) -> None:
        self.closing = True

    async def wait_idle(self, timeout_s: float) -> bool:
        """True when every tracked call finished within ``timeout_s``."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout_s)
        except TimeoutError:
            return False
        return True
