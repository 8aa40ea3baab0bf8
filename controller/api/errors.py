"""One mapping from ktv.errors to gRPC status, with the machine reason in trailing metadata
(``ktv-reason``) so clients can branch on it without parsing messages."""

from __future__ import annotations

import logging

import grpc

from ktv.errors import KtvError

log = logging.getLogger(__name__)

REASON_KEY = "ktv-reason"


def status_of(error: KtvError) -> grpc.StatusCode:
    return getattr(grpc.StatusCode, error.grpc_code, grpc.StatusCode.UNKNOWN)


async def abort_with(context: grpc.aio.ServicerContext, error: BaseException) -> None:
    """Abort the call for ``error`` (raises grpc.aio.AbortError, as context.abort does)."""
    if isinstance(error, KtvError):
        await context.abort(
            status_of(error), error.message, trailing_metadata=((REASON_KEY, error.reason),)
        )
    log.exception("internal error", exc_info=error)
    await context.abort(
        grpc.StatusCode.INTERNAL,
        "internal error in the controller (see its log)",
        trailing_metadata=((REASON_KEY, "INTERNAL"),),
    )


def reason_of(error: grpc.RpcError) -> str:
    """Client side: the ``ktv-reason`` of a failed call, '' when absent."""
    trailing = getattr(error, "trailing_metadata", None)
    for key, value in (trailing() if callable(trailing) else None) or ():
        if key == REASON_KEY:
            return str(value)
    return ""
