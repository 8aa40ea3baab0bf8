"""Headless rooms that run the real agent core: ``ktv-agent run --headless --core-player P``.

Each room gets a real ``RoomCore`` (queue, session, emergency, presence, play records) with
its own ``SqliteRoomStore`` under ``DATA_DIR/<room>/``, sensors on gpiozero's
``MockFactory`` pins, the read-only song catalog, and a player:

* ``vlc``: the real ``VlcPlayer`` with its PCM captured in memory (no sound card needed), so
  a pause is proven by the audio stopping, not by a method call;
* ``pulse``: the real ``VlcPlayer`` playing to PulseAudio (``audio_device = "pulse/SINK"``),
  so a test can listen to the sink's monitor;
* ``recording``: ``RecordingPlayer`` (the core's test instrument), cheap enough for dozens
  of rooms in one process.

Every player call that starts or stops sound is appended to ``DATA_DIR/<room>/player-
journal.jsonl`` with its wall-clock time (``time.time()``), and, for ``vlc``, once the PCM
has stopped after a pause (``pcm_stopped``): when the last buffer arrived and where the
captured audio ends by libVLC's presentation times (amem has no audio server that would
cork the stream at the pause, so that end includes libVLC's decode-ahead). Load tests and
end-to-end tests read that journal to measure e.g. emergency stop latency per room.
"""

from __future__ import annotations

import enum
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from media_index.catalog import Catalog
from media_index.model import Song
from room_agent.config import AgentConfig
from room_agent.core import ports
from room_agent.core.instruments import RecordingPlayer
from room_agent.core.room import RoomCore
from room_agent.devices.health import HealthCounters
from room_agent.devices.kit import RoomDeviceKit
from room_agent.devices.outputs import RoomOutputs
from room_agent.library.song_cache import SongCache, SongCacheSettings
from room_agent.lyrics.lrc import load_lrc
from room_agent.sensors.config import SensorConfig
from room_agent.sensors.gpio import RoomSensors, open_room_sensors
from room_agent.sensors.pins import room_pin_factory
from room_agent.store.room_store import SqliteRoomStore

log = logging.getLogger(__name__)

JOURNAL_FILE = "player-journal.jsonl"
ROOM_STORE_FILE = "room.db"
PCM_QUIET_MS = 300  # no PCM for this long after a pause: the audio has stopped


class PlayerKind(enum.Enum):
    VLC = "vlc"  # libVLC, PCM captured in memory (amem)
    PULSE = "pulse"  # libVLC to the PulseAudio server of the environment (agent.toml's sink)
    RECORDING = "recording"


class PlayerJournal:
    """Appends one JSON line per event to the room's journal (thread-safe, flushed)."""

    def __init__(self, path: Path, room_id: str) -> None:
        self.room_id = room_id
        self._lock = threading.Lock()
        self._file = path.open("a", encoding="utf-8")

    def write(self, event: str, at: float | None = None, **fields: object) -> None:
        line = {"room": self.room_id, "event": event, "t": at or time.time(), **fields}
        with self._lock:
            if not self._file.closed:
                self._file.write(json.dumps(line, ensure_ascii=False) + "\n")
                self._file.flush()

    def close(self) -> None:
        with self._lock:
            self._file.close()


class PcmClock:
    """A ``PcmCapture`` that keeps when the captured audio is heard until.

    libVLC stamps each buffer with its presentation time on the ``time.monotonic()`` clock;
    a buffer is heard until ``pts + its length``, and a flush at ``pts`` cuts off what was
    due after it (what an audio server would do with audio already handed to it)."""

    BYTES_PER_S = 44_100 * 4  # S16 stereo at 44.1 kHz

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.last_arrival_s = 0.0  # monotonic instant the last buffer arrived
        self.heard_until_s = 0.0  # monotonic instant the captured audio ends
        self.buffers = 0

    def write(self, deck: str, pts_us: int, pcm: bytes) -> None:
        if deck != "main":
            return
        with self._lock:
            self.last_arrival_s = time.monotonic()
            self.heard_until_s = max(self.heard_until_s, pts_us / 1e6 + len(pcm) / self.BYTES_PER_S)
            self.buffers += 1

    def flush(self, deck: str, pts_us: int) -> None:
        if deck == "main":
            with self._lock:
                self.heard_until_s = min(self.heard_until_s, pts_us / 1e6)

    def volume(self, deck: str, at_us: int, volume: float, muted: bool) -> None:
        pass

    def wait_quiet(self, quiet_s: float, timeout_s: float = 5.0) -> tuple[float, float]:
        """Wait until no PCM arrived for ``quiet_s``; return (wall clock) when the last buffer
        arrived and when the captured audio ends by its presentation times."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if time.monotonic() - self.last_arrival_s >= quiet_s:
                break
            time.sleep(0.02)
        to_wall = time.time() - time.monotonic()
        with self._lock:
            return self.last_arrival_s + to_wall, self.heard_until_s + to_wall


class JournaledPlayer:
    """A ``Player`` that forwards every call and journals play/pause/resume/stop."""

    def __init__(self, inner: ports.Player, journal: PlayerJournal, pcm: PcmClock | None) -> None:
        self._inner = inner
        self._journal = journal
        self._pcm = pcm

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    def play(self, song: Song, *, start_ms: int = 0, key_semitones: int = 0) -> None:
        self._inner.play(song, start_ms=start_ms, key_semitones=key_semitones)
        self._journal.write("play", song_id=song.song_id, path=song.path)

    def pause(self) -> None:
        self._inner.pause()
        at = time.time()
        self._journal.write("pause", at, state=self._inner.status().state.name)
        if self._pcm is not None:
            pcm = self._pcm
            threading.Thread(target=self._journal_pcm_stop, args=(pcm, at), daemon=True).start()

    def _journal_pcm_stop(self, pcm: PcmClock, paused_at: float) -> None:
        arrived, ends = pcm.wait_quiet(PCM_QUIET_MS / 1000)
        self._journal.write(
            "pcm_stopped",
            arrived,  # t: the last buffer libVLC handed over (it decodes ahead of the clock)
            captured_until=ends,  # where that audio ends on the presentation clock
            after_pause_ms=round((arrived - paused_at) * 1000),
        )

    def resume(self) -> None:
        self._inner.resume()
        self._journal.write("resume", state=self._inner.status().state.name)

    def stop(self) -> None:
        self._inner.stop()
        self._journal.write("stop")


@dataclass
class CoreRoom:
    """The parts of one headless room that runs the real core."""

    room_id: str
    core: RoomCore
    sensors: RoomSensors
    player: ports.Player
    raw_player: object
    store: SqliteRoomStore
    journal: PlayerJournal
    pcm: PcmClock | None
    outputs: RoomOutputs
    pin_factory: object  # the room's own MockFactory: tests read its pins' histories
    kit: RoomDeviceKit  # the meter and the health reports
    catalog: Catalog | None = None  # the room's read-only catalog (the touchscreen's search)
    cache: SongCache | None = None  # queued songs copied to the room's disk

    def close(self) -> None:
        self.kit.close()
        self.sensors.close()
        self.core.close()
        self.outputs.close()
        if self.cache is not None:
            self.cache.close()
        close = getattr(self.raw_player, "close", None)
        if close is not None:
            close()
        self.store.close()
        self.journal.close()


def _lyrics(song: Song):  # type: ignore[no-untyped-def]
    return load_lrc(song.lyrics_path) if song.lyrics_path else None


def song_cache_for(config: AgentConfig, catalog: Catalog) -> SongCache | None:
    """The room's song cache from ``[song_cache]`` (None when max_mb is 0)."""
    if config.song_cache.max_mb <= 0:
        return None
    settings = SongCacheSettings(
        config.resolved_song_cache_dir,
        max_bytes=config.song_cache.max_mb * 1024 * 1024,
        min_free_bytes=config.song_cache.min_free_mb * 1024 * 1024,
    )
    return SongCache(settings, config.media_root, catalog.get)


class CoreRooms:
    """Builds a ``CoreRoom`` per agent (``make_room``) and closes them all at the end."""

    def __init__(
        self,
        kind: PlayerKind,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        utcnow: Callable[[], datetime] | None = None,
    ) -> None:
        self.kind = kind
        self._clocks: dict[str, object] = {"monotonic": monotonic}  # tests: a simulated day
        if utcnow is not None:
            self._clocks["utcnow"] = utcnow
        self.rooms: dict[str, CoreRoom] = {}
        self._catalogs: dict[Path, Catalog] = {}

    def _catalog(self, path: Path) -> Catalog:
        if path not in self._catalogs:
            self._catalogs[path] = Catalog(str(path), readonly=True)
        return self._catalogs[path]

    def _player(self, config: AgentConfig) -> tuple[object, PcmClock | None]:
        if self.kind is PlayerKind.RECORDING:
            return RecordingPlayer(), None
        from room_agent.player import AudioOutput, OutputKind, PlayerConfig, VlcPlayer

        if self.kind is PlayerKind.PULSE:
            sink = config.audio_device.partition("/")[2] if config.audio_device else ""
            pulse = PlayerConfig(
                audio=AudioOutput(OutputKind.PULSE, device=sink),
                media_root=str(config.media_root or ""),
                shadow_enabled=False,
            )
            return VlcPlayer(pulse), None
        pcm = PcmClock()
        player = VlcPlayer(
            PlayerConfig(
                audio=AudioOutput(OutputKind.CAPTURE, capture=pcm),
                media_root=str(config.media_root or ""),
                shadow_enabled=False,
            )
        )
        return player, pcm

    def make_room(self, config: AgentConfig, sink: ports.EventSink) -> ports.CommandHandler:
        catalog = self._catalog(config.resolved_catalog_path)
        raw_player, pcm = self._player(config)
        journal = PlayerJournal(config.data_dir / JOURNAL_FILE, config.room)
        player = JournaledPlayer(raw_player, journal, pcm)  # type: ignore[arg-type]
        sensor_config = SensorConfig.from_agent_config(config.gpio)
        store = SqliteRoomStore(config.data_dir / ROOM_STORE_FILE)
        pin_factory, _ = room_pin_factory(mock_pins=True)  # each room its own mock header
        outputs = RoomOutputs(config.outputs, pin_factory=pin_factory)
        cache = song_cache_for(config, catalog)
        core = RoomCore(
            player,  # type: ignore[arg-type]
            sink,
            cache.lookup if cache is not None else catalog.get,
            store=store,
            lyrics=_lyrics,
            presence=sensor_config.presence_timeouts(),
            door_debounce_ms=sensor_config.door_debounce_ms,
            outputs=outputs,
            idle_off_after_s=config.idle_off_minutes * 60,
            **self._clocks,  # type: ignore[arg-type]
        )
        if cache is not None:
            core.subscribe(cache.on_core_event)
        core.start()
        counters = HealthCounters()
        sensors, _ = open_room_sensors(
            sensor_config, core, pin_factory=pin_factory, counters=counters
        )
        core.report_pins(True, type(pin_factory).__name__)
        kit = RoomDeviceKit(config, core.report_up, outputs, pin_factory, counters)
        core.subscribe(kit.on_core)
        kit.health.report_now()
        kit.start()
        self.rooms[config.room] = CoreRoom(
            config.room,
            core,
            sensors,
            player,
            raw_player,
            store,
            journal,
            pcm,  # type: ignore[arg-type]
            outputs,
            pin_factory,
            kit,
            catalog,
            cache,
        )
        log.info("room %s: real core, %s player, mock GPIO", config.room, self.kind.value)
        return core

    def close(self) -> None:
        for room in self.rooms.values():
            try:
                room.close()
            except Exception:
                log.exception("room %s did not close cleanly", room.room_id)
        self.rooms.clear()
        for catalog in self._catalogs.values():
            catalog.close()
        self._catalogs.clear()
