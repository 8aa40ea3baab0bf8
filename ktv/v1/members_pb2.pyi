import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from ktv.v1 import billing_pb2 as _billing_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class MemberTier(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MEMBER_TIER_UNSPECIFIED: _ClassVar[MemberTier]
    MEMBER_TIER_REGULAR: _ClassVar[MemberTier]
    MEMBER_TIER_SILVER: _ClassVar[MemberTier]
    MEMBER_TIER_GOLD: _ClassVar[MemberTier]
    MEMBER_TIER_DIAMOND: _ClassVar[MemberTier]

class LedgerEntryKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LEDGER_ENTRY_KIND_UNSPECIFIED: _ClassVar[LedgerEntryKind]
    LEDGER_ENTRY_KIND_TOPUP: _ClassVar[LedgerEntryKind]
    LEDGER_ENTRY_KIND_PAYMENT: _ClassVar[LedgerEntryKind]
    LEDGER_ENTRY_KIND_PAYMENT_REFUND: _ClassVar[LedgerEntryKind]
    LEDGER_ENTRY_KIND_CASH_OUT: _ClassVar[LedgerEntryKind]

class CouponKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COUPON_KIND_UNSPECIFIED: _ClassVar[CouponKind]
    COUPON_KIND_FIXED: _ClassVar[CouponKind]
    COUPON_KIND_PERCENT: _ClassVar[CouponKind]
    COUPON_KIND_FREE_ITEM: _ClassVar[CouponKind]
MEMBER_TIER_UNSPECIFIED: MemberTier
MEMBER_TIER_REGULAR: MemberTier
MEMBER_TIER_SILVER: MemberTier
MEMBER_TIER_GOLD: MemberTier
MEMBER_TIER_DIAMOND: MemberTier
LEDGER_ENTRY_KIND_UNSPECIFIED: LedgerEntryKind
LEDGER_ENTRY_KIND_TOPUP: LedgerEntryKind
LEDGER_ENTRY_KIND_PAYMENT: LedgerEntryKind
LEDGER_ENTRY_KIND_PAYMENT_REFUND: LedgerEntryKind
LEDGER_ENTRY_KIND_CASH_OUT: LedgerEntryKind
COUPON_KIND_UNSPECIFIED: CouponKind
COUPON_KIND_FIXED: CouponKind
COUPON_KIND_PERCENT: CouponKind
COUPON_KIND_FREE_ITEM: CouponKind

class Member(_message.Message):
    __slots__ = ("member_id", "phone", "name", "birthday", "card_number", "principal_fen", "bonus_fen", "balance_fen", "points", "tier", "has_pin", "registered_at", "tags", "rfm", "resource_name", "member_tier")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    BIRTHDAY_FIELD_NUMBER: _ClassVar[int]
    CARD_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FEN_FIELD_NUMBER: _ClassVar[int]
    BONUS_FEN_FIELD_NUMBER: _ClassVar[int]
    BALANCE_FEN_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    HAS_PIN_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    RFM_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_NAME_FIELD_NUMBER: _ClassVar[int]
    MEMBER_TIER_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    phone: str
    name: str
    birthday: str
    card_number: str
    principal_fen: int
    bonus_fen: int
    balance_fen: int
    points: int
    tier: str
    has_pin: bool
    registered_at: _timestamp_pb2.Timestamp
    tags: _containers.RepeatedScalarFieldContainer[str]
    rfm: str
    resource_name: str
    member_tier: MemberTier
    def __init__(self, member_id: _Optional[str] = ..., phone: _Optional[str] = ..., name: _Optional[str] = ..., birthday: _Optional[str] = ..., card_number: _Optional[str] = ..., principal_fen: _Optional[int] = ..., bonus_fen: _Optional[int] = ..., balance_fen: _Optional[int] = ..., points: _Optional[int] = ..., tier: _Optional[str] = ..., has_pin: _Optional[bool] = ..., registered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., tags: _Optional[_Iterable[str]] = ..., rfm: _Optional[str] = ..., resource_name: _Optional[str] = ..., member_tier: _Optional[_Union[MemberTier, str]] = ...) -> None: ...

class MemberResponse(_message.Message):
    __slots__ = ("member",)
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    member: Member
    def __init__(self, member: _Optional[_Union[Member, _Mapping]] = ...) -> None: ...

class CreateMemberResponse(_message.Message):
    __slots__ = ("member",)
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    member: Member
    def __init__(self, member: _Optional[_Union[Member, _Mapping]] = ...) -> None: ...

class RegisterMemberResponse(_message.Message):
    __slots__ = ("member",)
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    member: Member
    def __init__(self, member: _Optional[_Union[Member, _Mapping]] = ...) -> None: ...

class GetMemberResponse(_message.Message):
    __slots__ = ("member",)
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    member: Member
    def __init__(self, member: _Optional[_Union[Member, _Mapping]] = ...) -> None: ...

class SetMemberPinResponse(_message.Message):
    __slots__ = ("member",)
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    member: Member
    def __init__(self, member: _Optional[_Union[Member, _Mapping]] = ...) -> None: ...

class SignInResponse(_message.Message):
    __slots__ = ("member",)
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    member: Member
    def __init__(self, member: _Optional[_Union[Member, _Mapping]] = ...) -> None: ...

class CreateMemberRequest(_message.Message):
    __slots__ = ("phone", "name", "birthday", "card_number", "pin", "request_id")
    PHONE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    BIRTHDAY_FIELD_NUMBER: _ClassVar[int]
    CARD_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PIN_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    phone: str
    name: str
    birthday: str
    card_number: str
    pin: str
    request_id: str
    def __init__(self, phone: _Optional[str] = ..., name: _Optional[str] = ..., birthday: _Optional[str] = ..., card_number: _Optional[str] = ..., pin: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class RegisterMemberRequest(_message.Message):
    __slots__ = ("phone", "name", "birthday", "card_number", "pin", "request_id")
    PHONE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    BIRTHDAY_FIELD_NUMBER: _ClassVar[int]
    CARD_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PIN_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    phone: str
    name: str
    birthday: str
    card_number: str
    pin: str
    request_id: str
    def __init__(self, phone: _Optional[str] = ..., name: _Optional[str] = ..., birthday: _Optional[str] = ..., card_number: _Optional[str] = ..., pin: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class GetMemberRequest(_message.Message):
    __slots__ = ("query", "name")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    query: str
    name: str
    def __init__(self, query: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class ListMembersRequest(_message.Message):
    __slots__ = ("query", "page_size", "page_token")
    QUERY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    query: str
    page_size: int
    page_token: str
    def __init__(self, query: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListMembersResponse(_message.Message):
    __slots__ = ("members", "next_page_token")
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    members: _containers.RepeatedCompositeFieldContainer[Member]
    next_page_token: str
    def __init__(self, members: _Optional[_Iterable[_Union[Member, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class FindMembersRequest(_message.Message):
    __slots__ = ("query",)
    QUERY_FIELD_NUMBER: _ClassVar[int]
    query: str
    def __init__(self, query: _Optional[str] = ...) -> None: ...

class FindMembersResponse(_message.Message):
    __slots__ = ("members",)
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    members: _containers.RepeatedCompositeFieldContainer[Member]
    def __init__(self, members: _Optional[_Iterable[_Union[Member, _Mapping]]] = ...) -> None: ...

class SetMemberPinRequest(_message.Message):
    __slots__ = ("member", "pin", "old_pin", "request_id")
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    PIN_FIELD_NUMBER: _ClassVar[int]
    OLD_PIN_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    member: str
    pin: str
    old_pin: str
    request_id: str
    def __init__(self, member: _Optional[str] = ..., pin: _Optional[str] = ..., old_pin: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class LedgerEntry(_message.Message):
    __slots__ = ("entry_id", "member_id", "kind", "principal_fen", "bonus_fen", "at", "tender", "reference", "actor", "entry_kind", "tender_type", "member")
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PRINCIPAL_FEN_FIELD_NUMBER: _ClassVar[int]
    BONUS_FEN_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    TENDER_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ENTRY_KIND_FIELD_NUMBER: _ClassVar[int]
    TENDER_TYPE_FIELD_NUMBER: _ClassVar[int]
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    entry_id: int
    member_id: str
    kind: str
    principal_fen: int
    bonus_fen: int
    at: _timestamp_pb2.Timestamp
    tender: str
    reference: str
    actor: str
    entry_kind: LedgerEntryKind
    tender_type: _billing_pb2.Tender
    member: str
    def __init__(self, entry_id: _Optional[int] = ..., member_id: _Optional[str] = ..., kind: _Optional[str] = ..., principal_fen: _Optional[int] = ..., bonus_fen: _Optional[int] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., tender: _Optional[str] = ..., reference: _Optional[str] = ..., actor: _Optional[str] = ..., entry_kind: _Optional[_Union[LedgerEntryKind, str]] = ..., tender_type: _Optional[_Union[_billing_pb2.Tender, str]] = ..., member: _Optional[str] = ...) -> None: ...

class LedgerEntryResponse(_message.Message):
    __slots__ = ("entry", "member")
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    entry: LedgerEntry
    member: Member
    def __init__(self, entry: _Optional[_Union[LedgerEntry, _Mapping]] = ..., member: _Optional[_Union[Member, _Mapping]] = ...) -> None: ...

class TopUpResponse(_message.Message):
    __slots__ = ("entry", "member")
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    entry: LedgerEntry
    member: Member
    def __init__(self, entry: _Optional[_Union[LedgerEntry, _Mapping]] = ..., member: _Optional[_Union[Member, _Mapping]] = ...) -> None: ...

class RefundBalanceResponse(_message.Message):
    __slots__ = ("entry", "member")
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    entry: LedgerEntry
    member: Member
    def __init__(self, entry: _Optional[_Union[LedgerEntry, _Mapping]] = ..., member: _Optional[_Union[Member, _Mapping]] = ...) -> None: ...

class TopUpRequest(_message.Message):
    __slots__ = ("member", "amount_fen", "tender", "reference", "request_id", "tender_type")
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    TENDER_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TENDER_TYPE_FIELD_NUMBER: _ClassVar[int]
    member: str
    amount_fen: int
    tender: str
    reference: str
    request_id: str
    tender_type: _billing_pb2.Tender
    def __init__(self, member: _Optional[str] = ..., amount_fen: _Optional[int] = ..., tender: _Optional[str] = ..., reference: _Optional[str] = ..., request_id: _Optional[str] = ..., tender_type: _Optional[_Union[_billing_pb2.Tender, str]] = ...) -> None: ...

class RefundBalanceRequest(_message.Message):
    __slots__ = ("member", "amount_fen", "reason", "request_id")
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    member: str
    amount_fen: int
    reason: str
    request_id: str
    def __init__(self, member: _Optional[str] = ..., amount_fen: _Optional[int] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ListHistoryRequest(_message.Message):
    __slots__ = ("member", "limit", "page_size", "page_token")
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    member: str
    limit: int
    page_size: int
    page_token: str
    def __init__(self, member: _Optional[str] = ..., limit: _Optional[int] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListHistoryResponse(_message.Message):
    __slots__ = ("entries", "member", "next_page_token")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[LedgerEntry]
    member: Member
    next_page_token: str
    def __init__(self, entries: _Optional[_Iterable[_Union[LedgerEntry, _Mapping]]] = ..., member: _Optional[_Union[Member, _Mapping]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class RedeemPointsRequest(_message.Message):
    __slots__ = ("member", "points", "bill", "request_id", "product", "room", "quantity")
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    BILL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    ROOM_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    member: str
    points: int
    bill: str
    request_id: str
    product: str
    room: str
    quantity: int
    def __init__(self, member: _Optional[str] = ..., points: _Optional[int] = ..., bill: _Optional[str] = ..., request_id: _Optional[str] = ..., product: _Optional[str] = ..., room: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class RedeemPointsResponse(_message.Message):
    __slots__ = ("discount_fen", "member", "order_id", "points_spent", "bill")
    DISCOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    POINTS_SPENT_FIELD_NUMBER: _ClassVar[int]
    BILL_FIELD_NUMBER: _ClassVar[int]
    discount_fen: int
    member: Member
    order_id: str
    points_spent: int
    bill: str
    def __init__(self, discount_fen: _Optional[int] = ..., member: _Optional[_Union[Member, _Mapping]] = ..., order_id: _Optional[str] = ..., points_spent: _Optional[int] = ..., bill: _Optional[str] = ...) -> None: ...

class SpendLine(_message.Message):
    __slots__ = ("category", "amount_fen")
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    category: str
    amount_fen: int
    def __init__(self, category: _Optional[str] = ..., amount_fen: _Optional[int] = ...) -> None: ...

class RecordVisitRequest(_message.Message):
    __slots__ = ("member", "bill", "lines", "request_id")
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    BILL_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    member: str
    bill: str
    lines: _containers.RepeatedCompositeFieldContainer[SpendLine]
    request_id: str
    def __init__(self, member: _Optional[str] = ..., bill: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[SpendLine, _Mapping]]] = ..., request_id: _Optional[str] = ...) -> None: ...

class RecordVisitResponse(_message.Message):
    __slots__ = ("points_earned", "recorded", "member")
    POINTS_EARNED_FIELD_NUMBER: _ClassVar[int]
    RECORDED_FIELD_NUMBER: _ClassVar[int]
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    points_earned: int
    recorded: bool
    member: Member
    def __init__(self, points_earned: _Optional[int] = ..., recorded: _Optional[bool] = ..., member: _Optional[_Union[Member, _Mapping]] = ...) -> None: ...

class VerifyBalancesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class BalanceMismatch(_message.Message):
    __slots__ = ("member_id", "cached_principal_fen", "cached_bonus_fen", "ledger_principal_fen", "ledger_bonus_fen")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    CACHED_PRINCIPAL_FEN_FIELD_NUMBER: _ClassVar[int]
    CACHED_BONUS_FEN_FIELD_NUMBER: _ClassVar[int]
    LEDGER_PRINCIPAL_FEN_FIELD_NUMBER: _ClassVar[int]
    LEDGER_BONUS_FEN_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    cached_principal_fen: int
    cached_bonus_fen: int
    ledger_principal_fen: int
    ledger_bonus_fen: int
    def __init__(self, member_id: _Optional[str] = ..., cached_principal_fen: _Optional[int] = ..., cached_bonus_fen: _Optional[int] = ..., ledger_principal_fen: _Optional[int] = ..., ledger_bonus_fen: _Optional[int] = ...) -> None: ...

class VerifyBalancesResponse(_message.Message):
    __slots__ = ("members_checked", "mismatches")
    MEMBERS_CHECKED_FIELD_NUMBER: _ClassVar[int]
    MISMATCHES_FIELD_NUMBER: _ClassVar[int]
    members_checked: int
    mismatches: _containers.RepeatedCompositeFieldContainer[BalanceMismatch]
    def __init__(self, members_checked: _Optional[int] = ..., mismatches: _Optional[_Iterable[_Union[BalanceMismatch, _Mapping]]] = ...) -> None: ...

class SignInRequest(_message.Message):
    __slots__ = ("room", "phone", "pin", "request_id")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    PIN_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    room: str
    phone: str
    pin: str
    request_id: str
    def __init__(self, room: _Optional[str] = ..., phone: _Optional[str] = ..., pin: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class Coupon(_message.Message):
    __slots__ = ("code", "member_id", "kind", "value", "min_spend_fen", "categories", "valid_from", "valid_until", "stackable", "campaign", "used", "used_bill", "coupon_kind")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    MIN_SPEND_FEN_FIELD_NUMBER: _ClassVar[int]
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    VALID_FROM_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    STACKABLE_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    USED_FIELD_NUMBER: _ClassVar[int]
    USED_BILL_FIELD_NUMBER: _ClassVar[int]
    COUPON_KIND_FIELD_NUMBER: _ClassVar[int]
    code: str
    member_id: str
    kind: str
    value: int
    min_spend_fen: int
    categories: _containers.RepeatedScalarFieldContainer[str]
    valid_from: _timestamp_pb2.Timestamp
    valid_until: _timestamp_pb2.Timestamp
    stackable: bool
    campaign: str
    used: bool
    used_bill: str
    coupon_kind: CouponKind
    def __init__(self, code: _Optional[str] = ..., member_id: _Optional[str] = ..., kind: _Optional[str] = ..., value: _Optional[int] = ..., min_spend_fen: _Optional[int] = ..., categories: _Optional[_Iterable[str]] = ..., valid_from: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., valid_until: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., stackable: _Optional[bool] = ..., campaign: _Optional[str] = ..., used: _Optional[bool] = ..., used_bill: _Optional[str] = ..., coupon_kind: _Optional[_Union[CouponKind, str]] = ...) -> None: ...

class IssueCouponRequest(_message.Message):
    __slots__ = ("member", "kind", "value", "min_spend_fen", "categories", "days_valid", "stackable", "request_id", "coupon_kind")
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    MIN_SPEND_FEN_FIELD_NUMBER: _ClassVar[int]
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    DAYS_VALID_FIELD_NUMBER: _ClassVar[int]
    STACKABLE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    COUPON_KIND_FIELD_NUMBER: _ClassVar[int]
    member: str
    kind: str
    value: int
    min_spend_fen: int
    categories: _containers.RepeatedScalarFieldContainer[str]
    days_valid: int
    stackable: bool
    request_id: str
    coupon_kind: CouponKind
    def __init__(self, member: _Optional[str] = ..., kind: _Optional[str] = ..., value: _Optional[int] = ..., min_spend_fen: _Optional[int] = ..., categories: _Optional[_Iterable[str]] = ..., days_valid: _Optional[int] = ..., stackable: _Optional[bool] = ..., request_id: _Optional[str] = ..., coupon_kind: _Optional[_Union[CouponKind, str]] = ...) -> None: ...

class IssueCouponResponse(_message.Message):
    __slots__ = ("coupon",)
    COUPON_FIELD_NUMBER: _ClassVar[int]
    coupon: Coupon
    def __init__(self, coupon: _Optional[_Union[Coupon, _Mapping]] = ...) -> None: ...

class ListCouponsRequest(_message.Message):
    __slots__ = ("member", "usable_only", "page_size", "page_token")
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    USABLE_ONLY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    member: str
    usable_only: bool
    page_size: int
    page_token: str
    def __init__(self, member: _Optional[str] = ..., usable_only: _Optional[bool] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListCouponsResponse(_message.Message):
    __slots__ = ("coupons", "next_page_token")
    COUPONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    coupons: _containers.RepeatedCompositeFieldContainer[Coupon]
    next_page_token: str
    def __init__(self, coupons: _Optional[_Iterable[_Union[Coupon, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class RunCampaignRequest(_message.Message):
    __slots__ = ("campaign", "tag", "gift_fen", "lead_days", "period", "request_id")
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    TAG_FIELD_NUMBER: _ClassVar[int]
    GIFT_FEN_FIELD_NUMBER: _ClassVar[int]
    LEAD_DAYS_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    campaign: str
    tag: str
    gift_fen: int
    lead_days: int
    period: str
    request_id: str
    def __init__(self, campaign: _Optional[str] = ..., tag: _Optional[str] = ..., gift_fen: _Optional[int] = ..., lead_days: _Optional[int] = ..., period: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class RunCampaignResponse(_message.Message):
    __slots__ = ("campaign", "period", "reached", "skipped", "notifications_sent")
    CAMPAIGN_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    REACHED_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_FIELD_NUMBER: _ClassVar[int]
    NOTIFICATIONS_SENT_FIELD_NUMBER: _ClassVar[int]
    campaign: str
    period: str
    reached: int
    skipped: int
    notifications_sent: int
    def __init__(self, campaign: _Optional[str] = ..., period: _Optional[str] = ..., reached: _Optional[int] = ..., skipped: _Optional[int] = ..., notifications_sent: _Optional[int] = ...) -> None: ...

class ApplyBenefitsRequest(_message.Message):
    __slots__ = ("room", "member", "coupons", "points", "request_id", "tier_discount")
    ROOM_FIELD_NUMBER: _ClassVar[int]
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    COUPONS_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    TIER_DISCOUNT_FIELD_NUMBER: _ClassVar[int]
    room: str
    member: str
    coupons: _containers.RepeatedScalarFieldContainer[str]
    points: int
    request_id: str
    tier_discount: bool
    def __init__(self, room: _Optional[str] = ..., member: _Optional[str] = ..., coupons: _Optional[_Iterable[str]] = ..., points: _Optional[int] = ..., request_id: _Optional[str] = ..., tier_discount: _Optional[bool] = ...) -> None: ...

class ApplyBenefitsResponse(_message.Message):
    __slots__ = ("coupons_fen", "points_fen", "bill_total_fen", "bill_due_fen", "bill", "tier_fen")
    COUPONS_FEN_FIELD_NUMBER: _ClassVar[int]
    POINTS_FEN_FIELD_NUMBER: _ClassVar[int]
    BILL_TOTAL_FEN_FIELD_NUMBER: _ClassVar[int]
    BILL_DUE_FEN_FIELD_NUMBER: _ClassVar[int]
    BILL_FIELD_NUMBER: _ClassVar[int]
    TIER_FEN_FIELD_NUMBER: _ClassVar[int]
    coupons_fen: int
    points_fen: int
    bill_total_fen: int
    bill_due_fen: int
    bill: str
    tier_fen: int
    def __init__(self, coupons_fen: _Optional[int] = ..., points_fen: _Optional[int] = ..., bill_total_fen: _Optional[int] = ..., bill_due_fen: _Optional[int] = ..., bill: _Optional[str] = ..., tier_fen: _Optional[int] = ...) -> None: ...

class CreditBillRequest(_message.Message):
    __slots__ = ("bill", "request_id")
    BILL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    bill: str
    request_id: str
    def __init__(self, bill: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class MemberCredit(_message.Message):
    __slots__ = ("member_id", "points_earned", "recorded", "tier", "member_tier", "member")
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    POINTS_EARNED_FIELD_NUMBER: _ClassVar[int]
    RECORDED_FIELD_NUMBER: _ClassVar[int]
    TIER_FIELD_NUMBER: _ClassVar[int]
    MEMBER_TIER_FIELD_NUMBER: _ClassVar[int]
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    member_id: str
    points_earned: int
    recorded: bool
    tier: str
    member_tier: MemberTier
    member: str
    def __init__(self, member_id: _Optional[str] = ..., points_earned: _Optional[int] = ..., recorded: _Optional[bool] = ..., tier: _Optional[str] = ..., member_tier: _Optional[_Union[MemberTier, str]] = ..., member: _Optional[str] = ...) -> None: ...

class CreditBillResponse(_message.Message):
    __slots__ = ("credits",)
    CREDITS_FIELD_NUMBER: _ClassVar[int]
    credits: _containers.RepeatedCompositeFieldContainer[MemberCredit]
    def __init__(self, credits: _Optional[_Iterable[_Union[MemberCredit, _Mapping]]] = ...) -> None: ...
