"""Idempotent state changes keyed by ``request_id``.

:func:`run_once` runs in ONE transaction: it looks the request id up, returns the stored
response when the request's fingerprint matches, raises :class:`ktv.errors.Conflict` (gRPC
ABORTED) when the same id came with different parameters, and otherwise runs the action and
stores its response next to the id. A failing action rolls back and stores nothing, so a retry
after an error runs again. Billing uses the same helper for money.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

from controller.store.db import Store
from controller.store.migrations import Migration, register_migrations
from ktv.errors import Conflict, InvalidArgument

MAX_REQUEST_ID_CHARS = 128

register_migrations(
    "idempotency",
    [
        Migration(
            1,
            "request ids and their first responses",
            sql="""
            CREATE TABLE idempotency_keys (
                request_id TEXT PRIMARY KEY,
                method TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                response BLOB NOT NULL,
                created_at TEXT NOT NULL
            );
            """,
        )
    ],
)


def fingerprint(method: str, payload: bytes) -> str:
    """Stable digest of what a request asks for (method + canonical bytes without its id)."""
    return hashlib.sha256(method.encode() + b"\0" + payload).hexdigest()


def check_request_id(request_id: str) -> str:
    if not request_id or not request_id.strip():
        raise InvalidArgument("request_id is required for this call", reason="REQUEST_ID_REQUIRED")
    if len(request_id) > MAX_REQUEST_ID_CHARS:
        raise InvalidArgument(
            f"request_id is longer than {MAX_REQUEST_ID_CHARS} characters",
            reason="BAD_REQUEST_ID",
        )
    return request_id


def run_once(
    store: Store,
    *,
    request_id: str,
    method: str,
    request_fingerprint: str,
    action: Callable[[], bytes],
) -> bytes:
    """Run ``action`` at most once per ``request_id``; return its (stored) response bytes."""
    check_request_id(request_id)
    with store.transaction():
        row = store.query_one(
            "SELECT method, fingerprint, response FROM idempotency_keys WHERE request_id = ?",
            (request_id,),
        )
        if row is not None:
            if row["method"] != method or row["fingerprint"] != request_fingerprint:
                raise Conflict(
                    f"request_id {request_id!r} was already used for a different request",
                    reason="REQUEST_ID_REUSED",
                )
            return bytes(row["response"])
        response = action()
        store.execute(
            "INSERT INTO idempotency_keys (request_id, method, fingerprint, response, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (request_id, method, request_fingerprint, response, datetime.now(UTC).isoformat()),
        )
        return response
