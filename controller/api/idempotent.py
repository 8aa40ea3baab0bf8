"""Idempotent unary RPCs: the proto-aware face of controller.store.idempotency."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from google.protobuf.message import Message

from controller.store.db import Store
from controller.store.idempotency import check_request_id, fingerprint, run_once

Response = TypeVar("Response", bound=Message)


def once(
    store: Store,
    method: str,
    request: Message,
    response_type: type[Response],
    action: Callable[[], Response],
) -> Response:
    """Run ``action`` once per ``request.request_id``; retries get the first response back."""
    request_id = check_request_id(getattr(request, "request_id", ""))
    bare = type(request)()
    bare.CopyFrom(request)
    bare.request_id = ""  # type: ignore[attr-defined]
    raw = run_once(
        store,
        request_id=request_id,
        method=method,
        request_fingerprint=fingerprint(method, bare.SerializeToString(deterministic=True)),
        action=lambda: action().SerializeToString(deterministic=True),
    )
    return response_type.FromString(raw)
