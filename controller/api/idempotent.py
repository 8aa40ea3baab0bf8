"""Idempotent unary RPCs: the proto-aware face of controller.store.idempotency.

The answer stored for a request id is the answer sent, and it always fits the transport: a
retry after a lost answer gets the same answer back, never an answer too large to receive.
``fit`` cuts a response down to what a client may receive (billing pages its bills); it runs
on an answer over ``RESPONSE_BYTES_MAX``, fresh (before it is stored) or stored (before it is
replayed), so answers stored before a bound existed replay within it too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from google.protobuf.message import Message

from controller.store.db import Store
from controller.store.idempotency import check_request_id, fingerprint, run_once
from ktv.errors import Conflict, FailedPrecondition
from ktv.limits import RESPONSE_BYTES_MAX

Response = TypeVar("Response", bound=Message)


def _unchanged(response: Message) -> Message:
    return response


def once(
    store: Store,
    method: str,
    request: Message,
    response_type: type[Response],
    action: Callable[[], Response],
    fit: Callable[[Message], Message] = _unchanged,
) -> Response:
    """Run ``action`` once per ``request.request_id``; retries get the first response back."""
    request_id = check_request_id(getattr(request, "request_id", ""))
    bare = type(request)()
    bare.CopyFrom(request)
    bare.request_id = ""  # type: ignore[attr-defined]

    def answer() -> bytes:
        response = action()
        size = response.ByteSize()
        if size > RESPONSE_BYTES_MAX:
            response = fit(response)  # type: ignore[assignment]
            size = response.ByteSize()
        if size > RESPONSE_BYTES_MAX:  # refused before anything commits
            raise FailedPrecondition(
                f"the answer to {method.rsplit('/', 1)[-1]} would be {size} bytes, more than "
                f"the {RESPONSE_BYTES_MAX} a client can be sent: nothing was changed",
                reason="RESPONSE_TOO_LARGE",
            )
        return response.SerializeToString(deterministic=True)

    raw = run_once(
        store,
        request_id=request_id,
        method=method,
        request_fingerprint=fingerprint(method, bare.SerializeToString(deterministic=True)),
        action=answer,
    )
    response = response_type.FromString(raw)
    if len(raw) > RESPONSE_BYTES_MAX:  # stored before answers were bounded
        fit(response)
    return response


def answered(
    store: Store, method: str, request: Message, response_type: type[Response]
) -> Response | None:
    """The stored answer to ``request.request_id`` if it was answered already (a retry), else
    None; Conflict REQUEST_ID_REUSED when the id came with a different request. For calls
    whose work happens outside the store (a room agent's answer): check here first, do the
    work (itself idempotent), then record the answer with :func:`once`."""
    request_id = check_request_id(getattr(request, "request_id", ""))
    bare = type(request)()
    bare.CopyFrom(request)
    bare.request_id = ""  # type: ignore[attr-defined]
    row = store.query_one(
        "SELECT method, fingerprint, response FROM idempotency_keys WHERE request_id = ?",
        (request_id,),
    )
    if row is None:
        return None
    if row["method"] != method or row["fingerprint"] != fingerprint(
        method, bare.SerializeToString(deterministic=True)
    ):
        raise Conflict(
            f"request_id {request_id!r} was already used for a different request",
            reason="REQUEST_ID_REUSED",
        )
    return response_type.FromString(bytes(row["response"]))
