"""A local ACME world for certificate tests, all on loopback: Let's Encrypt's test server
``pebble`` (Debian package) whose DNS lookups go to ``pebble-challtestsrv`` (same package), a
small DNS server whose TXT records are set over its management HTTP API. A DNS-01 flow against
it is the real one: the client asks the DNS provider (here lego's ``exec`` provider calling
:data:`DNS_HOOK`) to publish ``_acme-challenge.<domain>`` TXT, pebble queries that DNS server
and validates. Nothing leaves the machine.

``AcmeLab(tmp)``: ``.directory_url``, ``.server_ca`` (the PEM file that makes pebble's own
HTTPS listener trusted: lego's ``LEGO_CA_CERTIFICATES``), ``.dns_address`` (host:port),
``.hook_env(tmp)`` (the credentials file lines for lego's exec provider), ``.issuing_roots()``
(pebble's current root, what a phone would trust: a public root in real life).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import json
import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

START_TIMEOUT_S = 20.0

# lego's exec provider runs this as ``hook present|cleanup <fqdn> <value>``; it sets the TXT
# record on challtestsrv (the part a real DNS provider's API does for a venue).
DNS_HOOK = """#!{python}
import json, sys, urllib.request
action, fqdn, value = sys.argv[1], sys.argv[2], sys.argv[3]
path, body = ("/set-txt", {{"host": fqdn, "value": value}}) if action == "present" else (
    "/clear-txt", {{"host": fqdn}})
if action in ("present", "cleanup"):
    request = urllib.request.Request("http://{management}" + path, json.dumps(body).encode())
    urllib.request.urlopen(request, timeout=10).read()
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _self_signed(path_cert: Path, path_key: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pebble test listener")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    path_key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def _wait_for_port(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        assert process.poll() is None, f"{what} exited with {process.returncode}"
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        assert time.monotonic() < deadline, f"{what} did not listen on {port}"
        time.sleep(0.05)


class AcmeLab:
    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.server_ca = directory / "pebble-listener.crt"
        key = directory / "pebble-listener.key"
        _self_signed(self.server_ca, key)
        self.acme_port, self.management_port = free_port(), free_port()
        dns_port, self.dns_management_port = free_port(), free_port()
        self.dns_address = f"127.0.0.1:{dns_port}"
        config = directory / "pebble.json"
        config.write_text(
            json.dumps(
                {
                    "pebble": {
                        "listenAddress": f"127.0.0.1:{self.acme_port}",
                        "managementListenAddress": f"127.0.0.1:{self.management_port}",
                        "certificate": str(self.server_ca),
                        "privateKey": str(key),
                        "httpPort": free_port(),
                        "tlsPort": free_port(),
                        "ocspResponderURL": "",
                        "externalAccountBindingRequired": False,
                    }
                }
            )
        )
        self.processes: list[subprocess.Popen[bytes]] = []
        log = (directory / "lab.log").open("ab")
        try:
            dns = subprocess.Popen(
                [
                    "pebble-challtestsrv",
                    "-management",
                    f"127.0.0.1:{self.dns_management_port}",
                    "-dns01",
                    self.dns_address,
                    "-http01",
                    "",
                    "-https01",
                    "",
                    "-tlsalpn01",
                    "",
                ],
                stdout=log,
                stderr=log,
            )
            self.processes.append(dns)
            _wait_for_port(self.dns_management_port, dns, "pebble-challtestsrv")
            env = {
                **os.environ,
                "PEBBLE_VA_NOSLEEP": "1",  # validate at once, no random 0-15 s wait
                "PEBBLE_WFE_NONCEREJECT": "0",  # no random badNonce refusals
            }
            pebble = subprocess.Popen(
                ["pebble", "-config", str(config), "-dnsserver", self.dns_address],
                stdout=log,
                stderr=log,
                env=env,
            )
            self.processes.append(pebble)
            _wait_for_port(self.acme_port, pebble, "pebble")
            _wait_for_port(self.management_port, pebble, "pebble (management)")
        except BaseException:
            self.close()
            raise
        self.directory_url = f"https://127.0.0.1:{self.acme_port}/dir"

    def hook_env(self, directory: Path) -> str:
        """The credentials file for lego's exec provider: what a venue's file holds for its
        DNS provider (``ALICLOUD_ACCESS_KEY=...``), here the hook that sets TXT records."""
        hook = directory / "dns-hook.py"
        hook.write_text(
            DNS_HOOK.format(
                python=sys.executable, management=f"127.0.0.1:{self.dns_management_port}"
            )
        )
        hook.chmod(0o700)
        return f"EXEC_PATH={hook}\nEXEC_POLLING_INTERVAL=1\nEXEC_PROPAGATION_TIMEOUT=30\n"

    def issuing_roots(self) -> bytes:
        """pebble's root certificate now (it makes a new one at each start)."""
        context = ssl.create_default_context(cafile=str(self.server_ca))
        url = f"https://127.0.0.1:{self.management_port}/roots/0"
        with urllib.request.urlopen(url, context=context, timeout=10) as answer:
            return answer.read()  # type: ignore[no-any-return]

    def close(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
