"""Hypothesis strategies built from the generated protobuf descriptors (``ktv/v1/*_pb2.py``).

Every request message gets a strategy field by field: well-typed random values, the extremes
(int32/int64 min and max, huge strings, empty, NUL, RTL marks, emoji, full-width and other
scripts' digits), repeated fields empty or long, nested messages (Timestamps out of range).
A few field names also draw from values the test venue knows (``rooms/A08``, ``beer``, a
member's phone), so calls get past the first validation often enough to reach the domain.
"""

from __future__ import annotations

import uuid
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from hypothesis import strategies as st

from ktv.v1 import (
    auth_pb2,
    billing_pb2,
    inventory_pb2,
    link_pb2,
    members_pb2,
    rooms_pb2,
    scheduler_pb2,
)

PROTO_MODULES = (
    auth_pb2,
    billing_pb2,
    inventory_pb2,
    link_pb2,
    members_pb2,
    rooms_pb2,
    scheduler_pb2,
)

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
UINT32 = (0, 2**32 - 1)
UINT64 = (0, 2**64 - 1)

HUGE_CHARS = 100_000
LONG_LIST = 5000
EXTREME_STRINGS = (
    "",
    " ",
    "\x00",
    "A08\x00",
    "\u202erooms/A08",  # right-to-left override
    "\u200b",  # zero-width space
    "🎤🎶" * 8,
    "ＡＢＣ１２３",  # full-width letters and digits
    "١٢٣٤",  # Arabic-Indic digits
    "²³",
    "１２３４",
    "-1",
    "9" * 40,
    "rooms/",
    "rooms/../A08",
    "members/",
    "%s%n{}",
    "'; DROP TABLE rooms; --",
    "\n\r\t",
    "x" * 5000,
)
HUGE_STRINGS = ("x" * HUGE_CHARS, "国" * (HUGE_CHARS // 2), "9" * HUGE_CHARS)

ROOMS = ("rooms/A08", "rooms/A09", "rooms/B02", "rooms/Z99", "A08")
PLAUSIBLE: dict[str, tuple[str, ...]] = {
    "room": ROOMS,
    "to_room": ROOMS,
    "source_room": ROOMS,
    "room_id": ("A08", "F01", "F02", "a b", "Z99"),
    "tier": ("small", "vip", "gold"),
    "staff_id": ("fuzz-admin", "fuzz-cashier", "nobody"),
    "pin": ("1234", "2580", "123456"),
    "old_pin": ("1234", "2580"),
    "phone": ("13800138000", "+8613800138000", "138 0013 8000"),
    "member": ("13800138000", "members/1", "members/none"),
    "query": ("13800138000", "张", "1"),
    "sku": ("beer", "fruit", "water", "nope"),
    "product": ("fruit", "beer"),
    "tender": ("cash", "wechat", "alipay", "card", "gold"),
    "kind": ("amount", "percent", "free_item", "service", "door_ajar"),
    "package": ("happy3", "none"),
    "session_slot": ("afternoon", "golden", "midnight"),
    "birthday": ("1990-05-17", "05-17", "2026-02-30"),
    "campaign": ("birthday", "win_back", "tag", "nope"),
    "period": ("2026-12", "2026-13"),
    "version": ("2026-11", ""),
    "bill": ("bills/1", "bills/none"),
    "category": ("drinks", "snacks"),
    "categories": ("drinks", "snacks"),
    "coupons": ("coupons/1",),
}
# Fields named ``name`` mean different things per message.
NAME_FIELD: dict[str, tuple[str, ...]] = {
    "RunJobRequest": ("points_expiry", "birthday", "win_back", "notifications"),
    "GetBillRequest": ("bills/1",),
}


def request_id() -> st.SearchStrategy[str]:
    return st.one_of(
        st.builds(lambda: uuid.uuid4().hex),
        st.sampled_from(("", "fuzz-reused", " ", "r" * 129)),
    )


def _plausible(message: Descriptor, field: FieldDescriptor) -> tuple[str, ...]:
    if field.name == "name":
        return NAME_FIELD.get(message.name, ROOMS)
    return PLAUSIBLE.get(field.name, ())


def string_values(message: Descriptor, field: FieldDescriptor) -> st.SearchStrategy[str]:
    if field.name == "request_id":
        return request_id()
    choices = [
        st.text(max_size=24),
        st.sampled_from(EXTREME_STRINGS),
        st.sampled_from(HUGE_STRINGS),
    ]
    plausible = _plausible(message, field)
    if plausible:
        choices.insert(0, st.sampled_from(plausible))
    return st.one_of(*choices)


def int_values(low: int, high: int) -> st.SearchStrategy[int]:
    edges = sorted(v for v in {low, high, 0, 1, -1, 2, 100, 10**12, 10**12 + 1} if low <= v <= high)
    return st.one_of(
        st.integers(0, 1000),
        st.sampled_from(edges),
        st.integers(low, high),
    )


_INTS = {
    FieldDescriptor.TYPE_INT32: INT32,
    FieldDescriptor.TYPE_SINT32: INT32,
    FieldDescriptor.TYPE_SFIXED32: INT32,
    FieldDescriptor.TYPE_INT64: INT64,
    FieldDescriptor.TYPE_SINT64: INT64,
    FieldDescriptor.TYPE_SFIXED64: INT64,
    FieldDescriptor.TYPE_UINT32: UINT32,
    FieldDescriptor.TYPE_FIXED32: UINT32,
    FieldDescriptor.TYPE_UINT64: UINT64,
    FieldDescriptor.TYPE_FIXED64: UINT64,
}


def scalar_values(message: Descriptor, field: FieldDescriptor) -> st.SearchStrategy[Any]:
    kind = field.type
    if kind == FieldDescriptor.TYPE_STRING:
        return string_values(message, field)
    if kind in _INTS:
        return int_values(*_INTS[kind])
    if kind == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if kind in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return st.floats(allow_nan=True, allow_infinity=True, width=32)
    if kind == FieldDescriptor.TYPE_BYTES:
        return st.one_of(st.binary(max_size=32), st.just(b"\xff" * HUGE_CHARS))
    if kind == FieldDescriptor.TYPE_ENUM:
        defined = [v.number for v in field.enum_type.values]
        return st.one_of(st.sampled_from(defined), st.sampled_from((-1, 99, *INT32)))
    if kind == FieldDescriptor.TYPE_MESSAGE:
        return message_values(field.message_type)
    raise NotImplementedError(f"no strategy for field type {kind} ({field.full_name})")


def _timestamp(descriptor: Descriptor) -> st.SearchStrategy[Message]:
    cls = GetMessageClass(descriptor)
    seconds = st.one_of(
        st.integers(1_700_000_000, 1_900_000_000),  # 2023-2030
        st.sampled_from((0, -1, *INT64, 253402300800, -62135596801)),  # out of Timestamp's range
    )
    nanos = st.one_of(st.integers(0, 999_999_999), st.sampled_from((-1, 10**9, *INT32)))
    return st.builds(lambda s, n: cls(seconds=s, nanos=n), seconds, nanos)


def field_values(message: Descriptor, field: FieldDescriptor, depth: int) -> st.SearchStrategy[Any]:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        one = message_values(field.message_type, depth + 1)
    else:
        one = scalar_values(message, field)
    if not field.is_repeated:
        return one
    # A long list repeats one small element (a long list of huge elements is only a bigger
    # message, which the transport refuses before any handler runs).
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        small = st.just(GetMessageClass(field.message_type)())
    elif field.type == FieldDescriptor.TYPE_STRING:
        small = st.one_of(
            st.sampled_from(_plausible(message, field) or ("x",)), st.text(max_size=4)
        )
    else:
        small = scalar_values(message, field)
    long = small.map(lambda item: [item] * LONG_LIST)
    return st.one_of(st.lists(one, max_size=3), long)


def message_values(descriptor: Descriptor, depth: int = 0) -> st.SearchStrategy[Message]:
    """A strategy for messages of ``descriptor`` (oneofs: at most one member set)."""
    if descriptor.full_name == "google.protobuf.Timestamp":
        return _timestamp(descriptor)
    cls = GetMessageClass(descriptor)
    if depth > 4:
        return st.just(cls())
    plain = [f for f in descriptor.fields if f.containing_oneof is None]
    oneofs = list(descriptor.oneofs)
    optional = {
        f.name: field_values(descriptor, f, depth) for f in plain if f.message_type is None
    } | {f.name: field_values(descriptor, f, depth) for f in plain if f.message_type is not None}

    def oneof_choice(oneof: Any) -> st.SearchStrategy[tuple[str, Any] | None]:
        return st.one_of(
            st.none(),
            *[
                field_values(descriptor, f, depth).map(lambda v, n=f.name: (n, v))
                for f in oneof.fields
            ],
        )

    def build(values: dict[str, Any], chosen: list[tuple[str, Any] | None]) -> Message:
        out = cls()
        for name, value in [*values.items(), *(c for c in chosen if c is not None)]:
            _set(out, descriptor.fields_by_name[name], value)
        return out

    return st.builds(
        build,
        st.fixed_dictionaries({}, optional=optional),
        st.tuples(*[oneof_choice(o) for o in oneofs]).map(list),
    )


def _set(out: Message, field: FieldDescriptor, value: Any) -> None:
    if field.is_repeated:
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            getattr(out, field.name).extend(value)
        else:
            getattr(out, field.name).extend(value)
    elif field.type == FieldDescriptor.TYPE_MESSAGE:
        getattr(out, field.name).CopyFrom(value)
    else:
        setattr(out, field.name, value)


def all_methods() -> list[tuple[str, Any]]:
    """``("ktv.v1.RoomService/CreateRoom", MethodDescriptor)`` for every RPC of every service."""
    out = []
    for module in PROTO_MODULES:
        for service in module.DESCRIPTOR.services_by_name.values():
            for method in service.methods:
                out.append((f"{service.full_name}/{method.name}", method))
    return sorted(out, key=lambda item: item[0])
