"""RoomCore: the room agent's core, a small composition of controllers that own their state.

mopidy's core is the model: ``queue`` (已点/已唱), ``playback`` (the song on the speakers and
its lyrics clock), ``room`` (session, business state, emergency, messages, the screen),
``mixer`` (volume, cap, mute), ``prepaid`` (prepaid time, 到钟, 续钟), ``sensors`` (door,
presence) and ``memory`` (the saved room). Each is called by the others through the core;
none reaches into another's state.

Every entry point (touchscreen intents, controller commands, sensor edges, player callbacks)
is serialised through one re-entrant lock: the room's single inbox. Player callbacks arrive
on libVLC's thread, where player methods must not be called, so they are queued for the
core's own loop thread (or run by ``drain()`` when the core runs without a loop, as in fast
tests). Nothing here waits on the network: the ``EventSink`` is a local outbox.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from ktv.errors import InvalidArgument
from media_index.model import Song
from room_agent.core import settings
from room_agent.core.ambience import AmbienceController, AmbienceSettings
from room_agent.core.devices import DevicesController
from room_agent.core.events import CoreEvent, Listener, ServiceAnswered, Subscribers
from room_agent.core.memory import MemoryController
from room_agent.core.mixer import MixerController
from room_agent.core.persistence import MemoryRoomStore, RoomSnapshot, RoomStore
from room_agent.core.phones import apply_control, snapshot_of
from room_agent.core.playback import PlaybackController
from room_agent.core.ports import (
    Ambience,
    DeviceHealth,
    Emergency,
    EventSink,
    GuestControl,
    GuestQueueSong,
    GuestRemoveSong,
    MeterRead,
    Outputs,
    PinsChecked,
    Player,
    QueueSnapshot,
    QueueSongs,
    RoomCommand,
    RoomEvent,
    RoomStateChanged,
    ServiceAcknowledged,
    ServiceCalled,
    SessionClosed,
    SessionOpened,
    SetPower,
    ShowMessage,
    VocalSwitch,
    VolumeLimit,
)
from room_agent.core.presence import PresenceTimeouts
from room_agent.core.queue import QueuedSong
from room_agent.core.queue_controller import QueueController
from room_agent.core.room_state import RoomStateController
from room_agent.core.room_time import ExtensionRequest, PrepaidTimeController
from room_agent.core.scenes import Plan, Scene
from room_agent.core.sensing import SensorsController
from room_agent.core.time_left import TimeLeft, TimePolicy
from room_agent.core.views import RoomView
from room_agent.lyrics.clock import LyricMoment
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


class RoomCore:
    """The room, as the touchscreen and the controller see it. Implements ``CommandHandler``.

    The public methods are the room's inbox: each takes the lock and hands the work to the
    controller that owns the state. Controllers use the shared edges below (``player``,
    ``songs``, ``sink``, ``send``, ``emit_up``, the clocks) and each other, always under
    the lock."""

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
        ambience: Ambience | None = None,
        ambience_settings: AmbienceSettings | None = None,
        outputs: Outputs | None = None,
        idle_off_after_s: float = settings.idle_off_after_s,
    ) -> None:
        # the edges, shared by the controllers
        self.player = player
        self.sink = sink
        self.songs = songs
        self.load_lyrics = lyrics
        self.now_s = monotonic
        self.utcnow = utcnow
        self._subscribers = Subscribers()

        # the controllers, each owning its state
        self.room = RoomStateController(self)
        self.queue = QueueController(self)
        self.playback = PlaybackController(self)
        self.mixer = MixerController(self)
        self.prepaid = PrepaidTimeController(self, time_policy or TimePolicy())
        timeouts = presence or PresenceTimeouts(
            settings.vacancy_timeout_s, settings.sealed_room_timeout_s
        )
        self.sensors = SensorsController(self, timeouts, door_debounce_ms)
        self.memory = MemoryController(self, store if store is not None else MemoryRoomStore())
        self.ambience = AmbienceController(self, ambience, ambience_settings)
        self.devices = DevicesController(self, outputs, idle_off_after_s)

        # the inbox and its loop
        self._lock = threading.RLock()
        self._inbox: queue.Queue[Callable[[], None]] = queue.Queue()
        self._loop: threading.Thread | None = None
        self._stopping = threading.Event()
        self._started = False

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
            self.memory.restore()
            self.devices.refresh(self.now_s())
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
            self.playback.save_position(self.now_s())

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
        due_s = self.playback.next_lyric_in_s
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

    # --- player callbacks (any thread): queued for the loop ------------------------------
    def _player_ended(self, song_id: str) -> None:
        self._inbox.put(lambda: self.playback.reached_end(song_id))

    def _player_failed(self, song_id: str, message: str) -> None:
        self._inbox.put(lambda: self.playback.failed(song_id, message))

    def tick(self) -> None:
        """Follow the player (lyrics line changes), save the position, run timers."""
        with self._lock:
            now = self.now_s()
            self.playback.tick(now)
            self.room.tick(now)
            self.sensors.tick(now)
            self.prepaid.tick(now)
            self.ambience.update()
            self.devices.refresh(now)

    # --- the edges the controllers share ---------------------------------------------------
    def send(self, event: CoreEvent) -> None:
        """To the subscribers (screens, TV, logs)."""
        self._subscribers.send(event)

    def emit_up(self, event: RoomEvent) -> None:
        """To the controller via the outbox; a failing outbox never stops the room."""
        try:
            self.sink.emit(event, self.utcnow())
        except Exception:
            log.exception("event sink refused %s", type(event).__name__)

    def _snapshot(self) -> RoomSnapshot:
        """What would be saved now (for benchmarks and tests)."""
        with self._lock:
            return self.memory.snapshot()

    # --- views -----------------------------------------------------------------------
    def view(self) -> RoomView:
        with self._lock:
            room, mixer = self.room, self.mixer
            return RoomView(
                screen=room.screen,
                session=room.session,
                session_ends_at=self.prepaid.ends_at,
                now_playing=self.playback.view(),
                queue=self.queue.entries,
                sung=self.queue.history,
                volume_percent=mixer.volume_percent,
                muted=mixer.muted,
                volume_cap_percent=mixer.cap_percent,
                message=room.message,
                emergency_message=room.emergency_message if room.emergency else "",
                door_open=self.sensors.door_open,
                present=self.sensors.present,
                guest_url=room.guest_url,
            )

    def queue_snapshot(self) -> QueueSnapshot:
        """The queue and what plays, for guests' phones (the link sends it up)."""
        return snapshot_of(self.view(), self.utcnow())

    def lyric_view(self) -> LyricMoment | None:
        """Current line, next line and word progress right now; None without lyrics."""
        with self._lock:
            return self.playback.lyric_view(self.now_s())

    def time_left(self) -> TimeLeft:
        with self._lock:
            return self.prepaid.time_left()

    def pending_extension(self) -> ExtensionRequest | None:
        """The 续钟 request waiting for the desk (kept across restarts), if any."""
        with self._lock:
            return self.prepaid.pending

    # --- guests' intents (the touchscreen) ------------------------------------------------
    def add_song(self, song_id: str, *, at_top: bool = False) -> QueuedSong:
        """点歌; ``at_top`` is 优先 (sing it next). Unknown ids raise NotFound."""
        with self._lock:
            return self.queue.add_song(song_id, at_top=at_top)

    def remove_song(self, entry_id: str) -> None:
        with self._lock:
            self.queue.remove(entry_id)

    def move_song(self, entry_id: str, to_index: int) -> None:
        with self._lock:
            self.queue.move(entry_id, to_index)

    def move_to_top(self, entry_id: str) -> None:
        """优先: an already ordered song goes next."""
        self.move_song(entry_id, 0)

    def clear_queue(self) -> None:
        with self._lock:
            self.queue.clear()

    def sing_again(self, sung_index: int) -> QueuedSong:
        """Order a song from 已唱 again; it comes back in the key it was sung in."""
        with self._lock:
            return self.queue.sing_again(sung_index)

    def skip(self) -> None:
        """切歌: the current play is reported as skipped and the next song starts."""
        with self._lock:
            self.playback.skip()

    def replay(self) -> None:
        """重唱: the same song from the top, same key, same play record."""
        with self._lock:
            self.playback.replay()

    def pause(self) -> None:
        with self._lock:
            self.playback.pause()

    def resume(self) -> None:
        """Resume the paused song, or start the queue if nothing is on."""
        with self._lock:
            self.playback.resume()

    def toggle_pause(self) -> None:
        with self._lock:
            self.playback.toggle_pause()

    def toggle_vocal(self) -> VocalSwitch:
        """原唱/伴唱; returns the resulting state (UNAVAILABLE for one-mix songs)."""
        with self._lock:
            return self.playback.toggle_vocal()

    def set_vocal(self, vocal: VocalSwitch) -> VocalSwitch:
        with self._lock:
            return self.playback.set_vocal(vocal)

    def key_up(self) -> int:
        with self._lock:
            return self.playback.step_key(+1)

    def key_down(self) -> int:
        with self._lock:
            return self.playback.step_key(-1)

    def set_key(self, semitones: int) -> int:
        """Key change (升降调) for this song; remembered for the session."""
        with self._lock:
            return self.playback.set_key(semitones)

    def set_volume(self, percent: int) -> int:
        """Set the volume; never above the controller's cap. Returns what was applied."""
        with self._lock:
            return self.mixer.set_volume(percent)

    def volume_up(self) -> int:
        with self._lock:
            return self.mixer.step(settings.volume_step_percent)

    def volume_down(self) -> int:
        with self._lock:
            return self.mixer.step(-settings.volume_step_percent)

    def set_mute(self, muted: bool) -> None:
        with self._lock:
            self.mixer.set_mute(muted)

    def toggle_mute(self) -> None:
        with self._lock:
            self.mixer.set_mute(not self.mixer.muted)

    def effects(self) -> tuple[str, ...]:
        """The atmosphere sounds (气氛) this room has, in button order."""
        with self._lock:
            return self.ambience.effects()

    def play_effect(self, name: str) -> None:
        """An atmosphere sound over the song (掌声, 欢呼...); rate-limited."""
        with self._lock:
            self.ambience.play_effect(name)

    def dismiss_message(self) -> None:
        with self._lock:
            self.room.dismiss_message()

    def call_service(self, kind: str, note: str = "") -> None:
        """服务呼叫: goes to the controller through the outbox."""
        if not kind.strip():
            raise InvalidArgument("say what the service call is for")
        with self._lock:
            self.room.require_open()
            self.emit_up(ServiceCalled(kind.strip(), note))

    def request_extension(self, note: str = "") -> ExtensionRequest:
        """续钟 button: asks the desk; a repeat press before it answers sends nothing more."""
        with self._lock:
            return self.prepaid.request_extension(note)

    # --- sensors (any thread; timestamps from the core's monotonic clock) ---------------
    def door_signal(self, raw_open: bool) -> None:
        """A raw reed-switch level (bouncy); the core debounces it."""
        with self._lock:
            now = self.now_s()
            self.sensors.door_signal(raw_open, now)
            self.devices.refresh(now)

    def motion_signal(self, active: bool) -> None:
        with self._lock:
            now = self.now_s()
            self.sensors.motion_signal(active, now)
            self.devices.refresh(now)

    def report_up(self, event: DeviceHealth | MeterRead) -> None:
        """A device health report or a meter reading, through the outbox (any thread)."""
        with self._lock:
            self.emit_up(event)

    def report_pins(self, mocked: bool, factory: str) -> None:
        """Once at start: the board flags a room whose sensors are on mock pins."""
        with self._lock:
            self.emit_up(PinsChecked(mocked, factory))

    # --- the room's outputs (issue 24) -------------------------------------------------
    def choose_scene(self, scene: Scene) -> Plan:
        """The guests' scene (迎宾/唱歌/派对/清洁/关闭) while their session is open."""
        with self._lock:
            return self.devices.choose_scene(scene, self.now_s())

    def devices_view(self) -> Plan | None:
        """The scene and power shown now (None before ``start``)."""
        with self._lock:
            return self.devices.plan

    # --- commands from the controller (CommandHandler) --------------------------------
    def handle(self, command: RoomCommand) -> None:
        """Apply a controller command; repeated deliveries change nothing twice."""
        with self._lock:
            match command:
                case SessionOpened():
                    self.room.open_session(command)
                case SessionClosed():
                    self.room.close_session(command)
                case QueueSongs():
                    self.queue.queue_songs(command)
                case VolumeLimit():
                    self.mixer.limit(command)
                case ShowMessage():
                    if command.text.strip():
                        self.room.show(command.text, command.duration_s)
                case Emergency():
                    self.room.set_emergency(command)
                    if command.active:
                        self.ambience.silence()
                case RoomStateChanged():
                    self.room.set_business(command.state)
                case ServiceAcknowledged():
                    self.send(ServiceAnswered(command.staff, command.call_kind))
                case SetPower():
                    self.devices.set_power(command, self.now_s())
                case GuestQueueSong():
                    self.queue.add_guest_song(command)
                case GuestRemoveSong():
                    self.queue.remove_guest_song(command)
                case GuestControl():
                    apply_control(self, command)
                case _:
                    raise InvalidArgument(f"unknown room command {type(command).__name__}")
            self.ambience.update()
            self.devices.refresh(self.now_s())
