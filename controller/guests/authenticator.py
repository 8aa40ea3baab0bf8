"""``authorization: Guest <secret>`` -> Principal(role=GUEST, room_id, credential_id=guest id,
session). Put first in the chain: the bearer authenticator refuses any other scheme."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from controller.auth.authenticator import AuthContext
from controller.auth.model import Principal
from controller.guests.identity import GuestRegistry
from controller.guests.model import GUEST_PREFIX
from ktv.errors import Unauthenticated


class GuestAuthenticator:
    def __init__(self, registry: GuestRegistry, clock: Callable[[], datetime]) -> None:
        self.registry = registry
        self.clock = clock

    def authenticate(
        self, metadata: Mapping[str, str], auth_context: AuthContext
    ) -> Principal | None:
        header = metadata.get("authorization")
        if header is None:
            return None
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != GUEST_PREFIX.lower():
            return None
        if not secret.strip() or len(secret) > 256:
            raise Unauthenticated(
                "authorization metadata must be 'Guest <credential>'", reason="BAD_AUTH_HEADER"
            )
        return self.registry.resolve(secret.strip(), self.clock())
