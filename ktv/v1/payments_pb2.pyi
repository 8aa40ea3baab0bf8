import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PaymentState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_STATE_UNSPECIFIED: _ClassVar[PaymentState]
    PAYMENT_STATE_PENDING: _ClassVar[PaymentState]
    PAYMENT_STATE_PAID: _ClassVar[PaymentState]
    PAYMENT_STATE_CANCELLED: _ClassVar[PaymentState]
    PAYMENT_STATE_EXPIRED: _ClassVar[PaymentState]
    PAYMENT_STATE_FAILED: _ClassVar[PaymentState]

class PaymentIssueKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_ISSUE_KIND_UNSPECIFIED: _ClassVar[PaymentIssueKind]
    PAYMENT_ISSUE_KIND_LATE: _ClassVar[PaymentIssueKind]
    PAYMENT_ISSUE_KIND_OVERPAID: _ClassVar[PaymentIssueKind]

class PaymentIssueState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PAYMENT_ISSUE_STATE_UNSPECIFIED: _ClassVar[PaymentIssueState]
    PAYMENT_ISSUE_STATE_OPEN: _ClassVar[PaymentIssueState]
    PAYMENT_ISSUE_STATE_REFUNDED: _ClassVar[PaymentIssueState]
    PAYMENT_ISSUE_STATE_RESOLVED: _ClassVar[PaymentIssueState]

class ResolveAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RESOLVE_ACTION_UNSPECIFIED: _ClassVar[ResolveAction]
    RESOLVE_ACTION_RETRY_REFUND: _ClassVar[ResolveAction]
    RESOLVE_ACTION_MARK_RESOLVED: _ClassVar[ResolveAction]
PAYMENT_STATE_UNSPECIFIED: PaymentState
PAYMENT_STATE_PENDING: PaymentState
PAYMENT_STATE_PAID: PaymentState
PAYMENT_STATE_CANCELLED: PaymentState
PAYMENT_STATE_EXPIRED: PaymentState
PAYMENT_STATE_FAILED: PaymentState
PAYMENT_ISSUE_KIND_UNSPECIFIED: PaymentIssueKind
PAYMENT_ISSUE_KIND_LATE: PaymentIssueKind
PAYMENT_ISSUE_KIND_OVERPAID: PaymentIssueKind
PAYMENT_ISSUE_STATE_UNSPECIFIED: PaymentIssueState
PAYMENT_ISSUE_STATE_OPEN: PaymentIssueState
PAYMENT_ISSUE_STATE_REFUNDED: PaymentIssueState
PAYMENT_ISSUE_STATE_RESOLVED: PaymentIssueState
RESOLVE_ACTION_UNSPECIFIED: ResolveAction
RESOLVE_ACTION_RETRY_REFUND: ResolveAction
RESOLVE_ACTION_MARK_RESOLVED: ResolveAction

class PhonePayment(_message.Message):
    __slots__ = ("name", "room", "bill", "provider", "amount_fen", "state", "pay_url", "qr_content", "expire_time", "transaction_id", "recorded_fen", "refunded_fen", "failure", "create_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROOM_FIELD_NUMBER: _ClassVar[int]
    BILL_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PAY_URL_FIELD_NUMBER: _ClassVar[int]
    QR_CONTENT_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    RECORDED_FEN_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_FEN_FIELD_NUMBER: _ClassVar[int]
    FAILURE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    room: str
    bill: str
    provider: str
    amount_fen: int
    state: PaymentState
    pay_url: str
    qr_content: str
    expire_time: _timestamp_pb2.Timestamp
    transaction_id: str
    recorded_fen: int
    refunded_fen: int
    failure: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., room: _Optional[str] = ..., bill: _Optional[str] = ..., provider: _Optional[str] = ..., amount_fen: _Optional[int] = ..., state: _Optional[_Union[PaymentState, str]] = ..., pay_url: _Optional[str] = ..., qr_content: _Optional[str] = ..., expire_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., transaction_id: _Optional[str] = ..., recorded_fen: _Optional[int] = ..., refunded_fen: _Optional[int] = ..., failure: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class StartPaymentRequest(_message.Message):
    __slots__ = ("room", "provider", "request_id")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    room: str
    provider: str
    request_id: str
    def __init__(self, room: _Optional[str] = ..., provider: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class StartPaymentResponse(_message.Message):
    __slots__ = ("payment",)
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    payment: PhonePayment
    def __init__(self, payment: _Optional[_Union[PhonePayment, _Mapping]] = ...) -> None: ...

class GetPaymentRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetPaymentResponse(_message.Message):
    __slots__ = ("payment",)
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    payment: PhonePayment
    def __init__(self, payment: _Optional[_Union[PhonePayment, _Mapping]] = ...) -> None: ...

class CancelPaymentRequest(_message.Message):
    __slots__ = ("name", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    request_id: str
    def __init__(self, name: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class CancelPaymentResponse(_message.Message):
    __slots__ = ("payment",)
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    payment: PhonePayment
    def __init__(self, payment: _Optional[_Union[PhonePayment, _Mapping]] = ...) -> None: ...

class NotifyHeader(_message.Message):
    __slots__ = ("name", "value")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    name: str
    value: str
    def __init__(self, name: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class NotifyPaymentRequest(_message.Message):
    __slots__ = ("provider", "headers", "body")
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    provider: str
    headers: _containers.RepeatedCompositeFieldContainer[NotifyHeader]
    body: bytes
    def __init__(self, provider: _Optional[str] = ..., headers: _Optional[_Iterable[_Union[NotifyHeader, _Mapping]]] = ..., body: _Optional[bytes] = ...) -> None: ...

class NotifyPaymentResponse(_message.Message):
    __slots__ = ("http_status", "content_type", "body")
    HTTP_STATUS_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    http_status: int
    content_type: str
    body: bytes
    def __init__(self, http_status: _Optional[int] = ..., content_type: _Optional[str] = ..., body: _Optional[bytes] = ...) -> None: ...

class PaymentIssue(_message.Message):
    __slots__ = ("name", "payment", "bill", "room", "provider", "kind", "state", "amount_fen", "refund_reference", "note", "create_time", "resolved_by")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_FIELD_NUMBER: _ClassVar[int]
    BILL_FIELD_NUMBER: _ClassVar[int]
    ROOM_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    REFUND_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    RESOLVED_BY_FIELD_NUMBER: _ClassVar[int]
    name: str
    payment: str
    bill: str
    room: str
    provider: str
    kind: PaymentIssueKind
    state: PaymentIssueState
    amount_fen: int
    refund_reference: str
    note: str
    create_time: _timestamp_pb2.Timestamp
    resolved_by: str
    def __init__(self, name: _Optional[str] = ..., payment: _Optional[str] = ..., bill: _Optional[str] = ..., room: _Optional[str] = ..., provider: _Optional[str] = ..., kind: _Optional[_Union[PaymentIssueKind, str]] = ..., state: _Optional[_Union[PaymentIssueState, str]] = ..., amount_fen: _Optional[int] = ..., refund_reference: _Optional[str] = ..., note: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., resolved_by: _Optional[str] = ...) -> None: ...

class ListPaymentIssuesRequest(_message.Message):
    __slots__ = ("include_settled", "page_size")
    INCLUDE_SETTLED_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    include_settled: bool
    page_size: int
    def __init__(self, include_settled: _Optional[bool] = ..., page_size: _Optional[int] = ...) -> None: ...

class ListPaymentIssuesResponse(_message.Message):
    __slots__ = ("issues",)
    ISSUES_FIELD_NUMBER: _ClassVar[int]
    issues: _containers.RepeatedCompositeFieldContainer[PaymentIssue]
    def __init__(self, issues: _Optional[_Iterable[_Union[PaymentIssue, _Mapping]]] = ...) -> None: ...

class ResolvePaymentIssueRequest(_message.Message):
    __slots__ = ("name", "action", "note", "request_id")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    name: str
    action: ResolveAction
    note: str
    request_id: str
    def __init__(self, name: _Optional[str] = ..., action: _Optional[_Union[ResolveAction, str]] = ..., note: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ResolvePaymentIssueResponse(_message.Message):
    __slots__ = ("issue",)
    ISSUE_FIELD_NUMBER: _ClassVar[int]
    issue: PaymentIssue
    def __init__(self, issue: _Optional[_Union[PaymentIssue, _Mapping]] = ...) -> None: ...
