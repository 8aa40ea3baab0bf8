"""Drives the TV's notices (the board's composed stack of lines) from the core's events: a
core subscriber plus a small timer thread for notices that end by themselves. The port
(``TvNotices``) is told only when what to show changes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from room_agent.core.room_time import TimeLeftChanged
from room_agent.core.time_left import TimeLeft
from room_agent.tv import settings
from room_agent.tv.notices import NoticeBoard, TvNotice, TvNotices

log = logging.getLogger(__name__)


class NoticeSource(Protocol):
    """What the overlay needs of ``RoomCore``."""

    def subscribe(self, listener: Callable[[object], None]) -> Callable[[], None]: ...
    def time_left(self) -> TimeLeft: ...


class TvOverlay:
    def __init__(
        self,
        port: TvNotices,
        board: NoticeBoard | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        check_interval_s: float = settings.overlay_check_interval_s,
    ) -> None:
        self.port = port
        self.board = board or NoticeBoard()
        self._clock = clock
        self._check_interval_s = check_interval_s
        self._lock = threading.Lock()
        self._shown: TvNotice | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def attach(self, core: NoticeSource) -> TvOverlay:
        """Follow ``core`` from now on (its current time left first) and start the timer."""
        self.on_event(TimeLeftChanged(core.time_left()))
        self._unsubscribe = core.subscribe(self.on_event)
        self._thread = threading.Thread(target=self._run, name="ktv-tv-notices", daemon=True)
        self._thread.start()
        return self

    def on_event(self, event: object) -> None:
        """A core event (called under the core's lock: quick, never blocks)."""
        with self._lock:
            self.board.apply(event, self._clock())
            self._refresh()

    def refresh(self) -> None:
        with self._lock:
            self._refresh()

    @property
    def shown(self) -> TvNotice | None:
        return self._shown

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self._check_interval_s):
            self.refresh()

    def _refresh(self) -> None:
        due = self.board.composed(self._clock())
        if due == self._shown:
            return
        try:
            if due is None:
                self.port.clear_notice()
            else:
                self.port.show_notice(due)
            self._shown = due
        except Exception:  # the TV failing must never break the core's event delivery
            log.exception("TV notice %r could not be shown", due)
