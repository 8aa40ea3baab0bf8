"""systemd's side of sd_notify for tests: a real unix datagram socket to pass as NOTIFY_SOCKET,
and a read of what has arrived so far."""

from __future__ import annotations

import socket


def pending(sock: socket.socket) -> list[bytes]:
    """Every datagram already waiting on ``sock``, without waiting for more."""
    timeout = sock.gettimeout()
    sock.setblocking(False)
    messages = []
    try:
        while True:
            messages.append(sock.recv(4096))
    except BlockingIOError:
        return messages
    finally:
        sock.settimeout(timeout)
