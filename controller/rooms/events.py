"""Events a room sends up the link, as values (the link adapter converts from protobuf)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class DoorChanged:
    open: bool


@dataclass(frozen=True)
class PresenceChanged:
    present: bool


@dataclass(frozen=True)
class SongPlayed:
    song_id: str
    title: str
    session: str
    start_time: datetime | None
    outcome: str  # PlayOutcome name without prefix: COMPLETED, SKIPPED, FAILED, STOPPED
    played_ms: int
    error: str


@dataclass(frozen=True)
class ServiceCalled:
    kind: str
    note: str


EventPayload = DoorChanged | PresenceChanged | SongPlayed | ServiceCalled


@dataclass(frozen=True)
class RoomEvent:
    event_id: str
    room_id: str
    occur_time: datetime
    payload: EventPayload
    payload_json: str  # the event as received, kept verbatim in room_events

    @property
    def kind(self) -> str:
        return type(self.payload).__name__
