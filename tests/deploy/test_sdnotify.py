"""sd_notify: what systemd would receive on its notify socket, read from a real socket."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import threading
import time
import uuid
from pathlib import Path

import pytest

from ktv.sdnotify import (
    LoopHeartbeat,
    SystemdNotifier,
    ping_watchdog_forever,
    ping_watchdog_if_alive,
    watchdog_ping_interval_s,
)
from tests.support.controller import launch
from tests.support.notify import pending


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


async def _pings_arrive(sock: socket.socket, count: int, timeout_s: float = 20.0) -> None:
    seen = 0
    deadline = time.monotonic() + timeout_s
    while seen < count:
        assert time.monotonic() < deadline, f"only {seen} of {count} watchdog pings arrived"
        seen += pending(sock).count(b"WATCHDOG=1")
        await asyncio.sleep(0.02)


def test_a_blocked_event_loop_sends_no_watchdog_pings_and_they_resume_after(systemd_socket):
    """What systemd relies on: a loop stuck in one step (the link's spin) pings nothing."""
    address, sock = systemd_socket

    async def run() -> list[bytes]:
        with SystemdNotifier(address) as notifier:
            task = asyncio.create_task(ping_watchdog_forever(notifier, 0.02))
            await _pings_arrive(sock, 2)
            pending(sock)
            time.sleep(0.5)  # the loop is stuck: 25 ping intervals
            during = pending(sock)  # read before the loop gets control back
            await _pings_arrive(sock, 2)  # and it feeds the watchdog again once it runs
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            return during

    assert asyncio.run(run()) == []


def test_a_stuck_second_loop_stops_the_pings_of_the_first(systemd_socket, caplog):
    """The full room: Kivy's clock pings only while the link's loop (another thread) beats."""
    address, sock = systemd_socket
    now = [100.0]
    beat = LoopHeartbeat(max_silence_s=15, clock=lambda: now[0])
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    release, stuck = threading.Event(), threading.Event()

    def block() -> None:
        stuck.set()
        release.wait(30)

    try:
        task = asyncio.run_coroutine_threadsafe(beat.beat_forever(0.01), loop)
        with SystemdNotifier(address) as notifier:
            assert ping_watchdog_if_alive(notifier, beat)
            assert sock.recv(4096) == b"WATCHDOG=1"
            loop.call_soon_threadsafe(block)
            assert stuck.wait(10)
            now[0] += 16  # 16 s with the other loop stuck: longer than a ping interval
            assert not beat.alive()
            assert ping_watchdog_if_alive(notifier, beat) is False
            assert pending(sock) == []
            assert "stuck for 16 s" in caplog.text
            release.set()
            _wait_for(beat.alive, "the other loop beats again")
            assert ping_watchdog_if_alive(notifier, beat)
            assert sock.recv(4096) == b"WATCHDOG=1"
        task.cancel()
    finally:
        release.set()
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def _wait_for(predicate, what: str, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def test_the_controller_feeds_the_watchdog_from_its_event_loop(
    systemd_socket, tmp_path, monkeypatch
):
    """``run_server`` in this process: blocking its loop stops the pings, so a stuck
    controller is restarted by systemd; they flow again once the loop runs."""
    from controller.server import ServerOptions, run_server

    address, sock = systemd_socket
    monkeypatch.setenv("NOTIFY_SOCKET", address)
    monkeypatch.setenv("WATCHDOG_USEC", "200000")  # WatchdogSec=0.2s: a ping every 0.1 s
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    options = ServerOptions(
        data_dir=tmp_path / "data", listen="127.0.0.1:0", insecure_dev=True, mdns=False
    )

    async def run() -> list[bytes]:
        server = asyncio.create_task(run_server(options))
        try:
            await _pings_arrive(sock, 3, timeout_s=60)
            pending(sock)
            time.sleep(1.0)  # the controller's loop is stuck for 10 ping intervals
            during = pending(sock)
            await _pings_arrive(sock, 2)
            return during
        finally:
            server.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await server

    assert asyncio.run(run()) == []
    assert b"STOPPING=1" in pending(sock)


def test_when_the_watchdog_aborts_the_controller_its_stacks_go_to_the_journal(tmp_path):
    """systemd ends a stuck controller with SIGABRT: the log shows where each thread was."""
    ctl = launch(tmp_path / "data", ["--no-mdns"])
    try:
        ctl.signal(signal.SIGABRT)
        assert ctl.process.wait(30) == -signal.SIGABRT
    finally:
        ctl.stop()
    log = ctl.log_text()
    assert "Fatal Python error: Aborted" in log
    assert "most recent call first" in log and "controller" in log


def test_a_loop_heartbeat_needs_a_positive_silence():  # zero would beat in a busy loop
    for bad in (0, -1.0):
        with pytest.raises(ValueError, match="max_silence_s must be positive"):
            LoopHeartbeat(max_silence_s=bad)
