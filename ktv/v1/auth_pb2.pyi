import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Role(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROLE_UNSPECIFIED: _ClassVar[Role]
    ROLE_AGENT: _ClassVar[Role]
    ROLE_GUEST: _ClassVar[Role]
    ROLE_WAITER: _ClassVar[Role]
    ROLE_CASHIER: _ClassVar[Role]
    ROLE_TECHNICIAN: _ClassVar[Role]
    ROLE_MANAGER: _ClassVar[Role]
    ROLE_ADMIN: _ClassVar[Role]
    ROLE_WALL_BOARD: _ClassVar[Role]
ROLE_UNSPECIFIED: Role
ROLE_AGENT: Role
ROLE_GUEST: Role
ROLE_WAITER: Role
ROLE_CASHIER: Role
ROLE_TECHNICIAN: Role
ROLE_MANAGER: Role
ROLE_ADMIN: Role
ROLE_WALL_BOARD: Role

class CreateEnrollmentCodeRequest(_message.Message):
    __slots__ = ("room", "request_id")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    room: str
    request_id: str
    def __init__(self, room: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateEnrollmentCodeResponse(_message.Message):
    __slots__ = ("code", "expire_time")
    CODE_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    code: str
    expire_time: _timestamp_pb2.Timestamp
    def __init__(self, code: _Optional[str] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class EnrollAgentRequest(_message.Message):
    __slots__ = ("code", "agent_version", "csr_pem", "request_id")
    CODE_FIELD_NUMBER: _ClassVar[int]
    AGENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    CSR_PEM_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    code: str
    agent_version: str
    csr_pem: str
    request_id: str
    def __init__(self, code: _Optional[str] = ..., agent_version: _Optional[str] = ..., csr_pem: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class EnrollAgentResponse(_message.Message):
    __slots__ = ("room", "agent_token", "certificate_pem", "ca_certificate_pem")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    AGENT_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CERTIFICATE_PEM_FIELD_NUMBER: _ClassVar[int]
    CA_CERTIFICATE_PEM_FIELD_NUMBER: _ClassVar[int]
    room: str
    agent_token: str
    certificate_pem: str
    ca_certificate_pem: str
    def __init__(self, room: _Optional[str] = ..., agent_token: _Optional[str] = ..., certificate_pem: _Optional[str] = ..., ca_certificate_pem: _Optional[str] = ...) -> None: ...

class LoginRequest(_message.Message):
    __slots__ = ("staff_id", "pin", "request_id")
    STAFF_ID_FIELD_NUMBER: _ClassVar[int]
    PIN_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    staff_id: str
    pin: str
    request_id: str
    def __init__(self, staff_id: _Optional[str] = ..., pin: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class LoginResponse(_message.Message):
    __slots__ = ("token", "expire_time", "role")
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    token: str
    expire_time: _timestamp_pb2.Timestamp
    role: Role
    def __init__(self, token: _Optional[str] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., role: _Optional[_Union[Role, str]] = ...) -> None: ...

class CreateStaffRequest(_message.Message):
    __slots__ = ("staff_id", "display_name", "role", "pin", "request_id")
    STAFF_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    PIN_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    staff_id: str
    display_name: str
    role: Role
    pin: str
    request_id: str
    def __init__(self, staff_id: _Optional[str] = ..., display_name: _Optional[str] = ..., role: _Optional[_Union[Role, str]] = ..., pin: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateStaffResponse(_message.Message):
    __slots__ = ("staff_id", "role")
    STAFF_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    staff_id: str
    role: Role
    def __init__(self, staff_id: _Optional[str] = ..., role: _Optional[_Union[Role, str]] = ...) -> None: ...

class WhoAmIRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class WhoAmIResponse(_message.Message):
    __slots__ = ("role", "room", "staff_id", "display_name")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    ROOM_FIELD_NUMBER: _ClassVar[int]
    STAFF_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    role: Role
    room: str
    staff_id: str
    display_name: str
    def __init__(self, role: _Optional[_Union[Role, str]] = ..., room: _Optional[str] = ..., staff_id: _Optional[str] = ..., display_name: _Optional[str] = ...) -> None: ...

class LogoutRequest(_message.Message):
    __slots__ = ("request_id",)
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    def __init__(self, request_id: _Optional[str] = ...) -> None: ...

class LogoutResponse(_message.Message):
    __slots__ = ("revoke_time",)
    REVOKE_TIME_FIELD_NUMBER: _ClassVar[int]
    revoke_time: _timestamp_pb2.Timestamp
    def __init__(self, revoke_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class WallKey(_message.Message):
    __slots__ = ("id", "label", "create_time", "created_by", "revoke_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    REVOKE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    label: str
    create_time: _timestamp_pb2.Timestamp
    created_by: str
    revoke_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., label: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ..., revoke_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateWallKeyRequest(_message.Message):
    __slots__ = ("label", "request_id")
    LABEL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    label: str
    request_id: str
    def __init__(self, label: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateWallKeyResponse(_message.Message):
    __slots__ = ("wall_key", "key")
    WALL_KEY_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    wall_key: WallKey
    key: str
    def __init__(self, wall_key: _Optional[_Union[WallKey, _Mapping]] = ..., key: _Optional[str] = ...) -> None: ...

class ListWallKeysRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListWallKeysResponse(_message.Message):
    __slots__ = ("wall_keys",)
    WALL_KEYS_FIELD_NUMBER: _ClassVar[int]
    wall_keys: _containers.RepeatedCompositeFieldContainer[WallKey]
    def __init__(self, wall_keys: _Optional[_Iterable[_Union[WallKey, _Mapping]]] = ...) -> None: ...

class RevokeWallKeyRequest(_message.Message):
    __slots__ = ("id", "request_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    request_id: str
    def __init__(self, id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class RevokeWallKeyResponse(_message.Message):
    __slots__ = ("wall_key",)
    WALL_KEY_FIELD_NUMBER: _ClassVar[int]
    wall_key: WallKey
    def __init__(self, wall_key: _Optional[_Union[WallKey, _Mapping]] = ...) -> None: ...

class ListStaffRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class StaffMember(_message.Message):
    __slots__ = ("staff_id", "display_name", "role", "locked", "create_time", "update_time")
    STAFF_ID_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    LOCKED_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    staff_id: str
    display_name: str
    role: Role
    locked: bool
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, staff_id: _Optional[str] = ..., display_name: _Optional[str] = ..., role: _Optional[_Union[Role, str]] = ..., locked: _Optional[bool] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListStaffResponse(_message.Message):
    __slots__ = ("staff", "next_page_token")
    STAFF_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    staff: _containers.RepeatedCompositeFieldContainer[StaffMember]
    next_page_token: str
    def __init__(self, staff: _Optional[_Iterable[_Union[StaffMember, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
