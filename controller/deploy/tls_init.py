"""``ktv-controller init``: the venue CA and this controller's certificate.

The certificate names this box (hostname, hostname.local, localhost, every IP it has now)
and the fixed name ``ktv-controller``, which agents and ktvctl verify against: a DHCP
change of address does not break TLS.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from ktv.security import certs
from ktv.security.grpc_tls import CONTROLLER_TLS_NAME
from ktv.security.venue_tls import VenueTlsReport, default_controller_names, init_venue_tls


def tls_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "tls"


def local_ips() -> list[str]:
    """This box's addresses as routing sees them (no packets are sent)."""
    found: list[str] = []
    for family, probe in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                s.connect((probe, 9))
                found.append(s.getsockname()[0])
        except OSError:
            continue
    return found


def init_controller_tls(
    data_dir: Path,
    *,
    venue_name: str,
    hostnames: list[str] | None = None,
    ips: list[str] | None = None,
    renew_server_cert: bool = False,
) -> VenueTlsReport:
    names, loopback = default_controller_names()
    report = init_venue_tls(
        tls_dir(data_dir),
        venue_name=venue_name,
        hostnames=[CONTROLLER_TLS_NAME, *(hostnames or names)],
        ips=list(dict.fromkeys([*(ips or []), *local_ips(), *loopback])),
        renew_server_cert=renew_server_cert,
    )
    _give_to_data_dir_owner(Path(data_dir))
    return report


def _give_to_data_dir_owner(data_dir: Path) -> None:
    """Run as root (``sudo ktv-controller init``), the files would be root's and the
    controller (user ktv) could not read its key: hand them to whoever owns the data dir."""
    owner = data_dir.stat()
    if os.geteuid() != 0 or owner.st_uid == 0:
        return
    directory = tls_dir(data_dir)
    for path in [directory, *directory.iterdir()]:
        os.chown(path, owner.st_uid, owner.st_gid)


def describe(report: VenueTlsReport) -> str:
    """What the technician writes down: the fingerprint every Pi is provisioned with."""
    state = "created" if report.ca_created else "kept"
    return "\n".join(
        [
            f"venue CA {state}; controller certificate "
            + ("issued" if report.server_cert_created else "kept"),
            f"names: {', '.join(report.hostnames + report.ips)}",
            "CA fingerprint (SHA-256), give it to `ktv-agent provision --ca-fingerprint`:",
            f"  {certs.fingerprint_for_people(report.fingerprint)}",
        ]
    )
