"""Authenticators map call metadata (+ the TLS peer, later) to a Principal.

The interceptor asks one :class:`Authenticator`. Today: bearer tokens. The deployment work
adds client-certificate identity by putting a certificate authenticator in front of this one
in an :class:`AuthenticatorChain`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from controller.auth.credentials import Credentials
from controller.auth.model import Principal
from ktv.errors import Unauthenticated

AuthContext = Mapping[str, Sequence[bytes]]


class Authenticator(Protocol):
    def authenticate(
        self, metadata: Mapping[str, str], auth_context: AuthContext
    ) -> Principal | None:
        """The caller, None if it presented nothing this authenticator understands;
        raises Unauthenticated for a credential that is present but bad."""


class BearerTokenAuthenticator:
    def __init__(self, credentials: Credentials, clock: Callable[[], datetime]) -> None:
        self.credentials = credentials
        self.clock = clock

    def authenticate(
        self, metadata: Mapping[str, str], auth_context: AuthContext
    ) -> Principal | None:
        header = metadata.get("authorization")
        if header is None:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated(
                "authorization metadata must be 'Bearer <token>'", reason="BAD_AUTH_HEADER"
            )
        return self.credentials.resolve_token(token.strip(), self.clock())


class AuthenticatorChain:
    """First authenticator that recognises a credential wins. The list is live: the
    deployment module appends its certificate authenticator while the server is composed."""

    def __init__(self, authenticators: list[Authenticator]) -> None:
        self.authenticators = authenticators

    def authenticate(
        self, metadata: Mapping[str, str], auth_context: AuthContext
    ) -> Principal | None:
        for authenticator in self.authenticators:
            principal = authenticator.authenticate(metadata, auth_context)
            if principal is not None:
                return principal
        return None
