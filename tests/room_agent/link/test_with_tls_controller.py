"""End to end on a TLS venue: `ktv-controller init` + `serve` (no --insecure-dev), the agent
enrolls with a pinned CA fingerprint and links over mutual TLS with its room certificate."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import grpc
import pytest

from ktv.security import certs, grpc_tls
from ktv.v1 import auth_pb2, auth_pb2_grpc, rooms_pb2, rooms_pb2_grpc
from room_agent.agent import build_agent
from room_agent.config import AgentConfig
from room_agent.core import ports
from room_agent.link.credentials import load_credential
from room_agent.link.discovery import parse_host_port
from tests.support.controller import REPO_ROOT, RunningController, launch

from .test_with_controller import stored_event_ids, until

pytestmark = pytest.mark.slow
RPC_TIMEOUT_S = 10.0


class TlsVenue:
    def __init__(self, data_dir: Path) -> None:
        init = subprocess.run(
            [sys.executable, "-m", "controller", "init", "--data-dir", str(data_dir),
             "--venue-name", "Golden Voice"],
            cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert init.returncode == 0, init.stderr
        self.data_dir = data_dir
        self.ca_pem = (data_dir / "tls" / "ca.crt").read_bytes()
        self.fingerprint = certs.fingerprint_sha256(self.ca_pem)
        self.ctl: RunningController = launch(
            data_dir, ["--venue-id", f"tls-{uuid.uuid4().hex[:8]}"], insecure_dev=False
        )
        self.agent_address = (data_dir / "controller.agent.addr").read_text().strip()
        self.channel = grpc.secure_channel(
            self.ctl.address,
            grpc_tls.staff_channel_credentials(self.ca_pem),
            options=grpc_tls.channel_options(),
        )

    def add_room(self, room_id: str) -> None:
        rooms_pb2_grpc.RoomServiceStub(self.channel).CreateRoom(
            rooms_pb2.CreateRoomRequest(room_id=room_id, tier="large", request_id=uuid.uuid4().hex),
            metadata=self.ctl.admin_md,
            timeout=RPC_TIMEOUT_S,
        )

    def enrollment_code(self, room_id: str) -> str:
        return (
            auth_pb2_grpc.AuthServiceStub(self.channel)
            .CreateEnrollmentCode(
                auth_pb2.CreateEnrollmentCodeRequest(
                    room=f"rooms/{room_id}", request_id=uuid.uuid4().hex
                ),
                metadata=self.ctl.admin_md,
                timeout=RPC_TIMEOUT_S,
            )
            .code
        )

    def close(self) -> None:
        self.channel.close()
        self.ctl.stop()


@pytest.fixture(scope="module")
def venue(tmp_path_factory):
    v = TlsVenue(tmp_path_factory.mktemp("tls-venue"))
    v.add_room("A08")
    v.add_room("B02")
    yield v
    v.close()


def enroll(venue: TlsVenue, room: str, data_dir: Path, fingerprint: str):
    return subprocess.run(
        [sys.executable, "-m", "room_agent", "enroll", "--room", room,
         "--code", venue.enrollment_code(room), "--controller", venue.ctl.address,
         "--ca-fingerprint", fingerprint, "--data-dir", str(data_dir)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_a_pi_enrolls_with_the_pinned_ca_and_links_over_mutual_tls(
    venue: TlsVenue, tmp_path: Path
) -> None:
    result = enroll(venue, "A08", tmp_path, venue.fingerprint)
    assert result.returncode == 0, result.stderr
    assert "mutual TLS" in result.stdout
    assert stat.S_IMODE(os.stat(tmp_path / "credential.json").st_mode) == 0o600
    credential = load_credential(tmp_path)
    assert certs.room_of_certificate(credential.certificate_pem.encode()) == "A08"
    assert certs.fingerprint_sha256(credential.ca_certificate_pem.encode()) == venue.fingerprint

    config = AgentConfig(
        room="A08",
        data_dir=tmp_path,
        controller=parse_host_port(venue.ctl.address),
        controller_agent_port=int(venue.agent_address.rsplit(":", 1)[1]),
        headless=True,
    )

    async def scenario() -> str:
        agent = build_agent(config)
        task = asyncio.create_task(agent.run())
        try:
            await asyncio.wait_for(agent.link.online.wait(), 30)
            event_id = agent.outbox.emit(ports.DoorChanged(open=True), datetime.now(UTC))
            await until(lambda: agent.outbox.depth() == 0, what="event acked over mTLS")
            return event_id
        finally:
            agent.stop()
            await asyncio.wait_for(task, 15)
            agent.close()

    event_id = asyncio.run(scenario())
    assert event_id in stored_event_ids(venue.data_dir, "A08")


def test_a_wrong_fingerprint_refuses_the_controller_and_stores_nothing(
    venue: TlsVenue, tmp_path: Path
) -> None:
    result = enroll(venue, "B02", tmp_path, "ab" * 32)
    assert result.returncode == 7
    assert "does not present the pinned venue CA" in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "credential.json").exists()


def test_a_malformed_fingerprint_is_refused_before_any_network_call(
    venue: TlsVenue, tmp_path: Path
) -> None:
    result = enroll(venue, "B02", tmp_path, "not-a-fingerprint")
    assert result.returncode == 2
    assert "not a SHA-256 fingerprint" in result.stderr


def test_the_rooms_front_desk_speaks_mutual_tls_with_its_room_certificate(
    venue: TlsVenue, tmp_path: Path
) -> None:
    from ktv.errors import FailedPrecondition, PermissionDenied
    from room_agent.link.front_desk import GrpcFrontDesk, front_desk_of

    result = enroll(venue, "B02", tmp_path, venue.fingerprint)
    assert result.returncode == 0, result.stderr
    address = parse_host_port(venue.ctl.address)
    agent_port = int(venue.agent_address.rsplit(":", 1)[1])
    front = front_desk_of("B02", tmp_path, address=lambda: address, agent_port=agent_port)
    assert front is not None
    intruder = GrpcFrontDesk(
        "A08",
        address=lambda: address,
        credential=lambda: load_credential(tmp_path),
        agent_port=agent_port,
    )
    try:
        assert front.menu() == ()  # answered over mTLS (this venue has no menu yet)
        with pytest.raises(FailedPrecondition):
            front.bill()  # B02 itself, authenticated by its certificate: no session open
        with pytest.raises(PermissionDenied):
            intruder.bill()  # B02's certificate asking for A08's bill
    finally:
        front.close()
        intruder.close()
