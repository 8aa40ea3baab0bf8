"""``ktv-agent enroll``: trade a one-time code for the agent's long-lived credential.

With a CA fingerprint (TLS venue): fetch the venue CA from the controller's handshake and
accept it only if its SHA-256 matches the pin, make a key + CSR for the room (the key never
leaves the Pi), enroll over TLS trusting only that CA, and keep the room certificate, key and
CA beside the token. Without one: plain text to an ``--insecure-dev`` controller, token only.
The controller's answer names the room the credential is bound to; a credential for another
room than the one asked for is refused and not stored.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import grpc

from ktv import errors
from ktv.security import certs
from ktv.security.pinning import fetch_pinned_ca
from ktv.v1 import auth_pb2, auth_pb2_grpc
from room_agent.link import settings
from room_agent.link.credentials import AgentCredential, enrollment_channel, save_credential
from room_agent.link.discovery import ControllerAddress
from room_agent.link.room_link import AGENT_VERSION


def error_from_rpc(exc: grpc.aio.AioRpcError, doing: str) -> errors.KtvError:
    """One-line ``KtvError`` of the right class for a failed call."""
    kind = errors.error_class_for(exc.code().name)
    details = (exc.details() or exc.code().name).splitlines()[0] if exc.details() else ""
    return kind(f"{doing} failed: {exc.code().name}: {details}".rstrip(": "))


async def enroll_agent(
    address: ControllerAddress,
    *,
    room_id: str,
    code: str,
    data_dir: Path,
    ca_fingerprint: str = "",
    timeout_s: float = settings.enroll_timeout_s,
) -> tuple[AgentCredential, Path]:
    if not code.strip():
        raise errors.InvalidArgument("enrollment code is empty")
    if address.tls and not ca_fingerprint:
        # no trust on first use from mDNS (spoofable on the guest LAN): the technician types it
        raise errors.InvalidArgument(
            f"the controller at {address.target} uses TLS: pass --ca-fingerprint "
            "(printed by `ktv-controller install` / `init`)"
        )
    request = auth_pb2.EnrollAgentRequest(
        code=code.strip(), agent_version=AGENT_VERSION, request_id=uuid.uuid4().hex
    )
    ca_pem: bytes | None = None
    key_pem = b""
    if ca_fingerprint:
        certs.normalise_fingerprint(ca_fingerprint)  # InvalidArgument before any network
        ca_pem = await asyncio.to_thread(
            fetch_pinned_ca, address.host, address.port, ca_fingerprint
        )
        key_pem, csr_pem = certs.create_room_csr(room_id)
        request.csr_pem = csr_pem.decode()
    async with enrollment_channel(address, ca_pem) as channel:
        try:
            reply = await auth_pb2_grpc.AuthServiceStub(channel).EnrollAgent(
                request, timeout=timeout_s
            )
        except grpc.aio.AioRpcError as exc:
            raise error_from_rpc(exc, f"enrollment with {address.target}") from None
    if reply.room != f"rooms/{room_id}":
        raise errors.PermissionDenied(
            f"the code is for {reply.room or 'no room'}, not rooms/{room_id}; nothing stored"
        )
    if not reply.agent_token:
        raise errors.FailedPrecondition("controller returned no agent token; nothing stored")
    if ca_pem is not None and not reply.certificate_pem:
        raise errors.FailedPrecondition(
            "the TLS controller issued no room certificate for the CSR; nothing stored"
        )
    credential = AgentCredential(
        room=reply.room,
        agent_token=reply.agent_token,
        certificate_pem=reply.certificate_pem,
        private_key_pem=key_pem.decode() if reply.certificate_pem else "",
        ca_certificate_pem=ca_pem.decode() if ca_pem else "",
    )
    return credential, save_credential(data_dir, credential)
