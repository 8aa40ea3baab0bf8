import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RoomState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROOM_STATE_UNSPECIFIED: _ClassVar[RoomState]
    ROOM_STATE_IDLE: _ClassVar[RoomState]
    ROOM_STATE_RESERVED: _ClassVar[RoomState]
    ROOM_STATE_IN_USE: _ClassVar[RoomState]
    ROOM_STATE_CLEANING: _ClassVar[RoomState]
    ROOM_STATE_MAINTENANCE: _ClassVar[RoomState]

class AlertKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALERT_KIND_UNSPECIFIED: _ClassVar[AlertKind]
    ALERT_KIND_OCCUPIED_WITHOUT_SESSION: _ClassVar[AlertKind]
    ALERT_KIND_NOBODY_PRESENT: _ClassVar[AlertKind]
    ALERT_KIND_DOOR_OPEN_WHILE_CLEANING: _ClassVar[AlertKind]
    ALERT_KIND_AGENT_OFFLINE: _ClassVar[AlertKind]
    ALERT_KIND_SERVICE_CALLED: _ClassVar[AlertKind]
    ALERT_KIND_TIME_UP: _ClassVar[AlertKind]

class HealthBadge(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HEALTH_BADGE_UNSPECIFIED: _ClassVar[HealthBadge]
    HEALTH_BADGE_OK: _ClassVar[HealthBadge]
    HEALTH_BADGE_WATCH: _ClassVar[HealthBadge]
    HEALTH_BADGE_SERVICE: _ClassVar[HealthBadge]

class SensorPins(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SENSOR_PINS_UNSPECIFIED: _ClassVar[SensorPins]
    SENSOR_PINS_REAL: _ClassVar[SensorPins]
    SENSOR_PINS_MOCK: _ClassVar[SensorPins]

class PowerMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    POWER_MODE_UNSPECIFIED: _ClassVar[PowerMode]
    POWER_MODE_AUTO: _ClassVar[PowerMode]
    POWER_MODE_ON: _ClassVar[PowerMode]
    POWER_MODE_OFF: _ClassVar[PowerMode]
ROOM_STATE_UNSPECIFIED: RoomState
ROOM_STATE_IDLE: RoomState
ROOM_STATE_RESERVED: RoomState
ROOM_STATE_IN_USE: RoomState
ROOM_STATE_CLEANING: RoomState
ROOM_STATE_MAINTENANCE: RoomState
ALERT_KIND_UNSPECIFIED: AlertKind
ALERT_KIND_OCCUPIED_WITHOUT_SESSION: AlertKind
ALERT_KIND_NOBODY_PRESENT: AlertKind
ALERT_KIND_DOOR_OPEN_WHILE_CLEANING: AlertKind
ALERT_KIND_AGENT_OFFLINE: AlertKind
ALERT_KIND_SERVICE_CALLED: AlertKind
ALERT_KIND_TIME_UP: AlertKind
HEALTH_BADGE_UNSPECIFIED: HealthBadge
HEALTH_BADGE_OK: HealthBadge
HEALTH_BADGE_WATCH: HealthBadge
HEALTH_BADGE_SERVICE: HealthBadge
SENSOR_PINS_UNSPECIFIED: SensorPins
SENSOR_PINS_REAL: SensorPins
SENSOR_PINS_MOCK: SensorPins
POWER_MODE_UNSPECIFIED: PowerMode
POWER_MODE_AUTO: PowerMode
POWER_MODE_ON: PowerMode
POWER_MODE_OFF: PowerMode

class AgentStatus(_message.Message):
    __slots__ = ("online", "last_seen_time", "agent_version", "peer", "catalog_version")
    ONLINE_FIELD_NUMBER: _ClassVar[int]
    LAST_SEEN_TIME_FIELD_NUMBER: _ClassVar[int]
    AGENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    PEER_FIELD_NUMBER: _ClassVar[int]
    CATALOG_VERSION_FIELD_NUMBER: _ClassVar[int]
    online: bool
    last_seen_time: _timestamp_pb2.Timestamp
    agent_version: str
    peer: str
    catalog_version: str
    def __init__(self, online: _Optional[bool] = ..., last_seen_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., agent_version: _Optional[str] = ..., peer: _Optional[str] = ..., catalog_version: _Optional[str] = ...) -> None: ...

class RoomAlert(_message.Message):
    __slots__ = ("kind", "message", "since_time", "alert_kind")
    KIND_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    SINCE_TIME_FIELD_NUMBER: _ClassVar[int]
    ALERT_KIND_FIELD_NUMBER: _ClassVar[int]
    kind: str
    message: str
    since_time: _timestamp_pb2.Timestamp
    alert_kind: AlertKind
    def __init__(self, kind: _Optional[str] = ..., message: _Optional[str] = ..., since_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., alert_kind: _Optional[_Union[AlertKind, str]] = ...) -> None: ...

class Room(_message.Message):
    __slots__ = ("name", "display_name", "tier", "state", "state_since_time", "agent", "alerts", "occupied", "door_open", "session", "running_total_fen", "session_end_time", "revision", "guest_count", "layout", "sensor_pins", "power", "health", "lock")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    STATE_SINCE_TIME_FIELD_NUMBER: _ClassVar[int]
    AGENT_FIELD_NUMBER: _ClassVar[int]
    ALERTS_FIELD_NUMBER: _ClassVar[int]
    OCCUPIED_FIELD_NUMBER: _ClassVar[int]
    DOOR_OPEN_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    RUNNING_TOTAL_FEN_FIELD_NUMBER: _ClassVar[int]
    SESSION_END_TIME_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    GUEST_COUNT_FIELD_NUMBER: _ClassVar[int]
    LAYOUT_FIELD_NUMBER: _ClassVar[int]
    SENSOR_PINS_FIELD_NUMBER: _ClassVar[int]
    POWER_FIELD_NUMBER: _ClassVar[int]
    HEALTH_FIELD_NUMBER: _ClassVar[int]
    LOCK_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    tier: str
    state: RoomState
    state_since_time: _timestamp_pb2.Timestamp
    agent: AgentStatus
    alerts: _containers.RepeatedCompositeFieldContainer[RoomAlert]
    occupied: bool
    door_open: bool
    session: str
    running_total_fen: int
    session_end_time: _timestamp_pb2.Timestamp
    revision: int
    guest_count: int
    layout: RoomLayout
    sensor_pins: SensorPins
    power: RoomPower
    health: HealthBadge
    lock: RoomLock
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., tier: _Optional[str] = ..., state: _Optional[_Union[RoomState, str]] = ..., state_since_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., agent: _Optional[_Union[AgentStatus, _Mapping]] = ..., alerts: _Optional[_Iterable[_Union[RoomAlert, _Mapping]]] = ..., occupied: _Optional[bool] = ..., door_open: _Optional[bool] = ..., session: _Optional[str] = ..., running_total_fen: _Optional[int] = ..., session_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., revision: _Optional[int] = ..., guest_count: _Optional[int] = ..., layout: _Optional[_Union[RoomLayout, _Mapping]] = ..., sensor_pins: _Optional[_Union[SensorPins, str]] = ..., power: _Optional[_Union[RoomPower, _Mapping]] = ..., health: _Optional[_Union[HealthBadge, str]] = ..., lock: _Optional[_Union[RoomLock, _Mapping]] = ...) -> None: ...

class RoomLock(_message.Message):
    __slots__ = ("locked_by", "reason", "lock_time", "until_time")
    LOCKED_BY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    LOCK_TIME_FIELD_NUMBER: _ClassVar[int]
    UNTIL_TIME_FIELD_NUMBER: _ClassVar[int]
    locked_by: str
    reason: str
    lock_time: _timestamp_pb2.Timestamp
    until_time: _timestamp_pb2.Timestamp
    def __init__(self, locked_by: _Optional[str] = ..., reason: _Optional[str] = ..., lock_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., until_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RoomPower(_message.Message):
    __slots__ = ("on", "scene", "reason", "since_time", "load_watts", "mode")
    ON_FIELD_NUMBER: _ClassVar[int]
    SCENE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SINCE_TIME_FIELD_NUMBER: _ClassVar[int]
    LOAD_WATTS_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    on: bool
    scene: str
    reason: str
    since_time: _timestamp_pb2.Timestamp
    load_watts: int
    mode: PowerMode
    def __init__(self, on: _Optional[bool] = ..., scene: _Optional[str] = ..., reason: _Optional[str] = ..., since_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., load_watts: _Optional[int] = ..., mode: _Optional[_Union[PowerMode, str]] = ...) -> None: ...

class SetRoomPowerRequest(_message.Message):
    __slots__ = ("name", "mode", "reason", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    mode: PowerMode
    reason: str
    request_id: str
    def __init__(self, name: _Optional[str] = ..., mode: _Optional[_Union[PowerMode, str]] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class SetRoomPowerResponse(_message.Message):
    __slots__ = ("room", "delivered")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_FIELD_NUMBER: _ClassVar[int]
    room: Room
    delivered: bool
    def __init__(self, room: _Optional[_Union[Room, _Mapping]] = ..., delivered: _Optional[bool] = ...) -> None: ...

class RoomLayout(_message.Message):
    __slots__ = ("floor", "column", "row", "width", "height")
    FLOOR_FIELD_NUMBER: _ClassVar[int]
    COLUMN_FIELD_NUMBER: _ClassVar[int]
    ROW_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    floor: str
    column: int
    row: int
    width: int
    height: int
    def __init__(self, floor: _Optional[str] = ..., column: _Optional[int] = ..., row: _Optional[int] = ..., width: _Optional[int] = ..., height: _Optional[int] = ...) -> None: ...

class SetRoomLayoutRequest(_message.Message):
    __slots__ = ("name", "layout", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    LAYOUT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    layout: RoomLayout
    request_id: str
    def __init__(self, name: _Optional[str] = ..., layout: _Optional[_Union[RoomLayout, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class SetRoomLayoutResponse(_message.Message):
    __slots__ = ("room",)
    ROOM_FIELD_NUMBER: _ClassVar[int]
    room: Room
    def __init__(self, room: _Optional[_Union[Room, _Mapping]] = ...) -> None: ...

class SetRoomLockRequest(_message.Message):
    __slots__ = ("name", "locked", "reason", "until_time", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    LOCKED_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    UNTIL_TIME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    locked: bool
    reason: str
    until_time: _timestamp_pb2.Timestamp
    request_id: str
    def __init__(self, name: _Optional[str] = ..., locked: _Optional[bool] = ..., reason: _Optional[str] = ..., until_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class SetRoomLockResponse(_message.Message):
    __slots__ = ("room",)
    ROOM_FIELD_NUMBER: _ClassVar[int]
    room: Room
    def __init__(self, room: _Optional[_Union[Room, _Mapping]] = ...) -> None: ...

class CreateRoomRequest(_message.Message):
    __slots__ = ("room_id", "display_name", "tier", "request_id")
    ROOM_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    room_id: str
    display_name: str
    tier: str
    request_id: str
    def __init__(self, room_id: _Optional[str] = ..., display_name: _Optional[str] = ..., tier: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateRoomResponse(_message.Message):
    __slots__ = ("room",)
    ROOM_FIELD_NUMBER: _ClassVar[int]
    room: Room
    def __init__(self, room: _Optional[_Union[Room, _Mapping]] = ...) -> None: ...

class GetRoomRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetRoomResponse(_message.Message):
    __slots__ = ("room",)
    ROOM_FIELD_NUMBER: _ClassVar[int]
    room: Room
    def __init__(self, room: _Optional[_Union[Room, _Mapping]] = ...) -> None: ...

class ListRoomsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListRoomsResponse(_message.Message):
    __slots__ = ("rooms", "next_page_token")
    ROOMS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    rooms: _containers.RepeatedCompositeFieldContainer[Room]
    next_page_token: str
    def __init__(self, rooms: _Optional[_Iterable[_Union[Room, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateRoomRequest(_message.Message):
    __slots__ = ("name", "display_name", "tier", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    tier: str
    request_id: str
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., tier: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class UpdateRoomResponse(_message.Message):
    __slots__ = ("room",)
    ROOM_FIELD_NUMBER: _ClassVar[int]
    room: Room
    def __init__(self, room: _Optional[_Union[Room, _Mapping]] = ...) -> None: ...

class SetRoomStateRequest(_message.Message):
    __slots__ = ("name", "state", "reason", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    state: RoomState
    reason: str
    request_id: str
    def __init__(self, name: _Optional[str] = ..., state: _Optional[_Union[RoomState, str]] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class SetRoomStateResponse(_message.Message):
    __slots__ = ("room",)
    ROOM_FIELD_NUMBER: _ClassVar[int]
    room: Room
    def __init__(self, room: _Optional[_Union[Room, _Mapping]] = ...) -> None: ...

class WatchRoomsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class WatchRoomsResponse(_message.Message):
    __slots__ = ("kind", "rooms", "send_time")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[WatchRoomsResponse.Kind]
        KIND_SNAPSHOT: _ClassVar[WatchRoomsResponse.Kind]
        KIND_CHANGE: _ClassVar[WatchRoomsResponse.Kind]
        KIND_REMOVED: _ClassVar[WatchRoomsResponse.Kind]
    KIND_UNSPECIFIED: WatchRoomsResponse.Kind
    KIND_SNAPSHOT: WatchRoomsResponse.Kind
    KIND_CHANGE: WatchRoomsResponse.Kind
    KIND_REMOVED: WatchRoomsResponse.Kind
    KIND_FIELD_NUMBER: _ClassVar[int]
    ROOMS_FIELD_NUMBER: _ClassVar[int]
    SEND_TIME_FIELD_NUMBER: _ClassVar[int]
    kind: WatchRoomsResponse.Kind
    rooms: _containers.RepeatedCompositeFieldContainer[Room]
    send_time: _timestamp_pb2.Timestamp
    def __init__(self, kind: _Optional[_Union[WatchRoomsResponse.Kind, str]] = ..., rooms: _Optional[_Iterable[_Union[Room, _Mapping]]] = ..., send_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SetEmergencyRequest(_message.Message):
    __slots__ = ("active", "message", "request_id")
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    active: bool
    message: str
    request_id: str
    def __init__(self, active: _Optional[bool] = ..., message: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class SetEmergencyResponse(_message.Message):
    __slots__ = ("active", "message", "notified_room_count")
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    NOTIFIED_ROOM_COUNT_FIELD_NUMBER: _ClassVar[int]
    active: bool
    message: str
    notified_room_count: int
    def __init__(self, active: _Optional[bool] = ..., message: _Optional[str] = ..., notified_room_count: _Optional[int] = ...) -> None: ...

class AcknowledgeAlertRequest(_message.Message):
    __slots__ = ("name", "kind", "request_id", "alert_kind")
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ALERT_KIND_FIELD_NUMBER: _ClassVar[int]
    name: str
    kind: str
    request_id: str
    alert_kind: AlertKind
    def __init__(self, name: _Optional[str] = ..., kind: _Optional[str] = ..., request_id: _Optional[str] = ..., alert_kind: _Optional[_Union[AlertKind, str]] = ...) -> None: ...

class AcknowledgeAlertResponse(_message.Message):
    __slots__ = ("room",)
    ROOM_FIELD_NUMBER: _ClassVar[int]
    room: Room
    def __init__(self, room: _Optional[_Union[Room, _Mapping]] = ...) -> None: ...

class GetEmergencyRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetEmergencyResponse(_message.Message):
    __slots__ = ("active", "message")
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    active: bool
    message: str
    def __init__(self, active: _Optional[bool] = ..., message: _Optional[str] = ...) -> None: ...
