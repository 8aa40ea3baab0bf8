"""The HTTP side over TLS (a venue after `ktv-controller init`): HTTPS with the venue's
certificate, the Secure session cookie, and the plain-HTTP CA page that serves nothing else."""

from __future__ import annotations

import ssl
import uuid
from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import pytest

from ktv.security import certs, grpc_tls
from ktv.v1 import auth_pb2, auth_pb2_grpc
from tests.deploy.scratch import ktv_controller
from tests.support.controller import RunningController, bearer, launch
from tests.web.venue import read_web_addr, venue_toml


class TlsVenue:
    def __init__(self, data_dir: Path) -> None:
        init = ktv_controller("init", "--data-dir", str(data_dir), "--venue-name", "金色KTV")
        assert init.returncode == 0, init.stderr
        self.ca_path = data_dir / "tls" / "ca.crt"
        config = data_dir / "venue.toml"
        config.write_text(venue_toml(f"tls-{uuid.uuid4().hex[:8]}"), encoding="utf-8")
        self.ctl: RunningController = launch(
            data_dir, ["--venue-config", str(config)], insecure_dev=False
        )
        addr = read_web_addr(data_dir)
        self.base_url, self.ca_url = addr["url"], addr["ca_url"]
        creds = grpc_tls.staff_channel_credentials(self.ca_path.read_bytes())
        self.channel = grpc.secure_channel(
            self.ctl.address, creds, options=grpc_tls.channel_options()
        )
        auth_pb2_grpc.AuthServiceStub(self.channel).CreateStaff(
            auth_pb2.CreateStaffRequest(
                staff_id="c1", role=auth_pb2.ROLE_CASHIER, pin="1111", request_id="s1"
            ),
            metadata=bearer(self.ctl.admin_token),
            timeout=10,
        )

    def close(self) -> None:
        self.channel.close()
        self.ctl.stop()


@pytest.fixture(scope="module")
def tls_venue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsVenue]:
    venue = TlsVenue(tmp_path_factory.mktemp("web-tls"))
    try:
        yield venue
    finally:
        venue.close()


def test_https_uses_the_venue_certificate_and_the_cookie_is_secure(tls_venue: TlsVenue) -> None:
    assert tls_venue.base_url.startswith("https://127.0.0.1:")
    trust = ssl.create_default_context(cafile=str(tls_venue.ca_path))
    with httpx.Client(base_url=tls_venue.base_url, verify=trust) as client:
        answer = client.post(
            "/api/session",
            json={"staff_id": "c1", "pin": "1111"},
            headers={"origin": tls_venue.base_url},
        )
        assert answer.status_code == 200, answer.text
        for cookie in answer.headers.get_list("set-cookie"):
            assert "; secure" in cookie.lower(), cookie
            assert "samesite=strict" in cookie.lower()
        page = client.get("/")
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["x-content-type-options"] == "nosniff"
    with (
        httpx.Client(base_url=tls_venue.base_url) as untrusting,
        pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        untrusting.get("/api/session")  # only a device that trusts the venue CA gets in


def test_the_plain_http_port_serves_only_the_ca_page(tls_venue: TlsVenue) -> None:
    ca_pem = tls_venue.ca_path.read_bytes()
    assert tls_venue.ca_url.startswith("http://127.0.0.1:") and tls_venue.ca_url.endswith("/ca")
    root = tls_venue.ca_url.removesuffix("/ca")
    with httpx.Client(base_url=root) as plain:
        page = plain.get("/ca")
        assert page.status_code == 200
        fingerprint = certs.fingerprint_for_people(certs.fingerprint_sha256(ca_pem))
        assert fingerprint in page.text
        assert "<svg" in page.text and tls_venue.base_url in page.text
        assert "script" not in page.text.lower()
        download = plain.get("/ca.crt")
        assert download.content == ca_pem
        assert download.headers["content-type"] == "application/x-x509-ca-cert"
        for path in ("/api/session", "/api/openapi.json", "/index.html", "/api/board/events"):
            assert plain.get(path).status_code == 404, path
        assert plain.post("/api/session", json={}).status_code in (404, 405)
    context = ssl.create_default_context(cafile=str(tls_venue.ca_path))
    with httpx.Client(verify=context) as trusting:
        assert trusting.get(tls_venue.base_url + "/api/session").status_code == 401
