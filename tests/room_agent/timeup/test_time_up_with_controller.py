"""End to end: a real controller process, a real agent link and the real core loop (fake
player). A one-minute prepaid room stops at its end by the agent's own clock, the board shows
到钟, ``ktvctl extend`` resumes the song within a second, and checkout settles nothing more."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ktv.v1 import rooms_pb2
from room_agent.agent import build_agent
from room_agent.config import AgentConfig
from room_agent.core import ports
from room_agent.core.events import RoomScreen
from room_agent.core.instruments import RecordingPlayer, SongShelf
from room_agent.core.room import RoomCore
from room_agent.core.time_left import TimePolicy
from room_agent.link.discovery import parse_host_port
from room_agent.link.enroll import enroll_agent
from tests.controller.billing.grpc_support import write_venue
from tests.room_agent.core.conftest import SONGS
from tests.room_agent.link.test_with_controller import enrollment_code, until
from tests.support.controller import RPC_TIMEOUT_S, RunningController, start_controller

pytestmark = pytest.mark.slow

KTVCTL = [sys.executable, "-m", "controller.ktvctl"]


def ktvctl(ctl: RunningController, cfg: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("KTV_CONTROLLER", "KTV_TOKEN")}
    env.update({"KTV_CONFIG_DIR": str(cfg), "COLUMNS": "200"})
    who = ["--controller", ctl.address, "--data-dir", str(ctl.data_dir)]
    result = subprocess.run(
        [*KTVCTL, *who, *args], capture_output=True, text=True, timeout=60, env=env
    )
    assert result.returncode == 0, result.stderr
    return result


def board_alerts(ctl: RunningController, room_id: str) -> list[str]:
    room = (
        ctl.rooms()
        .GetRoom(
            rooms_pb2.GetRoomRequest(name=f"rooms/{room_id}"),
            metadata=ctl.admin_md,
            timeout=RPC_TIMEOUT_S,
        )
        .room
    )
    return [a.kind for a in room.alerts]


def test_a_prepaid_room_stops_on_time_shows_到钟_and_ktvctl_extend_resumes_within_a_second(
    tmp_path: Path,
) -> None:
    data = tmp_path / "controller"
    venue = write_venue(data)
    # a plan that stops at the end (the example continues at the hourly rate, and the room
    # follows its plan: see tests/room_agent/desk/test_after_end_policy.py)
    venue.write_text(
        venue.read_text(encoding="utf-8").replace(
            'after_prepaid = "continue_hourly"', 'after_prepaid = "require_renewal"'
        ),
        encoding="utf-8",
    )
    cfg = tmp_path / "ktvctl"
    with start_controller(data, ["--venue-config", str(venue), "--no-mdns"]) as ctl:
        code = enrollment_code(ctl, "A08")
        config = AgentConfig(
            room="A08",
            data_dir=tmp_path / "agent",
            controller=parse_host_port(ctl.address),
            heartbeat_interval_s=1,
            headless=True,
        )
        player = RecordingPlayer()
        cores: list[RoomCore] = []

        def make_room(_: AgentConfig, sink: ports.EventSink) -> ports.CommandHandler:
            core = RoomCore(player, sink, SongShelf(SONGS), time_policy=TimePolicy(fade_ms=500))
            core.start()
            cores.append(core)
            return core

        async def scenario() -> None:
            await enroll_agent(
                config.controller, room_id="A08", code=code, data_dir=config.data_dir
            )
            agent = build_agent(config, make_room=make_room)
            task = asyncio.create_task(agent.run())
            core = cores[0]
            try:
                await asyncio.wait_for(agent.link.online.wait(), 30)
                opened = await asyncio.to_thread(
                    ktvctl,
                    ctl,
                    cfg,
                    "open",
                    "A08",
                    "--guests",
                    "2",
                    "--prepaid",
                    "1m",
                    "--cash",
                    "500",
                    "--json",
                )
                assert json.loads(opened.stdout)["mode"] == "prepaid"
                await until(lambda: core.view().session != "", what="session reached the room")
                assert core.view().session_ends_at is not None
                for song_id in ("s-qingtian", "s-houlai", "s-yiqi"):
                    core.add_song(song_id)
                queued = [e.song_id for e in core.view().queue]
                assert player.state is ports.PlayerState.PLAYING

                await until(
                    lambda: player.state is ports.PlayerState.PAUSED,
                    timeout_s=120,
                    what="the room stopped at its end",
                )
                ends_at = core.view().session_ends_at
                assert ends_at is not None
                view = core.view()
                assert view.screen is RoomScreen.TIME_UP
                assert [e.song_id for e in view.queue] == queued
                assert view.now_playing is not None
                assert view.now_playing.entry.song_id == "s-qingtian"
                await until(lambda: "TIME_UP" in board_alerts(ctl, "A08"), what="到钟 on board")
                board = await asyncio.to_thread(ktvctl, ctl, cfg, "rooms")
                line = next(ln for ln in board.stdout.splitlines() if " A08 " in ln)
                assert "到钟" in line and "TIME" in line.split()  # the board's alert code

                await asyncio.to_thread(
                    ktvctl, ctl, cfg, "extend", "A08", "--prepaid", "1h", "--cash", "100"
                )
                answered = time.monotonic()
                while player.state is not ports.PlayerState.PLAYING:
                    assert time.monotonic() - answered < 1.0, "not resumed within 1 s"
                    await asyncio.sleep(0.01)
                assert core.view().screen is RoomScreen.OPEN
                assert core.view().session_ends_at > ends_at
                await until(lambda: "TIME_UP" not in board_alerts(ctl, "A08"), what="到钟 gone")

                bill = json.loads(
                    (await asyncio.to_thread(ktvctl, ctl, cfg, "bill", "A08", "--json")).stdout
                )
                # the time was paid up front: checkout settles only the overtime gap (the
                # seconds between the end and the extension; forgiven or a few fen)
                overtime_fen = int(bill.get("due_fen", 0))
                assert 0 <= overtime_fen < 500
                tender = ["--cash", f"{overtime_fen / 100:.2f}"] if overtime_fen else []
                done = json.loads(
                    (
                        await asyncio.to_thread(
                            ktvctl, ctl, cfg, "checkout", "A08", *tender, "--json"
                        )
                    ).stdout
                )
                assert done["closed"]
                await until(lambda: core.view().session == "", what="session closed in the room")
                assert core.view().screen is RoomScreen.CLEANING
            finally:
                agent.stop()
                await asyncio.wait_for(task, 15)
                agent.close()
                for core in cores:
                    core.close()

        asyncio.run(scenario())
