"""Proto3 JSON both ways, the standard mapping (https://protobuf.dev/programming-guides/json/):
field names as in the .proto (snake_case), every field printed, int64 as strings, enums by
name, Timestamps RFC 3339. A body that is not that JSON is InvalidArgument BAD_JSON."""

from __future__ import annotations

import json
from typing import TypeVar

from google.protobuf import json_format
from google.protobuf.message import Message

from ktv.errors import InvalidArgument
from ktv.text import clip

M = TypeVar("M", bound=Message)

MAX_DEPTH = 32  # deeper than any real request: refused before protobuf recurses into it


def to_json(message: Message) -> str:
    return json_format.MessageToJson(
        message,
        preserving_proto_field_name=True,
        always_print_fields_with_no_presence=True,
        indent=None,
        ensure_ascii=False,
    )


def to_dict(message: Message) -> dict[str, object]:
    return json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )


def parse(body: bytes, message_type: type[M]) -> M:
    """The request message of ``body`` (empty body = empty message); InvalidArgument BAD_JSON
    naming what is wrong (malformed JSON, an unknown field, a wrong type)."""
    message = message_type()
    if not body.strip():
        return message
    try:
        text = body.decode("utf-8")
        value = json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise InvalidArgument(
            f"the body is not JSON: {clip(str(error), 200)}", reason="BAD_JSON"
        ) from None
    if not isinstance(value, dict):
        raise InvalidArgument("the body must be a JSON object", reason="BAD_JSON")
    try:
        json_format.ParseDict(value, message, max_recursion_depth=MAX_DEPTH)
    except (json_format.ParseError, RecursionError, ValueError, TypeError) as error:
        raise InvalidArgument(
            f"the body does not fit {message_type.DESCRIPTOR.name}: {clip(str(error), 200)}",
            reason="BAD_JSON",
        ) from None
    return message
