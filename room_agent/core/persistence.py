"""What the room agent keeps across a restart or a power cut, and the port that stores it.

The SQLite adapter lives in ``room_agent.store``; tests may use an in-memory one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from room_agent.core.ports import RoomBusinessState
from room_agent.core.queue import QueuedSong, QueueState


@dataclass(frozen=True)
class NowPlaying:
    """The song on the speakers when the snapshot was taken."""

    entry: QueuedSong
    started_at: datetime  # UTC, when the guest started singing it
    position_ms: int
    played_ms: int
    playing: bool  # False when paused
    key_semitones: int


@dataclass(frozen=True)
class RoomSnapshot:
    queue: QueueState
    now_playing: NowPlaying | None = None
    session: str = ""  # sessions/{id}, "" when no session is open
    business_state: RoomBusinessState = RoomBusinessState.IDLE
    volume_percent: int = 60
    volume_cap_percent: int = 100
    session_ends_at: datetime | None = None  # prepaid/package end (UTC)
    session_continues: bool = False  # the plan keeps singing after the end (continue_hourly)
    extension_event_id: str = ""  # a 续钟 request sent to the desk and not answered yet
    extension_note: str = ""  # its option ("1h")


class RoomStore(Protocol):
    """Durable room state. ``save`` replaces everything in one transaction; ``save_position``
    only touches the now-playing position (called every couple of seconds)."""

    def load(self) -> RoomSnapshot | None: ...

    def save(self, snapshot: RoomSnapshot) -> None: ...

    def save_position(self, position_ms: int, played_ms: int, playing: bool) -> None: ...


class MemoryRoomStore:
    """A ``RoomStore`` that forgets on exit: for tests and for agents run without a data dir."""

    def __init__(self, snapshot: RoomSnapshot | None = None) -> None:
        self.snapshot = snapshot
        self.saves = 0

    def load(self) -> RoomSnapshot | None:
        return self.snapshot

    def save(self, snapshot: RoomSnapshot) -> None:
        self.snapshot = snapshot
        self.saves += 1

    def save_position(self, position_ms: int, played_ms: int, playing: bool) -> None:
        if self.snapshot is None or self.snapshot.now_playing is None:
            return
        now = self.snapshot.now_playing
        moved = replace(now, position_ms=position_ms, played_ms=played_ms, playing=playing)
        self.snapshot = replace(self.snapshot, now_playing=moved)
