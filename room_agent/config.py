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

    idle_off_minutes = 10     # no session, nobody present this long: everything off

    [[outputs]]               # the room's outputs (docs/devices.md); none: no outputs
    name = "lights"
    kind = "pwm"              # relay, led, pwm or rgb (rgb: pins = [R, G, B])
    role = "lights"           # lights, accent, door_lamp, power or sound
    pin = 12
    active = "high"           # "low" for most relay boards
    watts = 60

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
from room_agent.core.scenes import OutputKind, OutputRole, OutputSpec, check_outputs
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
class AmbienceConfig:
    """``[ambience]``: atmosphere sounds (气氛) and 公播 (docs/ambience.md)."""

    enabled: bool = True
    effects_dir: Path | None = None  # None: DATA_DIR/effects, with the default samples
    background_dir: Path | None = None  # the venue's background playlist; None: no 公播
    background_volume_percent: int = 45  # the guest volume's scale; 45 ~ 8 dB under a song
    effect_min_gap_s: float = 0.8
    effect_burst: int = 5  # at most this many effects in any effect_window_s
    effect_window_s: float = 10.0


@dataclass(frozen=True)
class MeterSpec:
    """``[meter]``: an S0 pulse output on a GPIO input, or a Modbus RTU meter."""

    kind: str  # "s0" or "modbus"
    pin: int = 0  # s0: BCM input pin
    pulses_per_kwh: int = 1000  # s0
    offset_wh: float = 0.0  # s0: the meter's reading when the count started
    port: str = ""  # modbus: /dev/ttyUSB0
    baudrate: int = 9600
    device_id: int = 1
    register: int = 0
    words: int = 2
    wh_per_unit: float = 10.0
    input_registers: bool = False
    interval_s: float = 60.0  # how often the reading goes up


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
    mock_gpio: bool = False  # mock pins (MockFactory); agent.toml: mock_pins (or mock_gpio)
    headless: bool = False
    heartbeat_interval_s: float = link_settings.heartbeat_interval_s
    gpio: GpioConfig = field(default_factory=GpioConfig)
    prepaid: TimePolicy = field(default_factory=TimePolicy)
    ambience: AmbienceConfig = field(default_factory=AmbienceConfig)
    outputs: tuple[OutputSpec, ...] = ()
    idle_off_minutes: float = 10.0
    meter: MeterSpec | None = None  # a real energy meter ([meter]); None: on-time x watts
    health_interval_s: float = 300.0  # device health reports (temperature, SD, sensors...)
    song_cache: SongCacheConfig = field(default_factory=SongCacheConfig)

    @property
    def resolved_catalog_path(self) -> Path:
        return self.catalog_path or self.data_dir / "catalog.db"

    @property
    def resolved_song_cache_dir(self) -> Path:
        return self.song_cache.dir or self.data_dir / "song-cache"


_TOP_KEYS = {f.name for f in fields(AgentConfig)} - {
    "gpio",
    "headless",
    "prepaid",
    "outputs",
    "meter",
    "ambience",
    "song_cache",
} | {
    "mock_pins"  # the same switch as mock_gpio, by the name --mock-pins uses
}
_AMBIENCE_KEYS = {f.name for f in fields(AmbienceConfig)}
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


def _parse_ambience(raw: Mapping[str, Any], src: str) -> AmbienceConfig:
    unknown = set(raw) - _AMBIENCE_KEYS
    if unknown:
        raise InvalidArgument(f"{src}: unknown key ambience.{sorted(unknown)[0]}")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        where = f"{src}: ambience.{key}"
        if key == "enabled":
            values[key] = _expect(where, value, bool, "true or false")
        elif key.endswith("_dir"):
            text = _expect(where, value, str, "a path")
            if not text.strip():
                raise InvalidArgument(f"{where}: must not be empty (leave it out instead)")
            values[key] = Path(text).expanduser()
        elif key == "background_volume_percent":
            if not 0 <= _expect(where, value, int, "a whole percent") <= 100:
                raise InvalidArgument(f"{where}: must be 0-100, got {value}")
            values[key] = value
        elif key == "effect_burst":
            if not 1 <= _expect(where, value, int, "a whole number") <= 100:
                raise InvalidArgument(f"{where}: must be 1-100, got {value}")
            values[key] = value
        else:  # the seconds
            _expect(where, value, (int, float), "a number of seconds")
            low = 0.0 if key == "effect_min_gap_s" else 0.1
            if not low <= value <= 600:
                raise InvalidArgument(f"{where}: must be {low:g}-600 seconds, got {value}")
            values[key] = float(value)
    return AmbienceConfig(**values)


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
    unknown = (
        set(raw) - _TOP_KEYS - {"gpio", "prepaid", "outputs", "meter", "ambience", "song_cache"}
    )
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
        elif key in ("mock_gpio", "mock_pins"):
            changes["mock_gpio"] = _expect(where, value, bool, "true or false")
        elif key == "heartbeat_interval_s":
            _expect(where, value, (int, float), "a number of seconds")
            if not 1 <= value <= 60:
                raise InvalidArgument(f"{where}: must be 1-60 seconds, got {value}")
            changes[key] = float(value)
        elif key == "gpio":
            changes[key] = _parse_gpio(_expect(where, value, dict, "a [gpio] table"), src)
        elif key == "prepaid":
            changes[key] = parse_prepaid(_expect(where, value, dict, "a [prepaid] table"), src)
        elif key == "ambience":
            changes[key] = _parse_ambience(_expect(where, value, dict, "an [ambience] table"), src)
        elif key == "outputs":
            items = _expect(where, value, list, "[[outputs]] tables")
            changes[key] = tuple(_parse_output(i, n, src) for n, i in enumerate(items, 1))
        elif key == "meter":
            changes[key] = _parse_meter(_expect(where, value, dict, "a [meter] table"), src)
        elif key == "health_interval_s":
            _expect(where, value, (int, float), "a number of seconds")
            if not 10 <= value <= 86_400:
                raise InvalidArgument(f"{where}: must be 10-86400 seconds, got {value}")
            changes[key] = float(value)
        elif key == "idle_off_minutes":
            _expect(where, value, (int, float), "a number of minutes")
            if not 1 <= value <= 24 * 60:
                raise InvalidArgument(f"{where}: must be 1-1440 minutes, got {value}")
            changes[key] = float(value)
        elif key == "song_cache":
            table = _expect(where, value, dict, "a [song_cache] table")
            changes[key] = _parse_song_cache(table, src)
    config = replace(base, **changes)
    if "outputs" in changes or "gpio" in changes or "meter" in changes:
        taken = {config.gpio.door_pin: "the door sensor", config.gpio.presence_pin: "presence"}
        if config.meter is not None and config.meter.kind == "s0":
            if config.meter.pin in taken:
                raise InvalidArgument(
                    f"{src}: meter.pin GPIO{config.meter.pin} is already used by "
                    f"{taken[config.meter.pin]}"
                )
            taken[config.meter.pin] = "the S0 meter"
        try:
            check_outputs(config.outputs, taken)
        except InvalidArgument as exc:
            raise InvalidArgument(f"{src}: {exc.message}") from None
    return config


def _parse_meter(table: Mapping[str, Any], src: str) -> MeterSpec:
    """``[meter]``; every problem names the key."""
    allowed = {f.name for f in fields(MeterSpec)}
    unknown = set(table) - allowed
    if unknown:
        raise InvalidArgument(f"{src}: unknown key meter.{sorted(unknown)[0]}")
    kind = table.get("kind")
    if kind not in ("s0", "modbus"):
        raise InvalidArgument(f'{src}: meter.kind must be "s0" or "modbus", got {kind!r}')
    values: dict[str, Any] = {"kind": kind}
    for key, value in table.items():
        where = f"{src}: meter.{key}"
        if key in ("kind",):
            continue
        if key in ("port",):
            values[key] = _expect(where, value, str, "a serial device path")
        elif key == "input_registers":
            values[key] = _expect(where, value, bool, "true or false")
        elif key in ("offset_wh", "wh_per_unit", "interval_s"):
            values[key] = float(_expect(where, value, (int, float), "a number"))
            if values[key] < 0 or (key != "offset_wh" and values[key] <= 0):
                raise InvalidArgument(f"{where}: must be positive, got {value}")
        else:
            values[key] = _expect(where, value, int, "a whole number")
    spec = MeterSpec(**values)
    if kind == "s0":
        if spec.pin not in BCM_PINS:
            raise InvalidArgument(f"{src}: meter.pin: the Pi has no GPIO{spec.pin} (BCM 0-27)")
        if not 1 <= spec.pulses_per_kwh <= 100_000:
            raise InvalidArgument(f"{src}: meter.pulses_per_kwh must be 1-100000")
    else:
        if not spec.port:
            raise InvalidArgument(f'{src}: meter.port is required for modbus, e.g. "/dev/ttyUSB0"')
        if not 1 <= spec.device_id <= 247 or spec.words not in (1, 2, 4):
            raise InvalidArgument(f"{src}: meter.device_id must be 1-247 and words 1, 2 or 4")
    if not 5 <= spec.interval_s <= 3600:
        raise InvalidArgument(f"{src}: meter.interval_s must be 5-3600 seconds")
    return spec


_OUTPUT_KEYS = {"name", "kind", "role", "pin", "pins", "active", "watts"}


def _parse_output(raw: Any, number: int, src: str) -> OutputSpec:
    """One ``[[outputs]]`` table; every problem names the output and the key."""
    where = f"{src}: outputs #{number}"
    table = _expect(where, raw, dict, "an [[outputs]] table")
    unknown = set(table) - _OUTPUT_KEYS
    if unknown:
        raise InvalidArgument(f"{where}: unknown key {sorted(unknown)[0]!r}")
    name = _expect(f"{where}.name", table.get("name", ""), str, "a name")
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,31}", name):
        raise InvalidArgument(f'{where}.name: must be a short lower-case name like "lights"')
    where = f"{src}: output {name}"

    def choice(key: str, enum_type: type[enum.Enum]) -> Any:
        value = table.get(key)
        names = [m.value for m in enum_type]  # type: ignore[attr-defined]
        if value not in names:
            raise InvalidArgument(
                f"{where}.{key}: must be one of {', '.join(names)}, got {value!r}"
            )
        return enum_type(value)

    kind = choice("kind", OutputKind)
    role = choice("role", OutputRole)
    if "pins" in table:
        pins_raw = _expect(f"{where}.pins", table["pins"], list, "a list of BCM pins")
    else:
        pins_raw = [table.get("pin")]
    pins = tuple(_expect(f"{where}.pin", p, int, "a BCM pin number") for p in pins_raw)
    active = table.get("active", "high")
    if active not in LEVELS:
        raise InvalidArgument(f'{where}.active: must be "high" or "low", got {active!r}')
    watts = _expect(f"{where}.watts", table.get("watts", 0), (int, float), "a number of watts")
    try:
        return OutputSpec(name, kind, role, pins, active == "high", float(watts))
    except InvalidArgument as exc:
        raise InvalidArgument(f"{src}: {exc.message}") from None


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
