import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from ktv.v1 import members_pb2 as _members_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DrawEligibility(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DRAW_ELIGIBILITY_UNSPECIFIED: _ClassVar[DrawEligibility]
    DRAW_ELIGIBILITY_BILL_OVER: _ClassVar[DrawEligibility]
    DRAW_ELIGIBILITY_ROOM_OPEN: _ClassVar[DrawEligibility]
    DRAW_ELIGIBILITY_MEMBER_TIER: _ClassVar[DrawEligibility]

class DrawPrizeKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DRAW_PRIZE_KIND_UNSPECIFIED: _ClassVar[DrawPrizeKind]
    DRAW_PRIZE_KIND_COUPON: _ClassVar[DrawPrizeKind]
    DRAW_PRIZE_KIND_COMP_PRODUCT: _ClassVar[DrawPrizeKind]
    DRAW_PRIZE_KIND_COMP_AMOUNT: _ClassVar[DrawPrizeKind]

class DrawState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DRAW_STATE_UNSPECIFIED: _ClassVar[DrawState]
    DRAW_STATE_SCHEDULED: _ClassVar[DrawState]
    DRAW_STATE_DRAWN: _ClassVar[DrawState]
DRAW_ELIGIBILITY_UNSPECIFIED: DrawEligibility
DRAW_ELIGIBILITY_BILL_OVER: DrawEligibility
DRAW_ELIGIBILITY_ROOM_OPEN: DrawEligibility
DRAW_ELIGIBILITY_MEMBER_TIER: DrawEligibility
DRAW_PRIZE_KIND_UNSPECIFIED: DrawPrizeKind
DRAW_PRIZE_KIND_COUPON: DrawPrizeKind
DRAW_PRIZE_KIND_COMP_PRODUCT: DrawPrizeKind
DRAW_PRIZE_KIND_COMP_AMOUNT: DrawPrizeKind
DRAW_STATE_UNSPECIFIED: DrawState
DRAW_STATE_SCHEDULED: DrawState
DRAW_STATE_DRAWN: DrawState

class MemberAccount(_message.Message):
    __slots__ = ("member", "masked_phone", "display_name", "balance_fen", "points", "tier", "coupons")
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    MASKED_PHONE_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    BALANCE_FEN_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    COUPONS_FIELD_NUMBER: _ClassVar[int]
    member: str
    masked_phone: str
    display_name: str
    balance_fen: int
    points: int
    tier: _members_pb2.MemberTier
    coupons: _containers.RepeatedCompositeFieldContainer[_members_pb2.Coupon]
    def __init__(self, member: _Optional[str] = ..., masked_phone: _Optional[str] = ..., display_name: _Optional[str] = ..., balance_fen: _Optional[int] = ..., points: _Optional[int] = ..., tier: _Optional[_Union[_members_pb2.MemberTier, str]] = ..., coupons: _Optional[_Iterable[_Union[_members_pb2.Coupon, _Mapping]]] = ...) -> None: ...

class SendSignInCodeRequest(_message.Message):
    __slots__ = ("room", "phone", "request_id")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    room: str
    phone: str
    request_id: str
    def __init__(self, room: _Optional[str] = ..., phone: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class SendSignInCodeResponse(_message.Message):
    __slots__ = ("expire_time",)
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    expire_time: _timestamp_pb2.Timestamp
    def __init__(self, expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SignInMemberRequest(_message.Message):
    __slots__ = ("room", "phone", "pin", "code", "request_id")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    PIN_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    room: str
    phone: str
    pin: str
    code: str
    request_id: str
    def __init__(self, room: _Optional[str] = ..., phone: _Optional[str] = ..., pin: _Optional[str] = ..., code: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class SignInMemberResponse(_message.Message):
    __slots__ = ("account",)
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    account: MemberAccount
    def __init__(self, account: _Optional[_Union[MemberAccount, _Mapping]] = ...) -> None: ...

class SignOutMemberRequest(_message.Message):
    __slots__ = ("room", "request_id")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    room: str
    request_id: str
    def __init__(self, room: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class SignOutMemberResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetMyAccountRequest(_message.Message):
    __slots__ = ("room",)
    ROOM_FIELD_NUMBER: _ClassVar[int]
    room: str
    def __init__(self, room: _Optional[str] = ...) -> None: ...

class GetMyAccountResponse(_message.Message):
    __slots__ = ("account",)
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    account: MemberAccount
    def __init__(self, account: _Optional[_Union[MemberAccount, _Mapping]] = ...) -> None: ...

class SavedSong(_message.Message):
    __slots__ = ("song_id", "title", "artist", "save_time")
    SONG_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    ARTIST_FIELD_NUMBER: _ClassVar[int]
    SAVE_TIME_FIELD_NUMBER: _ClassVar[int]
    song_id: str
    title: str
    artist: str
    save_time: _timestamp_pb2.Timestamp
    def __init__(self, song_id: _Optional[str] = ..., title: _Optional[str] = ..., artist: _Optional[str] = ..., save_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListSavedSongsRequest(_message.Message):
    __slots__ = ("room",)
    ROOM_FIELD_NUMBER: _ClassVar[int]
    room: str
    def __init__(self, room: _Optional[str] = ...) -> None: ...

class ListSavedSongsResponse(_message.Message):
    __slots__ = ("songs", "max_songs")
    SONGS_FIELD_NUMBER: _ClassVar[int]
    MAX_SONGS_FIELD_NUMBER: _ClassVar[int]
    songs: _containers.RepeatedCompositeFieldContainer[SavedSong]
    max_songs: int
    def __init__(self, songs: _Optional[_Iterable[_Union[SavedSong, _Mapping]]] = ..., max_songs: _Optional[int] = ...) -> None: ...

class SaveSongRequest(_message.Message):
    __slots__ = ("room", "song_id", "request_id")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    SONG_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    room: str
    song_id: str
    request_id: str
    def __init__(self, room: _Optional[str] = ..., song_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class SaveSongResponse(_message.Message):
    __slots__ = ("song",)
    SONG_FIELD_NUMBER: _ClassVar[int]
    song: SavedSong
    def __init__(self, song: _Optional[_Union[SavedSong, _Mapping]] = ...) -> None: ...

class RemoveSavedSongRequest(_message.Message):
    __slots__ = ("room", "song_id", "request_id")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    SONG_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    room: str
    song_id: str
    request_id: str
    def __init__(self, room: _Optional[str] = ..., song_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class RemoveSavedSongResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class QueueSavedSongsRequest(_message.Message):
    __slots__ = ("room", "request_id")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    room: str
    request_id: str
    def __init__(self, room: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class QueueSavedSongsResponse(_message.Message):
    __slots__ = ("queued_song_ids", "refused_song_ids")
    QUEUED_SONG_IDS_FIELD_NUMBER: _ClassVar[int]
    REFUSED_SONG_IDS_FIELD_NUMBER: _ClassVar[int]
    queued_song_ids: _containers.RepeatedScalarFieldContainer[str]
    refused_song_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, queued_song_ids: _Optional[_Iterable[str]] = ..., refused_song_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class DrawPrize(_message.Message):
    __slots__ = ("kind", "amount_fen", "product", "coupon_days_valid")
    KIND_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    COUPON_DAYS_VALID_FIELD_NUMBER: _ClassVar[int]
    kind: DrawPrizeKind
    amount_fen: int
    product: str
    coupon_days_valid: int
    def __init__(self, kind: _Optional[_Union[DrawPrizeKind, str]] = ..., amount_fen: _Optional[int] = ..., product: _Optional[str] = ..., coupon_days_valid: _Optional[int] = ...) -> None: ...

class DrawWinner(_message.Message):
    __slots__ = ("rank", "entrant", "room", "prize_reference")
    RANK_FIELD_NUMBER: _ClassVar[int]
    ENTRANT_FIELD_NUMBER: _ClassVar[int]
    ROOM_FIELD_NUMBER: _ClassVar[int]
    PRIZE_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    rank: int
    entrant: str
    room: str
    prize_reference: str
    def __init__(self, rank: _Optional[int] = ..., entrant: _Optional[str] = ..., room: _Optional[str] = ..., prize_reference: _Optional[str] = ...) -> None: ...

class Draw(_message.Message):
    __slots__ = ("name", "title", "start_time", "end_time", "eligibility", "min_bill_fen", "tier", "prize", "winner_count", "seed_sha256", "state", "seed", "entrants", "winners", "create_time", "draw_time", "algorithm")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    ELIGIBILITY_FIELD_NUMBER: _ClassVar[int]
    MIN_BILL_FEN_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    PRIZE_FIELD_NUMBER: _ClassVar[int]
    WINNER_COUNT_FIELD_NUMBER: _ClassVar[int]
    SEED_SHA256_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    ENTRANTS_FIELD_NUMBER: _ClassVar[int]
    WINNERS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    DRAW_TIME_FIELD_NUMBER: _ClassVar[int]
    ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    name: str
    title: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    eligibility: DrawEligibility
    min_bill_fen: int
    tier: _members_pb2.MemberTier
    prize: DrawPrize
    winner_count: int
    seed_sha256: str
    state: DrawState
    seed: str
    entrants: _containers.RepeatedScalarFieldContainer[str]
    winners: _containers.RepeatedCompositeFieldContainer[DrawWinner]
    create_time: _timestamp_pb2.Timestamp
    draw_time: _timestamp_pb2.Timestamp
    algorithm: str
    def __init__(self, name: _Optional[str] = ..., title: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., eligibility: _Optional[_Union[DrawEligibility, str]] = ..., min_bill_fen: _Optional[int] = ..., tier: _Optional[_Union[_members_pb2.MemberTier, str]] = ..., prize: _Optional[_Union[DrawPrize, _Mapping]] = ..., winner_count: _Optional[int] = ..., seed_sha256: _Optional[str] = ..., state: _Optional[_Union[DrawState, str]] = ..., seed: _Optional[str] = ..., entrants: _Optional[_Iterable[str]] = ..., winners: _Optional[_Iterable[_Union[DrawWinner, _Mapping]]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., draw_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., algorithm: _Optional[str] = ...) -> None: ...

class CreateDrawRequest(_message.Message):
    __slots__ = ("title", "start_time", "end_time", "eligibility", "min_bill_fen", "tier", "prize", "winner_count", "request_id")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    ELIGIBILITY_FIELD_NUMBER: _ClassVar[int]
    MIN_BILL_FEN_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    PRIZE_FIELD_NUMBER: _ClassVar[int]
    WINNER_COUNT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    title: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    eligibility: DrawEligibility
    min_bill_fen: int
    tier: _members_pb2.MemberTier
    prize: DrawPrize
    winner_count: int
    request_id: str
    def __init__(self, title: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., eligibility: _Optional[_Union[DrawEligibility, str]] = ..., min_bill_fen: _Optional[int] = ..., tier: _Optional[_Union[_members_pb2.MemberTier, str]] = ..., prize: _Optional[_Union[DrawPrize, _Mapping]] = ..., winner_count: _Optional[int] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateDrawResponse(_message.Message):
    __slots__ = ("draw",)
    DRAW_FIELD_NUMBER: _ClassVar[int]
    draw: Draw
    def __init__(self, draw: _Optional[_Union[Draw, _Mapping]] = ...) -> None: ...

class GetDrawRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetDrawResponse(_message.Message):
    __slots__ = ("draw",)
    DRAW_FIELD_NUMBER: _ClassVar[int]
    draw: Draw
    def __init__(self, draw: _Optional[_Union[Draw, _Mapping]] = ...) -> None: ...

class ListDrawsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListDrawsResponse(_message.Message):
    __slots__ = ("draws", "next_page_token")
    DRAWS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    draws: _containers.RepeatedCompositeFieldContainer[Draw]
    next_page_token: str
    def __init__(self, draws: _Optional[_Iterable[_Union[Draw, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class RunDrawRequest(_message.Message):
    __slots__ = ("name", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    request_id: str
    def __init__(self, name: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class RunDrawResponse(_message.Message):
    __slots__ = ("draw",)
    DRAW_FIELD_NUMBER: _ClassVar[int]
    draw: Draw
    def __init__(self, draw: _Optional[_Union[Draw, _Mapping]] = ...) -> None: ...

class RoomDraw(_message.Message):
    __slots__ = ("draw", "won", "prize_references")
    DRAW_FIELD_NUMBER: _ClassVar[int]
    WON_FIELD_NUMBER: _ClassVar[int]
    PRIZE_REFERENCES_FIELD_NUMBER: _ClassVar[int]
    draw: Draw
    won: bool
    prize_references: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, draw: _Optional[_Union[Draw, _Mapping]] = ..., won: _Optional[bool] = ..., prize_references: _Optional[_Iterable[str]] = ...) -> None: ...

class ListRoomDrawsRequest(_message.Message):
    __slots__ = ("room",)
    ROOM_FIELD_NUMBER: _ClassVar[int]
    room: str
    def __init__(self, room: _Optional[str] = ...) -> None: ...

class ListRoomDrawsResponse(_message.Message):
    __slots__ = ("draws",)
    DRAWS_FIELD_NUMBER: _ClassVar[int]
    draws: _containers.RepeatedCompositeFieldContainer[RoomDraw]
    def __init__(self, draws: _Optional[_Iterable[_Union[RoomDraw, _Mapping]]] = ...) -> None: ...
