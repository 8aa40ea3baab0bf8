"""``ktv-agent run`` without --headless: the touchscreen (Kivy, offscreen), the real RoomCore,
libVLC (dummy audio), mock GPIO and the link, as one process against a loopback controller."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
from pathlib import Path

import pytest

from ktv.errors import InvalidArgument
from ktv.v1 import link_pb2
from media_index.catalog import Catalog
from room_agent.player import OutputKind
from room_agent.screen_agent import audio_output

from .loopback_controller import LoopbackController, eventually
from .test_cli import AGENT

pytestmark = pytest.mark.slow


def test_the_full_agent_links_up_applies_commands_and_closes_on_sigterm(tmp_path: Path) -> None:
    Catalog(tmp_path / "catalog.db").close()  # an empty catalog: the room still opens
    config = tmp_path / "agent.toml"

    async def scenario() -> None:
        controller = LoopbackController()
        await controller.start()
        config.write_text(
            f'room = "A08"\ncontroller = "{controller.target}"\ndata_dir = "{tmp_path / "a"}"\n'
            f'catalog_path = "{tmp_path / "catalog.db"}"\naudio_device = "dummy"\n'
            "mock_gpio = true\nheartbeat_interval_s = 1\nscreen_rotation = 90\n",
            encoding="utf-8",
        )
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(str(tmp_path / "notify.sock"))
        notify.setblocking(False)
        env = {
            **os.environ,
            "NOTIFY_SOCKET": str(tmp_path / "notify.sock"),
            "WATCHDOG_USEC": "1000000",
            "KIVY_NO_ARGS": "1",
            "KIVY_NO_CONSOLELOG": "1",
            "KIVY_NO_FILELOG": "1",
            "KIVY_HOME": str(tmp_path / "kivy"),
        }
        if not env.get("DISPLAY"):
            env["SDL_VIDEODRIVER"] = "offscreen"
        proc = await asyncio.create_subprocess_exec(
            *AGENT, "run", "--config", str(config), "--windowed", env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            await eventually(lambda: controller.record.hellos, timeout_s=60, what="hello")
            opened = link_pb2.RoomCommand(command_id="c-open")
            opened.session_opened.session = "sessions/7"
            opened.session_opened.open_time.GetCurrentTime()
            await controller.send_command(opened)
            await controller.send_command(
                link_pb2.RoomCommand(
                    command_id="c-cap", volume_limit=link_pb2.VolumeLimit(max_percent=60)
                )
            )
            await eventually(
                lambda: len(controller.record.command_results) == 2,
                timeout_s=30,
                what="the core's answers",
            )
            assert all(r.ok for r in controller.record.command_results), (
                controller.record.command_results
            )
            said: list[str] = []

            def drain() -> list[str]:
                with contextlib.suppress(BlockingIOError):
                    while True:
                        said.append(notify.recv(4096).decode())
                return said

            await eventually(
                lambda: any("WATCHDOG=1" in m for m in drain()),
                timeout_s=90,
                what="READY once the screen is up, then watchdog pings",
            )
            proc.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(proc.communicate(), 60)
            assert proc.returncode == 0, err.decode()[-3000:]
            assert (tmp_path / "a" / "room.db").exists()  # the core's queue store
            drain()
            assert "READY=1" in said[0]
            assert "STOPPING=1" in said
        finally:
            notify.close()
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
            await controller.stop()

    asyncio.run(scenario())


def test_a_missing_catalog_stops_the_full_agent_in_one_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "room_agent", "--room", "A08", "--data-dir", str(tmp_path),
         "--windowed"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 3, result.stderr
    assert "catalog" in result.stderr and result.stderr.count("\n") == 1


def test_audio_device_names_map_to_outputs() -> None:
    assert audio_output("").kind is OutputKind.ALSA
    assert audio_output("dummy").kind is OutputKind.DUMMY
    pulse = audio_output("pulse/ktv_sink")
    assert (pulse.kind, pulse.device) == (OutputKind.PULSE, "ktv_sink")
    with pytest.raises(InvalidArgument, match="audio_device"):
        audio_output("hdmi")
