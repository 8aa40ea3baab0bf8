"""sd_notify for services run by systemd (``Type=notify`` and ``WatchdogSec=``).

Plain datagram-socket code, no dependency: systemd hands the service ``$NOTIFY_SOCKET``
(a path, or ``@name`` for the abstract namespace) and, when a watchdog is armed,
``$WATCHDOG_USEC`` + ``$WATCHDOG_PID``. Outside systemd every call is a quiet no-op, so the
same ``serve`` runs in a terminal, in tests and under systemd.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Mapping

# systemd's own advice: ping at half the watchdog interval.
WATCHDOG_PING_FRACTION = 0.5


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
