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

from ktv.errors import FailedPrecondition, InvalidArgument
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
         "--windowed", "--mock-pins", "--log-level", "WARNING"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 3, result.stderr
    assert "catalog" in result.stderr and result.stderr.count("\n") == 1


def _agent(tmp_path: Path, *extra: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "room_agent", "--room", "A08", "--data-dir", str(tmp_path / "d"),
         "--windowed", "--log-level", "WARNING", *extra],
        capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})},
    )  # fmt: skip


def test_an_agent_without_a_real_pin_factory_refuses_to_start(tmp_path: Path) -> None:
    """Issue 24: it used to fall back to mock pins with one warning (sensors silently dead).
    The factory is hidden by naming lgpio, which this x86 venv does not have (as on a Pi 5
    whose venv lacks it); and by the mock factory, which is not real pins either."""
    for factory in ("lgpio", "mock"):
        result = _agent(tmp_path, env={"GPIOZERO_PIN_FACTORY": factory})
        assert result.returncode == FailedPrecondition.exit_code, result.stderr
        assert result.stderr.count("\n") == 1, result.stderr
        assert "no real GPIO pin factory" in result.stderr or "MockFactory" in result.stderr
        assert "--mock-pins" in result.stderr
        assert not (tmp_path / "d").exists()  # refused before anything was made


def test_mock_pins_from_the_flag_or_the_config_get_past_the_pins(tmp_path: Path) -> None:
    # past the pins, the agent stops at the next missing part (no catalog here): exit 3
    assert _agent(tmp_path, "--mock-pins").returncode == 3
    config = tmp_path / "agent.toml"
    config.write_text('room = "A08"\nmock_pins = true\n', encoding="utf-8")
    result = _agent(tmp_path, "--config", str(config))
    assert result.returncode == 3 and "catalog" in result.stderr, result.stderr


def test_a_bad_output_config_refuses_the_start_in_one_line(tmp_path: Path) -> None:
    bad = {
        "two outputs on one pin": (
            '[[outputs]]\nname = "lights"\nkind = "pwm"\nrole = "lights"\npin = 12\n'
            '[[outputs]]\nname = "amp"\nkind = "relay"\nrole = "sound"\npin = 12\n',
            "GPIO12 is already used by output lights",
        ),
        "a pin the Pi does not have": (
            '[[outputs]]\nname = "lights"\nkind = "led"\nrole = "lights"\npin = 40\n',
            "the Pi has no GPIO40",
        ),
        "negative watts": (
            '[[outputs]]\nname = "ac"\nkind = "relay"\nrole = "power"\npin = 5\nwatts = -1500\n',
            "watts must be 0-",
        ),
        "an output on the door sensor's pin": (
            '[[outputs]]\nname = "door_lamp"\nkind = "led"\nrole = "door_lamp"\npin = 17\n',
            "GPIO17 is already used by the door sensor",
        ),
    }
    for what, (body, message) in bad.items():
        config = tmp_path / "agent.toml"
        config.write_text('room = "A08"\nmock_pins = true\n' + body, encoding="utf-8")
        result = _agent(tmp_path, "--config", str(config))
        assert result.returncode == InvalidArgument.exit_code, (what, result.stderr)
        assert message in result.stderr and result.stderr.count("\n") == 1, (what, result.stderr)
        assert not (tmp_path / "d").exists(), what


def test_audio_device_names_map_to_outputs() -> None:
    assert audio_output("").kind is OutputKind.ALSA
    assert audio_output("dummy").kind is OutputKind.DUMMY
    pulse = audio_output("pulse/ktv_sink")
    assert (pulse.kind, pulse.device) == (OutputKind.PULSE, "ktv_sink")
    with pytest.raises(InvalidArgument, match="audio_device"):
        audio_output("hdmi")
