import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from ktv.v1 import guest_pb2 as _guest_pb2
from ktv.v1 import rooms_pb2 as _rooms_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PlayOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PLAY_OUTCOME_UNSPECIFIED: _ClassVar[PlayOutcome]
    PLAY_OUTCOME_COMPLETED: _ClassVar[PlayOutcome]
    PLAY_OUTCOME_SKIPPED: _ClassVar[PlayOutcome]
    PLAY_OUTCOME_FAILED: _ClassVar[PlayOutcome]
    PLAY_OUTCOME_STOPPED: _ClassVar[PlayOutcome]

class AfterEnd(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AFTER_END_UNSPECIFIED: _ClassVar[AfterEnd]
    AFTER_END_STOP: _ClassVar[AfterEnd]
    AFTER_END_CONTINUE_HOURLY: _ClassVar[AfterEnd]
PLAY_OUTCOME_UNSPECIFIED: PlayOutcome
PLAY_OUTCOME_COMPLETED: PlayOutcome
PLAY_OUTCOME_SKIPPED: PlayOutcome
PLAY_OUTCOME_FAILED: PlayOutcome
PLAY_OUTCOME_STOPPED: PlayOutcome
AFTER_END_UNSPECIFIED: AfterEnd
AFTER_END_STOP: AfterEnd
AFTER_END_CONTINUE_HOURLY: AfterEnd

class ConnectRequest(_message.Message):
    __slots__ = ("hello", "heartbeat", "event", "command_result", "queue_snapshot")
    HELLO_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    COMMAND_RESULT_FIELD_NUMBER: _ClassVar[int]
    QUEUE_SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    hello: AgentHello
    heartbeat: AgentHeartbeat
    event: RoomEvent
    command_result: CommandResult
    queue_snapshot: QueueSnapshot
    def __init__(self, hello: _Optional[_Union[AgentHello, _Mapping]] = ..., heartbeat: _Optional[_Union[AgentHeartbeat, _Mapping]] = ..., event: _Optional[_Union[RoomEvent, _Mapping]] = ..., command_result: _Optional[_Union[CommandResult, _Mapping]] = ..., queue_snapshot: _Optional[_Union[QueueSnapshot, _Mapping]] = ...) -> None: ...

class ConnectResponse(_message.Message):
    __slots__ = ("welcome", "ack", "command", "catalog_offer")
    WELCOME_FIELD_NUMBER: _ClassVar[int]
    ACK_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    CATALOG_OFFER_FIELD_NUMBER: _ClassVar[int]
    welcome: ControllerWelcome
    ack: EventAck
    command: RoomCommand
    catalog_offer: CatalogOffer
    def __init__(self, welcome: _Optional[_Union[ControllerWelcome, _Mapping]] = ..., ack: _Optional[_Union[EventAck, _Mapping]] = ..., command: _Optional[_Union[RoomCommand, _Mapping]] = ..., catalog_offer: _Optional[_Union[CatalogOffer, _Mapping]] = ...) -> None: ...

class AgentHello(_message.Message):
    __slots__ = ("room", "agent_version", "catalog_version", "heartbeat_interval_seconds", "catalog_schema")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    AGENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    CATALOG_VERSION_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_INTERVAL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    CATALOG_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    room: str
    agent_version: str
    catalog_version: str
    heartbeat_interval_seconds: int
    catalog_schema: int
    def __init__(self, room: _Optional[str] = ..., agent_version: _Optional[str] = ..., catalog_version: _Optional[str] = ..., heartbeat_interval_seconds: _Optional[int] = ..., catalog_schema: _Optional[int] = ...) -> None: ...

class AgentHeartbeat(_message.Message):
    __slots__ = ("send_time", "outbox_depth", "catalog_version")
    SEND_TIME_FIELD_NUMBER: _ClassVar[int]
    OUTBOX_DEPTH_FIELD_NUMBER: _ClassVar[int]
    CATALOG_VERSION_FIELD_NUMBER: _ClassVar[int]
    send_time: _timestamp_pb2.Timestamp
    outbox_depth: int
    catalog_version: str
    def __init__(self, send_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., outbox_depth: _Optional[int] = ..., catalog_version: _Optional[str] = ...) -> None: ...

class ControllerWelcome(_message.Message):
    __slots__ = ("controller_version", "venue_id", "offline_after_seconds", "session", "emergency", "emergency_message")
    CONTROLLER_VERSION_FIELD_NUMBER: _ClassVar[int]
    VENUE_ID_FIELD_NUMBER: _ClassVar[int]
    OFFLINE_AFTER_SECONDS_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    EMERGENCY_FIELD_NUMBER: _ClassVar[int]
    EMERGENCY_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    controller_version: str
    venue_id: str
    offline_after_seconds: int
    session: SessionOpened
    emergency: bool
    emergency_message: str
    def __init__(self, controller_version: _Optional[str] = ..., venue_id: _Optional[str] = ..., offline_after_seconds: _Optional[int] = ..., session: _Optional[_Union[SessionOpened, _Mapping]] = ..., emergency: _Optional[bool] = ..., emergency_message: _Optional[str] = ...) -> None: ...

class EventAck(_message.Message):
    __slots__ = ("event_ids",)
    EVENT_IDS_FIELD_NUMBER: _ClassVar[int]
    event_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, event_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class RoomEvent(_message.Message):
    __slots__ = ("event_id", "occur_time", "door", "presence", "song_played", "service_called", "pins_checked", "power_switched", "meter_read", "device_health")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    OCCUR_TIME_FIELD_NUMBER: _ClassVar[int]
    DOOR_FIELD_NUMBER: _ClassVar[int]
    PRESENCE_FIELD_NUMBER: _ClassVar[int]
    SONG_PLAYED_FIELD_NUMBER: _ClassVar[int]
    SERVICE_CALLED_FIELD_NUMBER: _ClassVar[int]
    PINS_CHECKED_FIELD_NUMBER: _ClassVar[int]
    POWER_SWITCHED_FIELD_NUMBER: _ClassVar[int]
    METER_READ_FIELD_NUMBER: _ClassVar[int]
    DEVICE_HEALTH_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    occur_time: _timestamp_pb2.Timestamp
    door: DoorChanged
    presence: PresenceChanged
    song_played: SongPlayed
    service_called: ServiceCalled
    pins_checked: PinsChecked
    power_switched: PowerSwitched
    meter_read: MeterRead
    device_health: DeviceHealth
    def __init__(self, event_id: _Optional[str] = ..., occur_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., door: _Optional[_Union[DoorChanged, _Mapping]] = ..., presence: _Optional[_Union[PresenceChanged, _Mapping]] = ..., song_played: _Optional[_Union[SongPlayed, _Mapping]] = ..., service_called: _Optional[_Union[ServiceCalled, _Mapping]] = ..., pins_checked: _Optional[_Union[PinsChecked, _Mapping]] = ..., power_switched: _Optional[_Union[PowerSwitched, _Mapping]] = ..., meter_read: _Optional[_Union[MeterRead, _Mapping]] = ..., device_health: _Optional[_Union[DeviceHealth, _Mapping]] = ...) -> None: ...

class MeterRead(_message.Message):
    __slots__ = ("meter", "total_wh")
    METER_FIELD_NUMBER: _ClassVar[int]
    TOTAL_WH_FIELD_NUMBER: _ClassVar[int]
    meter: str
    total_wh: float
    def __init__(self, meter: _Optional[str] = ..., total_wh: _Optional[float] = ...) -> None: ...

class OutputSwitches(_message.Message):
    __slots__ = ("name", "count")
    NAME_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    name: str
    count: int
    def __init__(self, name: _Optional[str] = ..., count: _Optional[int] = ...) -> None: ...

class DeviceHealth(_message.Message):
    __slots__ = ("temperature_c", "temperature_known", "throttled_flags", "throttling_known", "disk_written_bytes", "disk_free_bytes", "player_errors", "taps", "door_edges", "motion_edges", "switches", "uptime_seconds")
    TEMPERATURE_C_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_KNOWN_FIELD_NUMBER: _ClassVar[int]
    THROTTLED_FLAGS_FIELD_NUMBER: _ClassVar[int]
    THROTTLING_KNOWN_FIELD_NUMBER: _ClassVar[int]
    DISK_WRITTEN_BYTES_FIELD_NUMBER: _ClassVar[int]
    DISK_FREE_BYTES_FIELD_NUMBER: _ClassVar[int]
    PLAYER_ERRORS_FIELD_NUMBER: _ClassVar[int]
    TAPS_FIELD_NUMBER: _ClassVar[int]
    DOOR_EDGES_FIELD_NUMBER: _ClassVar[int]
    MOTION_EDGES_FIELD_NUMBER: _ClassVar[int]
    SWITCHES_FIELD_NUMBER: _ClassVar[int]
    UPTIME_SECONDS_FIELD_NUMBER: _ClassVar[int]
    temperature_c: float
    temperature_known: bool
    throttled_flags: int
    throttling_known: bool
    disk_written_bytes: int
    disk_free_bytes: int
    player_errors: int
    taps: int
    door_edges: int
    motion_edges: int
    switches: _containers.RepeatedCompositeFieldContainer[OutputSwitches]
    uptime_seconds: int
    def __init__(self, temperature_c: _Optional[float] = ..., temperature_known: _Optional[bool] = ..., throttled_flags: _Optional[int] = ..., throttling_known: _Optional[bool] = ..., disk_written_bytes: _Optional[int] = ..., disk_free_bytes: _Optional[int] = ..., player_errors: _Optional[int] = ..., taps: _Optional[int] = ..., door_edges: _Optional[int] = ..., motion_edges: _Optional[int] = ..., switches: _Optional[_Iterable[_Union[OutputSwitches, _Mapping]]] = ..., uptime_seconds: _Optional[int] = ...) -> None: ...

class PinsChecked(_message.Message):
    __slots__ = ("mocked", "factory")
    MOCKED_FIELD_NUMBER: _ClassVar[int]
    FACTORY_FIELD_NUMBER: _ClassVar[int]
    mocked: bool
    factory: str
    def __init__(self, mocked: _Optional[bool] = ..., factory: _Optional[str] = ...) -> None: ...

class OutputLevel(_message.Message):
    __slots__ = ("name", "level_permille", "rated_watts")
    NAME_FIELD_NUMBER: _ClassVar[int]
    LEVEL_PERMILLE_FIELD_NUMBER: _ClassVar[int]
    RATED_WATTS_FIELD_NUMBER: _ClassVar[int]
    name: str
    level_permille: int
    rated_watts: int
    def __init__(self, name: _Optional[str] = ..., level_permille: _Optional[int] = ..., rated_watts: _Optional[int] = ...) -> None: ...

class PowerSwitched(_message.Message):
    __slots__ = ("on", "scene", "reason", "outputs", "load_watts")
    ON_FIELD_NUMBER: _ClassVar[int]
    SCENE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    LOAD_WATTS_FIELD_NUMBER: _ClassVar[int]
    on: bool
    scene: str
    reason: str
    outputs: _containers.RepeatedCompositeFieldContainer[OutputLevel]
    load_watts: int
    def __init__(self, on: _Optional[bool] = ..., scene: _Optional[str] = ..., reason: _Optional[str] = ..., outputs: _Optional[_Iterable[_Union[OutputLevel, _Mapping]]] = ..., load_watts: _Optional[int] = ...) -> None: ...

class DoorChanged(_message.Message):
    __slots__ = ("open",)
    OPEN_FIELD_NUMBER: _ClassVar[int]
    open: bool
    def __init__(self, open: _Optional[bool] = ...) -> None: ...

class PresenceChanged(_message.Message):
    __slots__ = ("present",)
    PRESENT_FIELD_NUMBER: _ClassVar[int]
    present: bool
    def __init__(self, present: _Optional[bool] = ...) -> None: ...

class SongPlayed(_message.Message):
    __slots__ = ("song_id", "title", "session", "start_time", "outcome", "played_ms", "error")
    SONG_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    PLAYED_MS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    song_id: str
    title: str
    session: str
    start_time: _timestamp_pb2.Timestamp
    outcome: PlayOutcome
    played_ms: int
    error: str
    def __init__(self, song_id: _Optional[str] = ..., title: _Optional[str] = ..., session: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., outcome: _Optional[_Union[PlayOutcome, str]] = ..., played_ms: _Optional[int] = ..., error: _Optional[str] = ...) -> None: ...

class ServiceCalled(_message.Message):
    __slots__ = ("kind", "note")
    KIND_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    kind: str
    note: str
    def __init__(self, kind: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class RoomCommand(_message.Message):
    __slots__ = ("command_id", "session_opened", "session_closed", "queue_songs", "volume_limit", "show_message", "emergency", "room_state", "service_acknowledged", "set_power", "guest_queue_song", "guest_remove_song", "guest_control")
    COMMAND_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_OPENED_FIELD_NUMBER: _ClassVar[int]
    SESSION_CLOSED_FIELD_NUMBER: _ClassVar[int]
    QUEUE_SONGS_FIELD_NUMBER: _ClassVar[int]
    VOLUME_LIMIT_FIELD_NUMBER: _ClassVar[int]
    SHOW_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    EMERGENCY_FIELD_NUMBER: _ClassVar[int]
    ROOM_STATE_FIELD_NUMBER: _ClassVar[int]
    SERVICE_ACKNOWLEDGED_FIELD_NUMBER: _ClassVar[int]
    SET_POWER_FIELD_NUMBER: _ClassVar[int]
    GUEST_QUEUE_SONG_FIELD_NUMBER: _ClassVar[int]
    GUEST_REMOVE_SONG_FIELD_NUMBER: _ClassVar[int]
    GUEST_CONTROL_FIELD_NUMBER: _ClassVar[int]
    command_id: str
    session_opened: SessionOpened
    session_closed: SessionClosed
    queue_songs: QueueSongs
    volume_limit: VolumeLimit
    show_message: ShowMessage
    emergency: Emergency
    room_state: RoomStateChanged
    service_acknowledged: ServiceAcknowledged
    set_power: SetPower
    guest_queue_song: GuestQueueSong
    guest_remove_song: GuestRemoveSong
    guest_control: GuestControl
    def __init__(self, command_id: _Optional[str] = ..., session_opened: _Optional[_Union[SessionOpened, _Mapping]] = ..., session_closed: _Optional[_Union[SessionClosed, _Mapping]] = ..., queue_songs: _Optional[_Union[QueueSongs, _Mapping]] = ..., volume_limit: _Optional[_Union[VolumeLimit, _Mapping]] = ..., show_message: _Optional[_Union[ShowMessage, _Mapping]] = ..., emergency: _Optional[_Union[Emergency, _Mapping]] = ..., room_state: _Optional[_Union[RoomStateChanged, _Mapping]] = ..., service_acknowledged: _Optional[_Union[ServiceAcknowledged, _Mapping]] = ..., set_power: _Optional[_Union[SetPower, _Mapping]] = ..., guest_queue_song: _Optional[_Union[GuestQueueSong, _Mapping]] = ..., guest_remove_song: _Optional[_Union[GuestRemoveSong, _Mapping]] = ..., guest_control: _Optional[_Union[GuestControl, _Mapping]] = ...) -> None: ...

class GuestQueueSong(_message.Message):
    __slots__ = ("song_id", "top", "entry_id", "guest_id", "nickname")
    SONG_ID_FIELD_NUMBER: _ClassVar[int]
    TOP_FIELD_NUMBER: _ClassVar[int]
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    GUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NICKNAME_FIELD_NUMBER: _ClassVar[int]
    song_id: str
    top: bool
    entry_id: str
    guest_id: str
    nickname: str
    def __init__(self, song_id: _Optional[str] = ..., top: _Optional[bool] = ..., entry_id: _Optional[str] = ..., guest_id: _Optional[str] = ..., nickname: _Optional[str] = ...) -> None: ...

class GuestRemoveSong(_message.Message):
    __slots__ = ("entry_id", "guest_id")
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    GUEST_ID_FIELD_NUMBER: _ClassVar[int]
    entry_id: str
    guest_id: str
    def __init__(self, entry_id: _Optional[str] = ..., guest_id: _Optional[str] = ...) -> None: ...

class GuestControl(_message.Message):
    __slots__ = ("control", "guest_id")
    CONTROL_FIELD_NUMBER: _ClassVar[int]
    GUEST_ID_FIELD_NUMBER: _ClassVar[int]
    control: _guest_pb2.RoomControl
    guest_id: str
    def __init__(self, control: _Optional[_Union[_guest_pb2.RoomControl, str]] = ..., guest_id: _Optional[str] = ...) -> None: ...

class QueueSnapshotEntry(_message.Message):
    __slots__ = ("entry_id", "song_id", "title", "artist", "add_time", "added_by", "guest_id")
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    SONG_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    ARTIST_FIELD_NUMBER: _ClassVar[int]
    ADD_TIME_FIELD_NUMBER: _ClassVar[int]
    ADDED_BY_FIELD_NUMBER: _ClassVar[int]
    GUEST_ID_FIELD_NUMBER: _ClassVar[int]
    entry_id: str
    song_id: str
    title: str
    artist: str
    add_time: _timestamp_pb2.Timestamp
    added_by: str
    guest_id: str
    def __init__(self, entry_id: _Optional[str] = ..., song_id: _Optional[str] = ..., title: _Optional[str] = ..., artist: _Optional[str] = ..., add_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., added_by: _Optional[str] = ..., guest_id: _Optional[str] = ...) -> None: ...

class QueueSnapshot(_message.Message):
    __slots__ = ("session", "now_playing", "position_seconds", "duration_seconds", "accompaniment", "volume_percent", "paused", "queue", "take_time")
    SESSION_FIELD_NUMBER: _ClassVar[int]
    NOW_PLAYING_FIELD_NUMBER: _ClassVar[int]
    POSITION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    ACCOMPANIMENT_FIELD_NUMBER: _ClassVar[int]
    VOLUME_PERCENT_FIELD_NUMBER: _ClassVar[int]
    PAUSED_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    TAKE_TIME_FIELD_NUMBER: _ClassVar[int]
    session: str
    now_playing: QueueSnapshotEntry
    position_seconds: int
    duration_seconds: int
    accompaniment: bool
    volume_percent: int
    paused: bool
    queue: _containers.RepeatedCompositeFieldContainer[QueueSnapshotEntry]
    take_time: _timestamp_pb2.Timestamp
    def __init__(self, session: _Optional[str] = ..., now_playing: _Optional[_Union[QueueSnapshotEntry, _Mapping]] = ..., position_seconds: _Optional[int] = ..., duration_seconds: _Optional[int] = ..., accompaniment: _Optional[bool] = ..., volume_percent: _Optional[int] = ..., paused: _Optional[bool] = ..., queue: _Optional[_Iterable[_Union[QueueSnapshotEntry, _Mapping]]] = ..., take_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SetPower(_message.Message):
    __slots__ = ("mode", "reason")
    MODE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    mode: _rooms_pb2.PowerMode
    reason: str
    def __init__(self, mode: _Optional[_Union[_rooms_pb2.PowerMode, str]] = ..., reason: _Optional[str] = ...) -> None: ...

class SessionOpened(_message.Message):
    __slots__ = ("session", "open_time", "end_time", "guest_count", "after_end", "guest_url")
    SESSION_FIELD_NUMBER: _ClassVar[int]
    OPEN_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    GUEST_COUNT_FIELD_NUMBER: _ClassVar[int]
    AFTER_END_FIELD_NUMBER: _ClassVar[int]
    GUEST_URL_FIELD_NUMBER: _ClassVar[int]
    session: str
    open_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    guest_count: int
    after_end: AfterEnd
    guest_url: str
    def __init__(self, session: _Optional[str] = ..., open_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., guest_count: _Optional[int] = ..., after_end: _Optional[_Union[AfterEnd, str]] = ..., guest_url: _Optional[str] = ...) -> None: ...

class ServiceAcknowledged(_message.Message):
    __slots__ = ("kind", "staff", "call_kind")
    KIND_FIELD_NUMBER: _ClassVar[int]
    STAFF_FIELD_NUMBER: _ClassVar[int]
    CALL_KIND_FIELD_NUMBER: _ClassVar[int]
    kind: str
    staff: str
    call_kind: str
    def __init__(self, kind: _Optional[str] = ..., staff: _Optional[str] = ..., call_kind: _Optional[str] = ...) -> None: ...

class SessionClosed(_message.Message):
    __slots__ = ("session",)
    SESSION_FIELD_NUMBER: _ClassVar[int]
    session: str
    def __init__(self, session: _Optional[str] = ...) -> None: ...

class QueueSongs(_message.Message):
    __slots__ = ("song_ids",)
    SONG_IDS_FIELD_NUMBER: _ClassVar[int]
    song_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, song_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class VolumeLimit(_message.Message):
    __slots__ = ("max_percent",)
    MAX_PERCENT_FIELD_NUMBER: _ClassVar[int]
    max_percent: int
    def __init__(self, max_percent: _Optional[int] = ...) -> None: ...

class ShowMessage(_message.Message):
    __slots__ = ("text", "duration_seconds")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    text: str
    duration_seconds: int
    def __init__(self, text: _Optional[str] = ..., duration_seconds: _Optional[int] = ...) -> None: ...

class Emergency(_message.Message):
    __slots__ = ("active", "message")
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    active: bool
    message: str
    def __init__(self, active: _Optional[bool] = ..., message: _Optional[str] = ...) -> None: ...

class RoomStateChanged(_message.Message):
    __slots__ = ("state",)
    STATE_FIELD_NUMBER: _ClassVar[int]
    state: _rooms_pb2.RoomState
    def __init__(self, state: _Optional[_Union[_rooms_pb2.RoomState, str]] = ...) -> None: ...

class CommandResult(_message.Message):
    __slots__ = ("command_id", "ok", "error")
    COMMAND_ID_FIELD_NUMBER: _ClassVar[int]
    OK_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    command_id: str
    ok: bool
    error: str
    def __init__(self, command_id: _Optional[str] = ..., ok: _Optional[bool] = ..., error: _Optional[str] = ...) -> None: ...

class CatalogOffer(_message.Message):
    __slots__ = ("number", "version", "schema", "size_bytes", "sha256", "deltas")
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    DELTAS_FIELD_NUMBER: _ClassVar[int]
    number: int
    version: str
    schema: int
    size_bytes: int
    sha256: str
    deltas: _containers.RepeatedCompositeFieldContainer[CatalogDeltaOffer]
    def __init__(self, number: _Optional[int] = ..., version: _Optional[str] = ..., schema: _Optional[int] = ..., size_bytes: _Optional[int] = ..., sha256: _Optional[str] = ..., deltas: _Optional[_Iterable[_Union[CatalogDeltaOffer, _Mapping]]] = ...) -> None: ...

class CatalogDeltaOffer(_message.Message):
    __slots__ = ("base_number", "size_bytes", "sha256")
    BASE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    base_number: int
    size_bytes: int
    sha256: str
    def __init__(self, base_number: _Optional[int] = ..., size_bytes: _Optional[int] = ..., sha256: _Optional[str] = ...) -> None: ...

class ReadCatalogChunkRequest(_message.Message):
    __slots__ = ("room", "number", "base_number", "offset", "max_bytes")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    BASE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    MAX_BYTES_FIELD_NUMBER: _ClassVar[int]
    room: str
    number: int
    base_number: int
    offset: int
    max_bytes: int
    def __init__(self, room: _Optional[str] = ..., number: _Optional[int] = ..., base_number: _Optional[int] = ..., offset: _Optional[int] = ..., max_bytes: _Optional[int] = ...) -> None: ...

class ReadCatalogChunkResponse(_message.Message):
    __slots__ = ("data", "offset", "size_bytes", "sha256")
    DATA_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    offset: int
    size_bytes: int
    sha256: str
    def __init__(self, data: _Optional[bytes] = ..., offset: _Optional[int] = ..., size_bytes: _Optional[int] = ..., sha256: _Optional[str] = ...) -> None: ...
