"""First contact with the controller: fetch the venue CA and check it against the pin.

The pin (SHA-256 of the CA certificate) comes from zeroconf TXT ``ca=`` or from the
technician (``--ca-fingerprint``, printed by ``ktv-controller init``). The controller sends
its certificate chain (leaf + CA) in the handshake; the CA certificate whose fingerprint
matches the pin becomes the root the agent trusts from then on. Nothing else is trusted.
"""

from __future__ import annotations

import _ssl
import socket
import ssl

from ktv.errors import PermissionDenied, Unavailable, Unsupported
from ktv.security import certs, settings


def _unverified_chain_der(tls: ssl.SSLSocket) -> list[bytes]:
    # Public in Python 3.13 (SSLSocket.get_unverified_chain); the same method exists on the
    # private _sslobj since 3.10.
    getter = getattr(tls, "get_unverified_chain", None)
    if getter is None:
        getter = getattr(getattr(tls, "_sslobj", None), "get_unverified_chain", None)
    if getter is None:
        raise Unsupported("this Python cannot read the peer chain: pass --ca-file instead")
    chain = getter() or []
    return [c if isinstance(c, bytes) else c.public_bytes(_ssl.ENCODING_DER) for c in chain]


def fetch_pinned_ca(
    host: str, port: int, fingerprint: str, *, timeout_s: float | None = None
) -> bytes:
    """The venue CA certificate (PEM), only if its SHA-256 equals ``fingerprint``."""
    pin = certs.normalise_fingerprint(fingerprint)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # we verify by pin below, not by a trust store
    context.set_alpn_protocols(["h2"])
    try:
        with (
            socket.create_connection(
                (host, port), timeout=timeout_s or settings.pin_fetch_timeout_s
            ) as raw,
            context.wrap_socket(raw, server_hostname=host) as tls,
        ):
            chain = _unverified_chain_der(tls)
    except (OSError, ssl.SSLError) as exc:
        raise Unavailable(f"cannot reach the controller at {host}:{port}: {exc}") from exc
    for der in chain:
        pem = ssl.DER_cert_to_PEM_cert(der).encode()
        if certs.fingerprint_sha256(pem) == pin:
            return pem
    raise PermissionDenied(
        f"the controller at {host}:{port} does not present the pinned venue CA "
        f"{certs.fingerprint_for_people(pin)[:23]}...: wrong controller, or someone in between"
    )
