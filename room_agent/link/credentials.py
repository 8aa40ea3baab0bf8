"""The agent's credential: a bearer token today, a client certificate beside it later.

Stored in the data dir as ``credential.json`` (mode 0600, written atomically). The link
sends ``authorization: Bearer <token>`` on Connect; when the credential also carries the
venue CA (and a client certificate + key), the channel is TLS (mTLS) instead of plain text.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import grpc

from ktv.errors import FailedPrecondition
from ktv.security.grpc_tls import channel_options

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

    @property
    def uses_mtls(self) -> bool:
        """A room certificate: the link goes to the controller's agent port."""
        return self.uses_tls and bool(self.certificate_pem)

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


def open_channel(target: str, credential: AgentCredential | None) -> grpc.aio.Channel:
    """Plain text without a CA in the credential (``--insecure-dev`` controllers), else TLS,
    with the client certificate when there is one (mTLS)."""
    if credential is None or not credential.uses_tls:
        return grpc.aio.insecure_channel(target)
    tls = grpc.ssl_channel_credentials(
        root_certificates=credential.ca_certificate_pem.encode(),
        private_key=credential.private_key_pem.encode() or None,
        certificate_chain=credential.certificate_pem.encode() or None,
    )
    # verify the controller as `ktv-controller` (in every controller certificate), not by IP
    return grpc.aio.secure_channel(target, tls, options=channel_options())
