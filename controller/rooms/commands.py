"""Commands the controller sends down a room's link, as values."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from controller.rooms.model import RoomState


@dataclass(frozen=True)
class OpenSession:
    session: str
    open_time: datetime
    end_time: datetime | None
    guest_count: int


@dataclass(frozen=True)
class CloseSession:
    session: str


@dataclass(frozen=True)
class EmergencyStop:
    active: bool
    message: str


@dataclass(frozen=True)
class StateChanged:
    state: RoomState


@dataclass(frozen=True)
class ShowText:
    text: str
    duration_s: int = 0


@dataclass(frozen=True)
class QueuePrebooked:
    song_ids: tuple[str, ...]


@dataclass(frozen=True)
class CapVolume:
    max_percent: int


CommandBody = OpenSession | CloseSession | EmergencyStop | StateChanged | ShowText
CommandBody = CommandBody | QueuePrebooked | CapVolume


@dataclass(frozen=True)
class RoomCommand:
    body: CommandBody
    command_id: str = field(default_factory=lambda: uuid.uuid4().hex)
