"""JSON for tab events: what the audit log stores and replays. Driven by the dataclasses'
own type hints, so a new event needs no codec code."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any

from controller.auth.model import Role
from controller.billing.events import EVENT_TYPES, TabEvent
from ktv.errors import InvalidArgument

_EVENTS = {cls.__name__: cls for cls in EVENT_TYPES}


def to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Role):
        return value.key  # the audit log's text ("cashier"), not the wire number
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | list | frozenset):
        return [to_jsonable(v) for v in value]
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


Decoder = Callable[[Any], Any]


def _same(data: Any) -> Any:
    return data


@cache
def decoder(tp: Any) -> Decoder:
    """A function turning JSON data into ``tp``, built once per type (decoding is hot: every
    action folds its tab's log)."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = decoder(next(a for a in typing.get_args(tp) if a is not type(None)))
        return lambda data: None if data is None else inner(data)
    if origin in (tuple, frozenset):
        item = decoder(typing.get_args(tp)[0])
        return lambda data: origin(item(v) for v in data)
    if isinstance(tp, type):
        if dataclasses.is_dataclass(tp):
            hints = _hints(tp)
            fields = [(f.name, decoder(hints[f.name])) for f in dataclasses.fields(tp) if f.init]

            def build(data: Any) -> Any:
                return tp(**{name: dec(data[name]) for name, dec in fields if name in data})

            return build
        if tp is Role:
            return Role.from_key
        if issubclass(tp, Enum):
            return tp
        if tp is datetime:
            return datetime.fromisoformat
        if tp is date:
            return date.fromisoformat
    return _same


def from_jsonable(tp: Any, data: Any) -> Any:
    return decoder(tp)(data)


def encode_event(event: TabEvent) -> str:
    body = to_jsonable(event)
    body["type"] = type(event).__name__
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def decode_event(text: str) -> TabEvent:
    body = json.loads(text)
    cls = _EVENTS.get(body.pop("type", ""))
    if cls is None:
        raise InvalidArgument("unknown event type in the audit log")
    event = from_jsonable(cls, body)
    assert isinstance(event, TabEvent)
    return event
