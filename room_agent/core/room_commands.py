"""What guests (touchscreen intents) and the controller (commands) can ask of the room.

A mixin of ``RoomCore`` so the composition in ``room.py`` stays readable; it only uses the
core's private helpers and state, always under the core's lock.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ktv.errors import InvalidArgument, KtvError
from room_agent.core import settings
from room_agent.core.events import MessageChanged, PlaybackChanged, ServiceAnswered, SongStarted
from room_agent.core.ports import (
    Emergency,
    PlayerState,
    PlayOutcome,
    QueueSongs,
    RoomBusinessState,
    RoomCommand,
    RoomStateChanged,
    ServiceAcknowledged,
    ServiceCalled,
    SessionClosed,
    SessionOpened,
    ShowMessage,
    VocalSwitch,
    VolumeLimit,
)
from room_agent.core.queue import QueuedSong

if TYPE_CHECKING:
    from room_agent.core.room import RoomCore

log = logging.getLogger(__name__)

DEFAULT_EVACUATION_MESSAGE = (
    "紧急情况，请保持冷静，按指示有序疏散 / Emergency: please evacuate calmly"
)


class CommandsMixin:
    # --- the queue (已点 / 已唱) -----------------------------------------------------------
    def add_song(self: RoomCore, song_id: str, *, at_top: bool = False) -> QueuedSong:
        """点歌; ``at_top`` is 优先 (sing it next). Unknown ids raise NotFound."""
        with self._lock:
            self._require_open()
            return self._add_entry(self._songs(song_id), at_top=at_top)

    def remove_song(self: RoomCore, entry_id: str) -> None:
        with self._lock:
            self._require_open()
            self._queue.remove(entry_id)
            self._changed_queue()

    def move_song(self: RoomCore, entry_id: str, to_index: int) -> None:
        with self._lock:
            self._require_open()
            self._queue.move(entry_id, to_index)
            self._changed_queue()

    def move_to_top(self: RoomCore, entry_id: str) -> None:
        """优先: an already ordered song goes next."""
        self.move_song(entry_id, 0)

    def clear_queue(self: RoomCore) -> None:
        with self._lock:
            self._require_open()
            self._queue.clear()
            self._changed_queue()

    def sing_again(self: RoomCore, sung_index: int) -> QueuedSong:
        """Order a song from 已唱 again; it comes back in the key it was sung in."""
        with self._lock:
            self._require_open()
            entry = self._queue.requeue_from_history(sung_index, self._utcnow())
            self._changed_queue()
            self._advance()
            return entry

    # --- the song on the speakers ---------------------------------------------------------
    def skip(self: RoomCore) -> None:
        """切歌: the current play is reported as skipped and the next song starts."""
        with self._lock:
            self._require_song()
            self._finish(PlayOutcome.SKIPPED)
            self._advance()

    def replay(self: RoomCore) -> None:
        """重唱: the same song from the top, same key, same play record."""
        with self._lock:
            current = self._require_song()
            self._player.seek(0)
            if current.paused:
                self._player.resume()
                current.resume(self._now_s())
            self._clock.resync(0, self._now_s(), playing=True)
            self._lyric_index = -2
            self._send(SongStarted(current.entry, current.key_semitones, 0, replay=True))

    def pause(self: RoomCore) -> None:
        with self._lock:
            current = self._require_song()
            if not current.paused:
                self._player.pause()
                current.pause(self._now_s())
                self._save()
                self._send(PlaybackChanged(PlayerState.PAUSED))

    def resume(self: RoomCore) -> None:
        """Resume the paused song, or start the queue if nothing is on."""
        with self._lock:
            self._require_open()
            current = self._current
            if current is None:
                self._advance()
                return
            if current.paused:
                self._player.resume()
                current.resume(self._now_s())
                self._save()
                self._send(PlaybackChanged(PlayerState.PLAYING))

    def toggle_pause(self: RoomCore) -> None:
        with self._lock:
            if self._current is not None and not self._current.paused:
                self.pause()
            else:
                self.resume()

    def toggle_vocal(self: RoomCore) -> VocalSwitch:
        """原唱/伴唱; returns the resulting state (UNAVAILABLE for one-mix songs)."""
        with self._lock:
            self._require_song()
            now = self._player.status().vocal
            target = (
                VocalSwitch.ACCOMPANIMENT if now is VocalSwitch.ORIGINAL else VocalSwitch.ORIGINAL
            )
            return self._set_vocal(target)

    def set_vocal(self: RoomCore, vocal: VocalSwitch) -> VocalSwitch:
        with self._lock:
            self._require_song()
            return self._set_vocal(vocal)

    def key_up(self: RoomCore) -> int:
        with self._lock:
            current = self._require_song()
            return self._set_key(current, current.key_semitones + 1)

    def key_down(self: RoomCore) -> int:
        with self._lock:
            current = self._require_song()
            return self._set_key(current, current.key_semitones - 1)

    def set_key(self: RoomCore, semitones: int) -> int:
        """Key change (升降调) for this song; remembered for the session."""
        with self._lock:
            return self._set_key(self._require_song(), semitones)

    # --- volume ---------------------------------------------------------------------
    def set_volume(self: RoomCore, percent: int) -> int:
        """Set the volume; never above the controller's cap. Returns what was applied."""
        if not 0 <= percent <= 100:
            raise InvalidArgument("volume must be 0..100 percent")
        with self._lock:
            self._require_open()
            self._set_volume(percent)
            return self._volume

    def volume_up(self: RoomCore) -> int:
        with self._lock:
            return self.set_volume(min(100, self._volume + settings.volume_step_percent))

    def volume_down(self: RoomCore) -> int:
        with self._lock:
            return self.set_volume(max(0, self._volume - settings.volume_step_percent))

    def set_mute(self: RoomCore, muted: bool) -> None:
        with self._lock:
            self._require_open()
            self._muted = muted
            self._player.set_mute(muted)
            self._set_volume(self._volume)

    def toggle_mute(self: RoomCore) -> None:
        with self._lock:
            self.set_mute(not self._muted)

    # --- messages and service ---------------------------------------------------------
    def dismiss_message(self: RoomCore) -> None:
        with self._lock:
            if self._message:
                self._message = ""
                self._send(MessageChanged(""))

    def call_service(self: RoomCore, kind: str, note: str = "") -> None:
        """服务呼叫: goes to the controller through the outbox."""
        if not kind.strip():
            raise InvalidArgument("say what the service call is for")
        with self._lock:
            self._require_open()
            self._emit_up(ServiceCalled(kind.strip(), note))

    # --- commands from the controller (CommandHandler) --------------------------------
    def handle(self: RoomCore, command: RoomCommand) -> None:
        """Apply a controller command; repeated deliveries change nothing twice."""
        with self._lock:
            match command:
                case SessionOpened():
                    self._open_session(command)
                case SessionClosed():
                    self._close_session(command)
                case QueueSongs():
                    self._queue_songs(command)
                case VolumeLimit():
                    self._limit_volume(command)
                case ShowMessage():
                    if command.text.strip():
                        self._show(command.text, command.duration_s)
                case Emergency():
                    self._emergency_command(command)
                case RoomStateChanged():
                    self._business_state(command.state)
                case ServiceAcknowledged():
                    self._send(ServiceAnswered(command.staff, command.call_kind))
                case _:
                    raise InvalidArgument(f"unknown room command {type(command).__name__}")

    def _open_session(self: RoomCore, command: SessionOpened) -> None:
        if command.session == self._session:
            self._time_set_after_end(command.continues_after_end)
            self._time_set_end(command.end_time)  # 续钟 or a reconnect: the current end
            return
        if self._session:
            self._close_session(SessionClosed(self._session))
        self._session = command.session
        self._time_set_after_end(command.continues_after_end)
        self._time_set_end(command.end_time)
        self._business = RoomBusinessState.IN_USE
        self._queue.forget_history()  # pre-booked songs already queued stay
        self._update_screen()
        self._changed_queue()
        self._advance()

    def _close_session(self: RoomCore, command: SessionClosed) -> None:
        if not self._session:
            return
        if command.session and command.session != self._session:
            log.warning("ignoring close of %s: %s is open", command.session, self._session)
            return
        self._finish(PlayOutcome.STOPPED)
        self._queue.reset_session()
        self._session = ""
        self._session_ends_at = None
        self._time_closed()
        if self._business is RoomBusinessState.IN_USE:
            self._business = RoomBusinessState.IDLE
        self._player.stop()
        self._update_screen()
        self._send(PlaybackChanged(PlayerState.STOPPED))
        self._changed_queue()

    def _queue_songs(self: RoomCore, command: QueueSongs) -> None:
        for song_id in command.song_ids:
            try:
                song = self._songs(song_id)
            except KtvError as exc:
                log.warning("pre-selected song %s not queued: %s", song_id, exc)
                continue
            self._add_entry(song, at_top=False)

    def _limit_volume(self: RoomCore, command: VolumeLimit) -> None:
        if not 0 <= command.max_percent <= 100:
            raise InvalidArgument("volume limit must be 0..100 percent")
        self._volume_cap = command.max_percent
        self._set_volume(self._volume)

    def _emergency_command(self: RoomCore, command: Emergency) -> None:
        if command.active:
            message = command.message or DEFAULT_EVACUATION_MESSAGE
            if not self._emergency:
                current = self._current
                self._resume_after_emergency = current is not None and not current.paused
                if current is not None and not current.paused:
                    self._player.pause()
                    current.pause(self._now_s())
                    self._send(PlaybackChanged(PlayerState.PAUSED))
                self._emergency = True
            self._emergency_message = message
            self._send_emergency()
            self._update_screen()
            return
        if not self._emergency:
            return
        self._emergency = False
        self._emergency_message = ""
        self._send_emergency()
        self._update_screen()
        current = self._current
        if self._resume_after_emergency and current is not None and self._can_play():
            self._player.resume()
            current.resume(self._now_s())
            self._send(PlaybackChanged(PlayerState.PLAYING))
        self._resume_after_emergency = False

    def _business_state(self: RoomCore, state: RoomBusinessState) -> None:
        if state is self._business:
            return
        self._business = state
        if state in (RoomBusinessState.CLEANING, RoomBusinessState.MAINTENANCE):
            self._finish(PlayOutcome.STOPPED)
            self._player.stop()
        self._update_screen()
        self._save()
        self._advance()
