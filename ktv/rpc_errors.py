"""How a ``KtvError`` travels over gRPC, both ways, in one place (controller, ktvctl, agents).

AIP-193: the status carries a ``google.rpc.Status`` in the standard ``grpc-status-details-bin``
trailer with one ``google.rpc.ErrorInfo`` (``reason`` from the catalogue in ``ktv.reasons``,
``domain`` = ``DOMAIN``). Any gRPC client in any language reads it with its usual status
helpers. The older ``ktv-reason`` trailer is still sent so clients built before 0.2 keep
branching on it; readers here prefer ErrorInfo and fall back to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2

DOMAIN = "ktv.v1"
STATUS_DETAILS_KEY = "grpc-status-details-bin"
LEGACY_REASON_KEY = "ktv-reason"  # sent alongside ErrorInfo for clients older than 0.2

# grpc.StatusCode names -> numeric codes (google.rpc.Code), so this module needs no grpc import
_CODES = {
    "OK": 0,
    "CANCELLED": 1,
    "UNKNOWN": 2,
    "INVALID_ARGUMENT": 3,
    "DEADLINE_EXCEEDED": 4,
    "NOT_FOUND": 5,
    "ALREADY_EXISTS": 6,
    "PERMISSION_DENIED": 7,
    "RESOURCE_EXHAUSTED": 8,
    "FAILED_PRECONDITION": 9,
    "ABORTED": 10,
    "OUT_OF_RANGE": 11,
    "UNIMPLEMENTED": 12,
    "INTERNAL": 13,
    "UNAVAILABLE": 14,
    "DATA_LOSS": 15,
    "UNAUTHENTICATED": 16,
}


def error_trailers(code_name: str, message: str, reason: str) -> tuple[tuple[str, Any], ...]:
    """Trailing metadata for a failed call: ErrorInfo in the standard status details, plus the
    legacy reason key."""
    info = error_details_pb2.ErrorInfo(reason=reason, domain=DOMAIN)
    detail = any_pb2.Any()
    detail.Pack(info)
    status = status_pb2.Status(code=_CODES.get(code_name, 2), message=message, details=[detail])
    return ((STATUS_DETAILS_KEY, status.SerializeToString()), (LEGACY_REASON_KEY, reason))


def reason_in(trailing_metadata: Iterable[tuple[str, Any]] | None) -> str:
    """The machine reason of a failed call's trailers ('' when there is none): ErrorInfo first,
    then the legacy key."""
    legacy = ""
    for key, value in trailing_metadata or ():
        if key == STATUS_DETAILS_KEY and isinstance(value, bytes):
            reason = _error_info_reason(value)
            if reason:
                return reason
        elif key == LEGACY_REASON_KEY:
            legacy = str(value)
    return legacy


def _error_info_reason(raw: bytes) -> str:
    status = status_pb2.Status()
    try:
        status.ParseFromString(raw)
    except Exception:  # a peer's malformed trailer is no reason to fail the caller
        return ""
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info.reason
    return ""
