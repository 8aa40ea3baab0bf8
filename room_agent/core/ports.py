"""Ports between the room agent's core and its adapters.

The core (queue, session, lyrics clock, presence) drives a ``Player`` and an ``EventSink``;
the libVLC player and the controller link implement them. Adapters never talk to each other,
only to the core. Callbacks registered here may fire on any thread (libVLC's, gpiozero's,
gRPC's): the core hands them off to its own loop before touching state.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from media_index.model import Song


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


# --- events the room sends up (through the outbox) ------------------------------------------


class PlayOutcome(enum.Enum):
    COMPLETED = "completed"
    SKIPPED = "skipped"
    FAILED = "failed"
    STOPPED = "stopped"  # session closed or emergency


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
    session: str  # sessions/{id}, "" if none
    start_time: datetime  # UTC
    outcome: PlayOutcome
    played_ms: int
    error: str = ""


@dataclass(frozen=True)
class ServiceCalled:
    kind: str  # "service", "water", "microphone", ...
    note: str = ""


RoomEvent = DoorChanged | PresenceChanged | SongPlayed | ServiceCalled


class EventSink(Protocol):
    """Where the core puts events for the controller: the agent's durable outbox."""

    def emit(self, event: RoomEvent, occurred_at: datetime) -> str:
        """Store the event durably (UTC ``occurred_at``) and return its event id; delivery
        to the controller happens later, exactly once."""


# --- commands the controller sends down (over the link) --------------------------------------


@dataclass(frozen=True)
class SessionOpened:
    session: str  # sessions/{id}
    open_time: datetime
    end_time: datetime | None = None  # prepaid/package end; None for pay-at-checkout
    guest_count: int = 0
    # after end_time, from the venue's plan: True keeps singing (continue_hourly), False
    # stops (到钟 until 续钟), None: not said (the agent keeps what it had)
    continues_after_end: bool | None = None


@dataclass(frozen=True)
class SessionClosed:
    session: str


@dataclass(frozen=True)
class QueueSongs:
    song_ids: tuple[str, ...]


@dataclass(frozen=True)
class VolumeLimit:
    max_percent: int


@dataclass(frozen=True)
class ShowMessage:
    text: str
    duration_s: int = 0


@dataclass(frozen=True)
class Emergency:
    active: bool
    message: str = ""


class RoomBusinessState(enum.Enum):
    IDLE = "idle"
    RESERVED = "reserved"
    IN_USE = "in_use"
    CLEANING = "cleaning"
    MAINTENANCE = "maintenance"


@dataclass(frozen=True)
class RoomStateChanged:
    state: RoomBusinessState


@dataclass(frozen=True)
class ServiceAcknowledged:
    """The front desk has seen the room's service call: staff are on the way."""

    staff: str = ""  # who acknowledged it
    call_kind: str = ""  # what the guest asked for (service, water, extend...), if known


RoomCommand = (
    SessionOpened
    | SessionClosed
    | QueueSongs
    | VolumeLimit
    | ShowMessage
    | Emergency
    | RoomStateChanged
    | ServiceAcknowledged
)


class CommandHandler(Protocol):
    """The core's side of the link: applies commands from the controller (any thread)."""

    def handle(self, command: RoomCommand) -> None: ...
