"""Who a caller is when the controller runs with TLS (``ktv-controller serve`` without
``--insecure-dev``).

* On the **agent port** (mutual TLS) the room certificate *is* the identity: gRPC has already
  checked it against the venue CA; here we check it is still the room's current certificate
  (re-enrolling a Pi revokes the old one, so a stolen SD card stops working).
* On the **staff port** nobody presents a certificate: bearer tokens (staff PIN -> token).
  An agent token alone is refused there: a room is only ever a room with its certificate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from controller.auth.authenticator import AuthContext, Authenticator
from controller.auth.model import Principal, Role
from controller.store.db import Store
from controller.store.migrations import Migration, register_migrations
from ktv.errors import Unauthenticated
from ktv.security import certs

register_migrations(
    "room_certificates",
    [
        Migration(
            1,
            "client certificates issued to rooms at enrollment",
            sql="""
            CREATE TABLE room_certificates (
                serial TEXT PRIMARY KEY,
                room_id TEXT NOT NULL,
                issued_at TEXT NOT NULL,
                expire_time TEXT NOT NULL,
                revoked_at TEXT
            );
            CREATE INDEX room_certificates_room ON room_certificates (room_id);
            """,
        )
    ],
)


def serial_of(cert_pem: bytes) -> str:
    return format(certs.load_certificate(cert_pem).serial_number, "x")


class RoomCertificates:
    """The certificates the controller handed out, so it can stop trusting old ones."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def record(self, room_id: str, cert_pem: bytes, now: datetime) -> str:
        """Remember a new certificate for ``room_id`` and revoke the room's earlier ones.
        Call inside the enrollment transaction."""
        serial = serial_of(cert_pem)
        expire = certs.load_certificate(cert_pem).not_valid_after_utc
        self.store.execute(
            "UPDATE room_certificates SET revoked_at = ? WHERE room_id = ? AND revoked_at IS NULL",
            (now.isoformat(), room_id),
        )
        self.store.execute(
            "INSERT INTO room_certificates (serial, room_id, issued_at, expire_time)"
            " VALUES (?, ?, ?, ?)",
            (serial, room_id, now.isoformat(), expire.isoformat()),
        )
        return serial

    def revoke_room(self, room_id: str, now: datetime) -> int:
        """Stop trusting every certificate of ``room_id`` (a stolen or retired Pi)."""
        cursor = self.store.execute(
            "UPDATE room_certificates SET revoked_at = ? WHERE room_id = ? AND revoked_at IS NULL",
            (now.isoformat(), room_id),
        )
        return cursor.rowcount

    def is_current(self, serial: str, room_id: str) -> bool:
        row = self.store.query_one(
            "SELECT room_id, revoked_at FROM room_certificates WHERE serial = ?", (serial,)
        )
        return row is not None and row["room_id"] == room_id and row["revoked_at"] is None


class VenueTlsAuthenticator:
    """Room certificate first; otherwise the bearer token, but never an agent's token alone."""

    def __init__(
        self,
        bearer: Authenticator,
        room_certificates: RoomCertificates,
        clock: Callable[[], datetime],
    ) -> None:
        self.bearer = bearer
        self.room_certificates = room_certificates
        self.clock = clock

    def authenticate(
        self, metadata: Mapping[str, str], auth_context: AuthContext
    ) -> Principal | None:
        pems = auth_context.get("x509_pem_cert") or []
        if auth_context.get("transport_security_type") == [b"ssl"] and len(pems) == 1:
            return self._room(pems[0])
        principal = self.bearer.authenticate(metadata, auth_context)
        if principal is not None and principal.role is Role.AGENT:
            raise Unauthenticated(
                "a room agent must connect to the agent port with its room certificate",
                reason="AGENT_NEEDS_CERTIFICATE",
            )
        return principal

    def _room(self, cert_pem: bytes) -> Principal:
        room_id = certs.room_of_certificate(cert_pem)
        if room_id is None:
            raise Unauthenticated("certificate names no room", reason="NOT_A_ROOM_CERTIFICATE")
        serial = serial_of(cert_pem)
        if not self.room_certificates.is_current(serial, room_id):
            raise Unauthenticated(
                f"certificate {serial} of rooms/{room_id} was replaced or revoked: enroll again",
                reason="CERTIFICATE_REVOKED",
            )
        return Principal(role=Role.AGENT, room_id=room_id, credential_id=f"cert:{serial}")
