"""One mapping from ktv.errors to gRPC status, with the machine reason as a google.rpc.ErrorInfo
in the standard status details (and the legacy ``ktv-reason`` trailer), so clients can branch
on it without parsing messages (ktv.rpc_errors).

The message is cut to ``ERROR_MESSAGE_MAX_CHARS``: a message that quoted a caller's 100 KB
field would not fit the transport's metadata limit (the caller saw RESOURCE_EXHAUSTED, not
the refusal) and would hand the payload back to whoever sent it."""

from __future__ import annotations

import logging
import re

import grpc

from ktv.errors import KtvError
from ktv.limits import ERROR_MESSAGE_MAX_CHARS
from ktv.rpc_errors import LEGACY_REASON_KEY, error_trailers, reason_in
from ktv.text import clip

log = logging.getLogger(__name__)

REASON_KEY = LEGACY_REASON_KEY
_REASON = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")


def status_of(error: KtvError) -> grpc.StatusCode:
    return getattr(grpc.StatusCode, error.grpc_code, grpc.StatusCode.UNKNOWN)


def reason_for(error: KtvError) -> str:
    """The error's reason if it is a machine token (metadata must be short ASCII)."""
    return error.reason if _REASON.match(error.reason or "") else error.default_reason


def message_for(error: KtvError) -> str:
    return clip(error.message, ERROR_MESSAGE_MAX_CHARS)


async def abort_with(context: grpc.aio.ServicerContext, error: BaseException) -> None:
    """Abort the call for ``error`` (raises grpc.aio.AbortError, as context.abort does)."""
    if isinstance(error, KtvError):
        code = status_of(error)
        await context.abort(
            code,
            message_for(error),
            trailing_metadata=error_trailers(code.name, message_for(error), reason_for(error)),
        )
    log.exception("internal error", exc_info=error)
    await context.abort(
        grpc.StatusCode.INTERNAL,
        "internal error in the controller (see its log)",
        trailing_metadata=error_trailers(
            "INTERNAL", "internal error in the controller (see its log)", "INTERNAL"
        ),
    )


def reason_of(error: grpc.RpcError) -> str:
    """Client side: the ``ktv-reason`` of a failed call, '' when absent."""
    trailing = getattr(error, "trailing_metadata", None)
    return reason_in(trailing() if callable(trailing) else None)
