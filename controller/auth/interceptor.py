"""Who is calling: the authenticated caller of the RPC being served, as :func:`current_principal`.

The interceptor that authenticates every RPC and sets the caller is the gRPC edge's
(:mod:`controller.api.interceptor`); this module is what servicers read, and imports nothing of
the edge (docs/house.md: ``auth`` sits under ``api``).
"""

from __future__ import annotations

import contextvars

from controller.auth.model import Principal
from ktv.errors import Unauthenticated

CALLER: contextvars.ContextVar[Principal | None] = contextvars.ContextVar(
    "ktv_principal", default=None
)
"""Set by the gRPC edge's interceptor around each call; read through the functions below."""


def current_principal() -> Principal:
    """The authenticated caller of the RPC being served (servicers call this)."""
    principal = CALLER.get()
    if principal is None:
        raise Unauthenticated("this call needs a credential", reason="NO_CREDENTIAL")
    return principal


def optional_principal() -> Principal | None:
    return CALLER.get()
