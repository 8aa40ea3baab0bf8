"""The venue configuration file (TOML): venue id, room tiers, and the rooms themselves.

    [venue]
    id = "jinse-ktv"
    name = "金色KTV"
    tiers = ["small", "medium", "large", "vip"]

    [[rooms]]
    id = "A08"
    name = "A08 大包"
    tier = "large"

Rooms in the file are created at start-up when missing and get the file's name and tier when
they differ. Rooms added with ``ktvctl room add`` live only in the database.

An optional ``[limits]`` table tunes the venue's bounds (:class:`ktv.limits.Limits`; money in
yuan), e.g. ``order_lines_max = 200`` or ``topup_max = 5000``; docs/limits.md lists them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from controller.rooms.model import DEFAULT_TIERS, TIER_RE, check_room_id
from ktv.errors import InvalidArgument
from ktv.limits import DEFAULT, Limits, limits_from_config


@dataclass(frozen=True)
class RoomConfig:
    room_id: str
    display_name: str
    tier: str


@dataclass(frozen=True)
class VenueConfig:
    venue_id: str = "ktv"
    name: str = ""
    tiers: tuple[str, ...] = DEFAULT_TIERS
    rooms: tuple[RoomConfig, ...] = ()
    limits: Limits = DEFAULT


def load_venue_config(path: Path) -> VenueConfig:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise InvalidArgument(f"cannot read venue config {path}: {error}") from None
    venue = data.get("venue", {})
    tiers = tuple(venue.get("tiers", DEFAULT_TIERS))
    for tier in tiers:
        if not isinstance(tier, str) or not TIER_RE.fullmatch(tier):
            raise InvalidArgument(f"{path}: bad tier {tier!r}")
    rooms = []
    for entry in data.get("rooms", []):
        room_id = check_room_id(str(entry.get("id", "")))
        tier = str(entry.get("tier", ""))
        if tier not in tiers:
            raise InvalidArgument(f"{path}: room {room_id} has unknown tier {tier!r}")
        rooms.append(RoomConfig(room_id, str(entry.get("name", room_id)), tier))
    return VenueConfig(
        venue_id=str(venue.get("id", "ktv")),
        name=str(venue.get("name", "")),
        tiers=tiers,
        rooms=tuple(rooms),
        limits=_limits(data, path),
    )


def _limits(data: dict[str, object], path: Path) -> Limits:
    try:
        return limits_from_config(data.get("limits", {}))  # type: ignore[arg-type]
    except InvalidArgument as error:
        raise InvalidArgument(f"{path}: {error.message}", reason=error.reason) from None
