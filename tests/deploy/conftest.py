from __future__ import annotations

import pytest

from ktv.security import certs


@pytest.fixture(scope="session")
def venue_ca() -> certs.KeyAndCertificate:
    return certs.create_venue_ca("Golden Voice")


@pytest.fixture(scope="session")
def controller_identity(venue_ca) -> certs.KeyAndCertificate:
    return certs.issue_controller_certificate(venue_ca, ["localhost"], ["127.0.0.1"])
