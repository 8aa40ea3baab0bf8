"""The room's outputs as a pure model: which scene the room shows, whether its power is on, and
what level each output is driven to (issue 24).

No gpiozero here: ``room_agent/devices`` drives the pins, ``DevicesController`` (``devices.py``)
asks :func:`decide` on every change of the room and hands :func:`drive_levels` to the port.

The rules, first match wins:

1. an emergency: lights full, sound off, every other scene overridden;
2. the desk forced the power off: everything off;
3. a session is open: power on; the guests' scene (迎宾/唱歌/派对/清洁/关闭) or, until they
   pick one, welcome before the first song and singing after it;
4. checkout, cleaning or maintenance: work lights, power off (after a checkout until the
   board says cleaning is done, or nobody was there for ``idle_off_after_s``);
5. the desk forced the power on: welcome lights, power on;
6. no session and nobody present for ``idle_off_after_s``: everything off;
7. otherwise (a free room with someone in it, or not yet timed out): welcome lights, power off.

An idle timeout never applies while a session runs (rule 3 comes first): there the desk's
NOBODY_PRESENT alert stays the rule.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ktv.errors import InvalidArgument
from ktv.room_link import OutputLevel, PowerMode, RoomState

BCM_PINS = range(0, 28)  # the Pi header's BCM GPIO numbers (every Pi since the B+)
MAX_OUTPUT_WATTS = 100_000  # a per-output bound well past a room's air conditioning
NO_BEAT_PERIOD_S = 4.0  # party without a tempo tag: a slow breathing, not a fake beat


class Scene(enum.Enum):
    """What the room's lights show. Lower-case values: they go up the link and are stored."""

    WELCOME = "welcome"  # 迎宾
    SINGING = "singing"  # 唱歌
    PARTY = "party"  # 派对
    CLEANING = "cleaning"  # 清洁
    OFF = "off"  # 关闭
    EMERGENCY = "emergency"


GUEST_SCENES = (Scene.WELCOME, Scene.SINGING, Scene.PARTY, Scene.CLEANING, Scene.OFF)
SCENE_LABELS = {
    Scene.WELCOME: "迎宾",
    Scene.SINGING: "唱歌",
    Scene.PARTY: "派对",
    Scene.CLEANING: "清洁",
    Scene.OFF: "关闭",
    Scene.EMERGENCY: "紧急",
}


class OutputKind(enum.Enum):
    RELAY = "relay"  # gpiozero OutputDevice: on/off (TV, amplifier, air conditioning)
    LED = "led"  # gpiozero LED: on/off
    PWM = "pwm"  # gpiozero PWMLED: dimmable
    RGB = "rgb"  # gpiozero RGBLED: three pins, a colour


class OutputRole(enum.Enum):
    LIGHTS = "lights"  # the room's main lights: brightness by scene
    ACCENT = "accent"  # mood light: colour by scene, follows the beat in party
    DOOR_LAMP = "door_lamp"  # outside the door: shows the board state
    POWER = "power"  # a relay that follows the room's power (TV, air conditioning)
    SOUND = "sound"  # the amplifier relay: follows power, off in an emergency


@dataclass(frozen=True)
class OutputSpec:
    """One output of the room, from ``[[outputs]]`` in agent.toml."""

    name: str
    kind: OutputKind
    role: OutputRole
    pins: tuple[int, ...]  # BCM; three (red, green, blue) for RGB
    active_high: bool = True
    watts: float = 0.0  # rated power at full

    def __post_init__(self) -> None:
        want = 3 if self.kind is OutputKind.RGB else 1
        if len(self.pins) != want:
            raise InvalidArgument(
                f"output {self.name}: a {self.kind.value} output needs {want} pin(s), "
                f"got {len(self.pins)}"
            )
        for pin in self.pins:
            if pin not in BCM_PINS:
                raise InvalidArgument(
                    f"output {self.name}: the Pi has no GPIO{pin} (BCM pins are 0-27)"
                )
        if not (0 <= self.watts <= MAX_OUTPUT_WATTS) or math.isnan(self.watts):
            raise InvalidArgument(
                f"output {self.name}: watts must be 0-{MAX_OUTPUT_WATTS}, got {self.watts}"
            )
        if self.role in (OutputRole.POWER, OutputRole.SOUND) and self.kind is not OutputKind.RELAY:
            raise InvalidArgument(f"output {self.name}: a {self.role.value} output is a relay")

    @property
    def channels(self) -> int:
        return len(self.pins)


def check_outputs(
    outputs: Iterable[OutputSpec], taken: Mapping[int, str]
) -> tuple[OutputSpec, ...]:
    """The room's outputs, refused as a whole when two share a name or a pin (also with the
    sensors' pins in ``taken``: pin -> what uses it)."""
    used = dict(taken)
    names: set[str] = set()
    result = []
    for spec in outputs:
        if spec.name in names:
            raise InvalidArgument(f"two outputs are named {spec.name!r}")
        names.add(spec.name)
        for pin in spec.pins:
            if pin in used:
                raise InvalidArgument(
                    f"output {spec.name}: GPIO{pin} is already used by {used[pin]}"
                )
            used[pin] = f"output {spec.name}"
        result.append(spec)
    return tuple(result)


# --- deciding -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Situation:
    """What the room's other controllers say right now."""

    business: RoomState
    session_open: bool
    emergency: bool
    present: bool
    nobody_for_s: float  # how long nobody has been present (0 while someone is)
    singing_started: bool  # a song has played in this session
    guest_scene: Scene | None  # the guests' pick, only while a session is open
    power_mode: PowerMode = PowerMode.AUTO
    idle_off_after_s: float = 600.0
    # the session just closed and the board has not said "cleaning done" yet: SessionClosed
    # and RoomStateChanged(CLEANING) arrive one after the other, and the room must not flash
    # to standby between them
    checked_out: bool = False


@dataclass(frozen=True)
class Plan:
    scene: Scene
    power_on: bool
    reason: str


def decide(s: Situation) -> Plan:
    """The scene and power for the situation (the rules in the module's docstring)."""
    if s.emergency:
        return Plan(Scene.EMERGENCY, True, "emergency")
    if s.power_mode is PowerMode.OFF:
        return Plan(Scene.OFF, False, "desk_forced_off")
    if s.session_open:
        if s.guest_scene is not None:
            return Plan(s.guest_scene, True, "guest_scene")
        if s.singing_started:
            return Plan(Scene.SINGING, True, "singing")
        return Plan(Scene.WELCOME, True, "session_opened")
    timed_out = not s.present and s.nobody_for_s >= s.idle_off_after_s
    if s.business is RoomState.CLEANING or (s.checked_out and not timed_out):
        return Plan(Scene.CLEANING, False, "checkout_cleaning")
    if s.business is RoomState.MAINTENANCE:
        return Plan(Scene.CLEANING, False, "maintenance")
    if s.power_mode is PowerMode.ON:
        return Plan(Scene.WELCOME, True, "desk_forced_on")
    if timed_out:
        return Plan(Scene.OFF, False, "idle_nobody_present")
    return Plan(Scene.WELCOME, False, "standby")


# --- driving --------------------------------------------------------------------------------

Drive = tuple[float, ...]  # one value 0..1 per channel (RGB: red, green, blue)

_LIGHTS = {
    Scene.WELCOME: 0.8,
    Scene.SINGING: 0.3,
    Scene.PARTY: 0.15,
    Scene.CLEANING: 1.0,
    Scene.OFF: 0.0,
    Scene.EMERGENCY: 1.0,
}
_ACCENT: dict[Scene, Drive] = {
    Scene.WELCOME: (1.0, 0.6, 0.2),  # warm amber
    Scene.SINGING: (0.2, 0.2, 0.8),  # calm blue
    Scene.PARTY: (1.0, 0.0, 1.0),  # magenta, pulsed on the beat
    Scene.CLEANING: (1.0, 1.0, 1.0),
    Scene.OFF: (0.0, 0.0, 0.0),
    Scene.EMERGENCY: (1.0, 1.0, 1.0),
}
DOOR_COLOURS: dict[RoomState, Drive] = {
    RoomState.IDLE: (0.0, 1.0, 0.0),  # green: free
    RoomState.RESERVED: (0.0, 0.0, 1.0),  # blue: held for a booking
    RoomState.IN_USE: (1.0, 0.0, 0.0),  # red: occupied
    RoomState.CLEANING: (1.0, 0.8, 0.0),  # yellow: being cleaned
    RoomState.MAINTENANCE: (0.5, 0.0, 0.5),  # purple: out of service
}
# single-colour door lamps: on when occupied, half (dimmable) or on while cleaning
_DOOR_LEVEL = {RoomState.IN_USE: 1.0, RoomState.CLEANING: 0.5}


def beat_level(tempo_bpm: float | None, song_s: float) -> float:
    """0.2..1.0: a sharp attack on each beat decaying to the next (tempo from the song's tags);
    without a tempo, a slow sine breathing so the lights do not pretend to follow the music."""
    if tempo_bpm and 30 <= tempo_bpm <= 300:
        phase = (song_s * tempo_bpm / 60.0) % 1.0
        return 0.2 + 0.8 * math.exp(-4.0 * phase)
    return 0.6 + 0.4 * math.sin(2 * math.pi * song_s / NO_BEAT_PERIOD_S)


def song_tempo(tags: Iterable[str]) -> float | None:
    """The tempo a song's tags give (``bpm:128`` or ``bpm=128``), else None."""
    for tag in tags:
        key, sep, value = tag.replace("=", ":").partition(":")
        if sep and key.strip().lower() in ("bpm", "tempo"):
            try:
                bpm = float(value)
            except ValueError:
                continue
            if 30 <= bpm <= 300:
                return bpm
    return None


def _scaled(drive: Drive, factor: float) -> Drive:
    return tuple(round(v * factor, 4) for v in drive)


def _fit(drive: Drive, spec: OutputSpec) -> Drive:
    """A colour for a one-channel output becomes its brightness; on/off outputs round."""
    if spec.kind is OutputKind.RGB:
        return drive if len(drive) == 3 else (drive[0],) * 3
    level = max(drive) if drive else 0.0
    if spec.kind in (OutputKind.RELAY, OutputKind.LED):
        level = 1.0 if level >= 0.5 else 0.0
    return (level,)


def drive_levels(
    plan: Plan,
    business: RoomState,
    outputs: Iterable[OutputSpec],
    *,
    beat: float | None = None,
) -> dict[str, Drive]:
    """Each output's drive for the plan. ``beat`` (from :func:`beat_level`) pulses the accent
    lights in party; None gives the scene's steady level (what energy is reported at)."""
    levels: dict[str, Drive] = {}
    for spec in outputs:
        if spec.role is OutputRole.LIGHTS:
            drive: Drive = (_LIGHTS[plan.scene],)
        elif spec.role is OutputRole.ACCENT:
            drive = _ACCENT[plan.scene]
            if plan.scene is Scene.PARTY:
                drive = _scaled(drive, 0.6 if beat is None else beat)
        elif spec.role is OutputRole.DOOR_LAMP:
            if plan.scene is Scene.EMERGENCY:
                drive = (1.0, 0.0, 0.0)
            elif spec.kind is OutputKind.RGB:
                drive = DOOR_COLOURS[business]
            else:
                drive = (_DOOR_LEVEL.get(business, 0.0),)
        elif spec.role is OutputRole.SOUND:
            drive = (1.0 if plan.power_on and plan.scene is not Scene.EMERGENCY else 0.0,)
        else:  # POWER
            drive = (1.0 if plan.power_on else 0.0,)
        levels[spec.name] = _fit(drive, spec)
    return levels


def reported_levels(
    levels: Mapping[str, Drive], outputs: Iterable[OutputSpec]
) -> tuple[tuple[OutputLevel, ...], int]:
    """Each output's level in permille (an RGB's brightest channel) and the room's load in
    watts (level x rated watts, summed): what goes up in ``PowerSwitched``."""
    result = []
    load = 0.0
    for spec in outputs:
        level = max(levels.get(spec.name, (0.0,)))
        result.append(OutputLevel(spec.name, round(level * 1000), round(spec.watts)))
        load += level * spec.watts
    return tuple(result), round(load)
