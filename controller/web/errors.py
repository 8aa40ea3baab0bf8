"""One mapping from a gRPC status (and so from every ``KtvError``) to an HTTP status, and the
one error body: ``{"reason", "message", "status"}`` (Google's table from google/rpc/code.proto,
the one grpc-gateway and Envoy's transcoder use)."""

from __future__ import annotations

from dataclasses import dataclass

from ktv.errors import InvalidArgument, KtvError, PermissionDenied

HTTP_STATUS = {
    "OK": 200,
    "CANCELLED": 499,
    "UNKNOWN": 500,
    "INVALID_ARGUMENT": 400,
    "DEADLINE_EXCEEDED": 504,
    "NOT_FOUND": 404,
    "ALREADY_EXISTS": 409,
    "PERMISSION_DENIED": 403,
    "RESOURCE_EXHAUSTED": 429,
    "FAILED_PRECONDITION": 400,
    "ABORTED": 409,
    "OUT_OF_RANGE": 400,
    "UNIMPLEMENTED": 501,
    "INTERNAL": 500,
    "UNAVAILABLE": 503,
    "DATA_LOSS": 500,
    "UNAUTHENTICATED": 401,
}


class BodyTooLarge(InvalidArgument):
    """A request body over the gateway's bound: refused before it is read in full or parsed."""

    http_status = 413


class NotJson(InvalidArgument):
    """A body that is not ``Content-Type: application/json``."""

    http_status = 415


class CsrfRefused(PermissionDenied):
    """A state-changing request that did not prove it comes from the venue's own page."""


class MethodNotRouted(KtvError):
    """``/api/v1/{Service}/{Method}`` names no RPC the gateway serves."""

    grpc_code = "NOT_FOUND"
    default_reason = "NOT_FOUND"


@dataclass(frozen=True)
class HttpError:
    """What a refused request answers: an HTTP status and the JSON body."""

    http_status: int
    status: str
    reason: str
    message: str

    def body(self) -> dict[str, str]:
        return {"reason": self.reason, "message": self.message, "status": self.status}


def http_error(status_name: str, reason: str, message: str) -> HttpError:
    return HttpError(HTTP_STATUS.get(status_name, 500), status_name, reason or status_name, message)


def from_ktv_error(error: KtvError) -> HttpError:
    status = getattr(error, "http_status", None)
    mapped = http_error(error.grpc_code, error.reason or error.default_reason, error.message)
    if status is None:
        return mapped
    return HttpError(status, mapped.status, mapped.reason, mapped.message)
