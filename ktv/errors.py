"""One exception hierarchy for the whole system.

Domain code raises these by meaning; the gRPC adapter maps each class to one status code
(``grpc_code`` names a ``grpc.StatusCode`` member so this module needs no grpc import), and
the CLI maps them to an exit code and a one-line message. ``reason`` is the machine-readable
AIP-193 reason (``ROOM_OCCUPIED``, ``INSUFFICIENT_BALANCE``...).
"""

from __future__ import annotations


class KtvError(Exception):
    """Base of every error the system raises on purpose."""

    grpc_code = "INTERNAL"
    default_reason = "INTERNAL"
    exit_code = 1

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or self.default_reason


class InvalidArgument(KtvError):
    grpc_code = "INVALID_ARGUMENT"
    default_reason = "INVALID_ARGUMENT"
    exit_code = 2


class NotFound(KtvError):
    grpc_code = "NOT_FOUND"
    default_reason = "NOT_FOUND"
    exit_code = 3


class AlreadyExists(KtvError):
    grpc_code = "ALREADY_EXISTS"
    default_reason = "ALREADY_EXISTS"
    exit_code = 4


class FailedPrecondition(KtvError):
    """The resource is in the wrong state for this action (room occupied, bill closed...)."""

    grpc_code = "FAILED_PRECONDITION"
    default_reason = "FAILED_PRECONDITION"
    exit_code = 5


class Conflict(KtvError):
    """A concurrent change won, or a request_id was reused with different parameters."""

    grpc_code = "ABORTED"
    default_reason = "CONFLICT"
    exit_code = 6


class PaymentDeclined(FailedPrecondition):
    default_reason = "PAYMENT_DECLINED"


class PermissionDenied(KtvError):
    grpc_code = "PERMISSION_DENIED"
    default_reason = "PERMISSION_DENIED"
    exit_code = 7


class Unauthenticated(KtvError):
    grpc_code = "UNAUTHENTICATED"
    default_reason = "UNAUTHENTICATED"
    exit_code = 8


class Unavailable(KtvError):
    """A dependency (the controller, a device, a payment gateway) cannot be reached now."""

    grpc_code = "UNAVAILABLE"
    default_reason = "UNAVAILABLE"
    exit_code = 9


class Unsupported(KtvError):
    """The feature cannot work on this build or device (e.g. key change without the filter)."""

    grpc_code = "UNIMPLEMENTED"
    default_reason = "UNSUPPORTED"
    exit_code = 10


class ResourceExhausted(KtvError):
    """The caller is over a rate (a phone adding songs faster than anyone sings them)."""

    grpc_code = "RESOURCE_EXHAUSTED"
    default_reason = "RATE_LIMITED"
    exit_code = 11


_BY_STATUS: dict[str, type[KtvError]] = {
    kind.grpc_code: kind
    for kind in (
        InvalidArgument,
        NotFound,
        AlreadyExists,
        FailedPrecondition,
        Conflict,
        PermissionDenied,
        Unauthenticated,
        Unavailable,
        Unsupported,
        ResourceExhausted,
    )
} | {"DEADLINE_EXCEEDED": Unavailable}


def error_class_for(status_name: str) -> type[KtvError]:
    """The class a client raises for a failed call's status (``grpc.StatusCode.X.name``):
    the inverse of ``grpc_code``; a deadline is "unreachable"; anything else is KtvError."""
    return _BY_STATUS.get(status_name, KtvError)
