"""What the room keeps across restarts and power cuts: a snapshot saved on every change, the
playing position every ``position_save_interval_s``, and the restore at start (read once; if
it fails, the room starts clean).

Owned by ``RoomCore`` and called under its lock. The snapshot is assembled from what each
controller owns (queue, playback, room state, mixer, prepaid time) and handed back to each of
them at restore; a store that fails to save is logged and never stops the room.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from room_agent.core import settings
from room_agent.core.persistence import NowPlaying, RoomSnapshot, RoomStore

if TYPE_CHECKING:
    from room_agent.core.room import RoomCore

log = logging.getLogger(__name__)


class MemoryController:
    """Owns: the ``RoomStore``."""

    def __init__(self, core: RoomCore, store: RoomStore) -> None:
        self._core = core
        self._store = store

    def snapshot(self) -> RoomSnapshot:
        core = self._core
        now_playing = None
        current = core.playback.current
        if current is not None:
            now = core.now_s()
            now_playing = NowPlaying(
                current.entry,
                current.started_at,
                core.playback.position_ms(now),
                current.played_ms(now),
                not current.paused,
                current.key_semitones,
            )
        pending = core.prepaid.pending
        return RoomSnapshot(
            core.queue.state(),
            now_playing,
            core.room.session,
            core.room.business,
            core.mixer.volume_percent,
            core.mixer.cap_percent,
            core.prepaid.ends_at,
            core.prepaid.continues,
            pending.event_id if pending is not None else "",
            pending.note if pending is not None else "",
        )

    def save(self) -> None:
        try:
            self._store.save(self.snapshot())
        except Exception:
            log.exception("could not save the room state")

    def save_position(self, now_s: float) -> None:
        playback = self._core.playback
        current = playback.current
        if current is None:
            return
        try:
            position = playback.position_ms(now_s)
            self._store.save_position(position, current.played_ms(now_s), not current.paused)
        except Exception:
            log.exception("could not save the playing position")

    def restore(self) -> None:
        """Hand each controller its saved part, then resume the song that was on (paused in
        place if time ran out before the restart) or start the queue."""
        core = self._core
        try:
            snapshot = self._store.load()
        except Exception:
            log.exception("saved room state unreadable: starting clean")
            snapshot = None
        if snapshot is not None:
            core.queue.restore(snapshot.queue)
            core.room.session = snapshot.session
            core.prepaid.restore(snapshot)
            core.room.business = snapshot.business_state
            core.mixer.restore(snapshot.volume_percent, snapshot.volume_cap_percent)
        else:  # a fresh room starts at the player's configured volume
            core.mixer.adopt_player_volume()
        core.room.update_screen()
        playing = snapshot.now_playing if snapshot is not None else None
        held = core.prepaid.holds(playing)  # 到钟 before the restart: back paused, in place
        if playing is not None and (core.room.can_play or held):
            resumed = core.playback.start(
                playing.entry,
                start_ms=max(0, playing.position_ms - settings.resume_rewind_ms),
                paused=not playing.playing or held,
                played_ms=playing.played_ms,
                started_at=playing.started_at,
            )
            if resumed:
                log.info("resumed %s at %d ms", playing.entry.song_id, playing.position_ms)
                return
        elif playing is not None:
            core.queue.put_back(playing.entry)
        core.playback.advance()
        self.save()
