"""The venue CA and the certificates it signs."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from ktv.errors import FailedPrecondition, InvalidArgument
from ktv.security import certs
from ktv.security.venue_tls import VenueTlsFiles, init_venue_tls, load_venue_ca


def test_venue_ca_is_an_ec_p256_ca_that_signs_only_leaf_certificates(venue_ca):
    cert = certs.load_certificate(venue_ca.cert_pem)
    assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
    assert cert.public_key().curve.name == "secp256r1"
    constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert constraints.ca and constraints.path_length == 0


def test_controller_certificate_names_every_hostname_and_ip(venue_ca):
    server = certs.issue_controller_certificate(
        venue_ca, ["ktv-box", "ktv-box.local"], ["192.168.1.10", "::1"]
    )
    san = certs.load_certificate(server.cert_pem).extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    )
    assert san.value.get_values_for_type(x509.DNSName) == ["ktv-box", "ktv-box.local"]
    assert san.value.get_values_for_type(x509.IPAddress) == [
        ipaddress.ip_address("192.168.1.10"),
        ipaddress.ip_address("::1"),
    ]
    assert certs.is_issued_by(venue_ca.cert_pem, server.cert_pem)


def test_room_certificate_is_bound_to_its_room_in_the_san_uri(venue_ca):
    room = certs.issue_room_certificate(venue_ca, "A08")
    cert = certs.load_certificate(room.cert_pem)
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.UniformResourceIdentifier) == ["ktv:room:A08"]
    assert cert.subject.rfc4514_string() == "CN=room A08,O=ktv venue"
    assert certs.room_of_certificate(room.cert_pem) == "A08"


def test_the_room_comes_from_the_enrollment_not_from_what_the_csr_claims(venue_ca):
    _key, csr_for_a08 = certs.create_room_csr("A08")
    signed = certs.sign_room_csr(venue_ca, csr_for_a08, "B12")
    assert certs.room_of_certificate(signed) == "B12"


def test_controller_certificate_is_not_a_room_certificate(controller_identity):
    assert certs.room_of_certificate(controller_identity.cert_pem) is None


def test_certificate_from_another_venue_is_not_ours(venue_ca):
    other_venue = certs.create_venue_ca("Elsewhere KTV")
    stranger = certs.issue_room_certificate(other_venue, "A08")
    assert not certs.is_issued_by(venue_ca.cert_pem, stranger.cert_pem)


def test_an_expired_room_certificate_is_not_valid_now(venue_ca):
    two_years_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=900)
    old = certs.issue_room_certificate(venue_ca, "A08", now=two_years_ago)
    assert certs.is_issued_by(venue_ca.cert_pem, old.cert_pem, now=two_years_ago)
    assert not certs.is_issued_by(venue_ca.cert_pem, old.cert_pem)


@pytest.mark.parametrize("room", ["", "A 08", "../etc", "A08\n", "x" * 40, "房间"])
def test_strange_room_ids_are_refused(venue_ca, room):
    with pytest.raises(InvalidArgument):
        certs.issue_room_certificate(venue_ca, room)


def test_garbage_csr_or_certificate_is_an_invalid_argument_not_a_crash(venue_ca):
    with pytest.raises(InvalidArgument):
        certs.sign_room_csr(venue_ca, b"-----BEGIN CERTIFICATE REQUEST-----\nnope\n", "A08")
    with pytest.raises(InvalidArgument):
        certs.room_of_certificate(b"hello")


def test_fingerprint_is_sha256_hex_and_people_may_type_it_with_colons(venue_ca):
    fp = certs.fingerprint_sha256(venue_ca.cert_pem)
    assert len(fp) == 64 and fp == fp.lower()
    spoken = certs.fingerprint_for_people(fp)
    assert spoken.count(":") == 31
    assert certs.normalise_fingerprint(spoken) == fp
    with pytest.raises(InvalidArgument):
        certs.normalise_fingerprint("abc")


def test_init_creates_the_ca_once_with_private_keys_readable_only_by_the_owner(tmp_path):
    first = init_venue_tls(
        tmp_path / "tls", venue_name="Golden Voice", hostnames=["ktv-box"], ips=[]
    )
    files = VenueTlsFiles(tmp_path / "tls")
    assert first.ca_created and first.server_cert_created and files.exists()
    for key in (files.ca_key, files.server_key):
        assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    before = files.ca_key.read_bytes()

    again = init_venue_tls(
        tmp_path / "tls", venue_name="Golden Voice", hostnames=["ktv-box"], ips=[]
    )
    assert not again.ca_created and not again.server_cert_created
    assert again.fingerprint == first.fingerprint
    assert files.ca_key.read_bytes() == before


def test_renewing_the_controller_certificate_keeps_the_venue_ca(tmp_path):
    first = init_venue_tls(tmp_path, venue_name="V", hostnames=["ktv-box"], ips=[])
    old_cert = VenueTlsFiles(tmp_path).server_cert.read_bytes()
    renewed = init_venue_tls(
        tmp_path, venue_name="V", hostnames=["ktv-box"], ips=["10.0.0.2"], renew_server_cert=True
    )
    assert renewed.server_cert_created and not renewed.ca_created
    assert renewed.fingerprint == first.fingerprint
    new_cert = VenueTlsFiles(tmp_path).server_cert.read_bytes()
    assert new_cert != old_cert
    assert certs.is_issued_by(load_venue_ca(tmp_path).cert_pem, new_cert)


def test_half_a_ca_on_disk_is_refused_rather_than_silently_replaced(tmp_path):
    init_venue_tls(tmp_path, venue_name="V", hostnames=["ktv-box"], ips=[])
    VenueTlsFiles(tmp_path).ca_key.unlink()
    with pytest.raises(FailedPrecondition, match="half a venue CA"):
        init_venue_tls(tmp_path, venue_name="V", hostnames=["ktv-box"], ips=[])


def test_init_run_by_root_hands_the_keys_to_the_controllers_user(tmp_path):
    from controller.deploy.tls_init import init_controller_tls

    data_dir = tmp_path / "ktv"
    data_dir.mkdir()
    os.chown(data_dir, 4321, 4321)  # the `ktv` user of that box
    init_controller_tls(data_dir, venue_name="V", hostnames=["ktv-box"])
    files = VenueTlsFiles(data_dir / "tls")
    for path in (files.directory, files.ca_key, files.server_key, files.ca_cert):
        assert (path.stat().st_uid, path.stat().st_gid) == (4321, 4321)
    assert stat.S_IMODE(files.ca_key.stat().st_mode) == 0o600
