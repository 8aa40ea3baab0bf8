"""sd_notify for services run by systemd (``Type=notify`` and ``WatchdogSec=``).

Plain datagram-socket code, no dependency: systemd hands the service ``$NOTIFY_SOCKET``
(a path, or ``@name`` for the abstract namespace) and, when a watchdog is armed,
``$WATCHDOG_USEC`` + ``$WATCHDOG_PID``. Outside systemd every call is a quiet no-op, so the
same ``serve`` runs in a terminal, in tests and under systemd.
"""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import logging
import os
import socket
import time
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)

# systemd's own advice: ping at half the watchdog interval.
WATCHDOG_PING_FRACTION = 0.5


def dump_stacks_when_aborted() -> None:
    """systemd's watchdog ends a stuck service with SIGABRT (``WatchdogSignal=``'s default):
    have Python print every thread's stack to stderr (the journal) first, so the line the
    service was stuck on is on record after the restart."""
    if not faulthandler.is_enabled():
        faulthandler.enable(all_threads=True)


class SystemdNotifier:
    """Sends ``READY=1``, ``WATCHDOG=1``, ``STATUS=...`` and ``STOPPING=1`` to systemd."""

    def __init__(self, socket_address: str | None = None) -> None:
        if socket_address is None:
            socket_address = os.environ.get("NOTIFY_SOCKET") or None
        self._address: str | bytes | None = None
        if socket_address:
            if socket_address.startswith("@"):
                self._address = b"\0" + socket_address[1:].encode()
            elif socket_address.startswith("/"):
                self._address = socket_address
        self._socket: socket.socket | None = None

    @property
    def enabled(self) -> bool:
        """True when running under systemd with a notify socket."""
        return self._address is not None

    def notify(self, *assignments: str) -> bool:
        """Send ``KEY=value`` lines; False (never an exception) when systemd is not listening."""
        if self._address is None:
            return False
        message = "\n".join(assignments).encode()
        try:
            if self._socket is None:
                self._socket = socket.socket(
                    socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC
                )
            # never block the event loop on a full queue (systemd not reading): drop instead
            self._socket.sendto(message, socket.MSG_DONTWAIT, self._address)
        except OSError:
            return False
        return True

    def ready(self, status: str | None = None) -> bool:
        """The service is up (sockets bound, database open): systemd finishes the start job."""
        lines = ["READY=1", f"MAINPID={os.getpid()}"]
        if status:
            lines.append(f"STATUS={status}")
        return self.notify(*lines)

    def watchdog(self) -> bool:
        """Proof of life; systemd restarts the service when these stop for ``WatchdogSec``."""
        return self.notify("WATCHDOG=1")

    def status(self, text: str) -> bool:
        """Free-form line shown by ``systemctl status``."""
        return self.notify(f"STATUS={text}")

    def stopping(self) -> bool:
        """Graceful shutdown has begun."""
        return self.notify("STOPPING=1")

    def close(self) -> None:
        """Release the socket; idempotent."""
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def __enter__(self) -> SystemdNotifier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def watchdog_ping_interval_s(
    environ: Mapping[str, str] | None = None, pid: int | None = None
) -> float | None:
    """How often to ping, or None when no watchdog is armed for this process.

    systemd sets ``WATCHDOG_USEC``; ``WATCHDOG_PID``, when present, must be our pid (a child
    that inherited the environment must not ping on its parent's behalf).
    """
    env = os.environ if environ is None else environ
    raw_usec = env.get("WATCHDOG_USEC", "")
    if not raw_usec.isdigit() or int(raw_usec) == 0:
        return None
    raw_pid = env.get("WATCHDOG_PID", "")
    if raw_pid and raw_pid.isdigit() and int(raw_pid) != (os.getpid() if pid is None else pid):
        return None
    return int(raw_usec) / 1_000_000 * WATCHDOG_PING_FRACTION


class LoopHeartbeat:
    """Proof that an asyncio loop on another thread still runs its tasks: ``beat_forever``
    (a task on that loop) stamps the time, ``alive()`` is read from any thread.

    A process with two loops (the full room: Kivy's clock on the main thread, the link's
    asyncio loop on its own) pings systemd from one of them only while the other beats too,
    so either loop freezing stops the pings and systemd restarts the process.
    """

    def __init__(self, max_silence_s: float, *, clock: Callable[[], float] = time.monotonic):
        if not max_silence_s > 0:
            raise ValueError(f"max_silence_s must be positive, got {max_silence_s!r}")
        self.max_silence_s = max_silence_s
        self._clock = clock
        self._last = clock()  # a loop that has not started yet has this long to start

    async def beat_forever(self, interval_s: float | None = None) -> None:
        """Stamp every ``interval_s`` (default: a quarter of the allowed silence, so a loop
        that is merely busy for a moment never looks stuck)."""
        interval_s = self.max_silence_s / 4 if interval_s is None else interval_s
        while True:
            self._last = self._clock()
            await asyncio.sleep(interval_s)

    def silent_for_s(self) -> float:
        return self._clock() - self._last

    def alive(self) -> bool:
        return self.silent_for_s() <= self.max_silence_s


def ping_watchdog_if_alive(notifier: SystemdNotifier, *loops: LoopHeartbeat) -> bool:
    """One ``WATCHDOG=1`` from the caller's loop, sent only while every other loop beats; a
    skipped ping is logged (systemd restarts the service after ``WatchdogSec`` of them)."""
    silent = [loop.silent_for_s() for loop in loops if not loop.alive()]
    if silent:
        log.error(
            "an event loop has been stuck for %.0f s: not feeding the systemd watchdog",
            max(silent),
        )
        return False
    return notifier.watchdog()


async def ping_watchdog_forever(notifier: SystemdNotifier, interval_s: float) -> None:
    """Ping from the event loop itself: a stuck loop stops the pings and systemd restarts us.

    Run it as a task next to the server; cancel it on shutdown.
    """
    while True:
        notifier.watchdog()
        await asyncio.sleep(interval_s)


class ServiceNotifier:
    """A service's whole conversation with systemd: READY once serving, watchdog pings from
    the running event loop, STOPPING on shutdown. A no-op outside systemd. Call ``ready``
    from inside the loop."""

    def __init__(self) -> None:
        self.notifier = SystemdNotifier()
        self._watchdog: asyncio.Task[None] | None = None

    def ready(self, status: str) -> None:
        self.notifier.ready(status=status)
        interval = watchdog_ping_interval_s()
        if interval is not None:
            self._watchdog = asyncio.create_task(ping_watchdog_forever(self.notifier, interval))

    async def stopping(self) -> None:
        self.notifier.stopping()
        if self._watchdog is not None:
            self._watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watchdog
        self.notifier.close()
