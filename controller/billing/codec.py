"""JSON for tab events: what the audit log stores and replays. Driven by the dataclasses'
own type hints, so a new event needs no codec code."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any

from controller.billing.events import EVENT_TYPES, TabEvent
from ktv.errors import InvalidArgument

_EVENTS = {cls.__name__: cls for cls in EVENT_TYPES}


def to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
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


def from_jsonable(tp: Any, data: Any) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return None if data is None else from_jsonable(args[0], data)
    if origin is tuple:
        inner = typing.get_args(tp)[0]
        return tuple(from_jsonable(inner, v) for v in data)
    if origin is frozenset:
        inner = typing.get_args(tp)[0]
        return frozenset(from_jsonable(inner, v) for v in data)
    if isinstance(tp, type):
        if dataclasses.is_dataclass(tp):
            hints = _hints(tp)
            kwargs = {
                f.name: from_jsonable(hints[f.name], data[f.name])
                for f in dataclasses.fields(tp)
                if f.init and f.name in data
            }
            return tp(**kwargs)
        if issubclass(tp, Enum):
            return tp(data)
        if tp is datetime:
            return datetime.fromisoformat(data)
        if tp is date:
            return date.fromisoformat(data)
    return data


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
