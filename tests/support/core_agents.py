"""Helpers for end-to-end tests and benchmarks: a generated song library scanned into a
catalog, and ``ktv-agent`` processes running headless rooms on the real agent core
(``--core-player``) with mock GPIO pins driven through the agent's test-only control socket.

    library = build_library(tmp_path / "library")
    agent = start_agents(ctl, library, tmp_path / "rooms", ["A01", "A02"], player="recording")
    agent.control("A01", do="door", open=True)      # a mock pin in the agent process
    agent.journal("A01")                             # player calls with wall-clock times
    ktvctl(ctl, "alerts", "--json")
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from media_index.catalog import Catalog
from room_agent.link.credentials import AgentCredential, save_credential
from tests.support.controller import REPO_ROOT, RunningController
from tests.support.media import tone_song

BIN = Path(sys.executable).parent
AGENT_START_TIMEOUT_S = 30.0


def tool(name: str) -> str:
    return str(BIN / name)


@dataclass(frozen=True)
class Library:
    catalog: Path  # the scanned catalog the rooms read
    media_root: Path
    song_ids: tuple[str, ...]
    by_title: dict[str, str]  # title -> song id


def build_library(root: Path) -> Library:
    """Three generated songs (two of 40 s, one of 3 s) scanned by the real ktv-index."""
    root.mkdir(parents=True, exist_ok=True)
    songs = root / "songs"
    songs.mkdir()
    tone_song(songs / "周杰伦 - 晴天.ogg", freq_hz=440.0, duration_s=40.0)
    tone_song(songs / "王菲 - 红豆.ogg", freq_hz=660.0, duration_s=40.0)
    tone_song(songs / "邓紫棋 - 泡沫.ogg", freq_hz=550.0, duration_s=3.0)  # sung to the end
    catalog = root / "catalog.sqlite"
    subprocess.run(
        [tool("ktv-index"), "scan", str(songs), "--db", str(catalog)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    with Catalog(str(catalog), readonly=True) as cat:
        found = cat.new_arrivals()
    by_title = {s.title: s.song_id for s in found}
    assert set(by_title) == {"晴天", "红豆", "泡沫"}, by_title
    return Library(catalog, songs, (by_title["晴天"], by_title["红豆"]), by_title)


@dataclass
class AgentProcess:
    """``ktv-agent run --headless --core-player ...`` for several rooms in one process."""

    process: subprocess.Popen[bytes]
    data_dir: Path
    rooms: tuple[str, ...]
    control_path: Path

    def control(self, room: str, **request: object) -> dict[str, object]:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(10)
            sock.connect(str(self.control_path))
            sock.sendall((json.dumps({"room": room, **request}) + "\n").encode())
            answer = sock.makefile("rb").readline()
        return json.loads(answer)

    def journal(self, room: str) -> list[dict[str, object]]:
        path = self.data_dir / room / "player-journal.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def log_text(self) -> str:
        return (self.data_dir / "agent.log").read_text(errors="replace")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        return self.process.returncode


def start_agents(
    ctl: RunningController,
    library: Library,
    data_dir: Path,
    rooms: Sequence[str],
    *,
    player: str = "recording",
    config_text: str = "",
    heartbeat_s: int = 1,
    env: dict[str, str] | None = None,
) -> AgentProcess:
    """Enroll each room (credential under DATA_DIR/<room>) and start one agent process."""
    data_dir.mkdir(parents=True, exist_ok=True)
    for room in rooms:
        token = ctl.enroll_agent(room)
        save_credential(data_dir / room, AgentCredential(room=f"rooms/{room}", agent_token=token))
    config = data_dir / "agent.toml"
    config.write_text(f"heartbeat_interval_s = {heartbeat_s}\n{config_text}", encoding="utf-8")
    control = Path(f"/tmp/ktv-e2e-{os.getpid()}-{time.monotonic_ns()}.sock")
    command = [
        tool("ktv-agent"), "run", "--headless", "--config", str(config),
        "--rooms", ",".join(rooms), "--data-dir", str(data_dir),
        "--controller", ctl.address, "--core-player", player,
        "--catalog", str(library.catalog), "--media-root", str(library.media_root),
        "--control-socket", str(control),
    ]  # fmt: skip
    log = (data_dir / "agent.log").open("wb")
    process = subprocess.Popen(
        command,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
    )
    log.close()
    agent = AgentProcess(process, data_dir, tuple(rooms), control)
    deadline = time.monotonic() + AGENT_START_TIMEOUT_S
    while not control.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            agent.kill()
            raise AssertionError(f"agent did not start:\n{agent.log_text()}")
        time.sleep(0.05)
    return agent


def ktvctl(
    ctl: RunningController, *args: str, timeout_s: float = 20.0
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("ktvctl"), "--controller", ctl.address, "--token", ctl.admin_token, *args],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        env={**os.environ, "COLUMNS": "200"},
    )


def open_sessions(ctl: RunningController, rooms: Sequence[str]) -> None:
    """The front desk opens each room (开台) under the example venue's price plan."""
    plan = ktvctl(ctl, "price", "import", str(REPO_ROOT / "examples" / "venue.toml"))
    assert plan.returncode == 0, plan.stderr
    for room in rooms:
        opened = ktvctl(ctl, "open", room, "--guests", "2")
        assert opened.returncode == 0, opened.stderr


def wait_until(predicate, timeout_s: float = 20.0, step_s: float = 0.1):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step_s)
