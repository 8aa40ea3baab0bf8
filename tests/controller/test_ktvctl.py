"""ktvctl as the front desk runs it: a subprocess against a real controller."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.support.controller import RunningController

KTVCTL = [sys.executable, "-m", "controller.ktvctl"]


def ktvctl(
    *args: str, config_dir: Path, env: dict[str, str] | None = None, timeout_s: float = 30
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("KTV_CONTROLLER", "KTV_TOKEN")}
    clean.update({"KTV_CONFIG_DIR": str(config_dir), "COLUMNS": "160", **(env or {})})
    return subprocess.run(
        [*KTVCTL, *args], capture_output=True, text=True, timeout=timeout_s, env=clean
    )


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    return tmp_path / "cfg"


@pytest.fixture
def admin(controller: RunningController) -> list[str]:
    return ["--data-dir", str(controller.data_dir)]


def test_room_add_then_the_board_shows_it_as_a_table(
    controller: RunningController, admin: list[str], cfg: Path, room_id: str
) -> None:
    added = ktvctl(
        *admin, "room", "add", room_id, "--tier", "large", "--name", "大包", config_dir=cfg
    )
    assert added.returncode == 0, added.stderr
    assert f"rooms/{room_id}" in added.stdout
    board = ktvctl(*admin, "rooms", config_dir=cfg)
    assert board.returncode == 0, board.stderr
    line = next(ln for ln in board.stdout.splitlines() if f" {room_id} " in ln)
    assert "大包" in line and "large" in line and "IDLE" in line
    assert line.rstrip().endswith("OFF")  # no agent yet: the alert code, and its legend
    assert "OFF room agent offline" in board.stdout


def test_json_output_is_machine_readable(
    controller: RunningController, admin: list[str], cfg: Path, room_id: str
) -> None:
    assert ktvctl(*admin, "room", "add", room_id, "--tier", "vip", config_dir=cfg).returncode == 0
    result = ktvctl(*admin, "--json", "rooms", config_dir=cfg)
    rooms = {r["name"]: r for r in json.loads(result.stdout)}
    assert rooms[f"rooms/{room_id}"]["tier"] == "vip"
    assert rooms[f"rooms/{room_id}"]["state"] == "ROOM_STATE_IDLE"
    state = ktvctl(*admin, "room", "state", room_id, "maintenance", "on", "--json", config_dir=cfg)
    assert json.loads(state.stdout)["state"] == "ROOM_STATE_MAINTENANCE"
    alerts = json.loads(ktvctl(*admin, "alerts", "--json", config_dir=cfg).stdout)
    assert {"room": f"rooms/{room_id}", "kind": "AGENT_OFFLINE"}.items() <= next(
        a for a in alerts if a["room"] == f"rooms/{room_id}"
    ).items()


@pytest.mark.parametrize(
    ("args", "exit_code", "words"),
    [
        (["room", "add", "X1", "--tier", "tiny"], 2, "unknown tier"),
        (["room", "add", "bad id", "--tier", "small"], 2, "malformed"),
        (["room", "state", "NOPE404", "maintenance", "on"], 3, "does not exist"),
        (["room", "state", "A08", "dance"], 2, "unknown state action"),
        (["emergency", "on"], 2, "--message"),
        (["alert", "ack", "A08", "DOOR_OPEN_WHILE_CLEANING"], 3, "does not exist"),
        (["alert", "ack", "NOPE404", "NOT_A_KIND"], 3, "does not exist"),
    ],
)
def test_bad_input_is_one_line_and_an_exit_code(
    controller: RunningController,
    admin: list[str],
    cfg: Path,
    args: list[str],
    exit_code: int,
    words: str,
) -> None:
    result = ktvctl(*admin, *args, config_dir=cfg)
    assert result.returncode == exit_code, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("ktvctl: ")
    assert words in result.stderr
    assert "Traceback" not in result.stderr


def test_cleaning_done_on_a_room_that_is_not_being_cleaned_changes_nothing(
    controller: RunningController, admin: list[str], cfg: Path, room_id: str
) -> None:
    controller.add_room(room_id)
    assert (
        ktvctl(*admin, "room", "state", room_id, "maintenance", "on", config_dir=cfg).returncode
        == 0
    )
    slip = ktvctl(*admin, "room", "state", room_id, "cleaning", "done", config_dir=cfg)
    assert slip.returncode == 5
    assert "is MAINTENANCE, not CLEANING" in slip.stderr
    back = ktvctl(*admin, "--json", "room", "state", room_id, "maintenance", "off", config_dir=cfg)
    assert json.loads(back.stdout)["state"] == "ROOM_STATE_IDLE"


def test_a_waiter_logs_in_and_is_refused_room_add(
    controller: RunningController, admin: list[str], cfg: Path
) -> None:
    added = ktvctl(
        *admin, "staff", "add", "xiaowang", "--role", "waiter", "--pin", "5678", config_dir=cfg
    )
    assert added.returncode == 0, added.stderr
    address = ["--controller", controller.address]
    login = ktvctl(*address, "login", "xiaowang", "--pin", "5678", config_dir=cfg)
    assert login.returncode == 0, login.stderr
    assert (cfg / "token").stat().st_mode & 0o777 == 0o600
    who = ktvctl(*address, "--json", "whoami", config_dir=cfg)
    assert json.loads(who.stdout) == {
        "role": "ROLE_WAITER",
        "room": "",
        "staff_id": "xiaowang",
        "display_name": "xiaowang",  # WhoAmI answers it (the web session shows it)
    }
    refused = ktvctl(*address, "room", "add", "W01", "--tier", "small", config_dir=cfg)
    assert refused.returncode == 7
    assert "may not call CreateRoom" in refused.stderr


def test_no_credential_is_exit_8(controller: RunningController, cfg: Path) -> None:
    result = ktvctl("--controller", controller.address, "rooms", config_dir=cfg)
    assert result.returncode == 8
    assert result.stderr.startswith("ktvctl: ")


def test_an_unreachable_controller_fails_fast_with_one_line(cfg: Path) -> None:
    started = time.monotonic()
    result = ktvctl("--controller", "127.0.0.1:9", "--token", "x", "rooms", config_dir=cfg)
    elapsed = time.monotonic() - started
    assert result.returncode == 9
    assert result.stderr.startswith("ktvctl: cannot reach the controller at 127.0.0.1:9")
    assert result.stderr.count("\n") == 1
    assert elapsed < 10


def test_a_controller_that_never_answers_hits_the_deadline(tmp_path: Path, cfg: Path) -> None:
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts TCP, never speaks HTTP/2
    try:
        port = silent.getsockname()[1]
        started = time.monotonic()
        result = ktvctl(
            "--controller",
            f"127.0.0.1:{port}",
            "--token",
            "x",
            "--timeout",
            "1.5",
            "rooms",
            config_dir=cfg,
        )
        assert result.returncode == 9
        assert time.monotonic() - started < 10
    finally:
        silent.close()


def test_rooms_watch_prints_the_snapshot_and_then_changes(
    controller: RunningController, admin: list[str], cfg: Path, room_id: str
) -> None:
    import queue

    clean = {k: v for k, v in os.environ.items() if k not in ("KTV_CONTROLLER", "KTV_TOKEN")}
    watcher = subprocess.Popen(
        [*KTVCTL, *admin, "rooms", "--watch", "--json", "--for-seconds", "10"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**clean, "KTV_CONFIG_DIR": str(cfg)},
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(ln) for ln in watcher.stdout])  # type: ignore[union-attr]
    reader.start()
    try:
        # the room is added once the snapshot is out (not after a guessed 2 s): it must
        # arrive as a change
        assert json.loads(lines.get(timeout=20))["kind"] == "KIND_SNAPSHOT"
        controller.add_room(room_id, tier="party")
        watcher.wait(30)  # --for-seconds ends it
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.wait(10)
        reader.join(10)
        err = watcher.stderr.read()  # type: ignore[union-attr]
        watcher.stdout.close()  # type: ignore[union-attr]
        watcher.stderr.close()  # type: ignore[union-attr]
    assert watcher.returncode == 0, err
    messages = [json.loads(lines.get_nowait()) for _ in range(lines.qsize())]
    changes = [m for m in messages if m["kind"] == "KIND_CHANGE"]
    assert any(r["name"] == f"rooms/{room_id}" for m in changes for r in m["rooms"])


def test_rooms_watch_draws_a_live_table(
    controller: RunningController, admin: list[str], cfg: Path
) -> None:
    result = ktvctl(*admin, "rooms", "--watch", "--for-seconds", "1.5", config_dir=cfg)
    assert result.returncode == 0, result.stderr
    assert "Rooms (live)" in result.stdout


def test_the_live_board_reconnects_after_the_controller_restarts(tmp_path: Path, cfg: Path) -> None:
    import queue

    from tests.support.controller import launch

    data_dir = tmp_path / "data"
    first = launch(data_dir, ["--no-mdns"])
    first.add_room("BEFORE")
    clean = {k: v for k, v in os.environ.items() if k not in ("KTV_CONTROLLER", "KTV_TOKEN")}
    watcher = subprocess.Popen(
        [*KTVCTL, "--data-dir", str(data_dir), "rooms", "--watch", "--json", "--for-seconds", "40"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**clean, "KTV_CONFIG_DIR": str(cfg)},
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(
        target=lambda: [lines.put(line) for line in watcher.stdout],
        daemon=True,  # type: ignore[union-attr]
    )
    reader.start()
    second = None
    try:
        snapshot = json.loads(lines.get(timeout=20))
        assert snapshot["kind"] == "KIND_SNAPSHOT"
        assert [r["name"] for r in snapshot["rooms"]] == ["rooms/BEFORE"]
        assert first.stop() == 0
        second = launch(data_dir, ["--no-mdns"])  # a new port: ktvctl must find it again
        second.add_room("AFTER")
        deadline = time.monotonic() + 25
        names: set[str] = set()
        while time.monotonic() < deadline and "rooms/AFTER" not in names:
            message = json.loads(lines.get(timeout=25))
            names |= {r["name"] for r in message["rooms"]}
        assert "rooms/AFTER" in names
    finally:
        watcher.terminate()
        watcher.wait(10)
        first.stop()
        if second is not None:
            second.stop()
