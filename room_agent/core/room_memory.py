"""What ``RoomCore`` keeps across restarts: a snapshot saved on every change, the position
every ``position_save_interval_s``, and the restore at start (read once; if it fails, the
room starts clean). A mixin of ``RoomCore``; always called under the core's lock."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from room_agent.core import settings
from room_agent.core.persistence import NowPlaying, RoomSnapshot
from room_agent.core.queue import SongQueue
from room_agent.core.room_time import ExtensionRequest

if TYPE_CHECKING:
    from room_agent.core.room import RoomCore

log = logging.getLogger(__name__)


class MemoryMixin:
    # --- persistence -----------------------------------------------------------------
    def _snapshot(self: RoomCore) -> RoomSnapshot:
        now_playing = None
        current = self._current
        if current is not None:
            now = self._now_s()
            now_playing = NowPlaying(
                current.entry,
                current.started_at,
                self._position_ms(now),
                current.played_ms(now),
                not current.paused,
                current.key_semitones,
            )
        pending = self._extension_pending
        return RoomSnapshot(
            self._queue.state(),
            now_playing,
            self._session,
            self._business,
            self._volume,
            self._volume_cap,
            self._session_ends_at,
            self._prepaid.continues,
            pending.event_id if pending is not None else "",
            pending.note if pending is not None else "",
        )

    def _save(self: RoomCore) -> None:
        try:
            self._store.save(self._snapshot())
        except Exception:
            log.exception("could not save the room state")

    def _save_position(self: RoomCore, now: float) -> None:
        current = self._current
        if current is None:
            return
        self._last_position_save_s = now
        try:
            position = self._position_ms(now)
            self._store.save_position(position, current.played_ms(now), not current.paused)
        except Exception:
            log.exception("could not save the playing position")

    def _player_volume(self: RoomCore) -> int:
        try:
            return self._player.status().volume_percent
        except Exception:
            log.exception("player status unreadable: assuming the default volume")
            return settings.default_volume_percent

    def _restore(self: RoomCore) -> None:
        try:
            snapshot = self._store.load()
        except Exception:
            log.exception("saved room state unreadable: starting clean")
            snapshot = None
        if snapshot is not None:
            self._queue = SongQueue(snapshot.queue)
            self._session = snapshot.session
            self._session_ends_at = snapshot.session_ends_at
            pending = (
                ExtensionRequest(snapshot.extension_event_id, snapshot.extension_note, new=False)
                if snapshot.extension_event_id
                else None
            )
            self._time_restore(snapshot.session_ends_at, snapshot.session_continues, pending)
            self._business = snapshot.business_state
            self._volume = snapshot.volume_percent
            self._volume_cap = snapshot.volume_cap_percent
            self._player.set_volume(min(self._volume, self._volume_cap))
        else:  # a fresh room starts at the player's configured volume
            self._volume = self._player_volume()
        self._update_screen()
        playing = snapshot.now_playing if snapshot is not None else None
        held = self._time_holds(playing)  # 到钟 before the restart: back paused, in place
        if playing is not None and (self._can_play() or held):
            resumed = self._start(
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
            self._queue.add(playing.entry, at_top=True)
        self._advance()
        self._save()
