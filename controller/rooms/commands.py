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
    continues_after_end: bool | None = None  # the plan's after-end policy; None: not known


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


@dataclass(frozen=True)
class ServiceAcknowledged:
    """The desk has seen the room's service call: the room shows "staff are on the way"."""

    kind: str  # the alert kind (SERVICE_CALLED)
    staff: str = ""  # who acknowledged it
    call_kind: str = ""  # what the guest asked for: service, water, extend...


CommandBody = OpenSession | CloseSession | EmergencyStop | StateChanged | ShowText
CommandBody = CommandBody | QueuePrebooked | CapVolume | ServiceAcknowledged


@dataclass(frozen=True)
class RoomCommand:
    body: CommandBody
    command_id: str = field(default_factory=lambda: uuid.uuid4().hex)
