"""End to end: the real agent link against the real controller process (tests/support)."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ktv.v1 import auth_pb2, rooms_pb2
from room_agent.agent import build_agent
from room_agent.config import AgentConfig
from room_agent.core import ports
from room_agent.link.discovery import parse_host_port
from room_agent.link.enroll import enroll_agent
from tests.support.controller import RPC_TIMEOUT_S, RunningController, launch

pytestmark = pytest.mark.slow


def unique_venue() -> str:
    return f"link-{uuid.uuid4().hex[:10]}"


def enrollment_code(ctl: RunningController, room_id: str) -> str:
    return (
        ctl.auth()
        .CreateEnrollmentCode(
            auth_pb2.CreateEnrollmentCodeRequest(
                room=f"rooms/{room_id}", request_id=uuid.uuid4().hex
            ),
            metadata=ctl.admin_md,
            timeout=RPC_TIMEOUT_S,
        )
        .code
    )


def stored_event_ids(data_dir: Path, room_id: str) -> list[str]:
    with closing(sqlite3.connect(f"file:{data_dir / 'controller.db'}?mode=ro", uri=True)) as db:
        return [
            row[0]
            for row in db.execute(
                "SELECT event_id FROM room_events WHERE room_id = ? ORDER BY rowid", (room_id,)
            )
        ]


def agent_status(ctl: RunningController, room_id: str) -> rooms_pb2.AgentStatus:
    room = (
        ctl.rooms()
        .GetRoom(
            rooms_pb2.GetRoomRequest(name=f"rooms/{room_id}"),
            metadata=ctl.admin_md,
            timeout=RPC_TIMEOUT_S,
        )
        .room
    )
    return room.agent


async def until(predicate, *, timeout_s: float = 30, what: str = "condition") -> None:
    """Poll a (possibly blocking) predicate in a thread; generous timeout, shared machine."""
    deadline = time.monotonic() + timeout_s
    while not await asyncio.to_thread(predicate):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        await asyncio.sleep(0.1)


def kill_9(ctl: RunningController) -> None:
    ctl.process.send_signal(signal.SIGKILL)
    ctl.process.wait(10)


def test_every_event_arrives_exactly_once_across_a_controller_kill_9(tmp_path: Path) -> None:
    venue = unique_venue()
    data = tmp_path / "controller"
    ctl = launch(data, ["--venue-id", venue])
    controllers = [ctl]
    try:
        ctl.add_room("A08")
        code = enrollment_code(ctl, "A08")
        config = AgentConfig(
            room="A08",
            data_dir=tmp_path / "agent",
            controller=parse_host_port(ctl.address),
            heartbeat_interval_s=1,
            headless=True,
        )

        async def scenario() -> tuple[list[str], int]:
            await enroll_agent(
                config.controller, room_id="A08", code=code, data_dir=config.data_dir
            )
            agent = build_agent(config)
            task = asyncio.create_task(agent.run())
            emitted: list[str] = []
            try:
                await asyncio.wait_for(agent.link.online.wait(), 30)
                now = datetime.now(UTC)
                emitted += [
                    agent.outbox.emit(ports.DoorChanged(open=o), now) for o in (True, False)
                ]
                await until(lambda: agent.outbox.depth() == 0, what="first events acked")

                kill_9(ctl)
                await until(lambda: not agent.link.online.is_set(), what="agent saw the crash")
                for i in range(10):
                    emitted.append(
                        agent.outbox.emit(
                            ports.PresenceChanged(present=i % 2 == 0), datetime.now(UTC)
                        )
                    )
                emitted.append(
                    agent.outbox.emit(
                        ports.SongPlayed(
                            song_id="s-1",
                            title="晴天",
                            session="",
                            start_time=now,
                            outcome=ports.PlayOutcome.COMPLETED,
                            played_ms=269_000,
                        ),
                        datetime.now(UTC),
                    )
                )
                assert agent.outbox.depth() == 11  # waiting, durable, not lost

                restarted = await asyncio.to_thread(
                    launch, data, ["--venue-id", venue, "--listen", ctl.address]
                )
                controllers.append(restarted)
                await until(lambda: agent.outbox.depth() == 0, what="outbox drained")
                return emitted, agent.link.connections
            finally:
                agent.stop()
                await asyncio.wait_for(task, 15)
                agent.close()

        emitted, connections = asyncio.run(scenario())
        stored = stored_event_ids(data, "A08")
        assert sorted(stored) == sorted(emitted)  # every one arrived ...
        assert len(stored) == len(set(stored)) == 13  # ... exactly once
        assert connections == 2
    finally:
        for c in controllers:
            c.stop()


def test_the_agent_follows_a_restarted_controller_to_a_new_port_by_zeroconf(
    tmp_path: Path,
) -> None:
    venue = unique_venue()
    data = tmp_path / "controller"
    ctl = launch(data, ["--venue-id", venue])
    controllers = [ctl]
    try:
        ctl.add_room("B02")
        code = enrollment_code(ctl, "B02")
        config = AgentConfig(
            room="B02",
            data_dir=tmp_path / "agent",
            venue_id=venue,
            mdns_interfaces=("127.0.0.1",),
            heartbeat_interval_s=1,
            headless=True,
        )

        async def scenario() -> None:
            agent = build_agent(config)
            address = await agent.link.locator.locate()
            assert address.target == ctl.address and address.source == "zeroconf"
            await enroll_agent(address, room_id="B02", code=code, data_dir=config.data_dir)
            task = asyncio.create_task(agent.run())
            try:
                await asyncio.wait_for(agent.link.online.wait(), 30)
                kill_9(ctl)
                moved = await asyncio.to_thread(launch, data, ["--venue-id", venue])
                controllers.append(moved)
                assert moved.address != ctl.address
                await until(
                    lambda: (
                        agent.link.online.is_set() and agent.link.address.target == moved.address
                    ),
                    timeout_s=60,
                    what="agent online with the moved controller",
                )
                event_id = agent.outbox.emit(ports.ServiceCalled(kind="water"), datetime.now(UTC))
                await until(lambda: agent.outbox.depth() == 0, what="event acked")
                assert event_id in stored_event_ids(data, "B02")
                assert agent_status(moved, "B02").online
            finally:
                agent.stop()
                await asyncio.wait_for(task, 15)
                agent.close()

        asyncio.run(scenario())
    finally:
        for c in controllers:
            c.stop()


def test_a_silent_agent_goes_offline_on_the_board_and_comes_back_online(tmp_path: Path) -> None:
    """ktv-agent as a process: SIGSTOP silences it past the heartbeat timeout, SIGCONT wakes it."""
    venue = unique_venue()
    data = tmp_path / "controller"
    agent_dir = tmp_path / "agent"
    ctl = launch(data, ["--venue-id", venue, "--offline-after-s", "3"])
    try:
        ctl.add_room("C03")
        enroll = subprocess.run(
            [sys.executable, "-m", "room_agent", "enroll", "--room", "C03",
             "--code", enrollment_code(ctl, "C03"), "--controller", ctl.address,
             "--data-dir", str(agent_dir)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert enroll.returncode == 0, enroll.stderr
        config = tmp_path / "agent.toml"
        config.write_text(
            f'room = "C03"\ncontroller = "{ctl.address}"\ndata_dir = "{agent_dir}"\n'
            "heartbeat_interval_s = 1\n",
            encoding="utf-8",
        )
        agent = subprocess.Popen(
            [sys.executable, "-m", "room_agent", "--headless", "--config", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_until(lambda: agent_status(ctl, "C03").online, "registered: online")
            os.kill(agent.pid, signal.SIGSTOP)
            wait_until(lambda: not agent_status(ctl, "C03").online, "heartbeat timeout: offline")
            os.kill(agent.pid, signal.SIGCONT)
            wait_until(lambda: agent_status(ctl, "C03").online, "back online")
            status = agent_status(ctl, "C03")
            assert status.agent_version and status.peer
        finally:
            os.kill(agent.pid, signal.SIGCONT)
            agent.send_signal(signal.SIGTERM)
            _, err = agent.communicate(timeout=20)
        assert agent.returncode == 0, err.decode()
    finally:
        ctl.stop()


def wait_until(predicate, what: str, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(0.1)
