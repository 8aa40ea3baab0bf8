"""What the core tells its subscribers (the touchscreen, the TV overlay, logs).

mopidy-style: one typed event per change, each with a ``name`` (``song_started``,
``queue_changed``...). Listeners are called on whichever thread made the change, while the
core holds its lock: they must return quickly and never block (Kivy: ``Clock.schedule_once``).
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from room_agent.core.ports import PlayerState, PlayOutcome, VocalSwitch
from room_agent.core.queue import QueuedSong, SungSong
from room_agent.core.scenes import Scene
from room_agent.core.time_left import TimeLeft
from room_agent.lyrics.clock import LyricMoment

log = logging.getLogger(__name__)


class RoomScreen(enum.Enum):
    """What the touchscreen shows as a whole."""

    LOCKED = "locked"  # no session: the "please see the front desk" screen
    OPEN = "open"  # a session is open: ordering and singing
    CLEANING = "cleaning"
    MAINTENANCE = "maintenance"
    EMERGENCY = "emergency"  # evacuation message over everything
    TIME_UP = "time_up"  # 到钟: prepaid time ran out; extend options, the queue kept


@dataclass(frozen=True)
class SongStarted:
    name: ClassVar[str] = "song_started"
    entry: QueuedSong
    key_semitones: int
    position_ms: int = 0  # > 0 when resumed after a restart
    replay: bool = False  # 重唱: the same song from the top


@dataclass(frozen=True)
class SongEnded:
    name: ClassVar[str] = "song_ended"
    entry: QueuedSong
    outcome: PlayOutcome
    played_ms: int
    error: str = ""


@dataclass(frozen=True)
class QueueChanged:
    name: ClassVar[str] = "queue_changed"
    queue: tuple[QueuedSong, ...]
    sung: tuple[SungSong, ...]


@dataclass(frozen=True)
class PlaybackChanged:
    name: ClassVar[str] = "playback_changed"
    state: PlayerState


@dataclass(frozen=True)
class VocalChanged:
    name: ClassVar[str] = "vocal_changed"
    vocal: VocalSwitch


@dataclass(frozen=True)
class KeyChanged:
    name: ClassVar[str] = "key_changed"
    song_id: str
    semitones: int


@dataclass(frozen=True)
class VolumeChanged:
    name: ClassVar[str] = "volume_changed"
    percent: int
    muted: bool
    cap_percent: int


@dataclass(frozen=True)
class LyricsLine:
    name: ClassVar[str] = "lyrics_line"
    moment: LyricMoment


@dataclass(frozen=True)
class ScreenChanged:
    """Lock/unlock, cleaning, maintenance, emergency: ``locked`` is True unless OPEN."""

    name: ClassVar[str] = "locked"
    screen: RoomScreen
    locked: bool


@dataclass(frozen=True)
class EmergencyChanged:
    name: ClassVar[str] = "emergency"
    active: bool
    message: str


@dataclass(frozen=True)
class MessageChanged:
    """A message to show (text) or to take down (text == "")."""

    name: ClassVar[str] = "message"
    text: str


@dataclass(frozen=True)
class GuestUrlChanged:
    """The URL the room's QR code shows for guests' phones changed ("" : none)."""

    name: ClassVar[str] = "guest_url"
    url: str


@dataclass(frozen=True)
class ServiceAnswered:
    """The front desk acknowledged the room's service call: staff are on the way."""

    name: ClassVar[str] = "service_answered"
    staff: str
    call_kind: str


@dataclass(frozen=True)
class TimeLeftChanged:
    """The badge changed (a minute passed, a phase changed, a new end time)."""

    name: ClassVar[str] = "time_left"
    time_left: TimeLeft


@dataclass(frozen=True)
class TimeWarning:
    """N minutes left: both screens show it over whatever is on; the song goes on."""

    name: ClassVar[str] = "time_warning"
    minutes: int
    ends_at: datetime


@dataclass(frozen=True)
class TimeUpChanged:
    """到钟 (up=True): the song fades out and the time-up screen replaces the queue;
    up=False after an extension."""

    name: ClassVar[str] = "time_up"
    up: bool
    ends_at: datetime | None


@dataclass(frozen=True)
class SensorChanged:
    name: ClassVar[str] = "sensor_changed"
    door_open: bool
    present: bool


@dataclass(frozen=True)
class EffectPlayed:
    """An atmosphere sound (掌声, 欢呼...) started over the song."""

    name: ClassVar[str] = "effect_played"
    effect: str


@dataclass(frozen=True)
class AmbienceChanged:
    """公播 (the venue's background playlist) started (on=True) or stopped."""

    name: ClassVar[str] = "ambience_changed"
    background_on: bool


@dataclass(frozen=True)
class ScenesChanged:
    """The room's scene or power switched (lights, relays): the touchscreen shows the scene."""

    name: ClassVar[str] = "scene_changed"
    scene: Scene
    power_on: bool
    reason: str


CoreEvent = (
    SongStarted
    | SongEnded
    | QueueChanged
    | PlaybackChanged
    | VocalChanged
    | KeyChanged
    | VolumeChanged
    | LyricsLine
    | ScreenChanged
    | EmergencyChanged
    | MessageChanged
    | GuestUrlChanged
    | SensorChanged
    | ServiceAnswered
    | TimeLeftChanged
    | TimeWarning
    | TimeUpChanged
    | EffectPlayed
    | AmbienceChanged
    | ScenesChanged
)

Listener = Callable[[CoreEvent], None]


class Subscribers:
    """The core's listeners; a listener that raises is logged, never breaks the core."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def add(self, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def send(self, event: CoreEvent) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:
                log.exception("listener %r failed on %s", listener, event.name)
