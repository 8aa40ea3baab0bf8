import datetime

from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from ktv.v1 import auth_pb2 as _auth_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Tender(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TENDER_UNSPECIFIED: _ClassVar[Tender]
    TENDER_CASH: _ClassVar[Tender]
    TENDER_BANK_CARD: _ClassVar[Tender]
    TENDER_WECHAT: _ClassVar[Tender]
    TENDER_ALIPAY: _ClassVar[Tender]
    TENDER_UNIONPAY_QR: _ClassVar[Tender]
    TENDER_STORED_VALUE: _ClassVar[Tender]
    TENDER_HOSPITALITY: _ClassVar[Tender]
    TENDER_SIGNED_CREDIT: _ClassVar[Tender]

class BillLineKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BILL_LINE_KIND_UNSPECIFIED: _ClassVar[BillLineKind]
    BILL_LINE_KIND_ROOM_TIME: _ClassVar[BillLineKind]
    BILL_LINE_KIND_TIME_BOUGHT: _ClassVar[BillLineKind]
    BILL_LINE_KIND_GIFT: _ClassVar[BillLineKind]
    BILL_LINE_KIND_FEE: _ClassVar[BillLineKind]
    BILL_LINE_KIND_ORDER: _ClassVar[BillLineKind]
    BILL_LINE_KIND_INCLUDED: _ClassVar[BillLineKind]
    BILL_LINE_KIND_COMP: _ClassVar[BillLineKind]
    BILL_LINE_KIND_MINIMUM_SPEND: _ClassVar[BillLineKind]
    BILL_LINE_KIND_SERVICE_CHARGE: _ClassVar[BillLineKind]
    BILL_LINE_KIND_DISCOUNT: _ClassVar[BillLineKind]
    BILL_LINE_KIND_ROUNDING: _ClassVar[BillLineKind]
    BILL_LINE_KIND_MORE: _ClassVar[BillLineKind]

class OrderStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ORDER_STATUS_UNSPECIFIED: _ClassVar[OrderStatus]
    ORDER_STATUS_PLACED: _ClassVar[OrderStatus]
    ORDER_STATUS_DELIVERED: _ClassVar[OrderStatus]
    ORDER_STATUS_CANCELLED: _ClassVar[OrderStatus]

class OrderSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ORDER_SOURCE_UNSPECIFIED: _ClassVar[OrderSource]
    ORDER_SOURCE_FRONT_DESK: _ClassVar[OrderSource]
    ORDER_SOURCE_ROOM: _ClassVar[OrderSource]

class SessionMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SESSION_MODE_UNSPECIFIED: _ClassVar[SessionMode]
    SESSION_MODE_POSTPAID: _ClassVar[SessionMode]
    SESSION_MODE_PREPAID: _ClassVar[SessionMode]

class BillStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BILL_STATUS_UNSPECIFIED: _ClassVar[BillStatus]
    BILL_STATUS_OPEN: _ClassVar[BillStatus]
    BILL_STATUS_CLOSED: _ClassVar[BillStatus]
    BILL_STATUS_MERGED: _ClassVar[BillStatus]

class OrderAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ORDER_ACTION_UNSPECIFIED: _ClassVar[OrderAction]
    ORDER_ACTION_DELIVER: _ClassVar[OrderAction]
    ORDER_ACTION_CANCEL: _ClassVar[OrderAction]
    ORDER_ACTION_COMP: _ClassVar[OrderAction]

class AuditEventKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AUDIT_EVENT_KIND_UNSPECIFIED: _ClassVar[AuditEventKind]
    AUDIT_EVENT_KIND_TAB_OPENED: _ClassVar[AuditEventKind]
    AUDIT_EVENT_KIND_TIME_BOUGHT: _ClassVar[AuditEventKind]
    AUDIT_EVENT_KIND_GUESTS_CHANGED: _ClassVar[AuditEventKind]
    AUDIT_EVENT_KIND_ROOM_MOVED: _ClassVar[AuditEventKind]
    AUDIT_EVENT_KIND_TABS_MERGED: _ClassVar[AuditEventKind]
    AUDIT_EVENT_KIND_ORDER_PLACED: _ClassVar[AuditEventKind]
    AUDIT_EVENT_KIND_ORDER_DELIVERED: _ClassVar[AuditEventKind]
    AUDIT_EVENT_KIND_ORDER_CANCELLED: _ClassVar[AuditEventKind]
    AUDIT_EVENT_KIND_ORDER_COMPED: _ClassVar[AuditEventKind]
    AUDIT_EVENT_KIND_DISCOUNT_GIVEN: _ClassVar[AuditEventKind]
    AUDIT_EVENT_KIND_PAYMENT_TAKEN: _ClassVar[AuditEventKind]
    AUDIT_EVENT_KIND_PAYMENT_REFUNDED: _ClassVar[AuditEventKind]
    AUDIT_EVENT_KIND_TAB_CHECKED_OUT: _ClassVar[AuditEventKind]
TENDER_UNSPECIFIED: Tender
TENDER_CASH: Tender
TENDER_BANK_CARD: Tender
TENDER_WECHAT: Tender
TENDER_ALIPAY: Tender
TENDER_UNIONPAY_QR: Tender
TENDER_STORED_VALUE: Tender
TENDER_HOSPITALITY: Tender
TENDER_SIGNED_CREDIT: Tender
BILL_LINE_KIND_UNSPECIFIED: BillLineKind
BILL_LINE_KIND_ROOM_TIME: BillLineKind
BILL_LINE_KIND_TIME_BOUGHT: BillLineKind
BILL_LINE_KIND_GIFT: BillLineKind
BILL_LINE_KIND_FEE: BillLineKind
BILL_LINE_KIND_ORDER: BillLineKind
BILL_LINE_KIND_INCLUDED: BillLineKind
BILL_LINE_KIND_COMP: BillLineKind
BILL_LINE_KIND_MINIMUM_SPEND: BillLineKind
BILL_LINE_KIND_SERVICE_CHARGE: BillLineKind
BILL_LINE_KIND_DISCOUNT: BillLineKind
BILL_LINE_KIND_ROUNDING: BillLineKind
BILL_LINE_KIND_MORE: BillLineKind
ORDER_STATUS_UNSPECIFIED: OrderStatus
ORDER_STATUS_PLACED: OrderStatus
ORDER_STATUS_DELIVERED: OrderStatus
ORDER_STATUS_CANCELLED: OrderStatus
ORDER_SOURCE_UNSPECIFIED: OrderSource
ORDER_SOURCE_FRONT_DESK: OrderSource
ORDER_SOURCE_ROOM: OrderSource
SESSION_MODE_UNSPECIFIED: SessionMode
SESSION_MODE_POSTPAID: SessionMode
SESSION_MODE_PREPAID: SessionMode
BILL_STATUS_UNSPECIFIED: BillStatus
BILL_STATUS_OPEN: BillStatus
BILL_STATUS_CLOSED: BillStatus
BILL_STATUS_MERGED: BillStatus
ORDER_ACTION_UNSPECIFIED: OrderAction
ORDER_ACTION_DELIVER: OrderAction
ORDER_ACTION_CANCEL: OrderAction
ORDER_ACTION_COMP: OrderAction
AUDIT_EVENT_KIND_UNSPECIFIED: AuditEventKind
AUDIT_EVENT_KIND_TAB_OPENED: AuditEventKind
AUDIT_EVENT_KIND_TIME_BOUGHT: AuditEventKind
AUDIT_EVENT_KIND_GUESTS_CHANGED: AuditEventKind
AUDIT_EVENT_KIND_ROOM_MOVED: AuditEventKind
AUDIT_EVENT_KIND_TABS_MERGED: AuditEventKind
AUDIT_EVENT_KIND_ORDER_PLACED: AuditEventKind
AUDIT_EVENT_KIND_ORDER_DELIVERED: AuditEventKind
AUDIT_EVENT_KIND_ORDER_CANCELLED: AuditEventKind
AUDIT_EVENT_KIND_ORDER_COMPED: AuditEventKind
AUDIT_EVENT_KIND_DISCOUNT_GIVEN: AuditEventKind
AUDIT_EVENT_KIND_PAYMENT_TAKEN: AuditEventKind
AUDIT_EVENT_KIND_PAYMENT_REFUNDED: AuditEventKind
AUDIT_EVENT_KIND_TAB_CHECKED_OUT: AuditEventKind

class TenderAmount(_message.Message):
    __slots__ = ("tender", "amount_fen", "reference", "member", "pin")
    TENDER_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    PIN_FIELD_NUMBER: _ClassVar[int]
    tender: Tender
    amount_fen: int
    reference: str
    member: str
    pin: str
    def __init__(self, tender: _Optional[_Union[Tender, str]] = ..., amount_fen: _Optional[int] = ..., reference: _Optional[str] = ..., member: _Optional[str] = ..., pin: _Optional[str] = ...) -> None: ...

class TimePurchase(_message.Message):
    __slots__ = ("package", "prepaid_minutes", "session_slot", "gift")
    PACKAGE_FIELD_NUMBER: _ClassVar[int]
    PREPAID_MINUTES_FIELD_NUMBER: _ClassVar[int]
    SESSION_SLOT_FIELD_NUMBER: _ClassVar[int]
    GIFT_FIELD_NUMBER: _ClassVar[int]
    package: str
    prepaid_minutes: int
    session_slot: str
    gift: bool
    def __init__(self, package: _Optional[str] = ..., prepaid_minutes: _Optional[int] = ..., session_slot: _Optional[str] = ..., gift: _Optional[bool] = ...) -> None: ...

class BillLine(_message.Message):
    __slots__ = ("kind", "label", "amount_fen", "quantity", "unit_fen", "room", "line_kind")
    KIND_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_FEN_FIELD_NUMBER: _ClassVar[int]
    ROOM_FIELD_NUMBER: _ClassVar[int]
    LINE_KIND_FIELD_NUMBER: _ClassVar[int]
    kind: str
    label: str
    amount_fen: int
    quantity: int
    unit_fen: int
    room: str
    line_kind: BillLineKind
    def __init__(self, kind: _Optional[str] = ..., label: _Optional[str] = ..., amount_fen: _Optional[int] = ..., quantity: _Optional[int] = ..., unit_fen: _Optional[int] = ..., room: _Optional[str] = ..., line_kind: _Optional[_Union[BillLineKind, str]] = ...) -> None: ...

class Payment(_message.Message):
    __slots__ = ("payment_id", "tender", "amount_fen", "tendered_fen", "change_fen", "provider", "reference", "refund_of", "reason", "time")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    TENDER_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    TENDERED_FEN_FIELD_NUMBER: _ClassVar[int]
    CHANGE_FEN_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    REFUND_OF_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    tender: Tender
    amount_fen: int
    tendered_fen: int
    change_fen: int
    provider: str
    reference: str
    refund_of: str
    reason: str
    time: _timestamp_pb2.Timestamp
    def __init__(self, payment_id: _Optional[str] = ..., tender: _Optional[_Union[Tender, str]] = ..., amount_fen: _Optional[int] = ..., tendered_fen: _Optional[int] = ..., change_fen: _Optional[int] = ..., provider: _Optional[str] = ..., reference: _Optional[str] = ..., refund_of: _Optional[str] = ..., reason: _Optional[str] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OrderLine(_message.Message):
    __slots__ = ("sku", "name", "quantity", "unit_fen")
    SKU_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_FEN_FIELD_NUMBER: _ClassVar[int]
    sku: str
    name: str
    quantity: int
    unit_fen: int
    def __init__(self, sku: _Optional[str] = ..., name: _Optional[str] = ..., quantity: _Optional[int] = ..., unit_fen: _Optional[int] = ...) -> None: ...

class Order(_message.Message):
    __slots__ = ("order_id", "room", "lines", "status", "comped", "included", "note", "source", "line_count", "order_status", "order_source")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ROOM_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    COMPED_FIELD_NUMBER: _ClassVar[int]
    INCLUDED_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    LINE_COUNT_FIELD_NUMBER: _ClassVar[int]
    ORDER_STATUS_FIELD_NUMBER: _ClassVar[int]
    ORDER_SOURCE_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    room: str
    lines: _containers.RepeatedCompositeFieldContainer[OrderLine]
    status: str
    comped: bool
    included: bool
    note: str
    source: str
    line_count: int
    order_status: OrderStatus
    order_source: OrderSource
    def __init__(self, order_id: _Optional[str] = ..., room: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[OrderLine, _Mapping]]] = ..., status: _Optional[str] = ..., comped: _Optional[bool] = ..., included: _Optional[bool] = ..., note: _Optional[str] = ..., source: _Optional[str] = ..., line_count: _Optional[int] = ..., order_status: _Optional[_Union[OrderStatus, str]] = ..., order_source: _Optional[_Union[OrderSource, str]] = ...) -> None: ...

class Bill(_message.Message):
    __slots__ = ("name", "plan_version", "rooms", "as_of_time", "lines", "subtotal_fen", "service_charge_fen", "discount_fen", "rounding_fen", "total_fen", "paid_fen", "due_fen", "closed", "payments", "orders", "mode", "guest_count", "paid_until_time", "status", "line_count", "next_page_token", "order_count", "payment_count", "session_mode", "bill_status")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PLAN_VERSION_FIELD_NUMBER: _ClassVar[int]
    ROOMS_FIELD_NUMBER: _ClassVar[int]
    AS_OF_TIME_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    SUBTOTAL_FEN_FIELD_NUMBER: _ClassVar[int]
    SERVICE_CHARGE_FEN_FIELD_NUMBER: _ClassVar[int]
    DISCOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    ROUNDING_FEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FEN_FIELD_NUMBER: _ClassVar[int]
    PAID_FEN_FIELD_NUMBER: _ClassVar[int]
    DUE_FEN_FIELD_NUMBER: _ClassVar[int]
    CLOSED_FIELD_NUMBER: _ClassVar[int]
    PAYMENTS_FIELD_NUMBER: _ClassVar[int]
    ORDERS_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    GUEST_COUNT_FIELD_NUMBER: _ClassVar[int]
    PAID_UNTIL_TIME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    LINE_COUNT_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ORDER_COUNT_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_COUNT_FIELD_NUMBER: _ClassVar[int]
    SESSION_MODE_FIELD_NUMBER: _ClassVar[int]
    BILL_STATUS_FIELD_NUMBER: _ClassVar[int]
    name: str
    plan_version: str
    rooms: _containers.RepeatedScalarFieldContainer[str]
    as_of_time: _timestamp_pb2.Timestamp
    lines: _containers.RepeatedCompositeFieldContainer[BillLine]
    subtotal_fen: int
    service_charge_fen: int
    discount_fen: int
    rounding_fen: int
    total_fen: int
    paid_fen: int
    due_fen: int
    closed: bool
    payments: _containers.RepeatedCompositeFieldContainer[Payment]
    orders: _containers.RepeatedCompositeFieldContainer[Order]
    mode: str
    guest_count: int
    paid_until_time: _timestamp_pb2.Timestamp
    status: str
    line_count: int
    next_page_token: str
    order_count: int
    payment_count: int
    session_mode: SessionMode
    bill_status: BillStatus
    def __init__(self, name: _Optional[str] = ..., plan_version: _Optional[str] = ..., rooms: _Optional[_Iterable[str]] = ..., as_of_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., lines: _Optional[_Iterable[_Union[BillLine, _Mapping]]] = ..., subtotal_fen: _Optional[int] = ..., service_charge_fen: _Optional[int] = ..., discount_fen: _Optional[int] = ..., rounding_fen: _Optional[int] = ..., total_fen: _Optional[int] = ..., paid_fen: _Optional[int] = ..., due_fen: _Optional[int] = ..., closed: _Optional[bool] = ..., payments: _Optional[_Iterable[_Union[Payment, _Mapping]]] = ..., orders: _Optional[_Iterable[_Union[Order, _Mapping]]] = ..., mode: _Optional[str] = ..., guest_count: _Optional[int] = ..., paid_until_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status: _Optional[str] = ..., line_count: _Optional[int] = ..., next_page_token: _Optional[str] = ..., order_count: _Optional[int] = ..., payment_count: _Optional[int] = ..., session_mode: _Optional[_Union[SessionMode, str]] = ..., bill_status: _Optional[_Union[BillStatus, str]] = ...) -> None: ...

class OpenSessionRequest(_message.Message):
    __slots__ = ("room", "guest_count", "purchase", "tenders", "booking", "request_id")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    GUEST_COUNT_FIELD_NUMBER: _ClassVar[int]
    PURCHASE_FIELD_NUMBER: _ClassVar[int]
    TENDERS_FIELD_NUMBER: _ClassVar[int]
    BOOKING_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    room: str
    guest_count: int
    purchase: TimePurchase
    tenders: _containers.RepeatedCompositeFieldContainer[TenderAmount]
    booking: str
    request_id: str
    def __init__(self, room: _Optional[str] = ..., guest_count: _Optional[int] = ..., purchase: _Optional[_Union[TimePurchase, _Mapping]] = ..., tenders: _Optional[_Iterable[_Union[TenderAmount, _Mapping]]] = ..., booking: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class OpenSessionResponse(_message.Message):
    __slots__ = ("bill",)
    BILL_FIELD_NUMBER: _ClassVar[int]
    bill: Bill
    def __init__(self, bill: _Optional[_Union[Bill, _Mapping]] = ...) -> None: ...

class ExtendSessionRequest(_message.Message):
    __slots__ = ("room", "purchase", "tenders", "request_id")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    PURCHASE_FIELD_NUMBER: _ClassVar[int]
    TENDERS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    room: str
    purchase: TimePurchase
    tenders: _containers.RepeatedCompositeFieldContainer[TenderAmount]
    request_id: str
    def __init__(self, room: _Optional[str] = ..., purchase: _Optional[_Union[TimePurchase, _Mapping]] = ..., tenders: _Optional[_Iterable[_Union[TenderAmount, _Mapping]]] = ..., request_id: _Optional[str] = ...) -> None: ...

class ExtendSessionResponse(_message.Message):
    __slots__ = ("bill",)
    BILL_FIELD_NUMBER: _ClassVar[int]
    bill: Bill
    def __init__(self, bill: _Optional[_Union[Bill, _Mapping]] = ...) -> None: ...

class SetGuestCountRequest(_message.Message):
    __slots__ = ("room", "guest_count", "request_id")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    GUEST_COUNT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    room: str
    guest_count: int
    request_id: str
    def __init__(self, room: _Optional[str] = ..., guest_count: _Optional[int] = ..., request_id: _Optional[str] = ...) -> None: ...

class SetGuestCountResponse(_message.Message):
    __slots__ = ("bill",)
    BILL_FIELD_NUMBER: _ClassVar[int]
    bill: Bill
    def __init__(self, bill: _Optional[_Union[Bill, _Mapping]] = ...) -> None: ...

class MoveSessionRequest(_message.Message):
    __slots__ = ("room", "to_room", "request_id")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    TO_ROOM_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    room: str
    to_room: str
    request_id: str
    def __init__(self, room: _Optional[str] = ..., to_room: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class MoveSessionResponse(_message.Message):
    __slots__ = ("bill",)
    BILL_FIELD_NUMBER: _ClassVar[int]
    bill: Bill
    def __init__(self, bill: _Optional[_Union[Bill, _Mapping]] = ...) -> None: ...

class MergeSessionsRequest(_message.Message):
    __slots__ = ("room", "source_room", "request_id")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    SOURCE_ROOM_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    room: str
    source_room: str
    request_id: str
    def __init__(self, room: _Optional[str] = ..., source_room: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class MergeSessionsResponse(_message.Message):
    __slots__ = ("bill",)
    BILL_FIELD_NUMBER: _ClassVar[int]
    bill: Bill
    def __init__(self, bill: _Optional[_Union[Bill, _Mapping]] = ...) -> None: ...

class OrderItem(_message.Message):
    __slots__ = ("sku", "quantity")
    SKU_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    sku: str
    quantity: int
    def __init__(self, sku: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class PlaceOrderRequest(_message.Message):
    __slots__ = ("room", "items", "request_id")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    room: str
    items: _containers.RepeatedCompositeFieldContainer[OrderItem]
    request_id: str
    def __init__(self, room: _Optional[str] = ..., items: _Optional[_Iterable[_Union[OrderItem, _Mapping]]] = ..., request_id: _Optional[str] = ...) -> None: ...

class PlaceOrderResponse(_message.Message):
    __slots__ = ("order_id", "bill")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    BILL_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    bill: Bill
    def __init__(self, order_id: _Optional[str] = ..., bill: _Optional[_Union[Bill, _Mapping]] = ...) -> None: ...

class UpdateOrderRequest(_message.Message):
    __slots__ = ("room", "order_id", "action", "reason", "request_id", "approver_staff_id", "approver_pin")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    APPROVER_STAFF_ID_FIELD_NUMBER: _ClassVar[int]
    APPROVER_PIN_FIELD_NUMBER: _ClassVar[int]
    room: str
    order_id: str
    action: OrderAction
    reason: str
    request_id: str
    approver_staff_id: str
    approver_pin: str
    def __init__(self, room: _Optional[str] = ..., order_id: _Optional[str] = ..., action: _Optional[_Union[OrderAction, str]] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ..., approver_staff_id: _Optional[str] = ..., approver_pin: _Optional[str] = ...) -> None: ...

class UpdateOrderResponse(_message.Message):
    __slots__ = ("bill",)
    BILL_FIELD_NUMBER: _ClassVar[int]
    bill: Bill
    def __init__(self, bill: _Optional[_Union[Bill, _Mapping]] = ...) -> None: ...

class ApplyDiscountRequest(_message.Message):
    __slots__ = ("room", "percent_bp", "amount_fen", "reason", "request_id", "approver_staff_id", "approver_pin")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    PERCENT_BP_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    APPROVER_STAFF_ID_FIELD_NUMBER: _ClassVar[int]
    APPROVER_PIN_FIELD_NUMBER: _ClassVar[int]
    room: str
    percent_bp: int
    amount_fen: int
    reason: str
    request_id: str
    approver_staff_id: str
    approver_pin: str
    def __init__(self, room: _Optional[str] = ..., percent_bp: _Optional[int] = ..., amount_fen: _Optional[int] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ..., approver_staff_id: _Optional[str] = ..., approver_pin: _Optional[str] = ...) -> None: ...

class ApplyDiscountResponse(_message.Message):
    __slots__ = ("bill",)
    BILL_FIELD_NUMBER: _ClassVar[int]
    bill: Bill
    def __init__(self, bill: _Optional[_Union[Bill, _Mapping]] = ...) -> None: ...

class GetBillRequest(_message.Message):
    __slots__ = ("room", "name", "page_size", "page_token")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    room: str
    name: str
    page_size: int
    page_token: str
    def __init__(self, room: _Optional[str] = ..., name: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class GetBillResponse(_message.Message):
    __slots__ = ("bill",)
    BILL_FIELD_NUMBER: _ClassVar[int]
    bill: Bill
    def __init__(self, bill: _Optional[_Union[Bill, _Mapping]] = ...) -> None: ...

class TakePaymentRequest(_message.Message):
    __slots__ = ("room", "tenders", "request_id")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    TENDERS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    room: str
    tenders: _containers.RepeatedCompositeFieldContainer[TenderAmount]
    request_id: str
    def __init__(self, room: _Optional[str] = ..., tenders: _Optional[_Iterable[_Union[TenderAmount, _Mapping]]] = ..., request_id: _Optional[str] = ...) -> None: ...

class TakePaymentResponse(_message.Message):
    __slots__ = ("bill",)
    BILL_FIELD_NUMBER: _ClassVar[int]
    bill: Bill
    def __init__(self, bill: _Optional[_Union[Bill, _Mapping]] = ...) -> None: ...

class CheckoutRequest(_message.Message):
    __slots__ = ("room", "tenders", "request_id")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    TENDERS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    room: str
    tenders: _containers.RepeatedCompositeFieldContainer[TenderAmount]
    request_id: str
    def __init__(self, room: _Optional[str] = ..., tenders: _Optional[_Iterable[_Union[TenderAmount, _Mapping]]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CheckoutResponse(_message.Message):
    __slots__ = ("bill",)
    BILL_FIELD_NUMBER: _ClassVar[int]
    bill: Bill
    def __init__(self, bill: _Optional[_Union[Bill, _Mapping]] = ...) -> None: ...

class RefundPaymentRequest(_message.Message):
    __slots__ = ("bill", "payment_id", "amount_fen", "reason", "request_id", "approver_staff_id", "approver_pin")
    BILL_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    APPROVER_STAFF_ID_FIELD_NUMBER: _ClassVar[int]
    APPROVER_PIN_FIELD_NUMBER: _ClassVar[int]
    bill: str
    payment_id: str
    amount_fen: int
    reason: str
    request_id: str
    approver_staff_id: str
    approver_pin: str
    def __init__(self, bill: _Optional[str] = ..., payment_id: _Optional[str] = ..., amount_fen: _Optional[int] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ..., approver_staff_id: _Optional[str] = ..., approver_pin: _Optional[str] = ...) -> None: ...

class RefundPaymentResponse(_message.Message):
    __slots__ = ("bill",)
    BILL_FIELD_NUMBER: _ClassVar[int]
    bill: Bill
    def __init__(self, bill: _Optional[_Union[Bill, _Mapping]] = ...) -> None: ...

class ImportPricePlanRequest(_message.Message):
    __slots__ = ("config_toml", "request_id")
    CONFIG_TOML_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    config_toml: str
    request_id: str
    def __init__(self, config_toml: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ImportPricePlanResponse(_message.Message):
    __slots__ = ("version",)
    VERSION_FIELD_NUMBER: _ClassVar[int]
    version: str
    def __init__(self, version: _Optional[str] = ...) -> None: ...

class GetPricePlanRequest(_message.Message):
    __slots__ = ("version",)
    VERSION_FIELD_NUMBER: _ClassVar[int]
    version: str
    def __init__(self, version: _Optional[str] = ...) -> None: ...

class GetPricePlanResponse(_message.Message):
    __slots__ = ("version", "config_toml", "versions", "active_version")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CONFIG_TOML_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_VERSION_FIELD_NUMBER: _ClassVar[int]
    version: str
    config_toml: str
    versions: _containers.RepeatedScalarFieldContainer[str]
    active_version: str
    def __init__(self, version: _Optional[str] = ..., config_toml: _Optional[str] = ..., versions: _Optional[_Iterable[str]] = ..., active_version: _Optional[str] = ...) -> None: ...

class Product(_message.Message):
    __slots__ = ("sku", "name", "category", "base_fen", "available", "price_fen", "sold_out", "stock_warning")
    SKU_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    BASE_FEN_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    PRICE_FEN_FIELD_NUMBER: _ClassVar[int]
    SOLD_OUT_FIELD_NUMBER: _ClassVar[int]
    STOCK_WARNING_FIELD_NUMBER: _ClassVar[int]
    sku: str
    name: str
    category: str
    base_fen: int
    available: bool
    price_fen: int
    sold_out: bool
    stock_warning: str
    def __init__(self, sku: _Optional[str] = ..., name: _Optional[str] = ..., category: _Optional[str] = ..., base_fen: _Optional[int] = ..., available: _Optional[bool] = ..., price_fen: _Optional[int] = ..., sold_out: _Optional[bool] = ..., stock_warning: _Optional[str] = ...) -> None: ...

class ListProductsRequest(_message.Message):
    __slots__ = ("room", "page_size", "page_token")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    room: str
    page_size: int
    page_token: str
    def __init__(self, room: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class QuoteExtensionsRequest(_message.Message):
    __slots__ = ("room",)
    ROOM_FIELD_NUMBER: _ClassVar[int]
    room: str
    def __init__(self, room: _Optional[str] = ...) -> None: ...

class ExtensionQuote(_message.Message):
    __slots__ = ("purchase", "label", "price_fen", "end_time", "minutes", "bonus_minutes")
    PURCHASE_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    PRICE_FEN_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    MINUTES_FIELD_NUMBER: _ClassVar[int]
    BONUS_MINUTES_FIELD_NUMBER: _ClassVar[int]
    purchase: TimePurchase
    label: str
    price_fen: int
    end_time: _timestamp_pb2.Timestamp
    minutes: int
    bonus_minutes: int
    def __init__(self, purchase: _Optional[_Union[TimePurchase, _Mapping]] = ..., label: _Optional[str] = ..., price_fen: _Optional[int] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., minutes: _Optional[int] = ..., bonus_minutes: _Optional[int] = ...) -> None: ...

class QuoteExtensionsResponse(_message.Message):
    __slots__ = ("quotes", "end_time")
    QUOTES_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    quotes: _containers.RepeatedCompositeFieldContainer[ExtensionQuote]
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, quotes: _Optional[_Iterable[_Union[ExtensionQuote, _Mapping]]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListProductsResponse(_message.Message):
    __slots__ = ("products", "next_page_token")
    PRODUCTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    products: _containers.RepeatedCompositeFieldContainer[Product]
    next_page_token: str
    def __init__(self, products: _Optional[_Iterable[_Union[Product, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpsertProductRequest(_message.Message):
    __slots__ = ("product", "request_id")
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    product: Product
    request_id: str
    def __init__(self, product: _Optional[_Union[Product, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class UpsertProductResponse(_message.Message):
    __slots__ = ("product",)
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    product: Product
    def __init__(self, product: _Optional[_Union[Product, _Mapping]] = ...) -> None: ...

class AuditEntry(_message.Message):
    __slots__ = ("seq", "bill", "kind", "time", "staff_id", "role", "total_before_fen", "total_after_fen", "paid_before_fen", "paid_after_fen", "detail_json", "detail", "event_kind", "staff_role")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    BILL_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    STAFF_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_BEFORE_FEN_FIELD_NUMBER: _ClassVar[int]
    TOTAL_AFTER_FEN_FIELD_NUMBER: _ClassVar[int]
    PAID_BEFORE_FEN_FIELD_NUMBER: _ClassVar[int]
    PAID_AFTER_FEN_FIELD_NUMBER: _ClassVar[int]
    DETAIL_JSON_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    EVENT_KIND_FIELD_NUMBER: _ClassVar[int]
    STAFF_ROLE_FIELD_NUMBER: _ClassVar[int]
    seq: int
    bill: str
    kind: str
    time: _timestamp_pb2.Timestamp
    staff_id: str
    role: str
    total_before_fen: int
    total_after_fen: int
    paid_before_fen: int
    paid_after_fen: int
    detail_json: str
    detail: _struct_pb2.Struct
    event_kind: AuditEventKind
    staff_role: _auth_pb2.Role
    def __init__(self, seq: _Optional[int] = ..., bill: _Optional[str] = ..., kind: _Optional[str] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., staff_id: _Optional[str] = ..., role: _Optional[str] = ..., total_before_fen: _Optional[int] = ..., total_after_fen: _Optional[int] = ..., paid_before_fen: _Optional[int] = ..., paid_after_fen: _Optional[int] = ..., detail_json: _Optional[str] = ..., detail: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., event_kind: _Optional[_Union[AuditEventKind, str]] = ..., staff_role: _Optional[_Union[_auth_pb2.Role, str]] = ...) -> None: ...

class ListAuditEntriesRequest(_message.Message):
    __slots__ = ("bill", "page_size", "page_token")
    BILL_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    bill: str
    page_size: int
    page_token: str
    def __init__(self, bill: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAuditEntriesResponse(_message.Message):
    __slots__ = ("entries", "next_page_token")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[AuditEntry]
    next_page_token: str
    def __init__(self, entries: _Optional[_Iterable[_Union[AuditEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class PrintReceiptRequest(_message.Message):
    __slots__ = ("room", "bill", "width_mm")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    BILL_FIELD_NUMBER: _ClassVar[int]
    WIDTH_MM_FIELD_NUMBER: _ClassVar[int]
    room: str
    bill: str
    width_mm: int
    def __init__(self, room: _Optional[str] = ..., bill: _Optional[str] = ..., width_mm: _Optional[int] = ...) -> None: ...

class PrintReceiptResponse(_message.Message):
    __slots__ = ("text", "escpos")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    ESCPOS_FIELD_NUMBER: _ClassVar[int]
    text: str
    escpos: bytes
    def __init__(self, text: _Optional[str] = ..., escpos: _Optional[bytes] = ...) -> None: ...

class VerifyLedgerRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class VerifyLedgerResponse(_message.Message):
    __slots__ = ("bill_count", "entry_count", "problems")
    BILL_COUNT_FIELD_NUMBER: _ClassVar[int]
    ENTRY_COUNT_FIELD_NUMBER: _ClassVar[int]
    PROBLEMS_FIELD_NUMBER: _ClassVar[int]
    bill_count: int
    entry_count: int
    problems: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, bill_count: _Optional[int] = ..., entry_count: _Optional[int] = ..., problems: _Optional[_Iterable[str]] = ...) -> None: ...
