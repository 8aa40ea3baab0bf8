"""RoomCore: the room agent's composition of queue, playback, lyrics clock, session and presence.

Every entry point (touchscreen intents, controller commands, sensor edges, player callbacks)
is serialised through one re-entrant lock. Player callbacks arrive on libVLC's thread, where
player methods must not be called, so they are handed to the core's own loop thread (or run
by ``drain()`` when the core runs without a loop, as in fast tests). Nothing here waits on
the network: the ``EventSink`` is a local outbox.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from ktv.errors import FailedPrecondition
from media_index.model import Song
from room_agent.core import settings
from room_agent.core.events import (
    CoreEvent,
    Listener,
    LyricsLine,
    MessageChanged,
    QueueChanged,
    RoomScreen,
    ScreenChanged,
    SensorChanged,
    Subscribers,
    VolumeChanged,
)
from room_agent.core.persistence import MemoryRoomStore, RoomStore
from room_agent.core.ports import (
    DoorChanged,
    EventSink,
    Player,
    PlayerState,
    PlayOutcome,
    PresenceChanged,
    RoomBusinessState,
    RoomEvent,
)
from room_agent.core.presence import DoorDebouncer, PresenceModel, PresenceTimeouts
from room_agent.core.queue import SongQueue
from room_agent.core.room_commands import CommandsMixin
from room_agent.core.room_memory import MemoryMixin
from room_agent.core.room_playback import PlaybackMixin
from room_agent.core.room_time import TimeMixin
from room_agent.core.singing import NowSinging
from room_agent.core.time_left import TimePolicy
from room_agent.core.views import NowPlayingView, RoomView
from room_agent.lyrics.clock import LyricMoment, LyricTimeline, PlaybackClock
from room_agent.lyrics.model import Lyrics

log = logging.getLogger(__name__)

SongLookup = Callable[[str], Song]
"""Resolves a song id (``Catalog.get``); raises ``ktv.errors.NotFound`` for unknown ids."""

LyricsLoader = Callable[[Song], Lyrics | None]
"""Lyrics for a song, or None when it has none."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


def no_lyrics(song: Song) -> Lyrics | None:
    return None


class RoomCore(CommandsMixin, PlaybackMixin, MemoryMixin, TimeMixin):
    """The room, as the touchscreen and the controller see it. Implements ``CommandHandler``."""

    def __init__(
        self,
        player: Player,
        sink: EventSink,
        songs: SongLookup,
        *,
        store: RoomStore | None = None,
        lyrics: LyricsLoader = no_lyrics,
        monotonic: Callable[[], float] = time.monotonic,
        utcnow: Callable[[], datetime] = _utcnow,
        presence: PresenceTimeouts | None = None,
        door_debounce_ms: int = settings.door_debounce_ms,
        time_policy: TimePolicy | None = None,
    ) -> None:
        self._player = player
        self._sink = sink
        self._songs = songs
        self._store: RoomStore = store if store is not None else MemoryRoomStore()
        self._load_lyrics = lyrics
        self._now_s = monotonic
        self._utcnow = utcnow
        self._lock = threading.RLock()
        self._inbox: queue.Queue[Callable[[], None]] = queue.Queue()
        self._loop: threading.Thread | None = None
        self._stopping = threading.Event()
        self._subscribers = Subscribers()
        self._started = False

        self._queue = SongQueue()
        self._current: NowSinging | None = None
        self._clock = PlaybackClock()
        self._timeline: LyricTimeline | None = None
        self._lyric_index = -2
        self._next_lyric_in_s = float("inf")
        self._last_position_save_s = 0.0

        self._session = ""
        self._session_ends_at: datetime | None = None
        self._business = RoomBusinessState.IDLE
        self._emergency = False
        self._emergency_message = ""
        self._resume_after_emergency = False
        self._volume = settings.default_volume_percent
        self._volume_cap = 100
        self._muted = False
        self._message = ""
        self._message_until_s = 0.0
        self._screen = RoomScreen.LOCKED
        self._time_init(time_policy or TimePolicy())  # prepaid time: room_time.py

        timeouts = presence or PresenceTimeouts(
            settings.vacancy_timeout_s, settings.sealed_room_timeout_s
        )
        self._door = DoorDebouncer(door_debounce_ms)
        self._presence = PresenceModel(timeouts)

        player.on_end(self._player_ended)
        player.on_error(self._player_failed)

    # --- lifecycle --------------------------------------------------------------------
    def start(self, *, run_loop: bool = True) -> None:
        """Restore the saved room (queue, session, the song that was playing) and, with
        ``run_loop``, start the loop thread that ticks the lyrics and saves the position."""
        with self._lock:
            if self._started:
                return
            self._started = True
            self._restore()
        if run_loop and self._loop is None:
            self._loop = threading.Thread(target=self._run, name="room-core", daemon=True)
            self._loop.start()

    def close(self) -> None:
        """Stop the loop and save the position; the player is the caller's to close."""
        self._stopping.set()
        if self._loop is not None:
            self._loop.join(timeout=5)
            self._loop = None
        with self._lock:
            self._save_position(self._now_s())

    def drain(self, timeout_s: float = 5.0) -> None:
        """Wait until player callbacks handed to the loop have been applied (or apply them
        here when there is no loop)."""
        if self._loop is None:
            while True:
                try:
                    job = self._inbox.get_nowait()
                except queue.Empty:
                    return
                self._apply(job)
        deadline = time.monotonic() + timeout_s
        while self._inbox.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.005)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(event)`` on every change; returns the unsubscribe function."""
        return self._subscribers.add(listener)

    def _run(self) -> None:
        next_tick = time.monotonic()
        while not self._stopping.is_set():
            wait_s = max(0.0, next_tick - time.monotonic())
            try:
                job = self._inbox.get(timeout=wait_s)
            except queue.Empty:
                job = None
            if job is not None:
                self._apply(job)
            if time.monotonic() >= next_tick:
                try:
                    self.tick()
                except Exception:  # a player glitch must not stop the room's loop
                    log.exception("room core tick failed")
                next_tick = time.monotonic() + self._next_wait_s()

    def _next_wait_s(self) -> float:
        """Tick slowly, faster as a lyric line change nears, and wake exactly on it."""
        due_s = self._next_lyric_in_s
        tick_s = settings.tick_interval_s
        if due_s <= settings.lyric_approach_window_s:
            tick_s = settings.lyric_approach_tick_s
        return max(settings.lyric_wake_min_s, min(tick_s, due_s))

    def _apply(self, job: Callable[[], None]) -> None:
        try:
            with self._lock:
                job()
        except Exception:
            log.exception("room core job failed")
        finally:
            self._inbox.task_done()

    # --- player callbacks (any thread) -------------------------------------------------
    def _player_ended(self, song_id: str) -> None:
        self._inbox.put(lambda: self._song_reached_end(song_id))

    def _player_failed(self, song_id: str, message: str) -> None:
        self._inbox.put(lambda: self._song_failed(song_id, message))

    def _song_reached_end(self, song_id: str) -> None:
        if self._current is None or self._current.song.song_id != song_id:
            return  # a late callback for a song already skipped
        self._finish(PlayOutcome.COMPLETED)
        self._advance()

    def _song_failed(self, song_id: str, message: str) -> None:
        if self._current is None or self._current.song.song_id != song_id:
            return
        title = self._current.entry.title
        self._finish(PlayOutcome.FAILED, error=message)
        self._show(f"无法播放《{title}》，已跳过 / cannot play, skipped")
        self._advance()

    # --- the loop's tick -----------------------------------------------------------------
    def tick(self) -> None:
        """Follow the player (lyrics line changes), save the position, run timers."""
        with self._lock:
            now = self._now_s()
            self._next_lyric_in_s = float("inf")
            if self._current is not None:
                self._position_ms(now)
                self._emit_lyric_line(now)
                if now - self._last_position_save_s >= settings.position_save_interval_s:
                    self._save_position(now)
            if self._message and now >= self._message_until_s:
                self._message = ""
                self._send(MessageChanged(""))
            settled = self._door.poll(now)
            if settled is not None:
                self._door_changed(settled, now)
            self._presence_result(self._presence.poll(now))
            self._time_tick(now)

    def _position_ms(self, now: float) -> int:
        """Where the song is, by the clock, after a fresh look at the player."""
        current = self._current
        if current is not None:
            status = self._player.status()
            if status.song_id == current.song.song_id and status.state in (
                PlayerState.PLAYING,
                PlayerState.PAUSED,
            ):
                playing = status.state is PlayerState.PLAYING
                self._clock.sample(status.position_ms, now, playing=playing)
        return self._clock.position_ms(now)

    def _emit_lyric_line(self, now: float) -> None:
        if self._timeline is None:
            return
        position = self._clock.position_ms(now)
        moment = self._timeline.at(position)
        if moment.index != self._lyric_index:
            self._lyric_index = moment.index
            self._send(LyricsLine(moment))
        boundary = moment.current.end_ms if moment.current is not None else None
        if moment.next is not None:
            boundary = min(boundary or moment.next.start_ms, moment.next.start_ms)
        if boundary is not None and self._clock.playing:
            self._next_lyric_in_s = max(0.0, (boundary - position) / 1000.0)

    # --- sensors (any thread; timestamps from the core's monotonic clock) ---------------
    def door_signal(self, raw_open: bool) -> None:
        """A raw reed-switch level (bouncy); the core debounces it."""
        with self._lock:
            now = self._now_s()
            changed = self._door.edge(raw_open, now)
            if changed is not None:
                self._door_changed(changed, now)

    def motion_signal(self, active: bool) -> None:
        with self._lock:
            self._presence_result(self._presence.motion(active, self._now_s()))

    def _door_changed(self, open_: bool, now: float) -> None:
        self._emit_up(DoorChanged(open_))
        self._presence_result(self._presence.door(open_, now))
        self._send(SensorChanged(open_, self._presence.present))

    def _presence_result(self, changed: bool | None) -> None:
        if changed is None:
            return
        self._emit_up(PresenceChanged(changed))
        self._send(SensorChanged(self._door.open, changed))

    # --- views -----------------------------------------------------------------------
    def view(self) -> RoomView:
        with self._lock:
            return RoomView(
                screen=self._screen,
                session=self._session,
                session_ends_at=self._session_ends_at,
                now_playing=self._now_playing_view(),
                queue=self._queue.entries,
                sung=self._queue.history,
                volume_percent=self._volume,
                muted=self._muted,
                volume_cap_percent=self._volume_cap,
                message=self._message,
                emergency_message=self._emergency_message if self._emergency else "",
                door_open=self._door.open,
                present=self._presence.present,
            )

    def lyric_view(self) -> LyricMoment | None:
        """Current line, next line and word progress right now; None without lyrics."""
        with self._lock:
            if self._timeline is None:
                return None
            return self._timeline.at(self._clock.position_ms(self._now_s()))

    def _now_playing_view(self) -> NowPlayingView | None:
        if self._current is None:
            return None
        status = self._player.status()
        return NowPlayingView(
            entry=self._current.entry,
            song=self._current.song,
            state=status.state,
            position_ms=status.position_ms,
            duration_ms=status.duration_ms or self._current.song.duration_ms,
            vocal=status.vocal,
            key_semitones=self._current.key_semitones,
            key_supported=status.key_supported,
        )

    # --- plumbing --------------------------------------------------------------------
    def _emit_up(self, event: RoomEvent) -> None:
        """To the controller via the outbox; a failing outbox never stops the room."""
        try:
            self._sink.emit(event, self._utcnow())
        except Exception:
            log.exception("event sink refused %s", type(event).__name__)

    def _send(self, event: CoreEvent) -> None:
        self._subscribers.send(event)

    def _show(self, text: str, duration_s: int = 0) -> None:
        self._message = text
        self._message_until_s = self._now_s() + (duration_s or settings.default_message_s)
        self._send(MessageChanged(text))

    def _changed_queue(self) -> None:
        self._send(QueueChanged(self._queue.entries, self._queue.history))
        self._save()

    def _update_screen(self) -> None:
        if self._emergency:
            screen = RoomScreen.EMERGENCY
        elif self._business is RoomBusinessState.CLEANING:
            screen = RoomScreen.CLEANING
        elif self._business is RoomBusinessState.MAINTENANCE:
            screen = RoomScreen.MAINTENANCE
        elif self._session and self._prepaid.is_up:
            screen = RoomScreen.TIME_UP
        elif self._session:
            screen = RoomScreen.OPEN
        else:
            screen = RoomScreen.LOCKED
        if screen is not self._screen:
            self._screen = screen
            self._send(ScreenChanged(screen, screen is not RoomScreen.OPEN))

    def _require_open(self) -> None:
        if self._emergency:
            raise FailedPrecondition("emergency: the room is stopped", reason="EMERGENCY")
        if self._screen is RoomScreen.TIME_UP:
            raise FailedPrecondition("time is up: extend (续钟) to go on", reason="TIME_UP")
        if self._screen is not RoomScreen.OPEN:
            raise FailedPrecondition("the room is locked", reason="ROOM_LOCKED")

    def _require_song(self) -> NowSinging:
        self._require_open()
        if self._current is None:
            raise FailedPrecondition("nothing is playing", reason="NOTHING_PLAYING")
        return self._current

    def _set_volume(self, percent: int) -> None:
        self._volume = max(0, min(percent, self._volume_cap))
        self._player.set_volume(self._volume)
        self._send(VolumeChanged(self._volume, self._muted, self._volume_cap))
        self._save()
