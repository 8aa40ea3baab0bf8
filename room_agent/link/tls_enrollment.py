"""What a new Pi does before enrolling with a TLS controller: pin the venue CA and make its
own key + CSR (the key never leaves the Pi).

The pin is the fingerprint the technician typed (``--ca-fingerprint``, printed by
``ktv-controller install``/``init``). Without one, the fingerprint from the controller's
zeroconf TXT is used: mDNS can be spoofed on a guest LAN, so that is trust on first use and
is logged as such.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from ktv.errors import InvalidArgument
from ktv.security import certs
from ktv.security.pinning import fetch_pinned_ca
from room_agent.link.discovery import ControllerAddress
from room_agent.link.enroll import CertificateRequest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TlsEnrollment:
    pinned_ca_pem: str
    certificate_request: CertificateRequest


async def prepare_tls_enrollment(
    address: ControllerAddress, room_id: str, fingerprint: str = ""
) -> TlsEnrollment | None:
    """None for a plain-text (``--insecure-dev``) controller with no fingerprint given."""
    pin = fingerprint
    if not pin and address.tls:
        if not address.ca_fingerprint:
            raise InvalidArgument(
                f"the controller at {address.target} speaks TLS but advertises no CA "
                "fingerprint: pass --ca-fingerprint"
            )
        log.warning("pinning the venue CA from mDNS (trust on first use): prefer --ca-fingerprint")
        pin = address.ca_fingerprint
    if not pin:
        return None
    ca_pem = await asyncio.to_thread(fetch_pinned_ca, address.host, address.port, pin)
    key_pem, csr_pem = certs.create_room_csr(room_id)
    return TlsEnrollment(ca_pem.decode(), CertificateRequest(key_pem.decode(), csr_pem.decode()))
