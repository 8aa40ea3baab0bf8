"""The song on the speakers: start the next song that opens, close a play with its outcome
(reported to the controller as ``SongPlayed`` and kept in 已唱), pause, key, vocal, and the
lyrics clock that follows the player.

Owned by ``RoomCore`` and called under its lock; the player's end and error callbacks reach
it through the core's inbox (:meth:`PlaybackController.reached_end`, :meth:`failed`).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from ktv.errors import FailedPrecondition, InvalidArgument
from media_index.model import Song
from room_agent.core import settings
from room_agent.core.events import (
    KeyChanged,
    LyricsLine,
    PlaybackChanged,
    SongEnded,
    SongStarted,
    VocalChanged,
)
from room_agent.core.ports import PlayerState, PlayOutcome, SongPlayed, VocalSwitch
from room_agent.core.queue import QueuedSong, SungSong
from room_agent.core.singing import NowSinging
from room_agent.core.views import NowPlayingView
from room_agent.lyrics.clock import LyricMoment, LyricTimeline, PlaybackClock

if TYPE_CHECKING:
    from room_agent.core.room import RoomCore

log = logging.getLogger(__name__)


class PlaybackController:
    """Owns: the song being sung (``NowSinging``), the playback clock, the lyric timeline and
    which line was last announced, and when the position was last saved."""

    def __init__(self, core: RoomCore) -> None:
        self._core = core
        self.current: NowSinging | None = None
        self._clock = PlaybackClock()
        self._timeline: LyricTimeline | None = None
        self._lyric_index = -2
        self.next_lyric_in_s = float("inf")  # the loop wakes for the next line change
        self._last_position_save_s = 0.0

    # --- guests' controls ------------------------------------------------------------------
    def require_song(self) -> NowSinging:
        self._core.room.require_open()
        if self.current is None:
            raise FailedPrecondition("nothing is playing", reason="NOTHING_PLAYING")
        return self.current

    def skip(self) -> None:
        """切歌: the current play is reported as skipped and the next song starts."""
        self.require_song()
        self.finish(PlayOutcome.SKIPPED)
        self.advance()

    def replay(self) -> None:
        """重唱: the same song from the top, same key, same play record."""
        current = self.require_song()
        player, now = self._core.player, self._core.now_s()
        player.seek(0)
        if current.paused:
            player.resume()
            current.resume(now)
        self._clock.resync(0, now, playing=True)
        self._lyric_index = -2
        self._core.send(SongStarted(current.entry, current.key_semitones, 0, replay=True))

    def pause(self) -> None:
        current = self.require_song()
        if not current.paused:
            self._core.player.pause()
            current.pause(self._core.now_s())
            self._core.memory.save()
            self._core.send(PlaybackChanged(PlayerState.PAUSED))

    def resume(self) -> None:
        """Resume the paused song, or start the queue if nothing is on."""
        self._core.room.require_open()
        current = self.current
        if current is None:
            self.advance()
            return
        if current.paused:
            self._core.player.resume()
            current.resume(self._core.now_s())
            self._core.memory.save()
            self._core.send(PlaybackChanged(PlayerState.PLAYING))

    def toggle_pause(self) -> None:
        if self.current is not None and not self.current.paused:
            self.pause()
        else:
            self.resume()

    def toggle_vocal(self) -> VocalSwitch:
        """原唱/伴唱; returns the resulting state (UNAVAILABLE for one-mix songs)."""
        self.require_song()
        now = self._core.player.status().vocal
        target = VocalSwitch.ACCOMPANIMENT if now is VocalSwitch.ORIGINAL else VocalSwitch.ORIGINAL
        return self._set_vocal(target)

    def set_vocal(self, vocal: VocalSwitch) -> VocalSwitch:
        self.require_song()
        return self._set_vocal(vocal)

    def step_key(self, delta_semitones: int) -> int:
        current = self.require_song()
        return self._set_key(current, current.key_semitones + delta_semitones)

    def set_key(self, semitones: int) -> int:
        """Key change (升降调) for this song; remembered for the session."""
        return self._set_key(self.require_song(), semitones)

    # --- holding the song for the emergency or 到钟 -----------------------------------------
    def hold(self) -> bool:
        """Pause a playing song for the room (not the guest); True if one was paused."""
        current = self.current
        if current is None or current.paused:
            return False
        self._core.player.pause()
        current.pause(self._core.now_s())
        self._core.send(PlaybackChanged(PlayerState.PAUSED))
        return True

    def unhold(self) -> None:
        """Resume the song the room held."""
        current = self.current
        if current is None:
            return
        self._core.player.resume()
        current.resume(self._core.now_s())
        self._core.send(PlaybackChanged(PlayerState.PLAYING))

    # --- starting and closing plays ----------------------------------------------------------
    def advance(self) -> None:
        """Play the next song that opens; with nothing left, stop."""
        core = self._core
        if self.current is not None or not core.room.can_play:
            return
        while (entry := core.queue.pop_next()) is not None:
            if self.start(entry):
                return
        core.player.stop()
        self._timeline = None
        core.send(PlaybackChanged(PlayerState.STOPPED))
        core.queue.changed()

    def start(
        self,
        entry: QueuedSong,
        *,
        start_ms: int = 0,
        paused: bool = False,
        played_ms: int = 0,
        started_at: datetime | None = None,
    ) -> bool:
        core = self._core
        now = core.now_s()
        try:
            song = core.songs(entry.song_id)
        except Exception as exc:
            self._fail_unplayed(entry, f"song not available: {exc}")
            return False
        key = core.queue.key_for(song.song_id)
        self.current = NowSinging(entry, song, started_at or core.utcnow(), key, played_ms)
        self._timeline = self._lyrics_for(song)
        self._lyric_index = -2
        core.ambience.before_song()  # 公播 gives way before the song's first sample
        try:
            core.player.play(song, start_ms=start_ms, key_semitones=key)
            if paused:
                core.player.pause()
        except Exception as exc:  # the port says play() never raises; be safe anyway
            log.exception("player refused %s", song.song_id)
            self.finish(PlayOutcome.FAILED, error=str(exc))
            return False
        if not paused:
            self.current.resume(now)
        self._clock.resync(start_ms, now, playing=not paused)
        self._last_position_save_s = now
        core.send(SongStarted(entry, key, start_ms))
        core.send(PlaybackChanged(PlayerState.PAUSED if paused else PlayerState.PLAYING))
        core.queue.changed()
        return True

    def finish(self, outcome: PlayOutcome, *, error: str = "") -> None:
        """Close the current play: report it, record it in 已唱, forget it."""
        core = self._core
        current = self.current
        if current is None:
            return
        played = current.played_ms(core.now_s())
        self.current = None
        self._timeline = None
        if outcome is PlayOutcome.STOPPED:
            core.player.stop()
        self._report(current.entry, current.started_at, outcome, played, error)
        if outcome is not PlayOutcome.FAILED:
            core.queue.record_sung(
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
        core.send(SongEnded(current.entry, outcome, played, error))

    # --- the player's callbacks (through the core's inbox) ----------------------------------
    def reached_end(self, song_id: str) -> None:
        if self.current is None or self.current.song.song_id != song_id:
            return  # a late callback for a song already skipped
        self.finish(PlayOutcome.COMPLETED)
        self.advance()

    def failed(self, song_id: str, message: str) -> None:
        if self.current is None or self.current.song.song_id != song_id:
            return
        title = self.current.entry.title
        self.finish(PlayOutcome.FAILED, error=message)
        self._core.room.show(f"无法播放《{title}》，已跳过 / cannot play, skipped")
        self.advance()

    # --- following the player ------------------------------------------------------------
    def tick(self, now_s: float) -> None:
        """Lyric line changes and the periodic position save."""
        self.next_lyric_in_s = float("inf")
        if self.current is None:
            return
        self.position_ms(now_s)
        self._emit_lyric_line(now_s)
        if now_s - self._last_position_save_s >= settings.position_save_interval_s:
            self.save_position(now_s)

    def position_ms(self, now_s: float) -> int:
        """Where the song is, by the clock, after a fresh look at the player."""
        current = self.current
        if current is not None:
            status = self._core.player.status()
            if status.song_id == current.song.song_id and status.state in (
                PlayerState.PLAYING,
                PlayerState.PAUSED,
            ):
                playing = status.state is PlayerState.PLAYING
                self._clock.sample(status.position_ms, now_s, playing=playing)
        return self._clock.position_ms(now_s)

    def save_position(self, now_s: float) -> None:
        if self.current is None:
            return
        self._last_position_save_s = now_s
        self._core.memory.save_position(now_s)

    def lyric_view(self, now_s: float) -> LyricMoment | None:
        if self._timeline is None:
            return None
        return self._timeline.at(self._clock.position_ms(now_s))

    def view(self) -> NowPlayingView | None:
        current = self.current
        if current is None:
            return None
        status = self._core.player.status()
        return NowPlayingView(
            entry=current.entry,
            song=current.song,
            state=status.state,
            position_ms=status.position_ms,
            duration_ms=status.duration_ms or current.song.duration_ms,
            vocal=status.vocal,
            key_semitones=current.key_semitones,
            key_supported=status.key_supported,
        )

    # --- internals -------------------------------------------------------------------------
    def _emit_lyric_line(self, now_s: float) -> None:
        if self._timeline is None:
            return
        position = self._clock.position_ms(now_s)
        moment = self._timeline.at(position)
        if moment.index != self._lyric_index:
            self._lyric_index = moment.index
            self._core.send(LyricsLine(moment))
        boundary = moment.current.end_ms if moment.current is not None else None
        if moment.next is not None:
            boundary = min(boundary or moment.next.start_ms, moment.next.start_ms)
        if boundary is not None and self._clock.playing:
            self.next_lyric_in_s = max(0.0, (boundary - position) / 1000.0)

    def _lyrics_for(self, song: Song) -> LyricTimeline | None:
        try:
            lyrics = self._core.load_lyrics(song)
        except Exception as exc:
            log.warning("no lyrics for %s: %s", song.song_id, exc)
            return None
        return LyricTimeline(lyrics) if lyrics is not None and lyrics.lines else None

    def _fail_unplayed(self, entry: QueuedSong, error: str) -> None:
        log.warning("skipping %s (%s): %s", entry.song_id, entry.title, error)
        self._report(entry, self._core.utcnow(), PlayOutcome.FAILED, 0, error)
        self._core.send(SongEnded(entry, PlayOutcome.FAILED, 0, error))
        self._core.room.show(f"无法播放《{entry.title}》，已跳过 / cannot play, skipped")

    def _report(
        self, entry: QueuedSong, started: datetime, outcome: PlayOutcome, played: int, error: str
    ) -> None:
        session = self._core.room.session
        played_event = SongPlayed(
            entry.song_id, entry.title, session, started, outcome, played, error
        )
        self._core.emit_up(played_event)

    def _set_key(self, current: NowSinging, semitones: int) -> int:
        limit = settings.key_limit_semitones
        if not -limit <= semitones <= limit:
            raise InvalidArgument(f"key must be between -{limit} and +{limit} semitones")
        result = self._core.player.set_key(semitones)  # Unsupported propagates to the screen
        current.key_semitones = result
        self._core.queue.remember_key(current.song.song_id, result)
        self._core.send(KeyChanged(current.song.song_id, result))
        self._core.memory.save()
        return result

    def _set_vocal(self, vocal: VocalSwitch) -> VocalSwitch:
        result = self._core.player.set_vocal(vocal)
        self._core.send(VocalChanged(result))
        return result
