"""Playing songs for ``RoomCore``: start the next song that opens, close a play with its
outcome (reported to the controller as ``SongPlayed`` and kept in 已唱), key and vocal.

A mixin so ``room.py`` stays readable; always called under the core's lock."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from ktv.errors import InvalidArgument
from media_index.model import Song
from room_agent.core import settings
from room_agent.core.events import (
    EmergencyChanged,
    KeyChanged,
    PlaybackChanged,
    RoomScreen,
    SongEnded,
    SongStarted,
    VocalChanged,
)
from room_agent.core.ports import (
    PlayerState,
    PlayOutcome,
    SongPlayed,
    VocalSwitch,
)
from room_agent.core.queue import QueuedSong, SungSong, new_entry
from room_agent.core.singing import NowSinging
from room_agent.lyrics.clock import LyricTimeline

if TYPE_CHECKING:
    from room_agent.core.room import RoomCore

log = logging.getLogger(__name__)


class PlaybackMixin:
    # --- playing songs ---------------------------------------------------------------
    def _can_play(self: RoomCore) -> bool:
        return self._screen is RoomScreen.OPEN

    def _advance(self: RoomCore) -> None:
        """Play the next song that opens; with nothing left, stop."""
        if self._current is not None or not self._can_play():
            return
        while (entry := self._queue.pop_next()) is not None:
            if self._start(entry):
                return
        self._player.stop()
        self._timeline = None
        self._send(PlaybackChanged(PlayerState.STOPPED))
        self._changed_queue()

    def _start(
        self: RoomCore,
        entry: QueuedSong,
        *,
        start_ms: int = 0,
        paused: bool = False,
        played_ms: int = 0,
        started_at: datetime | None = None,
    ) -> bool:
        now = self._now_s()
        try:
            song = self._songs(entry.song_id)
        except Exception as exc:
            self._fail_unplayed(entry, f"song not available: {exc}")
            return False
        key = self._queue.key_for(song.song_id)
        self._current = NowSinging(entry, song, started_at or self._utcnow(), key, played_ms)
        self._timeline = self._lyrics_for(song)
        self._lyric_index = -2
        try:
            self._player.play(song, start_ms=start_ms, key_semitones=key)
            if paused:
                self._player.pause()
        except Exception as exc:  # the port says play() never raises; be safe anyway
            log.exception("player refused %s", song.song_id)
            self._finish(PlayOutcome.FAILED, error=str(exc))
            return False
        if not paused:
            self._current.resume(now)
        self._clock.resync(start_ms, now, playing=not paused)
        self._last_position_save_s = now
        self._send(SongStarted(entry, key, start_ms))
        self._send(PlaybackChanged(PlayerState.PAUSED if paused else PlayerState.PLAYING))
        self._changed_queue()
        return True

    def _lyrics_for(self: RoomCore, song: Song) -> LyricTimeline | None:
        try:
            lyrics = self._load_lyrics(song)
        except Exception as exc:
            log.warning("no lyrics for %s: %s", song.song_id, exc)
            return None
        return LyricTimeline(lyrics) if lyrics is not None and lyrics.lines else None

    def _finish(self: RoomCore, outcome: PlayOutcome, *, error: str = "") -> None:
        """Close the current play: report it, record it in 已唱, forget it."""
        current = self._current
        if current is None:
            return
        played = current.played_ms(self._now_s())
        self._current = None
        self._timeline = None
        if outcome is PlayOutcome.STOPPED:
            self._player.stop()
        self._report_play(current.entry, current.started_at, outcome, played, error)
        if outcome is not PlayOutcome.FAILED:
            self._queue.record_sung(
                SungSong(
                    current.entry.song_id,
                    current.entry.title,
                    current.entry.artist,
                    current.started_at,
                    outcome,
                    played,
                    current.key_semitones,
                )
            )
        self._send(SongEnded(current.entry, outcome, played, error))

    def _fail_unplayed(self: RoomCore, entry: QueuedSong, error: str) -> None:
        log.warning("skipping %s (%s): %s", entry.song_id, entry.title, error)
        self._report_play(entry, self._utcnow(), PlayOutcome.FAILED, 0, error)
        self._send(SongEnded(entry, PlayOutcome.FAILED, 0, error))
        self._show(f"无法播放《{entry.title}》，已跳过 / cannot play, skipped")

    def _report_play(
        self: RoomCore,
        entry: QueuedSong,
        started: datetime,
        outcome: PlayOutcome,
        played: int,
        error: str,
    ) -> None:
        event = SongPlayed(
            entry.song_id, entry.title, self._session, started, outcome, played, error
        )
        self._emit_up(event)

    def _add_entry(self: RoomCore, song: Song, *, at_top: bool) -> QueuedSong:
        entry = self._queue.add(new_entry(song, self._utcnow()), at_top=at_top)
        self._changed_queue()
        self._advance()
        return entry

    def _set_key(self: RoomCore, current: NowSinging, semitones: int) -> int:
        limit = settings.key_limit_semitones
        if not -limit <= semitones <= limit:
            raise InvalidArgument(f"key must be between -{limit} and +{limit} semitones")
        result = self._player.set_key(semitones)  # Unsupported propagates to the screen
        current.key_semitones = result
        self._queue.remember_key(current.song.song_id, result)
        self._send(KeyChanged(current.song.song_id, result))
        self._save()
        return result

    def _set_vocal(self: RoomCore, vocal: VocalSwitch) -> VocalSwitch:
        result = self._player.set_vocal(vocal)
        self._send(VocalChanged(result))
        return result

    def _send_emergency(self: RoomCore) -> None:
        self._send(EmergencyChanged(self._emergency, self._emergency_message))
