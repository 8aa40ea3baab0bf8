"""Bookkeeping for the song on the speakers: how long it has really been sung."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from media_index.model import Song
from room_agent.core.queue import QueuedSong


@dataclass
class NowSinging:
    """Mutable, owned by the core. ``played_ms`` counts only time spent playing (pauses and
    emergencies excluded), measured on the monotonic clock."""

    entry: QueuedSong
    song: Song
    started_at: datetime  # UTC
    key_semitones: int
    played_before_ms: int = 0
    playing_since_s: float | None = None

    @property
    def paused(self) -> bool:
        return self.playing_since_s is None

    def played_ms(self, now_s: float) -> int:
        running = 0.0 if self.playing_since_s is None else now_s - self.playing_since_s
        return self.played_before_ms + round(max(0.0, running) * 1000)

    def pause(self, now_s: float) -> None:
        if self.playing_since_s is not None:
            self.played_before_ms = self.played_ms(now_s)
            self.playing_since_s = None

    def resume(self, now_s: float) -> None:
        if self.playing_since_s is None:
            self.playing_since_s = now_s
