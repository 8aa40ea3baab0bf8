"""The agent's credential: a bearer token today, a client certificate beside it later.

Stored in the data dir as ``credential.json`` (mode 0600, written atomically). The link
sends ``authorization: Bearer <token>`` on Connect; when the credential also carries the
venue CA (and a client certificate + key), the channel is TLS (mTLS) instead of plain text.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import grpc

from ktv.errors import FailedPrecondition
from ktv.security import grpc_tls
from room_agent.link.discovery import ControllerAddress

CREDENTIAL_FILE = "credential.json"


@dataclass(frozen=True)
class AgentCredential:
    room: str  # rooms/{id}
    agent_token: str
    certificate_pem: str = ""  # client certificate for mTLS (deployment issue)
    private_key_pem: str = ""  # key of that certificate
    ca_certificate_pem: str = ""  # venue CA that signed the controller's certificate

    @property
    def uses_tls(self) -> bool:
        return bool(self.ca_certificate_pem)

    def call_metadata(self) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.agent_token}"),)

    def __repr__(self) -> str:  # never print the secret
        return f"AgentCredential(room={self.room!r}, tls={self.uses_tls})"


def credential_path(data_dir: Path) -> Path:
    return Path(data_dir) / CREDENTIAL_FILE


def save_credential(data_dir: Path, credential: AgentCredential) -> Path:
    """Write atomically with mode 0600 (created that way: never briefly world-readable)."""
    path = credential_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(asdict(credential), f, indent=2)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def load_credential(data_dir: Path) -> AgentCredential | None:
    """The stored credential, ``None`` if the agent never enrolled."""
    path = credential_path(data_dir)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return AgentCredential(**raw)
    except FileNotFoundError:
        return None
    except (ValueError, TypeError) as exc:
        raise FailedPrecondition(
            f"credential file {path} is damaged ({exc}); enroll again with ktv-agent enroll"
        ) from exc


def link_channel(
    address: ControllerAddress,
    credential: AgentCredential | None,
    *,
    agent_port: int = 0,
    options: Sequence[tuple[str, int | str]] = (),
) -> grpc.aio.Channel:
    """The room's link channel: plain text to the controller's port for an ``--insecure-dev``
    venue (no CA in the credential); mutual TLS with the room certificate to the agent port
    for a TLS venue, verified against the pinned venue CA only."""
    if credential is None or not credential.uses_tls:
        return grpc.aio.insecure_channel(address.target, options=list(options))
    tls = grpc.ssl_channel_credentials(
        root_certificates=credential.ca_certificate_pem.encode(),
        private_key=credential.private_key_pem.encode() or None,
        certificate_chain=credential.certificate_pem.encode() or None,
    )
    return grpc.aio.secure_channel(
        address.link_target(agent_port), tls, options=[*options, *grpc_tls.channel_options()]
    )


def enrollment_channel(
    address: ControllerAddress, ca_certificate_pem: bytes | None
) -> grpc.aio.Channel:
    """Before enrollment: TLS trusting only the pinned venue CA (no client certificate yet),
    or plain text to an ``--insecure-dev`` controller."""
    if ca_certificate_pem is None:
        return grpc.aio.insecure_channel(address.target)
    return grpc.aio.secure_channel(
        address.target,
        grpc_tls.staff_channel_credentials(ca_certificate_pem),
        options=grpc_tls.channel_options(),
    )
