"""gRPC credentials for the venue, and who a TLS peer is.

gRPC's Python server either requires a client certificate or never asks for one, so the
controller listens twice with the same services:

* the **staff port** (TLS, server certificate only): ktvctl and enrollment; callers
  authenticate with a bearer token (staff PIN -> short-lived token);
* the **agent port** (mutual TLS): every caller must present a certificate signed by the
  venue CA; the room in that certificate *is* the caller's identity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import grpc

if TYPE_CHECKING:  # cryptography (~10 MB of RSS): a running room agent needs none of it
    from ktv.security import certs

TARGET_NAME_OPTION = "grpc.ssl_target_name_override"
# every controller certificate carries this DNS name; clients verify against it, so the
# controller's DHCP address may change without breaking TLS
CONTROLLER_TLS_NAME = "ktv-controller"


def channel_options() -> list[tuple[str, str]]:
    """gRPC channel options for TLS to the venue controller (pass to secure_channel)."""
    return [(TARGET_NAME_OPTION, CONTROLLER_TLS_NAME)]


def staff_port_credentials(
    server: certs.KeyAndCertificate, ca_cert_pem: bytes
) -> grpc.ServerCredentials:
    """TLS with the controller certificate; the chain includes the CA so agents can pin it."""
    chain = server.cert_pem + ca_cert_pem
    return grpc.ssl_server_credentials([(server.key_pem, chain)], require_client_auth=False)


def agent_port_credentials(
    server: certs.KeyAndCertificate, ca_cert_pem: bytes
) -> grpc.ServerCredentials:
    """Mutual TLS: a client certificate signed by the venue CA is required to connect."""
    chain = server.cert_pem + ca_cert_pem
    return grpc.ssl_server_credentials(
        [(server.key_pem, chain)], root_certificates=ca_cert_pem, require_client_auth=True
    )


def agent_channel_credentials(
    ca_cert_pem: bytes, room_identity: certs.KeyAndCertificate
) -> grpc.ChannelCredentials:
    """An enrolled agent: trusts only the venue CA and presents its room certificate."""
    return grpc.ssl_channel_credentials(
        root_certificates=ca_cert_pem,
        private_key=room_identity.key_pem,
        certificate_chain=room_identity.cert_pem,
    )


def staff_channel_credentials(ca_cert_pem: bytes) -> grpc.ChannelCredentials:
    """ktvctl and not-yet-enrolled agents: trust only the venue CA, no client certificate."""
    return grpc.ssl_channel_credentials(root_certificates=ca_cert_pem)


def room_of_peer(auth_context: Mapping[str, Sequence[bytes]]) -> str | None:
    """The room whose venue-CA certificate the peer presented, or None.

    gRPC has already verified the chain against the venue CA (agent port) before a call is
    dispatched; on the staff port no certificate is requested, so this is None there.
    """
    if auth_context.get("transport_security_type") != [b"ssl"]:
        return None
    pems = auth_context.get("x509_pem_cert") or []
    if len(pems) != 1:
        return None
    from ktv.security import certs

    return certs.room_of_certificate(pems[0])
