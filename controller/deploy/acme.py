"""``ktv-controller cert``: obtain or renew the guest domain's certificate with lego (DNS-01,
``[acme]`` in the venue TOML, see :mod:`controller.deploy.acme_settings`). lego writes
``DATA_DIR/acme/certificates/<domain>.crt|.key``; the running controller's guest listener
notices the new files and serves them to new connections (no restart)."""

from __future__ import annotations

import collections
import datetime as dt
import os
import stat
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import ExtensionOID

from controller.deploy.acme_settings import (
    ACME_DIR,
    LEGO_TIMEOUT_S,
    AcmeSettings,
    lego_argv,
    parse_credentials,
)
from ktv.errors import FailedPrecondition, Unavailable

LOG_TAIL_LINES = 30  # lego's last lines kept for the error message


@dataclass(frozen=True)
class CertificateState:
    """What a certificate file holds, for people and for "did it change"."""

    path: Path
    serial: str
    not_after: dt.datetime
    names: tuple[str, ...]

    def days_left(self, now: dt.datetime) -> int:
        return (self.not_after - now).days


@dataclass(frozen=True)
class CertResult:
    certificate: CertificateState
    key_file: Path
    renewed: bool  # a new certificate was written by this run


def read_certificate(path: Path) -> CertificateState | None:
    """The first (leaf) certificate of a PEM file, or None when there is no such file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    cert = x509.load_pem_x509_certificate(data)
    try:
        sans = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
        names = tuple(sans.value.get_values_for_type(x509.DNSName))
    except x509.ExtensionNotFound:
        names = ()
    return CertificateState(path, f"{cert.serial_number:x}", cert.not_valid_after_utc, names)


def _credentials(settings: AcmeSettings, data_dir: Path) -> dict[str, str]:
    path = settings.credentials_path(data_dir)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise FailedPrecondition(
            f"no DNS provider credentials at {path}: write the {settings.dns_provider} "
            "variables lego documents (`lego dnshelp -c "
            f"{settings.dns_provider}`) as NAME=value lines, mode 0600",
            reason="ACME_CREDENTIALS_MISSING",
        ) from None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise FailedPrecondition(
            f"{path} is readable by others (mode {stat.S_IMODE(info.st_mode):o}): it holds the "
            f"venue's DNS keys; chmod 600 {path}",
            reason="ACME_CREDENTIALS_EXPOSED",
        )
    return parse_credentials(path.read_text(encoding="utf-8"))


def obtain_or_renew(
    settings: AcmeSettings,
    data_dir: Path,
    *,
    force: bool = False,
    echo: bool = True,
) -> CertResult:
    """Runs lego once: ``run`` when there is no certificate yet, else ``renew`` (which does
    nothing until fewer than ``renew_days`` are left, unless ``force``). lego's log lines are
    passed through as they come (progress); a failure raises Unavailable ACME_FAILED with its
    last lines."""
    data_dir = Path(data_dir)
    env = {**os.environ, **_credentials(settings, data_dir)}
    if settings.server_ca_file:
        env["LEGO_CA_CERTIFICATES"] = settings.server_ca_file
    (data_dir / ACME_DIR).mkdir(mode=0o700, parents=True, exist_ok=True)
    cert_file, key_file = settings.certificate_files(data_dir)
    before = read_certificate(cert_file)
    argv = lego_argv(settings, data_dir, renew=before is not None, force=force)
    tail: collections.deque[str] = collections.deque(maxlen=LOG_TAIL_LINES)
    try:
        process = subprocess.Popen(
            argv,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    except OSError as error:
        raise FailedPrecondition(
            f"cannot run {settings.lego!r} ({error.strerror}): install Debian's lego "
            "(apt-get install lego) or set [acme] lego",
            reason="ACME_FAILED",
        ) from None
    assert process.stdout is not None
    watchdog = threading.Timer(LEGO_TIMEOUT_S, process.kill)  # a hung DNS API ends, too
    watchdog.start()
    try:
        with process:
            for line in process.stdout:
                tail.append(line.rstrip())
                if echo:
                    print(f"lego: {line.rstrip()}", file=sys.stderr, flush=True)
            code = process.wait()
    finally:
        watchdog.cancel()
    if code < 0:
        raise Unavailable(
            f"lego ran longer than {LEGO_TIMEOUT_S} s and was stopped", reason="ACME_FAILED"
        )
    if code != 0:
        last = next((line for line in reversed(tail) if line.strip()), "no output")
        raise Unavailable(f"lego failed (exit {code}): {last[-300:]}", reason="ACME_FAILED")
    after = read_certificate(cert_file)
    if after is None:
        raise Unavailable(f"lego succeeded but wrote no {cert_file}", reason="ACME_FAILED")
    return CertResult(after, key_file, renewed=before is None or before.serial != after.serial)


def describe(result: CertResult, now: dt.datetime) -> str:
    cert = result.certificate
    what = "new certificate" if result.renewed else "certificate still valid, not renewed"
    return (
        f"{what}: {', '.join(cert.names)} until {cert.not_after:%Y-%m-%d %H:%M} UTC "
        f"({cert.days_left(now)} days left), serial {cert.serial}\n"
        f"  {cert.path}\n  {result.key_file}"
    )
