"""Run a real controller process for tests (controller, link, billing, deploy suites).

    from tests.support.controller import start_controller

    with start_controller(tmp_path / "data") as ctl:        # python -m controller serve ...
        rooms = ctl.rooms()                                   # RoomService stub, admin token
        rooms.CreateRoom(CreateRoomRequest(...), metadata=ctl.admin_md, timeout=5)
        token = ctl.enroll_agent("A08")                       # agent bearer token for rooms/A08
        ctl.address                                           # "127.0.0.1:PORT"

The process listens on 127.0.0.1 port 0 with --insecure-dev, advertises mDNS on 127.0.0.1
only, and writes DATA_DIR/controller.addr once it serves; ``start_controller`` waits for that
file. Extra ``serve`` flags go in ``extra_args`` (e.g. ``["--offline-after-s", "1.5"]``). On
exit the process gets SIGTERM (then SIGKILL after 15 s); its log is ``DATA_DIR/controller.log``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import grpc

from ktv.v1 import auth_pb2, auth_pb2_grpc, link_pb2_grpc, rooms_pb2, rooms_pb2_grpc

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 30.0
RPC_TIMEOUT_S = 10.0


def bearer(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


@dataclass
class RunningController:
    process: subprocess.Popen[bytes]
    data_dir: Path
    address: str
    admin_token: str
    _channels: list[grpc.Channel] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.address.rsplit(":", 1)[1])

    @property
    def admin_md(self) -> tuple[tuple[str, str], ...]:
        return bearer(self.admin_token)

    @property
    def log_path(self) -> Path:
        return self.data_dir / "controller.log"

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def channel(self) -> grpc.Channel:
        ch = grpc.insecure_channel(self.address)
        self._channels.append(ch)
        return ch

    def rooms(self) -> rooms_pb2_grpc.RoomServiceStub:
        return rooms_pb2_grpc.RoomServiceStub(self.channel())

    def auth(self) -> auth_pb2_grpc.AuthServiceStub:
        return auth_pb2_grpc.AuthServiceStub(self.channel())

    def link(self) -> link_pb2_grpc.RoomLinkServiceStub:
        return link_pb2_grpc.RoomLinkServiceStub(self.channel())

    def add_room(self, room_id: str, tier: str = "large", display_name: str = "") -> rooms_pb2.Room:
        response = self.rooms().CreateRoom(
            rooms_pb2.CreateRoomRequest(
                room_id=room_id,
                tier=tier,
                display_name=display_name,
                request_id=uuid.uuid4().hex,
            ),
            metadata=self.admin_md,
            timeout=RPC_TIMEOUT_S,
        )
        return response.room

    def enroll_agent(self, room_id: str) -> str:
        """Enrollment code (as admin) -> EnrollAgent -> the agent's bearer token."""
        auth = self.auth()
        code = auth.CreateEnrollmentCode(
            auth_pb2.CreateEnrollmentCodeRequest(
                room=f"rooms/{room_id}", request_id=uuid.uuid4().hex
            ),
            metadata=self.admin_md,
            timeout=RPC_TIMEOUT_S,
        ).code
        enrolled = auth.EnrollAgent(
            auth_pb2.EnrollAgentRequest(code=code, agent_version="test-agent"),
            timeout=RPC_TIMEOUT_S,
        )
        return enrolled.agent_token

    def add_staff(self, staff_id: str, role: int, pin: str = "1234") -> str:
        """Create a staff member (as admin) and log them in; returns their token."""
        auth = self.auth()
        auth.CreateStaff(
            auth_pb2.CreateStaffRequest(
                staff_id=staff_id, role=role, pin=pin, request_id=uuid.uuid4().hex
            ),
            metadata=self.admin_md,
            timeout=RPC_TIMEOUT_S,
        )
        return auth.Login(
            auth_pb2.LoginRequest(staff_id=staff_id, pin=pin), timeout=RPC_TIMEOUT_S
        ).token

    def signal(self, sig: int = signal.SIGTERM) -> None:
        self.process.send_signal(sig)

    def stop(self, timeout_s: float = 15.0) -> int:
        for ch in self._channels:
            ch.close()
        self._channels.clear()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        return self.process.returncode


def serve_command(
    data_dir: Path, extra_args: Sequence[str] = (), *, insecure_dev: bool = True
) -> list[str]:
    """``insecure_dev=False``: TLS (run ``ktv-controller init --data-dir`` first)."""
    return [
        sys.executable,
        "-m",
        "controller",
        "serve",
        "--data-dir",
        str(data_dir),
        "--listen",
        "127.0.0.1:0",
        *(["--insecure-dev"] if insecure_dev else []),
        "--mdns-interface",
        "127.0.0.1",
        *extra_args,
    ]


def launch(
    data_dir: Path,
    extra_args: Sequence[str] = (),
    *,
    insecure_dev: bool = True,
    env: dict[str, str] | None = None,
) -> RunningController:
    data_dir.mkdir(parents=True, exist_ok=True)
    addr_file = data_dir / "controller.addr"
    with contextlib.suppress(FileNotFoundError):
        addr_file.unlink()
    log = open(data_dir / "controller.log", "ab")  # noqa: SIM115 - owned by the process
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    process = subprocess.Popen(
        serve_command(data_dir, extra_args, insecure_dev=insecure_dev),
        cwd=REPO_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    log.close()
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if addr_file.exists():
            address = addr_file.read_text().strip()
            token = (data_dir / "admin.token").read_text().strip()
            return RunningController(process, data_dir, address, token)
        if process.poll() is not None:
            text = (data_dir / "controller.log").read_text(errors="replace")
            raise RuntimeError(f"controller exited with {process.returncode}:\n{text}")
        time.sleep(0.05)
    process.kill()
    process.wait(5)
    raise RuntimeError(f"controller did not start within {START_TIMEOUT_S} s")


@contextlib.contextmanager
def start_controller(
    data_dir: Path,
    extra_args: Sequence[str] = (),
    *,
    insecure_dev: bool = True,
    env: dict[str, str] | None = None,
) -> Iterator[RunningController]:
    ctl = launch(data_dir, extra_args, insecure_dev=insecure_dev, env=env)
    try:
        yield ctl
    finally:
        ctl.stop()
