import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from ktv.v1 import rooms_pb2 as _rooms_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetEnergyReportRequest(_message.Message):
    __slots__ = ("business_day", "room")
    BUSINESS_DAY_FIELD_NUMBER: _ClassVar[int]
    ROOM_FIELD_NUMBER: _ClassVar[int]
    business_day: str
    room: str
    def __init__(self, business_day: _Optional[str] = ..., room: _Optional[str] = ...) -> None: ...

class SessionEnergy(_message.Message):
    __slots__ = ("session", "energy_wh", "duration_seconds", "energy_wh_per_hour")
    SESSION_FIELD_NUMBER: _ClassVar[int]
    ENERGY_WH_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    ENERGY_WH_PER_HOUR_FIELD_NUMBER: _ClassVar[int]
    session: str
    energy_wh: int
    duration_seconds: int
    energy_wh_per_hour: int
    def __init__(self, session: _Optional[str] = ..., energy_wh: _Optional[int] = ..., duration_seconds: _Optional[int] = ..., energy_wh_per_hour: _Optional[int] = ...) -> None: ...

class RoomEnergy(_message.Message):
    __slots__ = ("room", "total_wh", "session_wh", "idle_wh", "cleaning_wh", "other_wh", "waste_wh", "on_seconds", "metered", "sessions")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    TOTAL_WH_FIELD_NUMBER: _ClassVar[int]
    SESSION_WH_FIELD_NUMBER: _ClassVar[int]
    IDLE_WH_FIELD_NUMBER: _ClassVar[int]
    CLEANING_WH_FIELD_NUMBER: _ClassVar[int]
    OTHER_WH_FIELD_NUMBER: _ClassVar[int]
    WASTE_WH_FIELD_NUMBER: _ClassVar[int]
    ON_SECONDS_FIELD_NUMBER: _ClassVar[int]
    METERED_FIELD_NUMBER: _ClassVar[int]
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    room: str
    total_wh: int
    session_wh: int
    idle_wh: int
    cleaning_wh: int
    other_wh: int
    waste_wh: int
    on_seconds: int
    metered: bool
    sessions: _containers.RepeatedCompositeFieldContainer[SessionEnergy]
    def __init__(self, room: _Optional[str] = ..., total_wh: _Optional[int] = ..., session_wh: _Optional[int] = ..., idle_wh: _Optional[int] = ..., cleaning_wh: _Optional[int] = ..., other_wh: _Optional[int] = ..., waste_wh: _Optional[int] = ..., on_seconds: _Optional[int] = ..., metered: _Optional[bool] = ..., sessions: _Optional[_Iterable[_Union[SessionEnergy, _Mapping]]] = ...) -> None: ...

class GetEnergyReportResponse(_message.Message):
    __slots__ = ("business_day", "start_time", "end_time", "rooms")
    BUSINESS_DAY_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    ROOMS_FIELD_NUMBER: _ClassVar[int]
    business_day: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    rooms: _containers.RepeatedCompositeFieldContainer[RoomEnergy]
    def __init__(self, business_day: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., rooms: _Optional[_Iterable[_Union[RoomEnergy, _Mapping]]] = ...) -> None: ...

class ListDeviceHealthRequest(_message.Message):
    __slots__ = ("room", "days")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    DAYS_FIELD_NUMBER: _ClassVar[int]
    room: str
    days: int
    def __init__(self, room: _Optional[str] = ..., days: _Optional[int] = ...) -> None: ...

class HealthAlert(_message.Message):
    __slots__ = ("kind", "message")
    KIND_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    kind: str
    message: str
    def __init__(self, kind: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class RoomHealth(_message.Message):
    __slots__ = ("room", "badge", "risk", "alerts", "temperature_c", "throttled_flags", "disk_written_bytes_per_day", "disk_free_bytes", "player_errors_per_day", "taps", "output_switches", "report_time")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    BADGE_FIELD_NUMBER: _ClassVar[int]
    RISK_FIELD_NUMBER: _ClassVar[int]
    ALERTS_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_C_FIELD_NUMBER: _ClassVar[int]
    THROTTLED_FLAGS_FIELD_NUMBER: _ClassVar[int]
    DISK_WRITTEN_BYTES_PER_DAY_FIELD_NUMBER: _ClassVar[int]
    DISK_FREE_BYTES_FIELD_NUMBER: _ClassVar[int]
    PLAYER_ERRORS_PER_DAY_FIELD_NUMBER: _ClassVar[int]
    TAPS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_SWITCHES_FIELD_NUMBER: _ClassVar[int]
    REPORT_TIME_FIELD_NUMBER: _ClassVar[int]
    room: str
    badge: _rooms_pb2.HealthBadge
    risk: int
    alerts: _containers.RepeatedCompositeFieldContainer[HealthAlert]
    temperature_c: float
    throttled_flags: int
    disk_written_bytes_per_day: int
    disk_free_bytes: int
    player_errors_per_day: float
    taps: int
    output_switches: int
    report_time: _timestamp_pb2.Timestamp
    def __init__(self, room: _Optional[str] = ..., badge: _Optional[_Union[_rooms_pb2.HealthBadge, str]] = ..., risk: _Optional[int] = ..., alerts: _Optional[_Iterable[_Union[HealthAlert, _Mapping]]] = ..., temperature_c: _Optional[float] = ..., throttled_flags: _Optional[int] = ..., disk_written_bytes_per_day: _Optional[int] = ..., disk_free_bytes: _Optional[int] = ..., player_errors_per_day: _Optional[float] = ..., taps: _Optional[int] = ..., output_switches: _Optional[int] = ..., report_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListDeviceHealthResponse(_message.Message):
    __slots__ = ("rooms",)
    ROOMS_FIELD_NUMBER: _ClassVar[int]
    rooms: _containers.RepeatedCompositeFieldContainer[RoomHealth]
    def __init__(self, rooms: _Optional[_Iterable[_Union[RoomHealth, _Mapping]]] = ...) -> None: ...
