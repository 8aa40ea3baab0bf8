"""The room link's vocabulary: what a room tells its controller and what it is told.

One definition of each event, command and enum that both ends speak, as plain values (no
protobuf, no I/O). The names are the protos' (``protos/ktv/v1/link.proto``): the agent's
core, its link adapter, the controller's board and its link adapter all use these classes,
and the two ``convert`` modules are the only places that meet the wire format. Enum values
that are stored somewhere keep the spelling that was stored (see each enum).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class PlayOutcome(enum.Enum):
    """How a play ended. Lower-case values: the room's store and the catalog's play records
    saved them this way (the controller's play rows keep the upper-case ``name``)."""

    COMPLETED = "completed"  # sang to the end
    SKIPPED = "skipped"  # 切歌 before the end
    FAILED = "failed"  # the file would not play
    STOPPED = "stopped"  # session closed, cleaning, maintenance or emergency mid-song


class RoomState(enum.Enum):
    """The room's business state, owned by the controller and mirrored by the room.
    Upper-case values: the controller's database stores them (the room's store used to write
    lower case and still reads it, see :func:`room_state`)."""

    IDLE = "IDLE"
    RESERVED = "RESERVED"
    IN_USE = "IN_USE"
    CLEANING = "CLEANING"
    MAINTENANCE = "MAINTENANCE"


def room_state(text: str) -> RoomState:
    """A stored room state in either spelling ("IN_USE", or the room's older "in_use")."""
    return RoomState(text.upper())


# --- events a room sends up (through its outbox, exactly once) ----------------------------


@dataclass(frozen=True)
class DoorChanged:
    open: bool


@dataclass(frozen=True)
class PresenceChanged:
    present: bool


@dataclass(frozen=True)
class SongPlayed:
    song_id: str
    title: str
    session: str  # sessions/{id}, "" if none
    start_time: datetime | None  # UTC; the room always sets it, an old event may lack it
    outcome: PlayOutcome
    played_ms: int
    error: str = ""


@dataclass(frozen=True)
class ServiceCalled:
    kind: str  # "service", "water", "microphone", "extend" (续钟), ...
    note: str = ""


@dataclass(frozen=True)
class PinsChecked:
    """Said once per start: whether the room's pins are real GPIO or gpiozero's mock pins."""

    mocked: bool
    factory: str = ""  # the pin factory's class name


@dataclass(frozen=True)
class OutputLevel:
    name: str  # from the room's [[outputs]] config: lights, door_lamp, tv, amp, ac, ...
    level_permille: int  # 0 off .. 1000 full (relays: 0 or 1000)
    rated_watts: int  # at full


@dataclass(frozen=True)
class PowerSwitched:
    """The room's outputs changed (a scene, power on/off, the desk's force, the idle rule)."""

    on: bool  # the room's power relays (TV, amplifier, air conditioning)
    scene: str  # welcome, singing, party, cleaning, off, emergency
    reason: str  # session_opened, checkout, idle_nobody_present, desk_forced_off, ...
    outputs: tuple[OutputLevel, ...] = ()
    load_watts: int = 0  # sum of level x rated watts: what the room draws now


@dataclass(frozen=True)
class MeterRead:
    """A real energy meter's cumulative count: S0 pulses on a GPIO input, or Modbus RTU."""

    meter: str  # "s0" or "modbus"
    total_wh: float


@dataclass(frozen=True)
class DeviceHealth:
    """The room's device health, measured by the agent (counts since it started)."""

    temperature_c: float | None = None  # None: the board does not say
    throttled_flags: int | None = None  # vcgencmd get_throttled; None: no vcgencmd
    disk_written_bytes: int = 0  # since boot (/proc/diskstats)
    disk_free_bytes: int = 0
    player_errors: int = 0
    taps: int = 0
    door_edges: int = 0
    motion_edges: int = 0
    switches: tuple[tuple[str, int], ...] = ()  # (output name, switch count)
    uptime_s: int = 0


RoomEvent = (
    DoorChanged
    | PresenceChanged
    | SongPlayed
    | ServiceCalled
    | PinsChecked
    | PowerSwitched
    | MeterRead
    | DeviceHealth
)


# --- commands the controller sends down ----------------------------------------------------


@dataclass(frozen=True)
class SessionOpened:
    session: str  # sessions/{id}
    open_time: datetime
    end_time: datetime | None = None  # prepaid/package end; None for pay-at-checkout
    guest_count: int = 0
    # after end_time, from the venue's plan: True keeps singing (continue_hourly), False
    # stops (到钟 until 续钟), None: not said (the room keeps what it had)
    continues_after_end: bool | None = None
    guest_url: str = ""  # what the room's QR code shows for phones ("" : none)


@dataclass(frozen=True)
class SessionClosed:
    session: str  # "" from a welcome with no session: whatever is open closes


@dataclass(frozen=True)
class QueueSongs:
    """Songs pre-selected with a booking (预点), queued when the session opens."""

    song_ids: tuple[str, ...]


@dataclass(frozen=True)
class VolumeLimit:
    max_percent: int


@dataclass(frozen=True)
class ShowMessage:
    text: str
    duration_s: int = 0  # 0: the room's default


@dataclass(frozen=True)
class Emergency:
    active: bool
    message: str = ""  # "" : the room's default evacuation message


@dataclass(frozen=True)
class RoomStateChanged:
    state: RoomState


@dataclass(frozen=True)
class ServiceAcknowledged:
    """The desk has seen the room's service call: the room shows "staff are on the way"."""

    kind: str = ""  # the alert kind the desk cleared (SERVICE_CALLED)
    staff: str = ""  # who acknowledged it
    call_kind: str = ""  # what the guest asked for: service, water, extend...


class PowerMode(enum.Enum):
    """The desk's say over a room's power: the room's own rules, or forced on/off."""

    AUTO = "AUTO"
    ON = "ON"
    OFF = "OFF"


@dataclass(frozen=True)
class SetPower:
    mode: PowerMode
    reason: str = ""


class RoomControl(enum.Enum):
    """A room control a guest's phone may use (the touchscreen's buttons)."""

    SKIP = "skip"  # 切歌
    ORIGINAL_VOCAL = "original_vocal"  # 原唱
    ACCOMPANIMENT = "accompaniment"  # 伴唱
    VOLUME_UP = "volume_up"
    VOLUME_DOWN = "volume_down"
    REPLAY = "replay"  # 重唱
    PAUSE_RESUME = "pause_resume"


@dataclass(frozen=True)
class GuestQueueSong:
    """A song added from a guest's phone; queued like the touchscreen's own."""

    song_id: str
    entry_id: str  # chosen by the controller: a retried add is the same entry
    guest_id: str
    nickname: str
    top: bool = False  # 优先


@dataclass(frozen=True)
class GuestRemoveSong:
    """A phone removes a song; only one its guest added."""

    entry_id: str
    guest_id: str


@dataclass(frozen=True)
class GuestControl:
    control: RoomControl
    guest_id: str = ""


RoomCommand = (
    SessionOpened
    | SessionClosed
    | QueueSongs
    | VolumeLimit
    | ShowMessage
    | Emergency
    | RoomStateChanged
    | ServiceAcknowledged
    | SetPower
    | GuestQueueSong
    | GuestRemoveSong
    | GuestControl
)


# --- the room's queue, reported up (not an event: only the newest matters) -----------------


@dataclass(frozen=True)
class SnapshotEntry:
    entry_id: str
    song_id: str
    title: str
    artist: str
    added_at: datetime | None = None
    added_by: str = ""  # the phone's nickname; "" for the touchscreen or the desk
    guest_id: str = ""


@dataclass(frozen=True)
class QueueSnapshot:
    """The room's queue and what plays now, as the agent has them."""

    session: str = ""
    now_playing: SnapshotEntry | None = None
    position_s: int = 0
    duration_s: int = 0
    accompaniment: bool = False
    volume_percent: int = 0
    paused: bool = False
    queue: tuple[SnapshotEntry, ...] = ()
    taken_at: datetime | None = None
