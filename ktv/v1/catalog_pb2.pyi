import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CatalogVersion(_message.Message):
    __slots__ = ("number", "version", "size_bytes", "sha256", "schema", "song_count", "publish_time", "delta_bases")
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_FIELD_NUMBER: _ClassVar[int]
    SONG_COUNT_FIELD_NUMBER: _ClassVar[int]
    PUBLISH_TIME_FIELD_NUMBER: _ClassVar[int]
    DELTA_BASES_FIELD_NUMBER: _ClassVar[int]
    number: int
    version: str
    size_bytes: int
    sha256: str
    schema: int
    song_count: int
    publish_time: _timestamp_pb2.Timestamp
    delta_bases: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, number: _Optional[int] = ..., version: _Optional[str] = ..., size_bytes: _Optional[int] = ..., sha256: _Optional[str] = ..., schema: _Optional[int] = ..., song_count: _Optional[int] = ..., publish_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., delta_bases: _Optional[_Iterable[int]] = ...) -> None: ...

class PublishCatalogRequest(_message.Message):
    __slots__ = ("request_id",)
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    def __init__(self, request_id: _Optional[str] = ...) -> None: ...

class PublishCatalogResponse(_message.Message):
    __slots__ = ("version", "rooms_offered")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    ROOMS_OFFERED_FIELD_NUMBER: _ClassVar[int]
    version: CatalogVersion
    rooms_offered: int
    def __init__(self, version: _Optional[_Union[CatalogVersion, _Mapping]] = ..., rooms_offered: _Optional[int] = ...) -> None: ...

class ListCatalogVersionsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListCatalogVersionsResponse(_message.Message):
    __slots__ = ("versions",)
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    versions: _containers.RepeatedCompositeFieldContainer[CatalogVersion]
    def __init__(self, versions: _Optional[_Iterable[_Union[CatalogVersion, _Mapping]]] = ...) -> None: ...
