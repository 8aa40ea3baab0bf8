"""What deployment adds to ``ktv-controller serve``: the two TLS listeners, the venue TLS
files and the agent port's address file (sd_notify lives in ktv.sdnotify)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import grpc

from ktv.errors import FailedPrecondition, InvalidArgument
from ktv.security import grpc_tls
from ktv.security.venue_tls import VenueTls, VenueTlsFiles, load_venue_tls

log = logging.getLogger("controller.deploy")

TLS_SUBDIR = "tls"
AGENT_ADDR_FILE = "controller.agent.addr"
INSECURE_WARNING = (
    "PLAIN TEXT (--insecure-dev): anyone on this network can read calls and pretend to be a "
    "room or the front desk. Development and tests only; venues run `ktv-controller init`."
)


def tls_dir(data_dir: Path) -> Path:
    return Path(data_dir) / TLS_SUBDIR


def venue_tls_for(data_dir: Path, *, insecure_dev: bool) -> VenueTls | None:
    """The venue's TLS files; required unless ``--insecure-dev``, used when present anyway
    (so an insecure dev controller with a CA still hands out room certificates)."""
    directory = tls_dir(data_dir)
    if insecure_dev and not VenueTlsFiles(directory).exists():
        return None
    try:
        return load_venue_tls(directory)
    except FailedPrecondition:
        raise FailedPrecondition(
            f"no venue TLS in {directory}: run `ktv-controller init --data-dir {data_dir}` "
            "(or pass --insecure-dev for plain-text development)",
            reason="TLS_REQUIRED",
        ) from None


def default_agent_listen(listen: str) -> str:
    """The agent (mutual TLS) port sits next to the staff port: 50051 -> 50052; port 0 stays
    0 (any free port, tests)."""
    host, _, port = listen.rpartition(":")
    try:
        number = int(port)
    except ValueError:
        raise InvalidArgument(f"--listen wants host:port, got {listen!r}") from None
    return f"{host}:{number + 1 if number else 0}"


@dataclass(frozen=True)
class BoundPorts:
    staff_port: int
    agent_port: int  # 0 when plain text (no agent port)


def _add(server: grpc.aio.Server, address: str, creds: grpc.ServerCredentials | None) -> int:
    try:
        port = (
            server.add_secure_port(address, creds)
            if creds is not None
            else server.add_insecure_port(address)
        )
    except RuntimeError as error:
        raise InvalidArgument(f"cannot listen on {address}: {error}") from None
    if port == 0:
        raise InvalidArgument(f"cannot listen on {address}")
    return port


def bind_ports(
    server: grpc.aio.Server,
    *,
    listen: str,
    agent_listen: str,
    tls: VenueTls | None,
    insecure_dev: bool,
) -> BoundPorts:
    """Plain text on ``listen`` with --insecure-dev; else TLS there and mTLS on the agent port."""
    if insecure_dev:
        log.warning(INSECURE_WARNING)
        return BoundPorts(_add(server, listen, None), 0)
    assert tls is not None
    staff = _add(server, listen, grpc_tls.staff_port_credentials(tls.server, tls.ca.cert_pem))
    agent = _add(
        server,
        agent_listen or default_agent_listen(listen),
        grpc_tls.agent_port_credentials(tls.server, tls.ca.cert_pem),
    )
    return BoundPorts(staff, agent)


def write_agent_addr(data_dir: Path, host: str, ports: BoundPorts) -> None:
    path = Path(data_dir) / AGENT_ADDR_FILE
    if not ports.agent_port:
        path.unlink(missing_ok=True)
        return
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(f"{host}:{ports.agent_port}\n")
    tmp.replace(path)
