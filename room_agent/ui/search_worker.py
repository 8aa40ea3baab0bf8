"""Searches off the UI thread, newest keystroke wins.

One daemon thread runs searches one at a time. A request submitted while another runs
replaces any request still waiting, so typing ``zjl`` fast runs at most ``z`` and ``zjl``,
never a backlog. Results come back through ``deliver`` (the app passes a function that
schedules onto Kivy's clock); a result is delivered only if no newer request was submitted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

Request = TypeVar("Request")
Result = TypeVar("Result")


@dataclass(frozen=True)
class Answer(Generic[Request, Result]):
    request: Request
    result: Result | None
    error: Exception | None
    elapsed_s: float


class LatestWinsWorker(Generic[Request, Result]):
    def __init__(
        self,
        run: Callable[[Request], Result],
        deliver: Callable[[Answer[Request, Result]], None],
        *,
        name: str = "ktv-ui-search",
    ) -> None:
        self._run = run
        self._deliver = deliver
        self._lock = threading.Condition()
        self._waiting: tuple[int, Request] | None = None
        self._generation = 0
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def submit(self, request: Request) -> int:
        """Queue ``request`` (dropping any older one not yet started); returns its number."""
        with self._lock:
            self._generation += 1
            self._waiting = (self._generation, request)
            self._lock.notify()
            return self._generation

    def close(self, timeout_s: float = 5.0) -> None:
        """Stop the thread after the search in progress; idempotent."""
        with self._lock:
            self._closed = True
            self._lock.notify()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout_s)

    def _loop(self) -> None:
        import time

        while True:
            with self._lock:
                while self._waiting is None and not self._closed:
                    self._lock.wait()
                if self._closed:
                    return
                assert self._waiting is not None
                number, request = self._waiting
                self._waiting = None
            started = time.perf_counter()
            result: Result | None = None
            error: Exception | None = None
            try:
                result = self._run(request)
            except Exception as exc:  # shown as "no results" + logged by the screen
                error = exc
            answer = Answer(request, result, error, time.perf_counter() - started)
            with self._lock:
                stale = number != self._generation or self._closed
            if not stale:
                self._deliver(answer)
