"""The guest domain's public certificate: ``ktv-controller cert`` obtains it with lego over a
real DNS-01 flow against pebble on loopback (tests/support/acme_lab.py), the controller's TLS
guest listener serves it (a phone that trusts only the ACME server's root connects without a
warning), and a renewal is picked up by the running controller for new connections, no
restart. Plus the ``[acme]`` settings, the lego command line and the command's refusals."""

from __future__ import annotations

import socket
import ssl
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509

from controller.cli import main as ktv_controller
from controller.deploy.acme_settings import (
    LETS_ENCRYPT,
    AcmeSettings,
    acme_settings,
    lego_argv,
    parse_credentials,
)
from controller.web.guest_listener import GuestTls, guest_tls
from controller.web.settings import GuestWebSettings
from ktv.errors import FailedPrecondition, InvalidArgument, Unavailable
from tests.support.acme_lab import AcmeLab
from tests.support.controller import RunningController, launch
from tests.web.venue import read_web_addr, venue_toml

DOMAIN = "guest.ktv.test"
REFUSED = FailedPrecondition.exit_code
SERVED_TIMEOUT_S = 20.0


# --- settings and command line (no processes) ---------------------------------------------


def test_acme_settings_and_the_lego_command(tmp_path: Path) -> None:
    assert acme_settings({}) is None
    settings = acme_settings(
        {
            "acme": {
                "domains": ["KTV.Example.com."],
                "email": "ops@example.com",
                "dns_provider": "alidns",
            }
        }
    )
    assert settings == AcmeSettings(
        domains=("ktv.example.com",), email="ops@example.com", dns_provider="alidns"
    )
    assert settings.server == LETS_ENCRYPT and settings.renew_days == 30
    assert settings.certificate_files(tmp_path) == (
        tmp_path / "acme/certificates/ktv.example.com.crt",
        tmp_path / "acme/certificates/ktv.example.com.key",
    )
    assert settings.credentials_path(tmp_path) == tmp_path / "acme/dns.env"
    first = lego_argv(settings, tmp_path, renew=False, force=False)
    assert first[0] == "lego" and first[-1] == "run"
    assert first[first.index("--dns") : first.index("--dns") + 2] == ["--dns", "alidns"]
    assert first[first.index("--domains") :][:2] == ["--domains", "ktv.example.com"]
    assert "--dns.disable-cp" not in first
    assert lego_argv(settings, tmp_path, renew=True, force=False)[-3:] == ["renew", "--days", "30"]
    assert lego_argv(settings, tmp_path, renew=True, force=True)[-4:] == [
        "renew",
        "--days",
        "100000",
        "--no-random-sleep",
    ]
    good = {"domains": ["ktv.example.com"], "email": "a@b.cn", "dns_provider": "tencentcloud"}
    for change in (
        {"domains": []},
        {"domains": ["not a domain"]},
        {"domains": ["localhost"]},
        {"email": "nobody"},
        {"dns_provider": "Ali DNS"},
        {"server": "http://acme.example.com/dir"},
        {"renew_days": 90},
        {"renew_days": True},
        {"key_type": "dsa"},
        {"resolvers": ["8.8.8.8"]},
        {"check_all_nameservers": "no"},
        {"extra": 1},
    ):
        with pytest.raises(InvalidArgument) as refused:
            acme_settings({"acme": {**good, **change}})
        assert refused.value.reason == "BAD_ACME_SETTING", change


def test_the_credentials_file() -> None:
    text = (
        "# Alibaba Cloud DNS\nALICLOUD_ACCESS_KEY=LTAI5t\nexport ALICLOUD_SECRET_KEY='s=cr t'\n\n"
    )
    assert parse_credentials(text) == {
        "ALICLOUD_ACCESS_KEY": "LTAI5t",
        "ALICLOUD_SECRET_KEY": "s=cr t",
    }
    with pytest.raises(InvalidArgument, match="line 2"):
        parse_credentials("A=1\nnot a line\n")


def test_the_cert_command_refuses_clearly(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    config = tmp_path / "venue.toml"
    data = ["--data-dir", str(tmp_path / "data"), "--venue-config", str(config)]
    assert ktv_controller(["cert", *data]) == REFUSED
    assert "no venue config" in capsys.readouterr().err
    assert ktv_controller(["cert", *data, "--if-configured"]) == 0
    config.write_text('[venue]\nid = "v"\n')
    assert ktv_controller(["cert", *data]) == REFUSED
    assert "no [acme] table" in capsys.readouterr().err
    assert ktv_controller(["cert", *data, "--if-configured"]) == 0
    credentials = tmp_path / "dns.env"
    config.write_text(
        f'[acme]\ndomains = ["{DOMAIN}"]\nemail = "a@ktv.test"\ndns_provider = "alidns"\n'
        f'credentials_file = "{credentials}"\n'
    )
    assert ktv_controller(["cert", *data]) == REFUSED
    assert f"no DNS provider credentials at {credentials}" in capsys.readouterr().err
    credentials.write_text("ALICLOUD_ACCESS_KEY=x\n")
    credentials.chmod(0o644)
    assert ktv_controller(["cert", *data]) == REFUSED
    assert "readable by others" in capsys.readouterr().err
    credentials.chmod(0o600)
    acme = config.read_text()
    config.write_text(acme + 'lego = "/nonexistent/lego"\n')
    assert ktv_controller(["cert", *data]) == REFUSED
    assert "install Debian's lego" in capsys.readouterr().err
    config.write_text(acme + 'lego = "false"\n')  # lego that fails
    assert ktv_controller(["cert", *data]) == Unavailable.exit_code
    assert "lego failed (exit 1)" in capsys.readouterr().err


# --- the real flow: pebble, DNS-01, the controller's TLS guest listener ---------------------


@dataclass
class GuestTlsVenue:
    lab: AcmeLab
    ctl: RunningController
    port: int
    guest_url: str
    cert_args: list[str]


@pytest.fixture(scope="module")
def acme_venue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GuestTlsVenue]:
    base = tmp_path_factory.mktemp("acme")
    lab = AcmeLab(base / "lab")
    try:
        data_dir = base / "controller"
        data_dir.mkdir()
        credentials = base / "dns.env"
        credentials.write_text(lab.hook_env(base))
        credentials.chmod(0o600)
        config = data_dir / "venue.toml"
        config.write_text(
            venue_toml(f"acme-{uuid.uuid4().hex[:8]}")
            + f"""
[guest_web]
enabled = true
host = "127.0.0.1"
cert_check_s = 1

[acme]
domains = ["{DOMAIN}"]
email = "ops@ktv.test"
dns_provider = "exec"
credentials_file = "{credentials}"
server = "{lab.directory_url}"
server_ca_file = "{lab.server_ca}"
resolvers = ["{lab.dns_address}"]
check_all_nameservers = false
""",
            encoding="utf-8",
        )
        cert_args = ["cert", "--data-dir", str(data_dir), "--venue-config", str(config)]
        assert ktv_controller(cert_args) == 0  # the first certificate, before the controller
        ctl = launch(data_dir, ["--venue-config", str(config)])
        try:
            addr = read_web_addr(data_dir)
            port = int(addr["guest_listen_url"].rsplit(":", 1)[1])
            yield GuestTlsVenue(lab, ctl, port, addr["guest_url"], cert_args)
        finally:
            ctl.stop()
    finally:
        lab.close()


def fetch(port: int, roots: bytes, path: str) -> tuple[x509.Certificate, bytes]:
    """A phone that trusts only ``roots`` opens https://guest.ktv.test:port/path (the name
    resolving to loopback): the certificate it was shown, and the raw answer."""
    context = ssl.create_default_context(cadata=roots.decode())
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=DOMAIN) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
        assert der is not None
        tls.sendall(f"GET {path} HTTP/1.1\r\nHost: {DOMAIN}\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := tls.recv(65536):
            answer += chunk
    return x509.load_der_x509_certificate(der), answer


def test_the_guest_listener_serves_the_acme_certificate_and_a_renewal_without_restart(
    acme_venue: GuestTlsVenue, capsys: pytest.CaptureFixture
) -> None:
    venue = acme_venue
    assert venue.guest_url == f"https://{DOMAIN}:{venue.port}"
    roots = venue.lab.issuing_roots()
    first, answer = fetch(venue.port, roots, "/")
    assert answer.startswith(b"HTTP/1.1 302") and b"location: /g/" in answer
    _, answer = fetch(venue.port, roots, "/index.html")  # the staff app: not here
    assert answer.startswith(b"HTTP/1.1 404")
    _, answer = fetch(venue.port, roots, "/api/openapi.json")
    assert answer.startswith(b"HTTP/1.1 404")
    # a phone trusting anything else is refused: the certificate is pebble's, not self-made
    with pytest.raises(ssl.SSLCertVerificationError):
        fetch(venue.port, venue.lab.server_ca.read_bytes(), "/")

    capsys.readouterr()
    assert ktv_controller(venue.cert_args) == 0  # the timer's run: nothing due
    assert "not renewed" in capsys.readouterr().out
    assert ktv_controller([*venue.cert_args, "--force"]) == 0
    assert "new certificate" in capsys.readouterr().out
    pid = venue.ctl.process.pid
    deadline = time.monotonic() + SERVED_TIMEOUT_S
    while (served := fetch(venue.port, roots, "/")[0]).serial_number == first.serial_number:
        assert time.monotonic() < deadline, "the renewed certificate was never served"
        time.sleep(0.2)
    assert served.not_valid_after_utc >= first.not_valid_after_utc
    assert venue.ctl.process.poll() is None and venue.ctl.process.pid == pid


def test_a_tls_guest_listener_needs_its_certificate(tmp_path: Path) -> None:
    plain = GuestWebSettings(enabled=True, tls=False)
    assert guest_tls(plain, None, tmp_path) is None
    with pytest.raises(InvalidArgument, match="needs a certificate") as refused:
        guest_tls(GuestWebSettings(enabled=True), None, tmp_path)
    assert refused.value.reason == "BAD_GUEST_WEB_SETTING"
    settings = AcmeSettings(domains=(DOMAIN,), email="a@ktv.test", dns_provider="alidns")
    with pytest.raises(FailedPrecondition) as missing:
        guest_tls(GuestWebSettings(enabled=True), settings, tmp_path)
    assert missing.value.reason == "GUEST_CERT_MISSING"
    cert, key = settings.certificate_files(tmp_path)
    cert.parent.mkdir(parents=True)
    cert.write_text("chain")
    key.write_text("key")
    assert guest_tls(GuestWebSettings(enabled=True), settings, tmp_path) == GuestTls(cert, key)


def test_the_controller_refuses_to_start_without_the_certificate_in_one_line(
    tmp_path: Path,
) -> None:
    config = tmp_path / "venue.toml"
    config.write_text(
        venue_toml(f"nocert-{uuid.uuid4().hex[:8]}")
        + '\n[guest_web]\nenabled = true\n\n[acme]\ndomains = ["ktv.example.com"]\n'
        'email = "a@b.cn"\ndns_provider = "alidns"\n'
    )
    with pytest.raises(RuntimeError) as failed:
        launch(tmp_path / "data", ["--venue-config", str(config)])
    log = str(failed.value)
    assert "run `ktv-controller cert` first" in log and "Traceback" not in log, log[-2000:]
