"""Writing the small TOML files the installers own (``tomllib`` only reads).

Enough TOML for a config: strings, integers, floats, booleans, lists of strings, and one
level of ``[tables]``. Keys keep their order, so re-writing the same values gives the same
bytes (the installers' idempotence depends on it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ktv.errors import InvalidArgument


def _value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in value) + "]"
    raise InvalidArgument(f"{key}: cannot write {type(value).__name__} to TOML")


def dumps(document: Mapping[str, Any], header: str = "") -> str:
    """Plain keys first, then each table; ``header`` lines become comments on top."""
    lines = [f"# {h}" if h else "#" for h in header.splitlines()]
    tables = {k: v for k, v in document.items() if isinstance(v, Mapping)}
    for key, value in document.items():
        if key not in tables:
            lines.append(f"{key} = {_value(key, value)}")
    for name, table in tables.items():
        lines += ["", f"[{name}]"]
        lines += [f"{k} = {_value(f'{name}.{k}', v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"
