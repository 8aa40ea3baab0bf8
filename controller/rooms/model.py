"""Room values and the business-state rules (pure: no I/O, no clocks)."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from ktv.errors import FailedPrecondition, InvalidArgument
from ktv.room_link import PowerMode, RoomState  # the link's one definition, shared with the room

ROOM_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")
TIER_RE = re.compile(r"[a-z][a-z0-9_-]{0,31}")
DISPLAY_NAME_MAX_CHARS = 64
DEFAULT_TIERS = ("mini", "small", "medium", "large", "vip", "party")


class AlertKind(enum.Enum):
    OCCUPIED_WITHOUT_SESSION = "OCCUPIED_WITHOUT_SESSION"
    NOBODY_PRESENT = "NOBODY_PRESENT"
    DOOR_OPEN_WHILE_CLEANING = "DOOR_OPEN_WHILE_CLEANING"
    AGENT_OFFLINE = "AGENT_OFFLINE"
    SERVICE_CALLED = "SERVICE_CALLED"
    TIME_UP = "TIME_UP"  # 到钟: a prepaid/package/场次 session ran past its end


# Alerts staff clear by hand; the others clear when their condition ends.
ACKNOWLEDGEABLE = frozenset({AlertKind.SERVICE_CALLED})


@dataclass(frozen=True)
class RoomAlert:
    kind: AlertKind
    message: str
    since: datetime


@dataclass(frozen=True)
class AgentLink:
    """The room agent's connectivity as the controller sees it."""

    online: bool = False
    last_seen: datetime | None = None
    version: str = ""
    peer: str = ""
    status_since: datetime | None = None  # when online/offline last flipped
    catalog_version: str = ""  # the song catalog version the agent runs (v12); not stored


@dataclass(frozen=True)
class Sensors:
    """The room's sensor view, from DoorChanged/PresenceChanged events (agent clock)."""

    door_open: bool = False
    door_since: datetime | None = None
    occupied: bool = False
    presence_since: datetime | None = None


class SensorPins(enum.Enum):
    """What the agent said about its pins (PinsChecked): the board flags sensors not live."""

    UNKNOWN = ""  # never said (an older agent, or one without a core)
    REAL = "real"
    MOCK = "mock"


@dataclass(frozen=True)
class RoomPower:
    """The room's power and scene as its agent last reported it (PowerSwitched), and what
    the desk last asked for."""

    on: bool = False
    scene: str = ""
    reason: str = ""
    since: datetime | None = None  # agent clock
    load_watts: int = 0
    mode: PowerMode = PowerMode.AUTO


LAYOUT_FLOOR_MAX_CHARS = 16  # "1F", "B1", "二楼"
LAYOUT_GRID_MAX = 200  # columns/rows of one floor's grid: far beyond any venue's rooms
LAYOUT_SPAN_MAX = 20  # a tile's width/height in cells
DEFAULT_FLOOR = "1F"


@dataclass(frozen=True)
class RoomLayout:
    """Where the room is drawn on the floor plan: a grid per floor, in cells."""

    floor: str = DEFAULT_FLOOR
    column: int = 0
    row: int = 0
    width: int = 1
    height: int = 1


def check_layout(floor: str, column: int, row: int, width: int, height: int) -> RoomLayout:
    """A layout as asked for (empty floor -> 1F, 0 width/height -> 1), within bounds; else
    InvalidArgument BAD_LAYOUT naming the field."""
    floor = " ".join((floor or "").split()) or DEFAULT_FLOOR
    if len(floor) > LAYOUT_FLOOR_MAX_CHARS:
        raise InvalidArgument(
            f"floor is at most {LAYOUT_FLOOR_MAX_CHARS} characters", reason="BAD_LAYOUT"
        )
    width, height = width or 1, height or 1
    for name, value, low, high in (
        ("column", column, 0, LAYOUT_GRID_MAX - 1),
        ("row", row, 0, LAYOUT_GRID_MAX - 1),
        ("width", width, 1, LAYOUT_SPAN_MAX),
        ("height", height, 1, LAYOUT_SPAN_MAX),
    ):
        if not low <= value <= high:
            raise InvalidArgument(
                f"layout {name} must be {low}-{high}, got {value}", reason="BAD_LAYOUT"
            )
    return RoomLayout(floor, column, row, width, height)


@dataclass(frozen=True)
class ServiceCall:
    """A guest pressed "call service" (呼叫服务) and nobody has acknowledged it yet."""

    kind: str
    note: str
    since: datetime


LOCK_REASON_MAX_CHARS = 200


@dataclass(frozen=True)
class RoomLock:
    """锁房: the room is held back from sale (for a guest, not to be sold) by ``by`` for
    ``reason`` since ``since``, until released or until ``until`` (None: until released)."""

    by: str
    reason: str
    since: datetime
    until: datetime | None = None

    def holds(self, now: datetime) -> bool:
        return self.until is None or now < self.until


def check_lock(reason: str, until: datetime | None, now: datetime) -> str:
    """The lock's reason, trimmed; InvalidArgument BAD_LOCK for a missing or long reason or an
    until in the past."""
    text = " ".join(reason.split())
    if not text:
        raise InvalidArgument("a lock needs a reason (who it is held for)", reason="BAD_LOCK")
    if len(text) > LOCK_REASON_MAX_CHARS:
        raise InvalidArgument(
            f"a lock's reason is at most {LOCK_REASON_MAX_CHARS} characters", reason="BAD_LOCK"
        )
    if until is not None and until <= now:
        raise InvalidArgument(
            f"a lock's until_time must be in the future, got {until.isoformat()}",
            reason="BAD_LOCK",
        )
    return text


@dataclass(frozen=True)
class BoardRoom:
    """Everything the board shows about one room."""

    room_id: str
    display_name: str
    tier: str
    state: RoomState
    state_since: datetime
    created_at: datetime
    session: str = ""
    session_ends_at: datetime | None = None
    # after session_ends_at: True keeps singing at the hourly rate, False stops (到钟), None: the
    # plan did not say (pay-at-checkout, or a session opened before this was recorded)
    session_continues: bool | None = None
    running_total_fen: int = 0
    guest_count: int = 0  # guests on the open session (billing keeps it current)
    layout: RoomLayout = field(default_factory=RoomLayout)
    agent: AgentLink = field(default_factory=AgentLink)
    sensors: Sensors = field(default_factory=Sensors)
    service_call: ServiceCall | None = None
    pins: SensorPins = SensorPins.UNKNOWN
    power: RoomPower = field(default_factory=RoomPower)
    health: str = ""  # device health badge: "", ok, watch, service (controller/devices)
    alerts: tuple[RoomAlert, ...] = ()
    revision: int = 1
    lock: RoomLock | None = None  # 锁房; may have lapsed (``lock.holds(now)``)

    @property
    def name(self) -> str:
        return room_name(self.room_id)

    def bumped(self, **changes: object) -> BoardRoom:
        """A copy with ``changes`` applied and the revision moved on."""
        return replace(self, revision=self.revision + 1, **changes)  # type: ignore[arg-type]


def room_name(room_id: str) -> str:
    return f"rooms/{room_id}"


def check_room_id(room_id: str) -> str:
    if not room_id:
        raise InvalidArgument("room id is required (e.g. A08)", reason="BAD_ROOM_ID")
    if not ROOM_ID_RE.fullmatch(room_id):
        raise InvalidArgument(
            f"room id {room_id!r} is malformed: use 1-32 letters, digits, '_' or '-', "
            "starting with a letter or digit",
            reason="BAD_ROOM_ID",
        )
    return room_id


def parse_room_name(name: str) -> str:
    """``rooms/A08`` -> ``A08``; anything else is INVALID_ARGUMENT."""
    prefix, sep, room_id = name.partition("/")
    if prefix != "rooms" or not sep:
        raise InvalidArgument(
            f"room name {name!r} is malformed: expected rooms/{{room_id}}, e.g. rooms/A08",
            reason="BAD_ROOM_NAME",
        )
    return check_room_id(room_id)


def check_tier(tier: str, known_tiers: tuple[str, ...]) -> str:
    if not tier:
        raise InvalidArgument(
            f"tier is required; known tiers: {', '.join(known_tiers)}", reason="BAD_TIER"
        )
    if not TIER_RE.fullmatch(tier) or tier not in known_tiers:
        raise InvalidArgument(
            f"unknown tier {tier!r}; known tiers: {', '.join(known_tiers)}", reason="BAD_TIER"
        )
    return tier


def check_display_name(display_name: str) -> str:
    text = display_name.strip()
    if len(text) > DISPLAY_NAME_MAX_CHARS:
        raise InvalidArgument(
            f"display name is longer than {DISPLAY_NAME_MAX_CHARS} characters",
            reason="BAD_DISPLAY_NAME",
        )
    if any(ord(c) < 32 for c in text):
        raise InvalidArgument("display name contains control characters", reason="BAD_DISPLAY_NAME")
    return text


# Staff-driven moves (SetRoomState): target -> states it may come from.
_MANUAL_FROM: dict[RoomState, frozenset[RoomState]] = {
    RoomState.IDLE: frozenset(
        {RoomState.IDLE, RoomState.RESERVED, RoomState.CLEANING, RoomState.MAINTENANCE}
    ),
    RoomState.RESERVED: frozenset({RoomState.IDLE, RoomState.RESERVED}),
    RoomState.MAINTENANCE: frozenset(
        {RoomState.IDLE, RoomState.RESERVED, RoomState.CLEANING, RoomState.MAINTENANCE}
    ),
}


def check_manual_transition(room_id: str, current: RoomState, target: RoomState) -> None:
    """Raise unless staff may move the room from ``current`` to ``target`` without a bill."""
    if target not in _MANUAL_FROM:
        raise InvalidArgument(
            f"state {target.value} cannot be set directly; use IDLE, RESERVED or MAINTENANCE "
            "(IN_USE and CLEANING follow sessions)",
            reason="BAD_TARGET_STATE",
        )
    if current not in _MANUAL_FROM[target]:
        why = "a session is open; check out first" if current is RoomState.IN_USE else ""
        raise FailedPrecondition(
            f"rooms/{room_id} is {current.value} and cannot become {target.value}"
            + (f": {why}" if why else ""),
            reason="BAD_ROOM_STATE",
        )


def check_acknowledgeable(kind: str) -> AlertKind:
    """The alert kind, if staff may clear it by hand; else a clear error."""
    try:
        alert_kind = AlertKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in AlertKind)
        raise InvalidArgument(
            f"unknown alert kind {kind!r}; kinds: {known}", reason="BAD_ALERT_KIND"
        ) from None
    if alert_kind not in ACKNOWLEDGEABLE:
        raise FailedPrecondition(
            f"{alert_kind.value} clears by itself when its condition ends",
            reason="NOT_ACKNOWLEDGEABLE",
        )
    return alert_kind


def check_session_can_open(room: BoardRoom, now: datetime) -> None:
    if room.state not in (RoomState.IDLE, RoomState.RESERVED):
        raise FailedPrecondition(
            f"{room.name} is {room.state.value}; a session opens only on an IDLE or RESERVED room",
            reason="ROOM_NOT_AVAILABLE",
        )
    check_not_locked(room, now)


def check_not_locked(room: BoardRoom, now: datetime) -> None:
    lock = room.lock
    if lock is None or not lock.holds(now):
        return
    until = f" until {lock.until.isoformat(timespec='minutes')}" if lock.until else ""
    raise FailedPrecondition(
        f"{room.name} is locked by {lock.by} ({lock.reason}){until}: release the lock first",
        reason="ROOM_HELD",
    )


def check_lockable(room: BoardRoom) -> None:
    if room.state is RoomState.IN_USE:
        raise FailedPrecondition(
            f"{room.name} has an open session and cannot be locked", reason="BAD_ROOM_STATE"
        )


def check_session_can_close(room: BoardRoom, session: str) -> None:
    if room.state is not RoomState.IN_USE or room.session != session:
        raise FailedPrecondition(
            f"{room.name} has no open session {session!r}", reason="NO_SUCH_OPEN_SESSION"
        )
