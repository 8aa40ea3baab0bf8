"""Install the venue controller on its box (Debian 12 / Raspberry Pi OS Bookworm).

    sudo python3 -m controller.deploy.install      (also ``ktv-controller install``)

Standard library only until the venv exists. Idempotent: a second run reports every step
"unchanged". ``--root DIR --files-only`` writes the layout into a scratch root without apt,
pip or live systemctl; the venue TLS files are still created there (in-process).
"""

from __future__ import annotations

import argparse
import hashlib
import ssl
import sys
from collections.abc import Sequence
from pathlib import Path

from ktv import provisioning as prov

DATA_DIR = "/var/lib/ktv"
TLS_DIR = f"{DATA_DIR}/tls"
UNITS = ("ktv-controller.service", "ktv-controller-backup.timer", "ktv-controller-cert.timer")
# lego: the guest domain's certificate (ACME DNS-01, docs/guest.md); idle without [acme]
APT_PACKAGES = ("python3", "python3-venv", "sqlite3", "avahi-daemon", "lego")
FILES = (
    ("ktv-sysusers.conf", "/usr/lib/sysusers.d/ktv.conf", 0o644),
    ("ktv-tmpfiles.conf", "/usr/lib/tmpfiles.d/ktv.conf", 0o644),
    ("ktv-controller.service", "/etc/systemd/system/ktv-controller.service", 0o644),
    ("ktv-controller-backup.service", "/etc/systemd/system/ktv-controller-backup.service", 0o644),
    ("ktv-controller-backup.timer", "/etc/systemd/system/ktv-controller-backup.timer", 0o644),
    ("ktv-controller-cert.service", "/etc/systemd/system/ktv-controller-cert.service", 0o644),
    ("ktv-controller-cert.timer", "/etc/systemd/system/ktv-controller-cert.timer", 0o644),
)


def ca_fingerprint(ca_cert: Path) -> str:
    """SHA-256 of the CA certificate as technicians read it (stdlib: no venv needed yet)."""
    digest = hashlib.sha256(ssl.PEM_cert_to_DER_cert(ca_cert.read_text())).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, 64, 2)).upper()


def init_tls(target: prov.HostTarget, args: argparse.Namespace) -> prov.StepResult:
    """The venue CA and the controller certificate, created once (never replaced). The
    report shows the CA fingerprint every Pi is provisioned with."""
    step = f"venue CA in {TLS_DIR}"
    ca_cert = target.path(TLS_DIR) / "ca.crt"
    if ca_cert.exists():
        return prov.StepResult(step, prov.Outcome.UNCHANGED, ca_fingerprint(ca_cert))
    if target.dry_run:
        return prov.StepResult(step, prov.Outcome.WOULD_CHANGE)
    if target.live and target.is_real_root:
        argv = ["runuser", "-u", "ktv", "--", f"{prov.VENV_DIR}/bin/ktv-controller", "init"]
        argv += ["--data-dir", DATA_DIR, "--venue-name", args.venue_name]
        target.run(argv)
    else:
        from controller.deploy.tls_init import init_controller_tls  # needs cryptography

        init_controller_tls(target.path(DATA_DIR), venue_name=args.venue_name)
    return prov.StepResult(step, prov.Outcome.CHANGED, ca_fingerprint(ca_cert))


def install(args: argparse.Namespace) -> prov.InstallReport:
    target = prov.target_from_arguments(args)
    report = prov.InstallReport()
    report.add(prov.install_apt_packages(target, APT_PACKAGES))
    changed = False
    for source, dest, mode in FILES:
        result = report.add(prov.install_file(target, dest, prov.systemd_file(source), mode))
        changed |= result.outcome is prov.Outcome.CHANGED and dest.startswith("/etc/systemd")
    if not target.dry_run:
        report.add(prov.create_users(target, ["/usr/lib/sysusers.d/ktv.conf"]))
        report.add(prov.create_directories(target, ["/usr/lib/tmpfiles.d/ktv.conf"]))
    app = report.add(prov.install_app(target, Path(args.source)))
    report.add(init_tls(target, args))
    if not target.dry_run:
        # the CA was written by root in files-only mode: hand it to the ktv user
        report.add(prov.create_directories(target, ["/usr/lib/tmpfiles.d/ktv.conf"]))
    report.add(prov.enable_units(target, list(UNITS)))
    changed |= app.outcome is prov.Outcome.CHANGED
    report.add(prov.start_units(target, list(UNITS), restart=changed))
    return report


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    p = parser or argparse.ArgumentParser(
        prog="ktv-controller install", description=__doc__.split("\n")[0]
    )
    p.add_argument("--venue-name", default="KTV", help="shown in the CA's name")
    prov.add_target_arguments(p)
    return p


def run(args: argparse.Namespace) -> int:
    return prov.report_or_error("ktv-controller install", lambda: install(args))


def main(argv: Sequence[str] | None = None) -> int:
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
