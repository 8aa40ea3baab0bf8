"""Read-only view models the touchscreen renders (no widgets, no business logic)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from media_index.model import Song
from room_agent.core.events import RoomScreen
from room_agent.core.ports import PlayerState, VocalSwitch
from room_agent.core.queue import QueuedSong, SungSong


@dataclass(frozen=True)
class NowPlayingView:
    entry: QueuedSong
    song: Song
    state: PlayerState
    position_ms: int
    duration_ms: int
    vocal: VocalSwitch
    key_semitones: int
    key_supported: bool


@dataclass(frozen=True)
class RoomView:
    screen: RoomScreen
    session: str
    session_ends_at: datetime | None  # prepaid/package end (UTC), None for pay-at-checkout
    now_playing: NowPlayingView | None
    queue: tuple[QueuedSong, ...]  # 已点, next first
    sung: tuple[SungSong, ...]  # 已唱, oldest first
    volume_percent: int
    muted: bool
    volume_cap_percent: int
    message: str
    emergency_message: str
    door_open: bool
    present: bool
    guest_url: str = ""  # the QR code's URL for guests' phones ("" : none)

    @property
    def locked(self) -> bool:
        return self.screen is not RoomScreen.OPEN
