"""The agent feeds systemd's watchdog from the loops that do its work: a stuck loop stops the
pings (systemd then restarts the agent), a healthy one keeps them flowing.

A real datagram socket stands where systemd's NOTIFY_SOCKET would be; the loops are frozen
with a blocking call run on them, as the link's send spin froze them.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import threading
import time
from pathlib import Path

import pytest

from ktv.sdnotify import LoopHeartbeat, SystemdNotifier, ping_watchdog_if_alive
from room_agent.agent import build_agent
from room_agent.cli import _run_agents
from room_agent.config import AgentConfig
from room_agent.link.discovery import parse_host_port
from room_agent.screen_agent import _LinkThread
from tests.support.notify import pending

from .loopback_controller import LoopbackController, eventually
from .test_cli import AGENT


@pytest.fixture
def systemd(tmp_path: Path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify.sock"))
    yield str(tmp_path / "notify.sock"), sock
    sock.close()


def headless_config(tmp_path: Path, target: str) -> AgentConfig:
    return AgentConfig(
        room="A08",
        data_dir=tmp_path / "agent",
        controller=parse_host_port(target),
        heartbeat_interval_s=1,
        headless=True,
    )


def test_a_stuck_headless_agent_loop_stops_feeding_the_watchdog(
    tmp_path: Path, systemd, monkeypatch
) -> None:
    address, sock = systemd
    monkeypatch.setenv("NOTIFY_SOCKET", address)
    monkeypatch.setenv("WATCHDOG_USEC", "200000")  # WatchdogSec=0.2s: a ping every 0.1 s
    monkeypatch.delenv("WATCHDOG_PID", raising=False)

    async def scenario() -> list[bytes]:
        controller = LoopbackController()
        await controller.start()
        agent = build_agent(headless_config(tmp_path, controller.target))
        run = asyncio.create_task(_run_agents([agent], None))  # ktv-agent's own run loop
        got: list[bytes] = []
        try:
            await eventually(agent.link.online.is_set, what="agent online")
            await eventually(
                lambda: got.extend(pending(sock)) or got.count(b"WATCHDOG=1") >= 3,
                what="watchdog pings while healthy",
            )
            pending(sock)
            time.sleep(1.0)  # the agent's loop is stuck for 10 ping intervals
            during = pending(sock)  # read before the loop runs again
            got.clear()
            await eventually(
                lambda: got.extend(pending(sock)) or got.count(b"WATCHDOG=1") >= 2,
                what="pings again once the loop runs",
            )
            return during
        finally:
            agent.stop()
            await asyncio.wait_for(run, 15)
            agent.close()
            await controller.stop()

    assert asyncio.run(scenario()) == []


def test_the_full_rooms_watchdog_stops_when_the_link_loop_is_stuck(tmp_path: Path, systemd):
    """The touchscreen pings from Kivy's clock; the link runs its own loop on a thread. A
    stuck link loop (the room offline for good) must stop the pings as a frozen screen does."""
    address, sock = systemd

    async def scenario() -> None:
        controller = LoopbackController()
        await controller.start()
        agent = build_agent(headless_config(tmp_path, controller.target))
        online = threading.Event()
        link = _LinkThread(
            agent, lambda up: online.set() if up else None, LoopHeartbeat(max_silence_s=0.5)
        )
        release, stuck = threading.Event(), threading.Event()

        def block() -> None:
            stuck.set()
            release.wait(30)

        link.start()
        try:
            with SystemdNotifier(address) as ui_clock_pinger:
                await eventually(online.is_set, what="link online")
                await eventually(
                    lambda: ping_watchdog_if_alive(ui_clock_pinger, link.heartbeat),
                    what="a ping while both loops run",
                )
                assert b"WATCHDOG=1" in pending(sock)
                link._loop.call_soon_threadsafe(block)  # the link's loop is stuck from now
                assert await asyncio.to_thread(stuck.wait, 10)
                await eventually(lambda: not link.heartbeat.alive(), what="link loop silent")
                assert not ping_watchdog_if_alive(ui_clock_pinger, link.heartbeat)
                assert pending(sock) == []
                release.set()
                await eventually(
                    lambda: ping_watchdog_if_alive(ui_clock_pinger, link.heartbeat),
                    what="pings again once the link loop runs",
                )
        finally:
            release.set()
            await asyncio.to_thread(link.stop)
            agent.close()
            await controller.stop()

    asyncio.run(scenario())


def test_when_the_watchdog_aborts_the_agent_every_threads_stack_goes_to_the_journal(
    tmp_path: Path, systemd
) -> None:
    """systemd ends a stuck service with SIGABRT: the agent prints where each thread was."""
    address, sock = systemd

    async def scenario() -> tuple[int, str]:
        controller = LoopbackController()
        await controller.start()
        env = {**os.environ, "NOTIFY_SOCKET": address, "WATCHDOG_USEC": "2000000"}
        proc = await asyncio.create_subprocess_exec(
            *AGENT, "--room", "A08", "--headless", "--controller", controller.target,
            "--data-dir", str(tmp_path / "agent"), env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        got: list[bytes] = []
        try:
            await eventually(
                lambda: got.extend(pending(sock)) or any(b"READY=1" in m for m in got),
                timeout_s=30,
                what="agent ready",
            )
            proc.send_signal(signal.SIGABRT)  # what WatchdogSec= does to a silent service
            _, err = await asyncio.wait_for(proc.communicate(), 30)
            return proc.returncode, err.decode(errors="replace")
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
            await controller.stop()

    code, err = asyncio.run(scenario())
    assert code == -signal.SIGABRT
    assert "Fatal Python error: Aborted" in err
    assert "most recent call first" in err and "asyncio" in err  # the loop thread's stack
