"""Room ids as the venue writes them (``A08``, ``VIP-3``): one rule, standard library only."""

from __future__ import annotations

import re

from ktv.errors import InvalidArgument

ROOM_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")


def check_room_id(room_id: str) -> str:
    """``room_id`` unchanged, or InvalidArgument naming the rule."""
    if not ROOM_ID_PATTERN.fullmatch(room_id):
        raise InvalidArgument(
            f"invalid room id {room_id!r}: letters, digits, '-' or '_' (e.g. A08)"
        )
    return room_id
