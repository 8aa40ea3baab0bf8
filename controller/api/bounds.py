"""Bounds on every request, checked at the gRPC edge before any handler runs.

A backstop under the domain's own checks: whatever a handler forgets, no string field of any
request is longer than ``REQUEST_STRING_MAX_CHARS`` (a price plan and a certificate request
have their own), no repeated field has more than ``REPEATED_MAX_ITEMS`` items and no Timestamp
is outside the range a Timestamp can hold (0001-01-01 .. 9999-12-31; ``ToDatetime`` raises
on anything else). The domain's bounds are tighter and give the precise message.
"""

from __future__ import annotations

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from ktv.errors import InvalidArgument
from ktv.limits import (
    CSR_PEM_MAX_CHARS,
    PRICE_PLAN_TOML_MAX_CHARS,
    REPEATED_MAX_ITEMS,
    REQUEST_STRING_MAX_CHARS,
)
from ktv.reasons import REASONS

STRING_FIELD_MAX_CHARS = {  # fields that carry a document, by full field name
    "ktv.v1.ImportPricePlanRequest.config_toml": PRICE_PLAN_TOML_MAX_CHARS,
    "ktv.v1.EnrollAgentRequest.csr_pem": CSR_PEM_MAX_CHARS,
}
# A field refused here gets the reason its own check uses, so a client branches on one reason
# whichever layer refused: ``BAD_<FIELD>`` (BAD_PIN, BAD_STAFF_ID, BAD_PAGE_TOKEN,
# BAD_ROOM_ID...), or the one listed here.
REASON_BY_FIELD = {
    "ktv.v1.CreateStaffRequest.display_name": "BAD_NAME",
    "ktv.v1.EnrollAgentRequest.code": "BAD_ENROLLMENT_CODE",
    "ktv.v1.GetRoomRequest.name": "BAD_ROOM_NAME",
    "ktv.v1.UpdateRoomRequest.name": "BAD_ROOM_NAME",
    "ktv.v1.SetRoomStateRequest.name": "BAD_ROOM_NAME",
    "ktv.v1.AcknowledgeAlertRequest.name": "BAD_ROOM_NAME",
    "ktv.v1.SetRoomLayoutRequest.name": "BAD_ROOM_NAME",
    "ktv.v1.AgentHello.room": "BAD_ROOM_NAME",
}
_ROOM_FIELDS = ("room", "to_room", "source_room")
TIMESTAMP_SECONDS = (-62135596800, 253402300799)  # 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z
_TIMESTAMP = "google.protobuf.Timestamp"
_MAX_DEPTH = 16


def check_request(message: Message) -> Message:
    """``message`` if every field is within bounds; else InvalidArgument naming the field
    (reasons: the field's own, see ``reason_for``; TOO_MANY_ITEMS; BAD_TIMESTAMP). Only
    fields that are set are visited."""
    _check(message, "", 0)
    return message


# A refusal inside a message that carries one of these ids starts with it: a room agent
# parks the event a refusal names (room_agent/link/stream.py), else the event would be
# refused again on every reconnect and block the agent's outbox.
ITEM_IDS = ("event_id", "command_id")


def _check(message: Message, prefix: str, depth: int) -> None:
    try:
        _check_fields(message, prefix, depth)
    except InvalidArgument as refused:
        item = next((f for f in ITEM_IDS if f in message.DESCRIPTOR.fields_by_name), None)
        value = getattr(message, item) if item else ""
        if (
            not value
            or len(value) > REQUEST_STRING_MAX_CHARS
            or refused.message.startswith(f"{item} ")
        ):
            raise
        raise InvalidArgument(f"{item} {value}: {refused.message}", reason=refused.reason) from None


def _check_fields(message: Message, prefix: str, depth: int) -> None:
    if depth > _MAX_DEPTH:
        raise InvalidArgument(f"{prefix or 'request'} is nested too deeply", reason="TOO_DEEP")
    if message.DESCRIPTOR.full_name == _TIMESTAMP:
        _check_timestamp(message, prefix)
        return
    for field, value in message.ListFields():
        path = f"{prefix}{field.name}"
        if field.is_repeated:
            if len(value) > REPEATED_MAX_ITEMS:
                raise InvalidArgument(
                    f"{path} has {len(value)} items, at most {REPEATED_MAX_ITEMS}",
                    reason="TOO_MANY_ITEMS",
                )
            if _is_map(field):
                _check_map(field, value, path, depth)
                continue
            items = list(value)
        else:
            items = [value]
        for i, item in enumerate(items):
            where = f"{path}[{i}]" if field.is_repeated else path
            if field.type == FieldDescriptor.TYPE_STRING:
                _check_string(field, item, where)
            elif field.type == FieldDescriptor.TYPE_MESSAGE:
                _check(item, f"{where}.", depth + 1)
            elif field.type == FieldDescriptor.TYPE_BYTES and len(item) > REQUEST_STRING_MAX_CHARS:
                raise InvalidArgument(
                    f"{where} is too long ({len(item)} bytes, at most {REQUEST_STRING_MAX_CHARS})",
                    reason=reason_for(field) or "FIELD_TOO_LONG",
                )


def _check_map(field: FieldDescriptor, value: object, path: str, depth: int) -> None:
    entry = field.message_type
    for key, item in value.items():  # type: ignore[attr-defined]
        where = f"{path}[{str(key)[:40]!r}]"
        if isinstance(key, str):
            _check_string(entry.fields_by_name["key"], key, where)
        if isinstance(item, Message):
            _check(item, f"{where}.", depth + 1)
        elif isinstance(item, str):
            _check_string(entry.fields_by_name["value"], item, where)


def _check_string(field: FieldDescriptor, value: str, where: str) -> None:
    limit = STRING_FIELD_MAX_CHARS.get(field.full_name, REQUEST_STRING_MAX_CHARS)
    if len(value) > limit:
        raise InvalidArgument(
            f"{where} is too long ({len(value)} characters, at most {limit})",
            reason=reason_for(field) or "FIELD_TOO_LONG",
        )


def reason_for(field: FieldDescriptor) -> str:
    """The reason the field's own check uses (``BAD_<FIELD>``) when the catalogue has it, so a
    client sees one reason whichever layer refused; else '' (the caller's fallback)."""
    if field.full_name in REASON_BY_FIELD:
        return REASON_BY_FIELD[field.full_name]
    if field.name in _ROOM_FIELDS:
        return "BAD_ROOM_NAME"
    own = f"BAD_{field.name.upper()}"
    return own if own in REASONS else ""


def _check_timestamp(value: Message, where: str) -> None:
    seconds, nanos = value.seconds, value.nanos  # type: ignore[attr-defined]
    low, high = TIMESTAMP_SECONDS
    if not (low <= seconds <= high and 0 <= nanos <= 999_999_999):
        raise InvalidArgument(
            f"{where.rstrip('.') or 'timestamp'} is out of range "
            f"(seconds {seconds}, nanos {nanos})",
            reason="BAD_TIMESTAMP",
        )


def _is_map(field: FieldDescriptor) -> bool:
    entry = field.message_type
    return entry is not None and entry.GetOptions().map_entry
