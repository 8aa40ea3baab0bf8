"""Ports between the room agent's core and its adapters.

The core (queue, session, lyrics clock, presence) drives a ``Player`` and an ``EventSink``;
the libVLC player and the controller link implement them. Adapters never talk to each other,
only to the core. Callbacks registered here may fire on any thread (libVLC's, gpiozero's,
gRPC's): the core hands them off to its own loop before touching state.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from ktv.room_link import (
    DeviceHealth,
    DoorChanged,
    Emergency,
    GuestControl,
    GuestQueueSong,
    GuestRemoveSong,
    MeterRead,
    OutputLevel,
    PinsChecked,
    PlayOutcome,
    PowerMode,
    PowerSwitched,
    PresenceChanged,
    QueueSnapshot,
    QueueSongs,
    RoomCommand,
    RoomControl,
    RoomEvent,
    RoomState,
    RoomStateChanged,
    ServiceAcknowledged,
    ServiceCalled,
    SessionClosed,
    SessionOpened,
    SetPower,
    ShowMessage,
    SnapshotEntry,
    SongPlayed,
    VolumeLimit,
)
from media_index.model import Song

if TYPE_CHECKING:
    from room_agent.core.scenes import Drive, OutputSpec

# the link's vocabulary (defined once in ktv.room_link) is re-exported for the adapters
__all__ = [
    "CommandHandler",
    "DeviceHealth",
    "DoorChanged",
    "Emergency",
    "EventSink",
    "GuestControl",
    "GuestQueueSong",
    "GuestRemoveSong",
    "MeterRead",
    "OutputLevel",
    "Outputs",
    "PinsChecked",
    "PlayOutcome",
    "Player",
    "PlayerState",
    "PlayerStatus",
    "PowerMode",
    "PowerSwitched",
    "PresenceChanged",
    "QueueSnapshot",
    "QueueSongs",
    "RoomBusinessState",
    "RoomCommand",
    "RoomControl",
    "RoomEvent",
    "RoomState",
    "RoomStateChanged",
    "ServiceAcknowledged",
    "ServiceCalled",
    "SessionClosed",
    "SessionOpened",
    "SetPower",
    "ShowMessage",
    "SnapshotEntry",
    "SongPlayed",
    "VocalSwitch",
    "VolumeLimit",
]


class PlayerState(enum.Enum):
    STOPPED = "stopped"
    LOADING = "loading"
    PLAYING = "playing"
    PAUSED = "paused"


class VocalSwitch(enum.Enum):
    """What the 原唱/伴唱 control does for the current song."""

    UNAVAILABLE = "unavailable"  # VocalMode.NONE: the control is disabled and says why
    ORIGINAL = "original"  # original vocal (原唱) audible
    ACCOMPANIMENT = "accompaniment"  # accompaniment only (伴唱)


@dataclass(frozen=True)
class PlayerStatus:
    state: PlayerState
    song_id: str | None
    position_ms: int
    duration_ms: int
    vocal: VocalSwitch
    key_semitones: int
    key_supported: bool
    volume_percent: int
    muted: bool


class Player(Protocol):
    """One song at a time. Every method returns promptly (never blocks on decoding)."""

    def play(self, song: Song, *, start_ms: int = 0, key_semitones: int = 0) -> None:
        """Open and start ``song``; a failure fires ``on_error`` (never raises)."""

    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def stop(self) -> None: ...
    def seek(self, position_ms: int) -> None: ...

    def set_vocal(self, vocal: VocalSwitch) -> VocalSwitch:
        """Switch 原唱/伴唱 keeping the position; returns the resulting state
        (UNAVAILABLE for songs without a vocal mode)."""

    def set_key(self, semitones: int) -> int:
        """Change key, tempo kept; raises ktv.errors.Unsupported where the build cannot."""

    def set_volume(self, percent: int) -> None: ...
    def set_mute(self, muted: bool) -> None: ...
    def status(self) -> PlayerStatus: ...

    def on_end(self, callback: Callable[[str], None]) -> None:
        """``callback(song_id)`` when a song plays to its end (any thread)."""

    def on_error(self, callback: Callable[[str, str], None]) -> None:
        """``callback(song_id, message)`` when a song cannot be opened or decoded (any thread)."""

    def close(self) -> None:
        """Release libVLC resources; idempotent."""


class Ambience(Protocol):
    """Sounds beside the song: atmosphere effects and 公播. Each is a stream of its own that
    the audio server mixes with the song's, so the song is never interrupted. Every method
    returns promptly (the adapter does libVLC's blocking calls on its own thread)."""

    def effect_names(self) -> tuple[str, ...]:
        """The effects there is a sample for."""

    def play_effect(self, name: str) -> None:
        """Start the sample over whatever plays (a few may overlap)."""

    def stop_effects(self) -> None: ...

    def has_background(self) -> bool:
        """True when the venue configured a background playlist."""

    def start_background(self, volume_percent: int) -> None:
        """Play the background playlist from where it was, looping, at ``volume_percent``."""

    def stop_background(self) -> None: ...


# --- the link's vocabulary (ktv.room_link): events up, commands down -------------------------

RoomBusinessState = RoomState  # the room's older name for the controller's RoomState


class EventSink(Protocol):
    """Where the core puts events for the controller: the agent's durable outbox."""

    def emit(self, event: RoomEvent, occurred_at: datetime) -> str:
        """Store the event durably (UTC ``occurred_at``) and return its event id; delivery
        to the controller happens later, exactly once."""


class CommandHandler(Protocol):
    """The core's side of the link: applies commands from the controller (any thread)."""

    def handle(self, command: RoomCommand) -> None: ...


class Outputs(Protocol):
    """The room's switched outputs (lights, accent, door lamp, relays): the gpiozero adapter
    in ``room_agent/devices``. ``apply`` returns promptly (no waiting on hardware)."""

    @property
    def specs(self) -> tuple[OutputSpec, ...]: ...

    def apply(self, levels: Mapping[str, Drive]) -> None:
        """Drive each named output to its level (one value per channel, 0..1)."""
