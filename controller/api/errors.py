"""One mapping from ktv.errors to gRPC status, with the machine reason as a google.rpc.ErrorInfo
in the standard status details (and the legacy ``ktv-reason`` trailer), so clients can branch
on it without parsing messages (ktv.rpc_errors)."""

from __future__ import annotations

import logging

import grpc

from ktv.errors import KtvError
from ktv.rpc_errors import LEGACY_REASON_KEY, error_trailers, reason_in

log = logging.getLogger(__name__)

REASON_KEY = LEGACY_REASON_KEY


def status_of(error: KtvError) -> grpc.StatusCode:
    return getattr(grpc.StatusCode, error.grpc_code, grpc.StatusCode.UNKNOWN)


async def abort_with(context: grpc.aio.ServicerContext, error: BaseException) -> None:
    """Abort the call for ``error`` (raises grpc.aio.AbortError, as context.abort does)."""
    if isinstance(error, KtvError):
        code = status_of(error)
        await context.abort(
            code,
            error.message,
            trailing_metadata=error_trailers(code.name, error.message, error.reason),
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
