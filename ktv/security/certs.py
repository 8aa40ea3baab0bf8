"""Certificates for one venue: its CA, the controller's server certificate, rooms' client
certificates (EC P-256). Pure functions over PEM bytes; storing them is ``venue_tls``.

A room certificate carries the room twice: subject CN ``room A08`` for people reading logs,
and the SAN URI ``ktv:room:A08`` which is what the controller trusts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import re
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ktv.errors import InvalidArgument
from ktv.room_id import ROOM_ID_PATTERN, check_room_id
from ktv.security import settings

ROOM_URI_PREFIX = "ktv:room:"
ORGANIZATION = "ktv venue"


@dataclass(frozen=True)
class KeyAndCertificate:
    """A private key (PEM, PKCS#8, unencrypted: protect it with file modes) and its cert."""

    key_pem: bytes
    cert_pem: bytes


def _new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


def load_certificate(cert_pem: bytes) -> x509.Certificate:
    """The first certificate in ``cert_pem``; bad PEM is an InvalidArgument, not a crash."""
    try:
        return x509.load_pem_x509_certificate(cert_pem)
    except ValueError as exc:
        raise InvalidArgument(f"not a PEM certificate: {exc}") from exc


def _load_ca(ca: KeyAndCertificate) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = serialization.load_pem_private_key(ca.key_pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise InvalidArgument("venue CA key is not an EC key")
    return key, load_certificate(ca.cert_pem)


def create_venue_ca(
    venue_name: str, *, now: dt.datetime | None = None, valid_days: int | None = None
) -> KeyAndCertificate:
    """A self-signed CA that only signs certificates for this venue (path length 0)."""
    key = _new_key()
    start = _now(now) - dt.timedelta(seconds=settings.clock_skew_allowance_s)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{venue_name} venue CA"[:64]),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=valid_days or settings.venue_ca_valid_days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return KeyAndCertificate(_key_pem(key), _cert_pem(cert))


def _leaf(
    ca: KeyAndCertificate,
    public_key: ec.EllipticCurvePublicKey,
    common_name: str,
    sans: list[x509.GeneralName],
    usage: x509.ObjectIdentifier,
    now: dt.datetime | None,
    valid_days: int,
) -> bytes:
    ca_key, ca_cert = _load_ca(ca)
    start = _now(now) - dt.timedelta(seconds=settings.clock_skew_allowance_s)
    end = min(start + dt.timedelta(days=valid_days), ca_cert.not_valid_after_utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
                    x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
                ]
            )
        )
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return _cert_pem(cert)


def issue_controller_certificate(
    ca: KeyAndCertificate,
    hostnames: list[str],
    ips: list[str],
    *,
    now: dt.datetime | None = None,
    valid_days: int | None = None,
) -> KeyAndCertificate:
    """The controller's TLS server certificate, valid for each hostname and IP given."""
    if not hostnames and not ips:
        raise InvalidArgument("the controller certificate needs at least one hostname or IP")
    sans: list[x509.GeneralName] = [x509.DNSName(h) for h in dict.fromkeys(hostnames)]
    for ip in dict.fromkeys(ips):
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(ip)))
        except ValueError as exc:
            raise InvalidArgument(f"not an IP address: {ip!r}") from exc
    key = _new_key()
    cert = _leaf(
        ca,
        key.public_key(),
        hostnames[0] if hostnames else ips[0],
        sans,
        ExtendedKeyUsageOID.SERVER_AUTH,
        now,
        valid_days or settings.controller_cert_valid_days,
    )
    return KeyAndCertificate(_key_pem(key), cert)


def create_room_csr(room_id: str) -> tuple[bytes, bytes]:
    """Agent side: a fresh key (never leaves the Pi) and a CSR naming its room."""
    check_room_id(room_id)
    key = _new_key()
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"room {room_id}")]))
        .sign(key, hashes.SHA256())
    )
    return _key_pem(key), csr.public_bytes(serialization.Encoding.PEM)


def sign_room_csr(
    ca: KeyAndCertificate,
    csr_pem: bytes,
    room_id: str,
    *,
    now: dt.datetime | None = None,
    valid_days: int | None = None,
) -> bytes:
    """Controller side: a client certificate for ``room_id``.

    The room comes from the enrollment code, never from the CSR: whatever the CSR claims,
    only its public key is used.
    """
    check_room_id(room_id)
    try:
        csr = x509.load_pem_x509_csr(csr_pem)
    except ValueError as exc:
        raise InvalidArgument(f"not a PEM certificate signing request: {exc}") from exc
    if not csr.is_signature_valid:
        raise InvalidArgument("the CSR's signature does not match its key")
    public_key = csr.public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        raise InvalidArgument("room keys must be EC P-256")
    return _leaf(
        ca,
        public_key,
        f"room {room_id}",
        [x509.UniformResourceIdentifier(ROOM_URI_PREFIX + room_id)],
        ExtendedKeyUsageOID.CLIENT_AUTH,
        now,
        valid_days or settings.room_cert_valid_days,
    )


def issue_room_certificate(
    ca: KeyAndCertificate, room_id: str, *, now: dt.datetime | None = None
) -> KeyAndCertificate:
    """Key and client certificate in one go (tests, or a technician enrolling offline)."""
    key_pem, csr_pem = create_room_csr(room_id)
    return KeyAndCertificate(key_pem, sign_room_csr(ca, csr_pem, room_id, now=now))


def room_of_certificate(cert_pem: bytes) -> str | None:
    """The room a client certificate is bound to (SAN URI ``ktv:room:X``), or None."""
    cert = load_certificate(cert_pem)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None
    rooms = [
        uri[len(ROOM_URI_PREFIX) :]
        for uri in san.get_values_for_type(x509.UniformResourceIdentifier)
        if uri.startswith(ROOM_URI_PREFIX)
    ]
    if len(rooms) != 1 or not ROOM_ID_PATTERN.fullmatch(rooms[0]):
        return None
    return rooms[0]


def is_issued_by(ca_cert_pem: bytes, cert_pem: bytes, *, now: dt.datetime | None = None) -> bool:
    """True when ``cert_pem`` is signed by this CA and valid at ``now``."""
    ca_cert, cert = load_certificate(ca_cert_pem), load_certificate(cert_pem)
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    moment = _now(now)
    return cert.not_valid_before_utc <= moment <= cert.not_valid_after_utc


def fingerprint_sha256(cert_pem: bytes) -> str:
    """SHA-256 of the certificate's DER, lowercase hex: what zeroconf TXT carries."""
    der = load_certificate(cert_pem).public_bytes(serialization.Encoding.DER)
    return hashlib.sha256(der).hexdigest()


def fingerprint_for_people(fingerprint: str) -> str:
    """``AB:CD:...`` form a technician compares on the controller's and the Pi's screens."""
    return ":".join(fingerprint[i : i + 2] for i in range(0, len(fingerprint), 2)).upper()


def normalise_fingerprint(text: str) -> str:
    """Accepts either form (colons, any case); InvalidArgument when it is not SHA-256 hex."""
    value = text.replace(":", "").strip().lower()
    if not re.fullmatch(r"[0-9a-f]{64}", value):
        raise InvalidArgument(f"not a SHA-256 fingerprint: {text!r}")
    return value
