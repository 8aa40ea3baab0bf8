"""AIP-158 paging for List RPCs: a page size clamped to its bound, and opaque page tokens
bound to the listing and its filter (a token from one listing is refused by another)."""

from __future__ import annotations

import base64
import binascii
import json

from ktv.errors import InvalidArgument
from ktv.limits import PAGE_SIZE_MAX, PAGE_TOKEN_MAX_CHARS


def page_size(size: int, default: int, maximum: int = PAGE_SIZE_MAX) -> int:
    """The page size a client asked for: 0 means ``default``, more than ``maximum`` is lowered
    to it (AIP-158), negative is refused."""
    if size < 0:
        raise InvalidArgument("page_size must not be negative", reason="BAD_PAGE_SIZE")
    return min(size or default, maximum)


def encode_token(listing: str, filter_: str, after: str) -> str:
    """The token for the page after the item whose sort key is ``after``."""
    body = json.dumps([listing, filter_, after], ensure_ascii=False)
    return base64.urlsafe_b64encode(body.encode()).decode()


def decode_token(token: str, listing: str, filter_: str) -> str | None:
    """The sort key the next page starts after (None for the first page); InvalidArgument for
    a token this server did not give, or gave for another listing or filter."""
    if not token:
        return None
    try:
        if len(token) > PAGE_TOKEN_MAX_CHARS:
            raise ValueError("too long")
        body = json.loads(base64.urlsafe_b64decode(token.encode()))
        if not isinstance(body, list) or len(body) != 3 or body[0] != listing:
            raise ValueError("not this listing")
        if not all(isinstance(part, str) for part in body):
            raise ValueError("not strings")
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidArgument(
            "page_token is not one this server issued", reason="BAD_PAGE_TOKEN"
        ) from None
    if body[1] != filter_:
        raise InvalidArgument(
            "page_token belongs to a listing with another filter: start from the first page",
            reason="BAD_PAGE_TOKEN",
        )
    return body[2]
