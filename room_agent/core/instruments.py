"""Test instruments for the core's ports, in the spirit of gpiozero's MockPin: stand-ins that
record every call with a timestamp so tests (and demos without libVLC or a controller) can
assert on what the core did. Not mocks: they keep real state (position advances with the
clock, a paused song stays put, a song ends when told)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ktv.errors import NotFound, Unsupported
from media_index.model import Song, VocalMode
from room_agent.core.ports import PlayerState, PlayerStatus, RoomEvent, VocalSwitch


class ManualClock:
    """A monotonic clock (seconds) and a UTC clock that only move when told to."""

    def __init__(self, start_s: float = 1000.0) -> None:
        self.now_s = start_s
        self._utc0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
        self._start_s = start_s

    def __call__(self) -> float:
        return self.now_s

    def advance(self, seconds: float) -> None:
        self.now_s += seconds

    def utcnow(self) -> datetime:
        return self._utc0 + timedelta(seconds=self.now_s - self._start_s)


@dataclass(frozen=True)
class PlayerCall:
    at_s: float
    name: str
    args: tuple[object, ...]
    thread: str = ""  # the thread that called: the core must not call from libVLC's


class RecordingPlayer:
    """A ``Player`` whose position follows ``monotonic``; ``finish()`` and ``fail()`` fire the
    callbacks the way libVLC would (from the calling thread)."""

    def __init__(
        self,
        monotonic: Callable[[], float] = time.monotonic,
        *,
        key_supported: bool = True,
        unplayable_paths: frozenset[str] = frozenset(),
    ) -> None:
        self._now_s = monotonic
        self.key_supported = key_supported
        self.unplayable_paths = set(unplayable_paths)
        self.calls: list[PlayerCall] = []
        self._lock = threading.Lock()
        self._ended: list[Callable[[str], None]] = []
        self._failed: list[Callable[[str, str], None]] = []
        self.song: Song | None = None
        self.state = PlayerState.STOPPED
        self._base_ms = 0
        self._since_s: float | None = None
        self.vocal = VocalSwitch.UNAVAILABLE
        self.key = 0
        self.volume = 100
        self.muted = False
        self.closed = False

    def _record(self, name: str, *args: object) -> None:
        with self._lock:
            call = PlayerCall(self._now_s(), name, args, threading.current_thread().name)
            self.calls.append(call)

    def names(self) -> list[str]:
        return [call.name for call in self.calls]

    # --- the Player port ---------------------------------------------------------------
    def play(self, song: Song, *, start_ms: int = 0, key_semitones: int = 0) -> None:
        self._record("play", song.song_id, start_ms, key_semitones)
        self.song = song
        self.key = key_semitones
        self.vocal = (
            VocalSwitch.UNAVAILABLE
            if song.vocal_mode is VocalMode.NONE
            else VocalSwitch.ACCOMPANIMENT
        )
        if song.path in self.unplayable_paths:
            self.state = PlayerState.STOPPED
            for callback in list(self._failed):
                callback(song.song_id, f"cannot open {song.path}")
            return
        self._base_ms = start_ms
        self._since_s = self._now_s()
        self.state = PlayerState.PLAYING

    def pause(self) -> None:
        self._record("pause")
        if self.state is PlayerState.PLAYING:
            self._base_ms = self.position_ms()
            self._since_s = None
            self.state = PlayerState.PAUSED

    def resume(self) -> None:
        self._record("resume")
        if self.state is PlayerState.PAUSED:
            self._since_s = self._now_s()
            self.state = PlayerState.PLAYING

    def stop(self) -> None:
        self._record("stop")
        self.state = PlayerState.STOPPED
        self._since_s = None

    def seek(self, position_ms: int) -> None:
        self._record("seek", position_ms)
        self._base_ms = position_ms
        if self._since_s is not None:
            self._since_s = self._now_s()

    def set_vocal(self, vocal: VocalSwitch) -> VocalSwitch:
        self._record("set_vocal", vocal)
        if self.vocal is not VocalSwitch.UNAVAILABLE:
            self.vocal = vocal
        return self.vocal

    def set_key(self, semitones: int) -> int:
        self._record("set_key", semitones)
        if not self.key_supported:
            raise Unsupported("key change is not available on this player")
        self.key = semitones
        return semitones

    def set_volume(self, percent: int) -> None:
        self._record("set_volume", percent)
        self.volume = percent

    def set_mute(self, muted: bool) -> None:
        self._record("set_mute", muted)
        self.muted = muted

    def position_ms(self) -> int:
        if self._since_s is None:
            return self._base_ms
        return self._base_ms + round((self._now_s() - self._since_s) * 1000)

    def status(self) -> PlayerStatus:
        return PlayerStatus(
            state=self.state,
            song_id=self.song.song_id if self.song else None,
            position_ms=self.position_ms() if self.state is not PlayerState.STOPPED else 0,
            duration_ms=self.song.duration_ms if self.song else 0,
            vocal=self.vocal,
            key_semitones=self.key,
            key_supported=self.key_supported,
            volume_percent=self.volume,
            muted=self.muted,
        )

    def on_end(self, callback: Callable[[str], None]) -> None:
        self._ended.append(callback)

    def on_error(self, callback: Callable[[str, str], None]) -> None:
        self._failed.append(callback)

    def close(self) -> None:
        self.closed = True

    # --- what a test does to it ------------------------------------------------------
    def finish(self) -> None:
        """The song plays to its end."""
        assert self.song is not None, "nothing is playing"
        self.state = PlayerState.STOPPED
        for callback in list(self._ended):
            callback(self.song.song_id)

    def fail(self, message: str = "decoder error") -> None:
        assert self.song is not None, "nothing is playing"
        self.state = PlayerState.STOPPED
        for callback in list(self._failed):
            callback(self.song.song_id, message)


@dataclass(frozen=True)
class EmittedEvent:
    event: RoomEvent
    occurred_at: datetime
    event_id: str


class RecordingSink:
    """An ``EventSink`` that keeps what it was given, in order."""

    def __init__(self) -> None:
        self.emitted: list[EmittedEvent] = []
        self._lock = threading.Lock()

    def emit(self, event: RoomEvent, occurred_at: datetime) -> str:
        with self._lock:
            event_id = f"evt-{len(self.emitted) + 1}"
            self.emitted.append(EmittedEvent(event, occurred_at, event_id))
            return event_id

    def events(self, kind: type | None = None) -> list[RoomEvent]:
        with self._lock:
            return [e.event for e in self.emitted if kind is None or isinstance(e.event, kind)]


class SongShelf:
    """A ``SongLookup`` over a fixed set of songs (the catalog's ``get`` in tests)."""

    def __init__(self, songs: list[Song] | tuple[Song, ...] = ()) -> None:
        self._songs = {song.song_id: song for song in songs}

    def __call__(self, song_id: str) -> Song:
        try:
            return self._songs[song_id]
        except KeyError:
            raise NotFound(f"song {song_id!r} is not in the catalog") from None

    def add(self, song: Song) -> None:
        self._songs[song.song_id] = song
