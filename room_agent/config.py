"""The room agent's configuration: ``/etc/ktv/agent.toml`` (or ``--config PATH``) + CLI flags.

Every problem is reported as one ``InvalidArgument`` line naming the file and the key, so
``ktv-agent`` can print it and exit non-zero. Flags given on the command line win over the
file; the file wins over the defaults.

Example::

    room = "A08"
    controller = "192.168.10.2:50051"   # optional: else zeroconf _ktv._tcp
    controller_agent_port = 50052        # TLS venue with an explicit controller (default +1)
    data_dir = "/var/lib/ktv-agent"
    media_root = "/srv/ktv/songs"
    audio_device = "alsa/hw:CARD=Headphones"
    screen_rotation = 0
    layout = "two_screens"               # or "single_screen": the video behind the lyrics
    tv_video_output = "any"              # libVLC --vout for the TV (two_screens)
    tv_display = ""                      # X11 display of the TV, e.g. ":0.1" ("" = $DISPLAY)
    tv_backdrop = "/srv/ktv/backdrop.mp4" # optional: under audio-only songs on the TV

    [gpio]
    door_pin = 17
    door_open_level = "high"
    presence_pin = 27

    [prepaid]                 # prepaid time (买钟): see docs/prepaid-time.md
    warn_at_minutes = [10, 5]
    grace_s = 0               # keep singing this long past the end (0: stop on time)
    fade_ms = 3000
"""

from __future__ import annotations

import enum
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from ktv.errors import InvalidArgument
from room_agent.core.time_left import TimePolicy, parse_prepaid
from room_agent.link import settings as link_settings
from room_agent.link.discovery import ControllerAddress, parse_host_port

DEFAULT_CONFIG_PATH = Path("/etc/ktv/agent.toml")
DEFAULT_DATA_DIR = Path("/var/lib/ktv-agent")
ROOM_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
BCM_PINS = range(0, 28)  # the Pi header's BCM GPIO numbers
ROTATIONS = (0, 90, 180, 270)
LEVELS = ("high", "low")


class ScreenLayout(enum.Enum):
    """A room's screens (docs/tv.md)."""

    TWO_SCREENS = "two_screens"  # TV: video + lyrics + notices by libVLC; touchscreen: ordering
    SINGLE_SCREEN = "single_screen"  # the touchscreen's now-playing view shows the video


@dataclass(frozen=True)
class GpioConfig:
    """Sensor wiring and timing; the agent core builds its gpiozero devices from this."""

    door_pin: int = 17  # BCM number of the door reed switch
    door_open_level: str = "high"  # pin level that means "door open" (polarity)
    door_debounce_ms: int = 50
    presence_pin: int = 27  # BCM number of the IR/PIR presence sensor
    presence_active_level: str = "high"  # pin level that means "motion"
    presence_sample_rate_hz: int = 100  # fast enough not to miss short pulses
    presence_hold_s: int = 300  # no motion for this long (door shut) -> nobody present


@dataclass(frozen=True)
class SongCacheConfig:
    """``[song_cache]``: queued songs copied from the NAS to the room's disk (max_mb 0: off)."""

    dir: Path | None = None  # default DATA_DIR/song-cache
    max_mb: int = 0  # the cache's size bound in MiB; 0 turns the cache off
    min_free_mb: int = 1024  # never leave the disk with less free than this
    hot_songs: int = 100  # `ktv-agent cache hot` copies this many of the 7-day chart


@dataclass(frozen=True)
class AgentConfig:
    room: str
    data_dir: Path = DEFAULT_DATA_DIR
    controller: ControllerAddress | None = None  # None: discover by zeroconf
    controller_agent_port: int = 0  # TLS venue: the mutual-TLS link port (0: TXT or port + 1)
    venue_id: str = ""  # only use a controller of this venue ("" = any)
    mdns_interfaces: tuple[str, ...] = ()  # () = all; tests use ("127.0.0.1",)
    media_root: Path | None = None
    catalog_path: Path | None = None  # default DATA_DIR/catalog.db
    audio_device: str = ""  # "" = the system default output
    screen_rotation: int = 0
    layout: ScreenLayout = ScreenLayout.TWO_SCREENS
    tv_video_output: str = "any"  # libVLC's --vout for the TV ("any": libVLC chooses)
    tv_display: str = ""  # X11 display of the TV, e.g. ":0.1" ("" = $DISPLAY)
    tv_backdrop: Path | None = None  # video under audio-only songs (None: made in data_dir)
    mock_gpio: bool = False
    headless: bool = False
    heartbeat_interval_s: float = link_settings.heartbeat_interval_s
    gpio: GpioConfig = field(default_factory=GpioConfig)
    prepaid: TimePolicy = field(default_factory=TimePolicy)
    song_cache: SongCacheConfig = field(default_factory=SongCacheConfig)

    @property
    def resolved_catalog_path(self) -> Path:
        return self.catalog_path or self.data_dir / "catalog.db"

    @property
    def resolved_song_cache_dir(self) -> Path:
        return self.song_cache.dir or self.data_dir / "song-cache"


_TOP_KEYS = {f.name for f in fields(AgentConfig)} - {"gpio", "headless", "prepaid", "song_cache"}
_CACHE_KEYS = {f.name for f in fields(SongCacheConfig)}
_GPIO_KEYS = {f.name for f in fields(GpioConfig)}


def check_room_id(room: str, *, where: str = "room") -> str:
    value = room.strip()
    if value.startswith("rooms/"):
        value = value.removeprefix("rooms/")
    if not ROOM_ID.match(value):
        raise InvalidArgument(
            f"{where}: {room!r} is not a room id (letters, digits, - or _, e.g. A08)"
        )
    return value


def _expect(where: str, value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    # TOML true/false are Python bools, and bool is an int: refuse them where a number is due
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        raise InvalidArgument(f"{where}: must be {what}, got {value!r}")
    return value


def _parse_gpio(raw: Mapping[str, Any], src: str) -> GpioConfig:
    unknown = set(raw) - _GPIO_KEYS
    if unknown:
        raise InvalidArgument(f"{src}: unknown key gpio.{sorted(unknown)[0]}")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        where = f"{src}: gpio.{key}"
        if key.endswith("_level"):
            if value not in LEVELS:
                raise InvalidArgument(f'{where}: must be "high" or "low", got {value!r}')
        else:
            _expect(where, value, int, "a whole number")
            if key.endswith("_pin") and value not in BCM_PINS:
                raise InvalidArgument(f"{where}: BCM pin must be 0-27, got {value}")
            if not key.endswith("_pin") and value <= 0:
                raise InvalidArgument(f"{where}: must be positive, got {value}")
        values[key] = value
    gpio = GpioConfig(**values)
    if gpio.door_pin == gpio.presence_pin:
        raise InvalidArgument(
            f"{src}: gpio.door_pin and gpio.presence_pin are both {gpio.door_pin}"
        )
    return gpio


def _parse_song_cache(raw: Mapping[str, Any], src: str) -> SongCacheConfig:
    unknown = set(raw) - _CACHE_KEYS
    if unknown:
        raise InvalidArgument(f"{src}: unknown key song_cache.{sorted(unknown)[0]}")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        where = f"{src}: song_cache.{key}"
        if key == "dir":
            text = _expect(where, value, str, "a path")
            if not text:
                raise InvalidArgument(f"{where}: must not be empty")
            values[key] = Path(text).expanduser()
        else:
            if not 0 <= _expect(where, value, int, "a whole number") <= 1 << 30:
                raise InvalidArgument(f"{where}: must be 0 or more, got {value}")
            values[key] = value
    return SongCacheConfig(**values)


def _parse(raw: Mapping[str, Any], src: str, base: AgentConfig) -> AgentConfig:
    unknown = set(raw) - _TOP_KEYS - {"gpio", "prepaid", "song_cache"}
    if unknown:
        raise InvalidArgument(f"{src}: unknown key {sorted(unknown)[0]!r}")
    changes: dict[str, Any] = {}
    for key, value in raw.items():
        where = f"{src}: {key}"
        if key == "room":
            changes[key] = check_room_id(_expect(where, value, str, "a string"), where=where)
        elif key == "controller":
            text = _expect(where, value, str, 'a "host:port" string')
            try:
                changes[key] = parse_host_port(text) if text else None
            except InvalidArgument as exc:
                raise InvalidArgument(f"{where}: {exc.message}") from None
        elif key in ("data_dir", "media_root", "catalog_path", "tv_backdrop"):
            text = _expect(where, value, str, "a path")
            if not text:
                raise InvalidArgument(f"{where}: must not be empty")
            changes[key] = Path(text).expanduser()
        elif key == "layout":
            choices = [layout.value for layout in ScreenLayout]
            if value not in choices:
                raise InvalidArgument(
                    f"{where}: must be one of {', '.join(choices)}, got {value!r}"
                )
            changes[key] = ScreenLayout(value)
        elif key == "tv_video_output":
            text = _expect(where, value, str, "a libVLC video output name")
            if not re.fullmatch(r"[a-z0-9_]+", text):
                raise InvalidArgument(f'{where}: must be a libVLC video output name, e.g. "any"')
            changes[key] = text
        elif key in ("venue_id", "audio_device", "tv_display"):
            changes[key] = _expect(where, value, str, "a string")
        elif key == "mdns_interfaces":
            items = _expect(where, value, list, "a list of addresses")
            changes[key] = tuple(_expect(where, i, str, "a list of addresses") for i in items)
        elif key == "screen_rotation":
            if _expect(where, value, int, "0, 90, 180 or 270") not in ROTATIONS:
                raise InvalidArgument(f"{where}: must be 0, 90, 180 or 270, got {value}")
            changes[key] = value
        elif key == "controller_agent_port":
            if not 0 <= _expect(where, value, int, "a port number") < 65536:
                raise InvalidArgument(f"{where}: must be a port 1-65535 (0 = automatic)")
            changes[key] = value
        elif key == "mock_gpio":
            changes[key] = _expect(where, value, bool, "true or false")
        elif key == "heartbeat_interval_s":
            _expect(where, value, (int, float), "a number of seconds")
            if not 1 <= value <= 60:
                raise InvalidArgument(f"{where}: must be 1-60 seconds, got {value}")
            changes[key] = float(value)
        elif key == "gpio":
            changes[key] = _parse_gpio(_expect(where, value, dict, "a [gpio] table"), src)
        elif key == "prepaid":
            changes[key] = parse_prepaid(_expect(where, value, dict, "a [prepaid] table"), src)
        elif key == "song_cache":
            table = _expect(where, value, dict, "a [song_cache] table")
            changes[key] = _parse_song_cache(table, src)
    return replace(base, **changes)


def load_config(
    path: Path | None = None, *, overrides: Mapping[str, Any] | None = None
) -> AgentConfig:
    """Read ``path`` (default ``/etc/ktv/agent.toml`` if it exists), then apply ``overrides``
    (CLI flags, same keys and types as the file; ``None`` values are ignored)."""
    raw: dict[str, Any] = {}
    src = str(path or DEFAULT_CONFIG_PATH)
    if path is not None or DEFAULT_CONFIG_PATH.exists():
        config_file = Path(path or DEFAULT_CONFIG_PATH)
        try:
            raw = tomllib.loads(config_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InvalidArgument(f"config file {config_file} does not exist") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidArgument(f"config file {config_file} cannot be read: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise InvalidArgument(f"{config_file}: not valid TOML ({exc})") from None
    headless = bool((overrides or {}).get("headless"))
    flags = {k: v for k, v in (overrides or {}).items() if v is not None and k != "headless"}
    base = AgentConfig(room="", headless=headless)
    config = _parse(raw, src, base)
    config = _parse(flags, "command line", config)
    if not config.room:
        raise InvalidArgument(f"no room given: set room in {src} or pass --room A08")
    return config
