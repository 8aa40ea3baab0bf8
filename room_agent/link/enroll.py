"""``ktv-agent enroll``: trade a one-time code for the agent's long-lived credential.

The controller's answer names the room the credential is bound to; a credential for another
room than the one asked for is refused and not stored. A client-certificate request (mTLS,
deployment issue) rides along when the caller passes a key + CSR.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import grpc

from ktv import errors
from ktv.v1 import auth_pb2, auth_pb2_grpc
from room_agent.link import settings
from room_agent.link.credentials import AgentCredential, open_channel, save_credential
from room_agent.link.discovery import ControllerAddress
from room_agent.link.room_link import AGENT_VERSION

_STATUS_TO_ERROR: dict[grpc.StatusCode, type[errors.KtvError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: errors.InvalidArgument,
    grpc.StatusCode.NOT_FOUND: errors.NotFound,
    grpc.StatusCode.ALREADY_EXISTS: errors.AlreadyExists,
    grpc.StatusCode.FAILED_PRECONDITION: errors.FailedPrecondition,
    grpc.StatusCode.ABORTED: errors.Conflict,
    grpc.StatusCode.PERMISSION_DENIED: errors.PermissionDenied,
    grpc.StatusCode.UNAUTHENTICATED: errors.Unauthenticated,
    grpc.StatusCode.UNAVAILABLE: errors.Unavailable,
    grpc.StatusCode.DEADLINE_EXCEEDED: errors.Unavailable,
    grpc.StatusCode.UNIMPLEMENTED: errors.Unsupported,
}


def error_from_rpc(exc: grpc.aio.AioRpcError, doing: str) -> errors.KtvError:
    """One-line ``KtvError`` of the right class for a failed call."""
    kind = _STATUS_TO_ERROR.get(exc.code(), errors.KtvError)
    details = (exc.details() or exc.code().name).splitlines()[0] if exc.details() else ""
    return kind(f"{doing} failed: {exc.code().name}: {details}".rstrip(": "))


@dataclass(frozen=True)
class CertificateRequest:
    """A private key and its CSR (PEM), made by the deployment tooling for mTLS."""

    private_key_pem: str
    csr_pem: str


async def enroll_agent(
    address: ControllerAddress,
    *,
    room_id: str,
    code: str,
    data_dir: Path,
    certificate_request: CertificateRequest | None = None,
    pinned_ca_pem: str = "",
    timeout_s: float = settings.enroll_timeout_s,
) -> tuple[AgentCredential, Path]:
    """``pinned_ca_pem``: the venue CA already checked against the technician's fingerprint;
    enrollment then runs over TLS and the controller must answer with that same CA."""
    if not code.strip():
        raise errors.InvalidArgument("enrollment code is empty")
    request = auth_pb2.EnrollAgentRequest(code=code.strip(), agent_version=AGENT_VERSION)
    if certificate_request is not None:
        request.csr_pem = certificate_request.csr_pem
    tls_only = AgentCredential(room="", agent_token="", ca_certificate_pem=pinned_ca_pem)
    async with open_channel(address.target, tls_only if pinned_ca_pem else None) as channel:
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
    if pinned_ca_pem and reply.ca_certificate_pem.strip() != pinned_ca_pem.strip():
        raise errors.PermissionDenied(
            "the controller answered with another venue CA; nothing stored"
        )
    if certificate_request is not None and pinned_ca_pem and not reply.certificate_pem:
        raise errors.FailedPrecondition("controller signed no room certificate; nothing stored")
    credential = AgentCredential(
        room=reply.room,
        agent_token=reply.agent_token,
        certificate_pem=reply.certificate_pem,
        private_key_pem=certificate_request.private_key_pem
        if certificate_request and reply.certificate_pem
        else "",
        ca_certificate_pem=reply.ca_certificate_pem,
    )
    return credential, save_credential(data_dir, credential)
