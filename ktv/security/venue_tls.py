"""The venue's TLS files on disk, created once by ``ktv-controller init``.

Layout of the TLS directory (default ``/var/lib/ktv/tls``, owned by the ``ktv`` user)::

    ca.crt  ca.key(0600)  controller.crt  controller.key(0600)

Keys are written atomically with mode 0600 from the first byte (never a readable window).
"""

from __future__ import annotations

import datetime as dt
import socket
from dataclasses import dataclass
from pathlib import Path

from ktv.durable_files import write_atomically
from ktv.errors import FailedPrecondition
from ktv.security import certs


@dataclass(frozen=True)
class VenueTlsFiles:
    directory: Path

    @property
    def ca_cert(self) -> Path:
        return self.directory / "ca.crt"

    @property
    def ca_key(self) -> Path:
        return self.directory / "ca.key"

    @property
    def server_cert(self) -> Path:
        return self.directory / "controller.crt"

    @property
    def server_key(self) -> Path:
        return self.directory / "controller.key"

    def exists(self) -> bool:
        return all(
            p.is_file() for p in (self.ca_cert, self.ca_key, self.server_cert, self.server_key)
        )


@dataclass(frozen=True)
class VenueTlsReport:
    """What ``init`` did: technicians read the fingerprint off this."""

    ca_created: bool
    server_cert_created: bool
    fingerprint: str
    hostnames: tuple[str, ...]
    ips: tuple[str, ...]


def default_controller_names() -> tuple[list[str], list[str]]:
    """This box's hostname (+ ``.local`` for mDNS, + localhost) and loopback IPs."""
    host = socket.gethostname()
    names = list(dict.fromkeys([host, f"{host}.local", "localhost"]))
    return names, ["127.0.0.1", "::1"]


def init_venue_tls(
    directory: Path,
    *,
    venue_name: str,
    hostnames: list[str],
    ips: list[str],
    renew_server_cert: bool = False,
    now: dt.datetime | None = None,
) -> VenueTlsReport:
    """Create the CA (once: never overwritten) and the controller certificate.

    Running it again keeps both; ``renew_server_cert`` re-issues only the controller's
    certificate (new IP, expiry) under the same CA, so enrolled Pis keep working.
    """
    files = VenueTlsFiles(Path(directory))
    ca_created = False
    if files.ca_cert.exists() != files.ca_key.exists():
        raise FailedPrecondition(
            f"half a venue CA in {files.directory}: restore ca.crt and ca.key from backup"
        )
    if files.ca_cert.exists():
        ca = load_venue_ca(files.directory)
    else:
        ca = certs.create_venue_ca(venue_name, now=now)
        write_atomically(files.ca_key, ca.key_pem, 0o600)
        write_atomically(files.ca_cert, ca.cert_pem, 0o644)
        ca_created = True
    server_created = False
    if ca_created or renew_server_cert or not files.server_cert.exists():
        server = certs.issue_controller_certificate(ca, hostnames, ips, now=now)
        write_atomically(files.server_key, server.key_pem, 0o600)
        write_atomically(files.server_cert, server.cert_pem, 0o644)
        server_created = True
    return VenueTlsReport(
        ca_created=ca_created,
        server_cert_created=server_created,
        fingerprint=certs.fingerprint_sha256(ca.cert_pem),
        hostnames=tuple(hostnames),
        ips=tuple(ips),
    )


def load_venue_ca(directory: Path) -> certs.KeyAndCertificate:
    files = VenueTlsFiles(Path(directory))
    try:
        return certs.KeyAndCertificate(files.ca_key.read_bytes(), files.ca_cert.read_bytes())
    except FileNotFoundError as exc:
        raise FailedPrecondition(
            f"no venue CA in {files.directory}: run `ktv-controller init` first"
        ) from exc


def load_server_identity(directory: Path) -> certs.KeyAndCertificate:
    files = VenueTlsFiles(Path(directory))
    try:
        return certs.KeyAndCertificate(
            files.server_key.read_bytes(), files.server_cert.read_bytes()
        )
    except FileNotFoundError as exc:
        raise FailedPrecondition(
            f"no controller certificate in {files.directory}: run `ktv-controller init` first"
        ) from exc


@dataclass(frozen=True)
class VenueTls:
    """Everything ``serve`` needs for TLS: the CA (to sign rooms' CSRs) and its own identity."""

    ca: certs.KeyAndCertificate
    server: certs.KeyAndCertificate

    @property
    def fingerprint(self) -> str:
        return certs.fingerprint_sha256(self.ca.cert_pem)


def load_venue_tls(directory: Path) -> VenueTls:
    """FailedPrecondition (with the command to run) when ``init`` has not been run."""
    return VenueTls(load_venue_ca(directory), load_server_identity(directory))
