"""Events a room sends up the link, as values (the link adapter converts from protobuf).

The payloads are the link's one vocabulary (``ktv.room_link``), shared with the room agent;
this module adds the controller's envelope (event id, room, time, the JSON kept verbatim)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ktv import room_link
from ktv.room_link import (
    DeviceHealth,
    DoorChanged,
    MeterRead,
    OutputLevel,
    PinsChecked,
    PowerSwitched,
    PresenceChanged,
    ServiceCalled,
    SongPlayed,
)

__all__ = [
    "DeviceHealth",
    "DoorChanged",
    "EventPayload",
    "MeterRead",
    "OutputLevel",
    "PinsChecked",
    "PowerSwitched",
    "PresenceChanged",
    "RoomEvent",
    "ServiceCalled",
    "SongPlayed",
]

EventPayload = room_link.RoomEvent  # what the room sent; RoomEvent below is the envelope


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
