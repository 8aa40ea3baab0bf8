"""sd_notify: what systemd would receive on its notify socket, read from a real socket."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from pathlib import Path

import pytest

from ktv.sdnotify import SystemdNotifier, ping_watchdog_forever, watchdog_ping_interval_s


@pytest.fixture
def systemd_socket(tmp_path: Path):
    """A datagram socket standing where systemd's notify socket would be."""
    path = tmp_path / "notify"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(5)
    yield str(path), sock
    sock.close()


def test_ready_tells_systemd_the_controller_is_up_with_its_pid_and_status(systemd_socket):
    address, sock = systemd_socket
    with SystemdNotifier(address) as notifier:
        assert notifier.ready(status="serving 24 rooms")
    lines = sock.recv(4096).decode().split("\n")
    assert lines == ["READY=1", f"MAINPID={os.getpid()}", "STATUS=serving 24 rooms"]


def test_notify_socket_comes_from_the_environment_systemd_sets(systemd_socket, monkeypatch):
    address, sock = systemd_socket
    monkeypatch.setenv("NOTIFY_SOCKET", address)
    with SystemdNotifier() as notifier:
        assert notifier.enabled
        notifier.watchdog()
        notifier.stopping()
    assert sock.recv(4096) == b"WATCHDOG=1"
    assert sock.recv(4096) == b"STOPPING=1"


def test_abstract_namespace_socket_is_reached_through_the_at_sign():
    name = f"ktv-test-{uuid.uuid4().hex}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(b"\0" + name.encode())
    sock.settimeout(5)
    try:
        with SystemdNotifier("@" + name) as notifier:
            assert notifier.status("migrating database")
        assert sock.recv(4096) == b"STATUS=migrating database"
    finally:
        sock.close()


def test_outside_systemd_every_notification_is_a_quiet_no_op(monkeypatch):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    notifier = SystemdNotifier()
    assert not notifier.enabled
    assert notifier.ready() is False
    assert notifier.watchdog() is False
    notifier.close()
    notifier.close()


def test_a_systemd_that_stops_reading_never_blocks_the_service(systemd_socket):
    address, _sock = systemd_socket
    with SystemdNotifier(address) as notifier:
        results = [notifier.watchdog() for _ in range(500)]
    assert results[0] is True
    assert results[-1] is False  # queue full: dropped, not blocked


def test_a_vanished_notify_socket_does_not_crash_the_service(tmp_path):
    notifier = SystemdNotifier(str(tmp_path / "gone"))
    assert notifier.enabled
    assert notifier.ready() is False
    notifier.close()


def test_watchdog_pings_at_half_of_watchdog_sec():
    assert watchdog_ping_interval_s({"WATCHDOG_USEC": "20000000"}) == 10.0
    assert watchdog_ping_interval_s({"WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "41"}, 41) == 10


def test_no_watchdog_when_unset_zero_garbage_or_meant_for_another_process():
    assert watchdog_ping_interval_s({}) is None
    assert watchdog_ping_interval_s({"WATCHDOG_USEC": "0"}) is None
    assert watchdog_ping_interval_s({"WATCHDOG_USEC": "soon"}) is None
    assert watchdog_ping_interval_s({"WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "1"}, 2) is None


def test_event_loop_keeps_pinging_the_watchdog_until_cancelled(systemd_socket):
    address, sock = systemd_socket

    async def run() -> None:
        with SystemdNotifier(address) as notifier:
            task = asyncio.create_task(ping_watchdog_forever(notifier, 0.05))
            await asyncio.sleep(0.3)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(run())
    pings = 0
    sock.setblocking(False)
    while True:
        try:
            assert sock.recv(4096) == b"WATCHDOG=1"
        except BlockingIOError:
            break
        pings += 1
    assert pings >= 2
