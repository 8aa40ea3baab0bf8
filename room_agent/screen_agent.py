"""The full room agent: touchscreen + libVLC player + sensors + agent core + link.

``ktv-agent run`` (without ``--headless``) lands here. The Kivy touchscreen owns the main
thread; the link runs its own asyncio loop on a background thread (it never waits on the
screen, and playback never waits on it). The core is the link's ``CommandHandler`` and uses
the outbox as its ``EventSink``. SIGTERM/SIGINT close the window; everything is then closed
in reverse order.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path

from ktv.errors import InvalidArgument
from ktv.sdnotify import (
    LoopHeartbeat,
    SystemdNotifier,
    ping_watchdog_if_alive,
    watchdog_ping_interval_s,
)
from media_index.catalog import Catalog
from room_agent.agent import RoomAgent, build_agent, prepare_data_dir
from room_agent.config import AgentConfig
from room_agent.core import ports
from room_agent.core.ambience import AmbienceSettings
from room_agent.core.room import RoomCore
from room_agent.devices.health import HealthCounters
from room_agent.devices.kit import RoomDeviceKit
from room_agent.devices.outputs import RoomOutputs
from room_agent.library.song_cache import SongCache, SongCacheSettings
from room_agent.link.front_desk import front_desk_of
from room_agent.lyrics.files import LyricsFiles
from room_agent.player import AudioOutput, OutputKind, VlcPlayer
from room_agent.player.ambience import VlcAmbience, playlist_in, samples_in
from room_agent.player.samples import write_default_samples
from room_agent.room_screens import RoomScreens
from room_agent.sensors.config import SensorConfig
from room_agent.sensors.gpio import open_room_sensors
from room_agent.sensors.pins import room_pin_factory
from room_agent.store.room_store import SqliteRoomStore

log = logging.getLogger(__name__)

ROOM_STORE_FILE = "room.db"
_OUTPUTS = {"dummy": OutputKind.DUMMY, "pulse": OutputKind.PULSE, "alsa": OutputKind.ALSA}


def audio_output(device: str) -> AudioOutput:
    """``agent.toml`` ``audio_device``: "" (ALSA default), "dummy", "pulse[/SINK]",
    "alsa[/DEVICE]" (e.g. ``alsa/hw:CARD=Headphones``)."""
    kind_text, _, name = (device or "alsa").partition("/")
    kind = _OUTPUTS.get(kind_text)
    if kind is None:
        raise InvalidArgument(f"audio_device {device!r}: use dummy, pulse[/SINK] or alsa[/DEVICE]")
    return AudioOutput(kind, device=name)


def open_ambience(
    config: AgentConfig, output: AudioOutput
) -> tuple[VlcAmbience | None, AmbienceSettings]:
    """The atmosphere sounds and 公播 of ``[ambience]`` (docs/ambience.md), or None when off
    or when the output cannot take a second stream (a bare ALSA ``hw:`` device)."""
    amb = config.ambience
    settings = AmbienceSettings(
        background_volume_percent=amb.background_volume_percent,
        effect_min_gap_s=amb.effect_min_gap_s,
        effect_burst=amb.effect_burst,
        effect_window_s=amb.effect_window_s,
    )
    if not amb.enabled or output.kind is OutputKind.DUMMY:
        return None, settings
    if output.kind is OutputKind.ALSA and output.device.startswith(("hw:", "plughw:")):
        log.warning(
            "ambience off: ALSA device %s plays one stream only; use pulse or ALSA's default",
            output.device,
        )
        return None, settings
    if amb.effects_dir is None:
        effects_dir = config.data_dir / "effects"
        write_default_samples(effects_dir)  # only the names the venue has not replaced
    else:
        effects_dir = amb.effects_dir
        if not effects_dir.is_dir():
            raise InvalidArgument(f"ambience.effects_dir {effects_dir}: no such directory")
    background: list[Path] = []
    if amb.background_dir is not None:
        if not amb.background_dir.is_dir():
            raise InvalidArgument(
                f"ambience.background_dir {amb.background_dir}: no such directory"
            )
        background = playlist_in(amb.background_dir)
        if not background:
            log.warning("ambience.background_dir %s: no audio files, no 公播", amb.background_dir)
    return VlcAmbience(output, samples_in(effects_dir), background), settings


class _LinkThread:
    """The link's asyncio loop on its own thread; ``stop()`` ends it from any thread.
    ``heartbeat`` (under a systemd watchdog) is stamped from that loop: the UI's watchdog
    pings check it."""

    def __init__(
        self,
        agent: RoomAgent,
        on_online: Callable[[bool], None],
        heartbeat: LoopHeartbeat | None = None,
    ) -> None:
        self.agent = agent
        self._on_online = on_online
        self.heartbeat = heartbeat
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._main, name="ktv-link", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _main(self) -> None:
        asyncio.run(self._run())

    async def _run(self) -> None:
        self._loop = asyncio.get_running_loop()
        tasks = [asyncio.create_task(self._watch_online())]
        if self.heartbeat is not None:
            tasks.append(asyncio.create_task(self.heartbeat.beat_forever()))
        try:
            await self.agent.run()
        finally:
            for task in tasks:
                task.cancel()

    async def _watch_online(self) -> None:
        online = False
        while True:
            now = self.agent.link.online.is_set()
            if now != online:
                online = now
                self._on_online(online)
            await asyncio.sleep(0.25)

    def stop(self, timeout_s: float = 10.0) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.agent.stop)
        self._thread.join(timeout_s)


def run_room_with_screen(config: AgentConfig, *, windowed: bool = False) -> int:
    """Build every part from ``config``, run the touchscreen until it closes, tear down."""
    output = audio_output(config.audio_device)
    # the pins first: no real pin factory (and no --mock-pins) or a bad output refuses the
    # start before anything else is built
    pin_factory, mocked = room_pin_factory(mock_pins=config.mock_gpio)
    room_outputs = RoomOutputs(config.outputs, pin_factory=pin_factory)
    catalog = Catalog(config.resolved_catalog_path, readonly=True)  # fails before Kivy loads
    prepare_data_dir(config.data_dir)  # Kivy's home lives in it (a fresh room has none yet)
    # Kivy reads these at import: no argv parsing, its files under the agent's data dir
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_HOME", str(config.data_dir / "kivy"))
    level = logging.getLogger().level
    from room_agent.ui.app import TouchscreenConfig, run_touchscreen
    from room_agent.ui.catalog_adapter import CatalogSongSource
    from room_agent.ui.core_adapter import CoreRoomControl, RoomIdentity
    from room_agent.ui.desk import UnavailableFrontDesk
    from room_agent.ui.time_up import attach_time_overlay

    logging.getLogger().setLevel(level)  # Kivy turns the root logger to DEBUG on import

    screens = RoomScreens(config, windowed=windowed)  # the TV, or the video in the app
    player = VlcPlayer(screens.player_config(output, str(config.media_root or "")))
    store = SqliteRoomStore(config.data_dir / ROOM_STORE_FILE)
    # song.lyrics_path under the media root, else the .lrc beside the song: the core's lyrics
    # clock and the TV's karaoke subtitles read the same lyrics
    lyrics = LyricsFiles(config.media_root or "")
    ambience, ambience_settings = open_ambience(config, output)
    parts: dict[str, object] = {}

    cache = None
    if config.song_cache.max_mb > 0:  # queued songs copied off the NAS (docs/catalog.md)
        cache = SongCache(
            SongCacheSettings(
                config.resolved_song_cache_dir,
                max_bytes=config.song_cache.max_mb * 1024 * 1024,
                min_free_bytes=config.song_cache.min_free_mb * 1024 * 1024,
            ),
            config.media_root,
            catalog.get,
        )

    def make_room(cfg: AgentConfig, sink: ports.EventSink) -> ports.CommandHandler:
        songs = cache.lookup if cache is not None else catalog.get
        core = RoomCore(
            player,
            sink,
            songs,
            store=store,
            lyrics=lyrics,
            time_policy=cfg.prepaid,
            ambience=ambience,
            ambience_settings=ambience_settings,
            outputs=room_outputs,
            idle_off_after_s=cfg.idle_off_minutes * 60,
        )
        if cache is not None:
            core.subscribe(cache.on_core_event)
        parts["core"] = core
        return core

    agent = build_agent(config, make_room=make_room)
    core: RoomCore = parts["core"]  # type: ignore[assignment]
    screens.attach(player, core, lyrics)  # before any song: TV lyrics + notices, or video here
    counters = HealthCounters()
    sensors, _ = open_room_sensors(
        SensorConfig.from_agent_config(config.gpio),
        core,
        pin_factory=pin_factory,
        counters=counters,
    )
    core.report_pins(mocked, type(pin_factory).__name__)
    kit = RoomDeviceKit(config, core.report_up, room_outputs, pin_factory, counters)
    core.subscribe(kit.on_core)
    control = CoreRoomControl(core, RoomIdentity(config.room), catalog.get, online=False)
    grpc_desk = front_desk_of(
        config.room,
        config.data_dir,
        address=lambda: agent.link.address or config.controller,
        agent_port=config.controller_agent_port,
    )
    desk = grpc_desk if grpc_desk is not None else UnavailableFrontDesk()
    watchdog_s = watchdog_ping_interval_s()
    # a link loop silent for a whole ping interval (a freeze) stops the UI's pings too
    link_beat = LoopHeartbeat(max_silence_s=watchdog_s) if watchdog_s else None
    link = _LinkThread(agent, control.set_online, link_beat)
    systemd = SystemdNotifier()
    try:
        core.start()
        kit.health.report_now()
        kit.start()
        _count_taps(counters)
        link.start()
        _stop_window_on_signals(systemd)
        _notify_systemd_from_the_ui_clock(systemd, config.room, watchdog_s, link_beat)
        _rotate_screen(config.screen_rotation)
        attach_time_overlay(core, desk)  # prepaid time: badge, warnings, 到钟 screen
        log.info("room %s: touchscreen up (GPIO %s)", config.room, "mock" if mocked else "real")
        run_touchscreen(
            control,
            CatalogSongSource(catalog),
            desk,
            TouchscreenConfig(
                fullscreen=not windowed, data_dir=Path(config.data_dir), video=screens.video
            ),
        )
    finally:
        systemd.close()
        screens.close()
        link.stop()
        if grpc_desk is not None:
            grpc_desk.close()
        kit.close()
        sensors.close()
        core.close()
        if ambience is not None:
            ambience.close()
        room_outputs.close()
        if cache is not None:
            cache.close()
        player.close()
        agent.close()
        store.close()
        catalog.close()
    return 0


def _notify_systemd_from_the_ui_clock(
    systemd: SystemdNotifier,
    room: str,
    interval_s: float | None,
    link_loop: LoopHeartbeat | None,
) -> None:
    """READY once the first frame is drawn; watchdog pings from the Kivy clock while the
    link's loop beats too, so a frozen screen or a frozen link stops them and systemd
    restarts the agent (a frozen link alone left the room offline until someone killed it)."""
    from kivy.clock import Clock

    Clock.schedule_once(lambda dt: systemd.ready(status=f"room {room}: touchscreen up"), 0)
    if interval_s and link_loop is not None:
        Clock.schedule_interval(lambda dt: ping_watchdog_if_alive(systemd, link_loop), interval_s)


def _count_taps(counters: HealthCounters) -> None:
    """Every touch on the screen counts (device health: a touchscreen nobody can tap)."""
    from kivy.clock import Clock

    def bind(dt: float) -> None:  # once the window exists, as the rotation does
        from kivy.core.window import Window

        Window.bind(on_touch_down=lambda *_: counters.bump("taps"))

    Clock.schedule_once(bind, 0)


def _rotate_screen(degrees: int) -> None:
    """``screen_rotation`` from agent.toml, applied to the window once it exists."""
    if not degrees:
        return
    from kivy.clock import Clock

    def rotate(dt: float) -> None:
        from kivy.core.window import Window

        Window.rotation = degrees

    Clock.schedule_once(rotate, 0)


def _stop_window_on_signals(systemd: SystemdNotifier) -> None:
    def stop(signum: int, frame: object) -> None:
        from kivy.app import App
        from kivy.clock import Clock

        log.info("%s: closing the touchscreen", signal.Signals(signum).name)
        systemd.stopping()
        app = App.get_running_app()
        if app is not None:
            Clock.schedule_once(lambda dt: app.stop(), 0)

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, stop)
