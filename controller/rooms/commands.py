"""Commands the controller sends down a room's link, as values.

The bodies are the link's one vocabulary (``ktv.room_link``, the protos' names), shared with
the room agent; this module adds the controller's envelope (the command id)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from ktv import room_link
from ktv.room_link import (
    Emergency,
    GuestControl,
    GuestQueueSong,
    GuestRemoveSong,
    PowerMode,
    QueueSongs,
    RoomControl,
    RoomStateChanged,
    ServiceAcknowledged,
    SessionClosed,
    SessionOpened,
    SetPower,
    ShowMessage,
    VolumeLimit,
)

__all__ = [
    "CommandBody",
    "Emergency",
    "GuestControl",
    "GuestQueueSong",
    "GuestRemoveSong",
    "PowerMode",
    "QueueSongs",
    "RoomCommand",
    "RoomControl",
    "RoomStateChanged",
    "ServiceAcknowledged",
    "SessionClosed",
    "SessionOpened",
    "SetPower",
    "ShowMessage",
    "VolumeLimit",
]

CommandBody = room_link.RoomCommand  # what the room is told; RoomCommand below is the envelope


@dataclass(frozen=True)
class RoomCommand:
    body: CommandBody
    command_id: str = field(default_factory=lambda: uuid.uuid4().hex)
