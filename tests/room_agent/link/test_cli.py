"""``ktv-agent`` as a real process against a real (loopback) gRPC controller."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from room_agent.cli import main
from room_agent.link.credentials import load_credential

from .loopback_controller import LoopbackController, eventually

AGENT = [sys.executable, "-m", "room_agent"]


def run_cli(*args: str, timeout_s: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*AGENT, *args], capture_output=True, text=True, timeout=timeout_s)


@contextlib.asynccontextmanager
async def agent_process(*args: str):
    proc = await asyncio.create_subprocess_exec(
        *AGENT, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def stop_gracefully(proc: asyncio.subprocess.Process) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(proc.communicate(), 20)
    return proc.returncode, err.decode()


def test_a_headless_agent_registers_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    async def scenario() -> None:
        controller = LoopbackController()
        await controller.start()
        try:
            async with agent_process(
                "--room", "A08", "--headless", "--controller", controller.target,
                "--data-dir", str(tmp_path),
            ) as proc:  # fmt: skip
                await eventually(lambda: controller.record.hellos, timeout_s=30, what="hello")
                code, err = await stop_gracefully(proc)
            assert code == 0, err
            assert "SIGTERM: stopping 1 room agent(s)" in err
            assert controller.record.hellos[0].room == "rooms/A08"
            assert (tmp_path / "link.db").exists()
            state = json.loads((tmp_path / "room-state.json").read_text())
            assert (state["locked"], state["emergency"]) == (True, False)
        finally:
            await controller.stop()

    asyncio.run(scenario())


def test_a_headless_agent_locks_at_once_into_a_running_emergency(tmp_path: Path) -> None:
    async def scenario() -> None:
        controller = LoopbackController()
        controller.welcome.emergency = True
        controller.welcome.emergency_message = "消防演习，请离开"
        await controller.start()
        state_file = tmp_path / "room-state.json"
        try:
            async with agent_process(
                "run", "--room", "A08", "--headless", "--controller", controller.target,
                "--data-dir", str(tmp_path),
            ) as proc:  # fmt: skip
                # the state file is written when the room is built, before the link is up:
                # wait for the Welcome to reach it (a SIGTERM sent at once raced the link)
                await eventually(
                    lambda: (
                        state_file.exists()
                        and json.loads(state_file.read_text(encoding="utf-8"))["emergency"]
                    ),
                    timeout_s=30,
                    what="the Welcome's emergency in the room state",
                )
                await stop_gracefully(proc)
            state = json.loads(state_file.read_text(encoding="utf-8"))
            assert state["emergency"] is True
            assert state["emergency_message"] == "消防演习，请离开"
        finally:
            await controller.stop()

    asyncio.run(scenario())


def test_one_process_can_simulate_many_rooms_with_their_own_outboxes(tmp_path: Path) -> None:
    async def scenario() -> None:
        controller = LoopbackController()
        await controller.start()
        rooms = {"rooms/A01", "rooms/A02", "rooms/A03"}
        try:
            async with agent_process(
                "--headless", "--rooms", "A01,A02,A03", "--controller", controller.target,
                "--data-dir", str(tmp_path), "--simulate-events", "0.2",
            ) as proc:  # fmt: skip
                await eventually(
                    lambda: {h.room for h in controller.record.hellos} == rooms,
                    timeout_s=30,
                    what="three rooms registered",
                )
                await eventually(
                    lambda: len(controller.record.events) >= 6, timeout_s=30, what="events"
                )
                code, _ = await stop_gracefully(proc)
            assert code == 0
            assert all((tmp_path / r / "link.db").exists() for r in ("A01", "A02", "A03"))
            assert set(controller.record.deliveries.values()) == {1}
        finally:
            await controller.stop()

    asyncio.run(scenario())


def test_the_agent_finds_the_controller_by_zeroconf_when_no_address_is_given(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        venue = f"venue-cli-{uuid.uuid4().hex[:8]}"
        controller = LoopbackController(venue_id=venue)
        await controller.start()
        await controller.advertise(name=f"CLI venue {venue}")
        try:
            async with agent_process(
                "--room", "B02", "--headless", "--mdns-interface", "127.0.0.1",
                "--venue", venue, "--data-dir", str(tmp_path),
            ) as proc:  # fmt: skip
                await eventually(lambda: controller.record.hellos, timeout_s=30, what="hello")
                code, err = await stop_gracefully(proc)
            assert code == 0, err
            assert "controller zeroconf" in err
        finally:
            await controller.stop()

    asyncio.run(scenario())


def test_enrollment_stores_a_private_credential_the_link_then_presents(tmp_path: Path) -> None:
    async def scenario() -> None:
        controller = LoopbackController()
        controller.enrollment_codes["481516"] = "rooms/A08"
        controller.required_token = "token-for-rooms/A08"
        await controller.start()
        try:
            enroll = await asyncio.create_subprocess_exec(
                *AGENT, "enroll", "--room", "A08", "--code", "481516",
                "--controller", controller.target, "--data-dir", str(tmp_path),
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            out, err = await asyncio.wait_for(enroll.communicate(), 60)
            assert enroll.returncode == 0, err.decode()
            assert "enrolled room A08" in out.decode()
            credential_file = tmp_path / "credential.json"
            assert stat.S_IMODE(os.stat(credential_file).st_mode) == 0o600
            assert load_credential(tmp_path).agent_token == "token-for-rooms/A08"

            async with agent_process(
                "--room", "A08", "--headless", "--controller", controller.target,
                "--data-dir", str(tmp_path),
            ) as proc:  # fmt: skip
                await eventually(lambda: controller.record.hellos, timeout_s=30, what="hello")
                await stop_gracefully(proc)
            assert controller.record.tokens_seen[-1] == "Bearer token-for-rooms/A08"
        finally:
            await controller.stop()

    asyncio.run(scenario())


def test_a_used_or_wrong_enrollment_code_fails_in_one_line_and_stores_nothing(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        controller = LoopbackController()
        controller.enrollment_codes["111111"] = "rooms/B02"  # a code for another room
        await controller.start()
        try:
            results = []
            for code in ("999999", "111111"):
                proc = await asyncio.create_subprocess_exec(
                    *AGENT, "enroll", "--room", "A08", "--code", code,
                    "--controller", controller.target, "--data-dir", str(tmp_path),
                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
                )  # fmt: skip
                _, err = await asyncio.wait_for(proc.communicate(), 60)
                results.append((proc.returncode, err.decode()))
        finally:
            await controller.stop()
        (wrong_code, wrong_err), (other_room, other_err) = results
        assert wrong_code == 7 and wrong_err.count("\n") == 1
        assert "PERMISSION_DENIED" in wrong_err
        assert other_room == 7 and "not rooms/A08" in other_err
        assert not (tmp_path / "credential.json").exists()

    asyncio.run(scenario())


def cli_in_process(capsys, *args: str) -> tuple[int, str, str]:
    """``ktv-agent`` parsed and run in this process (errors need no event loop of ours)."""
    try:
        code = main(list(args))
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def test_enrolling_with_an_unreachable_controller_fails_fast_in_one_line(
    tmp_path: Path, capsys
) -> None:
    started = time.monotonic()
    code, _, err = cli_in_process(
        capsys, "enroll", "--room", "A08", "--code", "1", "--controller", "127.0.0.1:9",
        "--data-dir", str(tmp_path),
    )  # fmt: skip
    assert code == 9
    assert err.startswith("ktv-agent: error: enrollment with 127.0.0.1:9 failed")
    assert err.count("\n") == 1
    assert time.monotonic() - started < 30


def test_a_bad_config_file_stops_the_agent_with_one_line_and_exit_2(tmp_path: Path) -> None:
    # as a real process: what systemd would see
    config = tmp_path / "agent.toml"
    config.write_text('room = "A08"\n[gpio]\ndoor_pin = 99\n', encoding="utf-8")
    result = run_cli("--headless", "--config", str(config), "--data-dir", str(tmp_path))
    assert result.returncode == 2
    assert (
        result.stderr
        == f"ktv-agent: error: {config}: gpio.door_pin: BCM pin must be 0-27, got 99\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--headless"], "no room given"),
        (["--headless", "--room", "A08", "--controller", "x"], "host:port"),
        (["--headless", "--rooms", "A01,A01"], "distinct"),
        (["--rooms", "A01,A02"], "needs --headless"),
        (["--headless", "--room", "A08", "--simulate-events", "0"], "positive"),
        (["--headless", "--room", "A08", "--controller-agent-port", "70000"], "port 1-65535"),
        (["--room", "A08", "--bogus"], "unrecognized arguments"),
        (["enroll", "--room", "A08"], "--code"),
    ],
)
def test_bad_flags_are_refused_in_one_line(capsys, args: list[str], message: str) -> None:
    code, _, err = cli_in_process(capsys, *args)
    assert code == 2, err
    assert message in err and err.count("\n") == 1, err


def test_an_unwritable_data_dir_is_one_line(tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a dir")
    code, _, err = cli_in_process(
        capsys, "--room", "A08", "--headless", "--data-dir", str(blocker / "sub")
    )
    assert code == 5
    assert "cannot create data dir" in err and err.count("\n") == 1


def test_under_systemd_the_agent_says_ready_pings_the_watchdog_and_says_stopping(
    tmp_path: Path,
) -> None:
    import socket

    async def scenario() -> None:
        controller = LoopbackController()
        await controller.start()
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(str(tmp_path / "notify.sock"))
        notify.setblocking(False)
        messages: list[str] = []

        def drain() -> list[str]:
            with contextlib.suppress(BlockingIOError):
                while True:
                    messages.append(notify.recv(4096).decode())
            return messages

        env = {**os.environ, "NOTIFY_SOCKET": str(tmp_path / "notify.sock"),
               "WATCHDOG_USEC": "400000"}  # fmt: skip
        try:
            proc = await asyncio.create_subprocess_exec(
                *AGENT, "--room", "A08", "--headless", "--controller", controller.target,
                "--data-dir", str(tmp_path / "agent"), env=env,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            try:
                await eventually(
                    lambda: sum("WATCHDOG=1" in m for m in drain()) >= 3,
                    timeout_s=30,
                    what="READY and watchdog pings",
                )
                code, _ = await stop_gracefully(proc)
            finally:
                if proc.returncode is None:
                    proc.kill()
                    await proc.wait()
            drain()
            assert code == 0
            assert "READY=1" in messages[0] and f"MAINPID={proc.pid}" in messages[0]
            assert messages[-1] == "STOPPING=1"
        finally:
            notify.close()
            await controller.stop()

    asyncio.run(scenario())


def test_ktv_agent_provision_reaches_the_deployment_tooling(capsys) -> None:
    code, out, _ = cli_in_process(capsys, "provision", "--help")
    assert code == 0
    assert "--ca-fingerprint" in out
