"""The room agent's ``RoomCore`` as the touchscreen's ``RoomControl``.

A thin translation: the core's views and events become the UI's views and ``Change``
notifications; intents become core calls. The core does not know the room's display name,
tier, booking link or link state, so those come from here (``RoomIdentity``, ``set_online``).
Service calls show "called" until the front desk acknowledges them: the controller's
``ServiceAcknowledged`` command becomes the core's ``ServiceAnswered`` event, and every call
still waiting is then shown as acknowledged, with who acknowledged (the board keeps one open
call per room, so one acknowledgement answers them all).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace

from ktv.errors import NotFound
from media_index.model import Song
from room_agent.core.events import (
    CoreEvent,
    EmergencyChanged,
    GuestUrlChanged,
    KeyChanged,
    MessageChanged,
    PlaybackChanged,
    QueueChanged,
    ScenesChanged,
    ScreenChanged,
    ServiceAnswered,
    SongEnded,
    SongStarted,
    VocalChanged,
    VolumeChanged,
)
from room_agent.core.ports import VocalSwitch
from room_agent.core.room import RoomCore
from room_agent.core.views import RoomView as CoreRoomView
from room_agent.lyrics.clock import LyricMoment
from room_agent.ui.port import (
    IDLE_PLAYBACK,
    Change,
    LyricsFrame,
    QueueEntry,
    QueueView,
    ServiceCall,
    TouchscreenNowPlaying,
    TouchscreenRoom,
)

SUNG_PREFIX = "sung-"

_CHANGES: dict[type, tuple[Change, ...]] = {
    QueueChanged: (Change.QUEUE,),
    SongStarted: (Change.QUEUE, Change.PLAYBACK),
    SongEnded: (Change.QUEUE, Change.PLAYBACK),
    PlaybackChanged: (Change.PLAYBACK,),
    VocalChanged: (Change.PLAYBACK,),
    KeyChanged: (Change.PLAYBACK,),
    VolumeChanged: (Change.PLAYBACK, Change.ROOM),
    ScreenChanged: (Change.ROOM,),
    EmergencyChanged: (Change.ROOM,),
    MessageChanged: (Change.ROOM,),
    GuestUrlChanged: (Change.ROOM,),
    ScenesChanged: (Change.ROOM,),  # the lights' scene (issue 24)
}


@dataclass(frozen=True)
class RoomIdentity:
    """What the welcome screen says about the room (from the agent's config)."""

    room_id: str
    display_name: str = ""
    tier: str = ""
    welcome_message: str = ""
    booking_url: str = ""


class CoreRoomControl:
    def __init__(
        self,
        core: RoomCore,
        identity: RoomIdentity,
        songs: Callable[[str], Song] | None = None,
        *,
        online: bool | Callable[[], bool] = False,
    ) -> None:
        """``online`` is the link state, or a function the app polls for it (e.g.
        ``lambda: link.online.is_set()``); ``set_online`` pushes changes instead."""
        self.core = core
        self.identity = identity
        self._songs = songs
        self._online_source = online if callable(online) else None
        self._online = bool(online) if not callable(online) else False
        self._lock = threading.Lock()
        self._calls: list[ServiceCall] = []
        self._call_ids = itertools.count(1)
        self._listeners: list[Callable[[Change], None]] = []
        # acknowledgements are kept whether or not a screen listens right now
        self.core.subscribe(self._on_service_answered)

    # --- link state and service acknowledgements (called by the agent) -----------------

    def set_online(self, online: bool) -> None:
        """The controller link went up or down (any thread)."""
        if online != self._online:
            self._online = online
            self._tell(Change.ROOM)

    def acknowledge(self, call_id: str, staff: str = "") -> None:
        """The front desk has seen service call ``call_id`` (any thread)."""
        with self._lock:
            self._calls = [
                replace(c, acknowledged=True, acknowledged_by=staff) if c.call_id == call_id else c
                for c in self._calls
            ]
        self._tell(Change.SERVICE)

    def acknowledge_waiting(self, staff: str = "") -> None:
        """The front desk acknowledged the room's service call: every call still waiting
        is answered (any thread)."""
        with self._lock:
            self._calls = [
                c if c.acknowledged else replace(c, acknowledged=True, acknowledged_by=staff)
                for c in self._calls
            ]
        self._tell(Change.SERVICE)

    # --- views ---------------------------------------------------------------------------

    def room(self) -> TouchscreenRoom:
        view = self.core.view()
        return TouchscreenRoom(
            room_id=self.identity.room_id,
            display_name=self.identity.display_name or self.identity.room_id,
            tier=self.identity.tier,
            mode=view.screen,
            online=self._online_source() if self._online_source else self._online,
            venue_message=view.message or self.identity.welcome_message,
            emergency_message=view.emergency_message,
            booking_url=self.identity.booking_url,
            session_ends_at=view.session_ends_at,
            volume_cap_percent=view.volume_cap_percent,
            guest_url=view.guest_url,
        )

    def _song(self, song_id: str, title: str, artist: str) -> Song:
        if self._songs is not None:
            try:
                return self._songs(song_id)
            except NotFound:
                pass
        return Song(song_id=song_id, title=title, artists=(artist,) if artist else (), path="")

    def queue(self) -> QueueView:
        view = self.core.view()
        pending = tuple(
            QueueEntry(q.entry_id, self._song(q.song_id, q.title, q.artist), q.added_by)
            for q in view.queue
        )
        # the core keeps 已唱 oldest first and addresses it by index; the screen shows it
        # most recent first
        sung = tuple(
            QueueEntry(f"{SUNG_PREFIX}{i}", self._song(s.song_id, s.title, s.artist))
            for i, s in reversed(list(enumerate(view.sung)))
        )
        return QueueView(pending, sung)

    def now_playing(self) -> TouchscreenNowPlaying:
        view: CoreRoomView = self.core.view()
        current = view.now_playing
        if current is None:
            return replace(IDLE_PLAYBACK, volume_percent=view.volume_percent, muted=view.muted)
        return TouchscreenNowPlaying(
            song=current.song,
            state=current.state,
            position_ms=current.position_ms,
            duration_ms=current.duration_ms,
            vocal=current.vocal,
            key_semitones=current.key_semitones,
            key_supported=current.key_supported,
            volume_percent=view.volume_percent,
            muted=view.muted,
        )

    def lyrics(self) -> LyricsFrame:
        moment: LyricMoment | None = self.core.lyric_view()
        if moment is None:
            return LyricsFrame()
        following = moment.next.text if moment.next is not None else ""
        line = moment.current
        if line is None:
            return LyricsFrame(next_line=following, position_ms=moment.position_ms)
        return LyricsFrame(
            line=line.text,
            next_line=following,
            position_ms=moment.position_ms,
            line_start_ms=line.start_ms,
            line_end_ms=line.end_ms,
            words=line.words,
        )

    def service_calls(self) -> tuple[ServiceCall, ...]:
        with self._lock:
            return tuple(self._calls)

    # --- notifications -------------------------------------------------------------------

    def subscribe(self, listener: Callable[[Change], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        stop_core = self.core.subscribe(self._on_core_event)

        def unsubscribe() -> None:
            stop_core()
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def _on_service_answered(self, event: CoreEvent) -> None:
        if isinstance(event, ServiceAnswered):
            self.acknowledge_waiting(event.staff)

    def _on_core_event(self, event: CoreEvent) -> None:
        for change in _CHANGES.get(type(event), ()):
            self._tell(change)

    def _tell(self, change: Change) -> None:
        for listener in list(self._listeners):
            listener(change)

    # --- intents ---------------------------------------------------------------------------

    def enqueue(self, song_id: str, *, to_top: bool = False) -> None:
        self.core.add_song(song_id, at_top=to_top)

    def move_to_top(self, entry_id: str) -> None:
        self.core.move_to_top(entry_id)

    def move(self, entry_id: str, new_index: int) -> None:
        self.core.move_song(entry_id, new_index)

    def remove(self, entry_id: str) -> None:
        self.core.remove_song(entry_id)

    def sing_again(self, entry_id: str) -> None:
        if not entry_id.startswith(SUNG_PREFIX):
            raise NotFound(f"{entry_id!r} is not a sung song")
        self.core.sing_again(int(entry_id.removeprefix(SUNG_PREFIX)))

    def skip(self) -> None:
        self.core.skip()

    def replay(self) -> None:
        self.core.replay()

    def pause(self) -> None:
        self.core.pause()

    def resume(self) -> None:
        self.core.resume()

    def toggle_vocal(self) -> VocalSwitch:
        return self.core.toggle_vocal()

    def change_key(self, delta_semitones: int) -> int:
        current = self.core.view().now_playing
        base = current.key_semitones if current is not None else 0
        return self.core.set_key(base + delta_semitones)

    def change_volume(self, delta_percent: int) -> int:
        volume = self.core.view().volume_percent
        return self.core.set_volume(max(0, min(100, volume + delta_percent)))

    def set_mute(self, muted: bool) -> None:
        self.core.set_mute(muted)

    def effects(self) -> tuple[str, ...]:
        return self.core.effects()

    def play_effect(self, name: str) -> None:
        self.core.play_effect(name)

    def scene(self) -> str:
        plan = self.core.devices_view()
        return plan.scene.value if plan is not None else ""

    def choose_scene(self, scene: str) -> str:
        from room_agent.core.scenes import Scene

        return self.core.choose_scene(Scene(scene)).scene.value

    def call_service(self, kind: str) -> ServiceCall:
        self.core.call_service(kind)
        call = ServiceCall(call_id=f"call-{next(self._call_ids)}", kind=kind)
        with self._lock:
            self._calls.append(call)
        self._tell(Change.SERVICE)
        return call
