"""A venue with a TLS controller (`ktv-controller init` + `serve` without --insecure-dev),
and what a technician and the Pis hold: the CA fingerprint, enrollment codes."""

from __future__ import annotations

import uuid
from pathlib import Path

import grpc

from ktv.security import certs, grpc_tls
from ktv.security.pinning import fetch_pinned_ca
from ktv.v1 import auth_pb2, auth_pb2_grpc, rooms_pb2, rooms_pb2_grpc
from tests.deploy.scratch import ktv_controller
from tests.support.controller import launch

RPC_TIMEOUT_S = 10.0


class Venue:
    """A TLS controller and what a technician and the Pis would hold."""

    def __init__(self, data_dir: Path) -> None:
        init = ktv_controller("init", "--data-dir", str(data_dir), "--venue-name", "Golden Voice")
        assert init.returncode == 0, init.stderr
        self.init_output = init.stdout
        self.ca_pem = (data_dir / "tls" / "ca.crt").read_bytes()
        self.fingerprint = certs.fingerprint_sha256(self.ca_pem)
        # a venue id of its own: other suites advertise _ktv._tcp on 127.0.0.1 too
        self.venue_id = f"deploy-{uuid.uuid4().hex[:8]}"
        self.ctl = launch(data_dir, ["--venue-id", self.venue_id], insecure_dev=False)
        self.agent_address = (data_dir / "controller.agent.addr").read_text().strip()
        self.channels: list[grpc.Channel] = []

    def staff_channel(self, ca_pem: bytes | None = None) -> grpc.Channel:
        creds = grpc_tls.staff_channel_credentials(ca_pem or self.ca_pem)
        ch = grpc.secure_channel(self.ctl.address, creds, options=grpc_tls.channel_options())
        self.channels.append(ch)
        return ch

    def agent_channel(self, identity: certs.KeyAndCertificate) -> grpc.Channel:
        creds = grpc_tls.agent_channel_credentials(self.ca_pem, identity)
        return grpc.secure_channel(self.agent_address, creds, options=grpc_tls.channel_options())

    def admin_auth(self) -> auth_pb2_grpc.AuthServiceStub:
        return auth_pb2_grpc.AuthServiceStub(self.staff_channel())

    def add_room(self, room_id: str) -> None:
        rooms_pb2_grpc.RoomServiceStub(self.staff_channel()).CreateRoom(
            rooms_pb2.CreateRoomRequest(room_id=room_id, tier="large", request_id=uuid.uuid4().hex),
            metadata=self.ctl.admin_md,
            timeout=RPC_TIMEOUT_S,
        )

    def enrollment_code(self, room_id: str) -> str:
        return (
            self.admin_auth()
            .CreateEnrollmentCode(
                auth_pb2.CreateEnrollmentCodeRequest(
                    room=f"rooms/{room_id}", request_id=uuid.uuid4().hex
                ),
                metadata=self.ctl.admin_md,
                timeout=RPC_TIMEOUT_S,
            )
            .code
        )

    def enroll_pi(
        self, room_id: str
    ) -> tuple[certs.KeyAndCertificate, auth_pb2.EnrollAgentResponse]:
        """What a new Pi does: pin the CA, send a CSR with the one-time code."""
        code = self.enrollment_code(room_id)
        host, port = self.ctl.address.rsplit(":", 1)
        ca = fetch_pinned_ca(host, int(port), self.fingerprint)
        key_pem, csr_pem = certs.create_room_csr(room_id)
        response = auth_pb2_grpc.AuthServiceStub(self.staff_channel(ca)).EnrollAgent(
            auth_pb2.EnrollAgentRequest(code=code, agent_version="pi/1", csr_pem=csr_pem.decode()),
            timeout=RPC_TIMEOUT_S,
        )
        return certs.KeyAndCertificate(key_pem, response.certificate_pem.encode()), response

    def close(self) -> None:
        for ch in self.channels:
            ch.close()
        self.ctl.stop()


def whoami(channel: grpc.Channel, metadata=()) -> auth_pb2.WhoAmIResponse:
    return auth_pb2_grpc.AuthServiceStub(channel).WhoAmI(
        auth_pb2.WhoAmIRequest(), metadata=metadata, timeout=RPC_TIMEOUT_S
    )


def room(venue: Venue, room_id: str) -> rooms_pb2.Room:
    """The room as the front desk sees it (admin over TLS)."""
    return (
        rooms_pb2_grpc.RoomServiceStub(venue.staff_channel())
        .GetRoom(
            rooms_pb2.GetRoomRequest(name=f"rooms/{room_id}"),
            metadata=venue.ctl.admin_md,
            timeout=RPC_TIMEOUT_S,
        )
        .room
    )
