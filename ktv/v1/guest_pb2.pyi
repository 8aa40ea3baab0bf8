import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RoomControl(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROOM_CONTROL_UNSPECIFIED: _ClassVar[RoomControl]
    ROOM_CONTROL_SKIP: _ClassVar[RoomControl]
    ROOM_CONTROL_ORIGINAL_VOCAL: _ClassVar[RoomControl]
    ROOM_CONTROL_ACCOMPANIMENT: _ClassVar[RoomControl]
    ROOM_CONTROL_VOLUME_UP: _ClassVar[RoomControl]
    ROOM_CONTROL_VOLUME_DOWN: _ClassVar[RoomControl]
    ROOM_CONTROL_REPLAY: _ClassVar[RoomControl]
    ROOM_CONTROL_PAUSE_RESUME: _ClassVar[RoomControl]
ROOM_CONTROL_UNSPECIFIED: RoomControl
ROOM_CONTROL_SKIP: RoomControl
ROOM_CONTROL_ORIGINAL_VOCAL: RoomControl
ROOM_CONTROL_ACCOMPANIMENT: RoomControl
ROOM_CONTROL_VOLUME_UP: RoomControl
ROOM_CONTROL_VOLUME_DOWN: RoomControl
ROOM_CONTROL_REPLAY: RoomControl
ROOM_CONTROL_PAUSE_RESUME: RoomControl

class GuestPermissions(_message.Message):
    __slots__ = ("may_queue_top", "may_skip", "may_switch_vocal", "may_change_volume", "may_order", "may_pay")
    MAY_QUEUE_TOP_FIELD_NUMBER: _ClassVar[int]
    MAY_SKIP_FIELD_NUMBER: _ClassVar[int]
    MAY_SWITCH_VOCAL_FIELD_NUMBER: _ClassVar[int]
    MAY_CHANGE_VOLUME_FIELD_NUMBER: _ClassVar[int]
    MAY_ORDER_FIELD_NUMBER: _ClassVar[int]
    MAY_PAY_FIELD_NUMBER: _ClassVar[int]
    may_queue_top: bool
    may_skip: bool
    may_switch_vocal: bool
    may_change_volume: bool
    may_order: bool
    may_pay: bool
    def __init__(self, may_queue_top: _Optional[bool] = ..., may_skip: _Optional[bool] = ..., may_switch_vocal: _Optional[bool] = ..., may_change_volume: _Optional[bool] = ..., may_order: _Optional[bool] = ..., may_pay: _Optional[bool] = ...) -> None: ...

class JoinRoomRequest(_message.Message):
    __slots__ = ("code", "nickname")
    CODE_FIELD_NUMBER: _ClassVar[int]
    NICKNAME_FIELD_NUMBER: _ClassVar[int]
    code: str
    nickname: str
    def __init__(self, code: _Optional[str] = ..., nickname: _Optional[str] = ...) -> None: ...

class JoinRoomResponse(_message.Message):
    __slots__ = ("guest", "credential", "room", "room_name", "venue_name", "nickname", "permissions", "expire_time")
    GUEST_FIELD_NUMBER: _ClassVar[int]
    CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    ROOM_FIELD_NUMBER: _ClassVar[int]
    ROOM_NAME_FIELD_NUMBER: _ClassVar[int]
    VENUE_NAME_FIELD_NUMBER: _ClassVar[int]
    NICKNAME_FIELD_NUMBER: _ClassVar[int]
    PERMISSIONS_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    guest: str
    credential: str
    room: str
    room_name: str
    venue_name: str
    nickname: str
    permissions: GuestPermissions
    expire_time: _timestamp_pb2.Timestamp
    def __init__(self, guest: _Optional[str] = ..., credential: _Optional[str] = ..., room: _Optional[str] = ..., room_name: _Optional[str] = ..., venue_name: _Optional[str] = ..., nickname: _Optional[str] = ..., permissions: _Optional[_Union[GuestPermissions, _Mapping]] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GuestSong(_message.Message):
    __slots__ = ("song_id", "title", "artist", "language", "duration_seconds", "has_lyrics")
    SONG_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    ARTIST_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    HAS_LYRICS_FIELD_NUMBER: _ClassVar[int]
    song_id: str
    title: str
    artist: str
    language: str
    duration_seconds: int
    has_lyrics: bool
    def __init__(self, song_id: _Optional[str] = ..., title: _Optional[str] = ..., artist: _Optional[str] = ..., language: _Optional[str] = ..., duration_seconds: _Optional[int] = ..., has_lyrics: _Optional[bool] = ...) -> None: ...

class QueueEntry(_message.Message):
    __slots__ = ("entry_id", "song", "added_by", "mine", "add_time")
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    SONG_FIELD_NUMBER: _ClassVar[int]
    ADDED_BY_FIELD_NUMBER: _ClassVar[int]
    MINE_FIELD_NUMBER: _ClassVar[int]
    ADD_TIME_FIELD_NUMBER: _ClassVar[int]
    entry_id: str
    song: GuestSong
    added_by: str
    mine: bool
    add_time: _timestamp_pb2.Timestamp
    def __init__(self, entry_id: _Optional[str] = ..., song: _Optional[_Union[GuestSong, _Mapping]] = ..., added_by: _Optional[str] = ..., mine: _Optional[bool] = ..., add_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class NowPlaying(_message.Message):
    __slots__ = ("song", "added_by", "position_seconds", "accompaniment", "volume_percent")
    SONG_FIELD_NUMBER: _ClassVar[int]
    ADDED_BY_FIELD_NUMBER: _ClassVar[int]
    POSITION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    ACCOMPANIMENT_FIELD_NUMBER: _ClassVar[int]
    VOLUME_PERCENT_FIELD_NUMBER: _ClassVar[int]
    song: GuestSong
    added_by: str
    position_seconds: int
    accompaniment: bool
    volume_percent: int
    def __init__(self, song: _Optional[_Union[GuestSong, _Mapping]] = ..., added_by: _Optional[str] = ..., position_seconds: _Optional[int] = ..., accompaniment: _Optional[bool] = ..., volume_percent: _Optional[int] = ...) -> None: ...

class GetRoomViewRequest(_message.Message):
    __slots__ = ("room",)
    ROOM_FIELD_NUMBER: _ClassVar[int]
    room: str
    def __init__(self, room: _Optional[str] = ...) -> None: ...

class GetRoomViewResponse(_message.Message):
    __slots__ = ("room", "room_name", "now_playing", "queue", "agent_online", "end_time", "permissions", "session_open")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    ROOM_NAME_FIELD_NUMBER: _ClassVar[int]
    NOW_PLAYING_FIELD_NUMBER: _ClassVar[int]
    QUEUE_FIELD_NUMBER: _ClassVar[int]
    AGENT_ONLINE_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    PERMISSIONS_FIELD_NUMBER: _ClassVar[int]
    SESSION_OPEN_FIELD_NUMBER: _ClassVar[int]
    room: str
    room_name: str
    now_playing: NowPlaying
    queue: _containers.RepeatedCompositeFieldContainer[QueueEntry]
    agent_online: bool
    end_time: _timestamp_pb2.Timestamp
    permissions: GuestPermissions
    session_open: bool
    def __init__(self, room: _Optional[str] = ..., room_name: _Optional[str] = ..., now_playing: _Optional[_Union[NowPlaying, _Mapping]] = ..., queue: _Optional[_Iterable[_Union[QueueEntry, _Mapping]]] = ..., agent_online: _Optional[bool] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., permissions: _Optional[_Union[GuestPermissions, _Mapping]] = ..., session_open: _Optional[bool] = ...) -> None: ...

class SearchSongsRequest(_message.Message):
    __slots__ = ("room", "query", "artist", "language", "char_count", "page_size", "page_token")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    ARTIST_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    CHAR_COUNT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    room: str
    query: str
    artist: str
    language: str
    char_count: int
    page_size: int
    page_token: str
    def __init__(self, room: _Optional[str] = ..., query: _Optional[str] = ..., artist: _Optional[str] = ..., language: _Optional[str] = ..., char_count: _Optional[int] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class SearchSongsResponse(_message.Message):
    __slots__ = ("songs", "total", "total_capped", "next_page_token")
    SONGS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    TOTAL_CAPPED_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    songs: _containers.RepeatedCompositeFieldContainer[GuestSong]
    total: int
    total_capped: bool
    next_page_token: str
    def __init__(self, songs: _Optional[_Iterable[_Union[GuestSong, _Mapping]]] = ..., total: _Optional[int] = ..., total_capped: _Optional[bool] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class QueueSongRequest(_message.Message):
    __slots__ = ("room", "song_id", "top", "request_id")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    SONG_ID_FIELD_NUMBER: _ClassVar[int]
    TOP_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    room: str
    song_id: str
    top: bool
    request_id: str
    def __init__(self, room: _Optional[str] = ..., song_id: _Optional[str] = ..., top: _Optional[bool] = ..., request_id: _Optional[str] = ...) -> None: ...

class QueueSongResponse(_message.Message):
    __slots__ = ("entry",)
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    entry: QueueEntry
    def __init__(self, entry: _Optional[_Union[QueueEntry, _Mapping]] = ...) -> None: ...

class RemoveQueuedSongRequest(_message.Message):
    __slots__ = ("room", "entry_id", "request_id")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    room: str
    entry_id: str
    request_id: str
    def __init__(self, room: _Optional[str] = ..., entry_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class RemoveQueuedSongResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ControlRoomRequest(_message.Message):
    __slots__ = ("room", "control", "request_id")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    CONTROL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    room: str
    control: RoomControl
    request_id: str
    def __init__(self, room: _Optional[str] = ..., control: _Optional[_Union[RoomControl, str]] = ..., request_id: _Optional[str] = ...) -> None: ...

class ControlRoomResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CallServiceRequest(_message.Message):
    __slots__ = ("room", "note", "request_id")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    room: str
    note: str
    request_id: str
    def __init__(self, room: _Optional[str] = ..., note: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class CallServiceResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetGuestCodeRequest(_message.Message):
    __slots__ = ("room",)
    ROOM_FIELD_NUMBER: _ClassVar[int]
    room: str
    def __init__(self, room: _Optional[str] = ...) -> None: ...

class GetGuestCodeResponse(_message.Message):
    __slots__ = ("url", "issue_time", "guests_joined")
    URL_FIELD_NUMBER: _ClassVar[int]
    ISSUE_TIME_FIELD_NUMBER: _ClassVar[int]
    GUESTS_JOINED_FIELD_NUMBER: _ClassVar[int]
    url: str
    issue_time: _timestamp_pb2.Timestamp
    guests_joined: int
    def __init__(self, url: _Optional[str] = ..., issue_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., guests_joined: _Optional[int] = ...) -> None: ...

class RevokeGuestCodeRequest(_message.Message):
    __slots__ = ("room", "reason", "request_id")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    room: str
    reason: str
    request_id: str
    def __init__(self, room: _Optional[str] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class RevokeGuestCodeResponse(_message.Message):
    __slots__ = ("url", "guests_revoked")
    URL_FIELD_NUMBER: _ClassVar[int]
    GUESTS_REVOKED_FIELD_NUMBER: _ClassVar[int]
    url: str
    guests_revoked: int
    def __init__(self, url: _Optional[str] = ..., guests_revoked: _Optional[int] = ...) -> None: ...
