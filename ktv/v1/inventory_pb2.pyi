import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class StockItem(_message.Message):
    __slots__ = ("item_id", "name", "base_unit", "purchase_unit", "purchase_factor", "category", "tracks_expiry", "unit_cost_fen", "reorder_point", "reorder_target", "storage_category")
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    BASE_UNIT_FIELD_NUMBER: _ClassVar[int]
    PURCHASE_UNIT_FIELD_NUMBER: _ClassVar[int]
    PURCHASE_FACTOR_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    TRACKS_EXPIRY_FIELD_NUMBER: _ClassVar[int]
    UNIT_COST_FEN_FIELD_NUMBER: _ClassVar[int]
    REORDER_POINT_FIELD_NUMBER: _ClassVar[int]
    REORDER_TARGET_FIELD_NUMBER: _ClassVar[int]
    STORAGE_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    item_id: str
    name: str
    base_unit: str
    purchase_unit: str
    purchase_factor: int
    category: str
    tracks_expiry: bool
    unit_cost_fen: int
    reorder_point: int
    reorder_target: int
    storage_category: str
    def __init__(self, item_id: _Optional[str] = ..., name: _Optional[str] = ..., base_unit: _Optional[str] = ..., purchase_unit: _Optional[str] = ..., purchase_factor: _Optional[int] = ..., category: _Optional[str] = ..., tracks_expiry: _Optional[bool] = ..., unit_cost_fen: _Optional[int] = ..., reorder_point: _Optional[int] = ..., reorder_target: _Optional[int] = ..., storage_category: _Optional[str] = ...) -> None: ...

class UpsertStockItemRequest(_message.Message):
    __slots__ = ("item", "request_id")
    ITEM_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    item: StockItem
    request_id: str
    def __init__(self, item: _Optional[_Union[StockItem, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class UpsertStockItemResponse(_message.Message):
    __slots__ = ("item",)
    ITEM_FIELD_NUMBER: _ClassVar[int]
    item: StockItem
    def __init__(self, item: _Optional[_Union[StockItem, _Mapping]] = ...) -> None: ...

class LocationQuantity(_message.Message):
    __slots__ = ("location", "quantity")
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    location: str
    quantity: int
    def __init__(self, location: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class StockLevel(_message.Message):
    __slots__ = ("item", "on_hand", "locations", "expired", "next_best_before", "expiry_warning_days", "value_fen", "low", "reorder_point", "reorder_target", "on_hand_text")
    ITEM_FIELD_NUMBER: _ClassVar[int]
    ON_HAND_FIELD_NUMBER: _ClassVar[int]
    LOCATIONS_FIELD_NUMBER: _ClassVar[int]
    EXPIRED_FIELD_NUMBER: _ClassVar[int]
    NEXT_BEST_BEFORE_FIELD_NUMBER: _ClassVar[int]
    EXPIRY_WARNING_DAYS_FIELD_NUMBER: _ClassVar[int]
    VALUE_FEN_FIELD_NUMBER: _ClassVar[int]
    LOW_FIELD_NUMBER: _ClassVar[int]
    REORDER_POINT_FIELD_NUMBER: _ClassVar[int]
    REORDER_TARGET_FIELD_NUMBER: _ClassVar[int]
    ON_HAND_TEXT_FIELD_NUMBER: _ClassVar[int]
    item: StockItem
    on_hand: int
    locations: _containers.RepeatedCompositeFieldContainer[LocationQuantity]
    expired: int
    next_best_before: str
    expiry_warning_days: int
    value_fen: int
    low: bool
    reorder_point: int
    reorder_target: int
    on_hand_text: str
    def __init__(self, item: _Optional[_Union[StockItem, _Mapping]] = ..., on_hand: _Optional[int] = ..., locations: _Optional[_Iterable[_Union[LocationQuantity, _Mapping]]] = ..., expired: _Optional[int] = ..., next_best_before: _Optional[str] = ..., expiry_warning_days: _Optional[int] = ..., value_fen: _Optional[int] = ..., low: _Optional[bool] = ..., reorder_point: _Optional[int] = ..., reorder_target: _Optional[int] = ..., on_hand_text: _Optional[str] = ...) -> None: ...

class ListStockLevelsRequest(_message.Message):
    __slots__ = ("warnings_only",)
    WARNINGS_ONLY_FIELD_NUMBER: _ClassVar[int]
    warnings_only: bool
    def __init__(self, warnings_only: _Optional[bool] = ...) -> None: ...

class ListStockLevelsResponse(_message.Message):
    __slots__ = ("levels",)
    LEVELS_FIELD_NUMBER: _ClassVar[int]
    levels: _containers.RepeatedCompositeFieldContainer[StockLevel]
    def __init__(self, levels: _Optional[_Iterable[_Union[StockLevel, _Mapping]]] = ...) -> None: ...

class RecipeComponent(_message.Message):
    __slots__ = ("item_id", "quantity")
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    item_id: str
    quantity: int
    def __init__(self, item_id: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class SetRecipeRequest(_message.Message):
    __slots__ = ("sku", "components", "allow_negative", "request_id")
    SKU_FIELD_NUMBER: _ClassVar[int]
    COMPONENTS_FIELD_NUMBER: _ClassVar[int]
    ALLOW_NEGATIVE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    sku: str
    components: _containers.RepeatedCompositeFieldContainer[RecipeComponent]
    allow_negative: bool
    request_id: str
    def __init__(self, sku: _Optional[str] = ..., components: _Optional[_Iterable[_Union[RecipeComponent, _Mapping]]] = ..., allow_negative: _Optional[bool] = ..., request_id: _Optional[str] = ...) -> None: ...

class SetRecipeResponse(_message.Message):
    __slots__ = ("sku", "components", "allow_negative")
    SKU_FIELD_NUMBER: _ClassVar[int]
    COMPONENTS_FIELD_NUMBER: _ClassVar[int]
    ALLOW_NEGATIVE_FIELD_NUMBER: _ClassVar[int]
    sku: str
    components: _containers.RepeatedCompositeFieldContainer[RecipeComponent]
    allow_negative: bool
    def __init__(self, sku: _Optional[str] = ..., components: _Optional[_Iterable[_Union[RecipeComponent, _Mapping]]] = ..., allow_negative: _Optional[bool] = ...) -> None: ...

class StockLineInput(_message.Message):
    __slots__ = ("item_id", "quantity", "unit", "batch_code", "best_before", "unit_cost_fen")
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    BATCH_CODE_FIELD_NUMBER: _ClassVar[int]
    BEST_BEFORE_FIELD_NUMBER: _ClassVar[int]
    UNIT_COST_FEN_FIELD_NUMBER: _ClassVar[int]
    item_id: str
    quantity: str
    unit: str
    batch_code: str
    best_before: str
    unit_cost_fen: int
    def __init__(self, item_id: _Optional[str] = ..., quantity: _Optional[str] = ..., unit: _Optional[str] = ..., batch_code: _Optional[str] = ..., best_before: _Optional[str] = ..., unit_cost_fen: _Optional[int] = ...) -> None: ...

class StockMovement(_message.Message):
    __slots__ = ("item_id", "location", "batch_id", "quantity", "unit_cost_fen")
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_COST_FEN_FIELD_NUMBER: _ClassVar[int]
    item_id: str
    location: str
    batch_id: str
    quantity: int
    unit_cost_fen: int
    def __init__(self, item_id: _Optional[str] = ..., location: _Optional[str] = ..., batch_id: _Optional[str] = ..., quantity: _Optional[int] = ..., unit_cost_fen: _Optional[int] = ...) -> None: ...

class StockDocument(_message.Message):
    __slots__ = ("doc_id", "kind", "time", "staff_id", "location", "to_location", "reason", "ref", "purpose", "lines", "value_fen")
    DOC_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    STAFF_ID_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    TO_LOCATION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REF_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    VALUE_FEN_FIELD_NUMBER: _ClassVar[int]
    doc_id: str
    kind: str
    time: _timestamp_pb2.Timestamp
    staff_id: str
    location: str
    to_location: str
    reason: str
    ref: str
    purpose: str
    lines: _containers.RepeatedCompositeFieldContainer[StockMovement]
    value_fen: int
    def __init__(self, doc_id: _Optional[str] = ..., kind: _Optional[str] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., staff_id: _Optional[str] = ..., location: _Optional[str] = ..., to_location: _Optional[str] = ..., reason: _Optional[str] = ..., ref: _Optional[str] = ..., purpose: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[StockMovement, _Mapping]]] = ..., value_fen: _Optional[int] = ...) -> None: ...

class ReceiveStockRequest(_message.Message):
    __slots__ = ("lines", "location", "purchase_order", "request_id")
    LINES_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    PURCHASE_ORDER_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    lines: _containers.RepeatedCompositeFieldContainer[StockLineInput]
    location: str
    purchase_order: str
    request_id: str
    def __init__(self, lines: _Optional[_Iterable[_Union[StockLineInput, _Mapping]]] = ..., location: _Optional[str] = ..., purchase_order: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ReceiveStockResponse(_message.Message):
    __slots__ = ("document",)
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    document: StockDocument
    def __init__(self, document: _Optional[_Union[StockDocument, _Mapping]] = ...) -> None: ...

class IssueStockRequest(_message.Message):
    __slots__ = ("lines", "location", "reason", "request_id")
    LINES_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    lines: _containers.RepeatedCompositeFieldContainer[StockLineInput]
    location: str
    reason: str
    request_id: str
    def __init__(self, lines: _Optional[_Iterable[_Union[StockLineInput, _Mapping]]] = ..., location: _Optional[str] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class IssueStockResponse(_message.Message):
    __slots__ = ("document",)
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    document: StockDocument
    def __init__(self, document: _Optional[_Union[StockDocument, _Mapping]] = ...) -> None: ...

class TransferStockRequest(_message.Message):
    __slots__ = ("lines", "from_location", "to_location", "request_id")
    LINES_FIELD_NUMBER: _ClassVar[int]
    FROM_LOCATION_FIELD_NUMBER: _ClassVar[int]
    TO_LOCATION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    lines: _containers.RepeatedCompositeFieldContainer[StockLineInput]
    from_location: str
    to_location: str
    request_id: str
    def __init__(self, lines: _Optional[_Iterable[_Union[StockLineInput, _Mapping]]] = ..., from_location: _Optional[str] = ..., to_location: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class TransferStockResponse(_message.Message):
    __slots__ = ("document",)
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    document: StockDocument
    def __init__(self, document: _Optional[_Union[StockDocument, _Mapping]] = ...) -> None: ...

class WasteStockRequest(_message.Message):
    __slots__ = ("lines", "location", "reason", "request_id")
    LINES_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    lines: _containers.RepeatedCompositeFieldContainer[StockLineInput]
    location: str
    reason: str
    request_id: str
    def __init__(self, lines: _Optional[_Iterable[_Union[StockLineInput, _Mapping]]] = ..., location: _Optional[str] = ..., reason: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class WasteStockResponse(_message.Message):
    __slots__ = ("document",)
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    document: StockDocument
    def __init__(self, document: _Optional[_Union[StockDocument, _Mapping]] = ...) -> None: ...

class WriteOffExpiredRequest(_message.Message):
    __slots__ = ("location", "request_id")
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    location: str
    request_id: str
    def __init__(self, location: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class WriteOffExpiredResponse(_message.Message):
    __slots__ = ("document",)
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    document: StockDocument
    def __init__(self, document: _Optional[_Union[StockDocument, _Mapping]] = ...) -> None: ...

class ListStockDocumentsRequest(_message.Message):
    __slots__ = ("kind", "page_size", "page_token", "item_id")
    KIND_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    kind: str
    page_size: int
    page_token: str
    item_id: str
    def __init__(self, kind: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., item_id: _Optional[str] = ...) -> None: ...

class ListStockDocumentsResponse(_message.Message):
    __slots__ = ("documents", "next_page_token")
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    documents: _containers.RepeatedCompositeFieldContainer[StockDocument]
    next_page_token: str
    def __init__(self, documents: _Optional[_Iterable[_Union[StockDocument, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CountSheetLine(_message.Message):
    __slots__ = ("item", "expected_now", "counted", "expected", "counted_quantity", "variance", "variance_fen")
    ITEM_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_NOW_FIELD_NUMBER: _ClassVar[int]
    COUNTED_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_FIELD_NUMBER: _ClassVar[int]
    COUNTED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    VARIANCE_FIELD_NUMBER: _ClassVar[int]
    VARIANCE_FEN_FIELD_NUMBER: _ClassVar[int]
    item: StockItem
    expected_now: int
    counted: bool
    expected: int
    counted_quantity: int
    variance: int
    variance_fen: int
    def __init__(self, item: _Optional[_Union[StockItem, _Mapping]] = ..., expected_now: _Optional[int] = ..., counted: _Optional[bool] = ..., expected: _Optional[int] = ..., counted_quantity: _Optional[int] = ..., variance: _Optional[int] = ..., variance_fen: _Optional[int] = ...) -> None: ...

class Stocktake(_message.Message):
    __slots__ = ("stocktake_id", "location", "status", "open_time", "opened_by", "lines", "variance_fen", "doc_id")
    STOCKTAKE_ID_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    OPEN_TIME_FIELD_NUMBER: _ClassVar[int]
    OPENED_BY_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    VARIANCE_FEN_FIELD_NUMBER: _ClassVar[int]
    DOC_ID_FIELD_NUMBER: _ClassVar[int]
    stocktake_id: str
    location: str
    status: str
    open_time: _timestamp_pb2.Timestamp
    opened_by: str
    lines: _containers.RepeatedCompositeFieldContainer[CountSheetLine]
    variance_fen: int
    doc_id: str
    def __init__(self, stocktake_id: _Optional[str] = ..., location: _Optional[str] = ..., status: _Optional[str] = ..., open_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., opened_by: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[CountSheetLine, _Mapping]]] = ..., variance_fen: _Optional[int] = ..., doc_id: _Optional[str] = ...) -> None: ...

class OpenStocktakeRequest(_message.Message):
    __slots__ = ("location", "request_id")
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    location: str
    request_id: str
    def __init__(self, location: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class OpenStocktakeResponse(_message.Message):
    __slots__ = ("stocktake",)
    STOCKTAKE_FIELD_NUMBER: _ClassVar[int]
    stocktake: Stocktake
    def __init__(self, stocktake: _Optional[_Union[Stocktake, _Mapping]] = ...) -> None: ...

class GetStocktakeRequest(_message.Message):
    __slots__ = ("stocktake_id",)
    STOCKTAKE_ID_FIELD_NUMBER: _ClassVar[int]
    stocktake_id: str
    def __init__(self, stocktake_id: _Optional[str] = ...) -> None: ...

class GetStocktakeResponse(_message.Message):
    __slots__ = ("stocktake",)
    STOCKTAKE_FIELD_NUMBER: _ClassVar[int]
    stocktake: Stocktake
    def __init__(self, stocktake: _Optional[_Union[Stocktake, _Mapping]] = ...) -> None: ...

class ListStocktakesRequest(_message.Message):
    __slots__ = ("open_only", "page_size")
    OPEN_ONLY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    open_only: bool
    page_size: int
    def __init__(self, open_only: _Optional[bool] = ..., page_size: _Optional[int] = ...) -> None: ...

class ListStocktakesResponse(_message.Message):
    __slots__ = ("stocktakes",)
    STOCKTAKES_FIELD_NUMBER: _ClassVar[int]
    stocktakes: _containers.RepeatedCompositeFieldContainer[Stocktake]
    def __init__(self, stocktakes: _Optional[_Iterable[_Union[Stocktake, _Mapping]]] = ...) -> None: ...

class RecordCountRequest(_message.Message):
    __slots__ = ("stocktake_id", "item_id", "counted", "unit", "request_id")
    STOCKTAKE_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    COUNTED_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    stocktake_id: str
    item_id: str
    counted: str
    unit: str
    request_id: str
    def __init__(self, stocktake_id: _Optional[str] = ..., item_id: _Optional[str] = ..., counted: _Optional[str] = ..., unit: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class RecordCountResponse(_message.Message):
    __slots__ = ("line",)
    LINE_FIELD_NUMBER: _ClassVar[int]
    line: CountSheetLine
    def __init__(self, line: _Optional[_Union[CountSheetLine, _Mapping]] = ...) -> None: ...

class DecideStocktakeRequest(_message.Message):
    __slots__ = ("stocktake_id", "approve", "request_id")
    STOCKTAKE_ID_FIELD_NUMBER: _ClassVar[int]
    APPROVE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    stocktake_id: str
    approve: bool
    request_id: str
    def __init__(self, stocktake_id: _Optional[str] = ..., approve: _Optional[bool] = ..., request_id: _Optional[str] = ...) -> None: ...

class DecideStocktakeResponse(_message.Message):
    __slots__ = ("stocktake",)
    STOCKTAKE_FIELD_NUMBER: _ClassVar[int]
    stocktake: Stocktake
    def __init__(self, stocktake: _Optional[_Union[Stocktake, _Mapping]] = ...) -> None: ...

class SupplierPrice(_message.Message):
    __slots__ = ("item_id", "price_fen")
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    PRICE_FEN_FIELD_NUMBER: _ClassVar[int]
    item_id: str
    price_fen: int
    def __init__(self, item_id: _Optional[str] = ..., price_fen: _Optional[int] = ...) -> None: ...

class Supplier(_message.Message):
    __slots__ = ("supplier_id", "name", "contact", "phone", "email", "lead_days", "prices")
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    LEAD_DAYS_FIELD_NUMBER: _ClassVar[int]
    PRICES_FIELD_NUMBER: _ClassVar[int]
    supplier_id: str
    name: str
    contact: str
    phone: str
    email: str
    lead_days: int
    prices: _containers.RepeatedCompositeFieldContainer[SupplierPrice]
    def __init__(self, supplier_id: _Optional[str] = ..., name: _Optional[str] = ..., contact: _Optional[str] = ..., phone: _Optional[str] = ..., email: _Optional[str] = ..., lead_days: _Optional[int] = ..., prices: _Optional[_Iterable[_Union[SupplierPrice, _Mapping]]] = ...) -> None: ...

class UpsertSupplierRequest(_message.Message):
    __slots__ = ("supplier", "request_id")
    SUPPLIER_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    supplier: Supplier
    request_id: str
    def __init__(self, supplier: _Optional[_Union[Supplier, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class UpsertSupplierResponse(_message.Message):
    __slots__ = ("supplier",)
    SUPPLIER_FIELD_NUMBER: _ClassVar[int]
    supplier: Supplier
    def __init__(self, supplier: _Optional[_Union[Supplier, _Mapping]] = ...) -> None: ...

class ListSuppliersRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListSuppliersResponse(_message.Message):
    __slots__ = ("suppliers",)
    SUPPLIERS_FIELD_NUMBER: _ClassVar[int]
    suppliers: _containers.RepeatedCompositeFieldContainer[Supplier]
    def __init__(self, suppliers: _Optional[_Iterable[_Union[Supplier, _Mapping]]] = ...) -> None: ...

class PurchaseSuggestion(_message.Message):
    __slots__ = ("item", "on_hand", "on_order", "reorder_point", "reorder_target", "derived", "quantity", "quantity_text", "supplier_id", "price_fen", "cost_fen")
    ITEM_FIELD_NUMBER: _ClassVar[int]
    ON_HAND_FIELD_NUMBER: _ClassVar[int]
    ON_ORDER_FIELD_NUMBER: _ClassVar[int]
    REORDER_POINT_FIELD_NUMBER: _ClassVar[int]
    REORDER_TARGET_FIELD_NUMBER: _ClassVar[int]
    DERIVED_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_TEXT_FIELD_NUMBER: _ClassVar[int]
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    PRICE_FEN_FIELD_NUMBER: _ClassVar[int]
    COST_FEN_FIELD_NUMBER: _ClassVar[int]
    item: StockItem
    on_hand: int
    on_order: int
    reorder_point: int
    reorder_target: int
    derived: bool
    quantity: int
    quantity_text: str
    supplier_id: str
    price_fen: int
    cost_fen: int
    def __init__(self, item: _Optional[_Union[StockItem, _Mapping]] = ..., on_hand: _Optional[int] = ..., on_order: _Optional[int] = ..., reorder_point: _Optional[int] = ..., reorder_target: _Optional[int] = ..., derived: _Optional[bool] = ..., quantity: _Optional[int] = ..., quantity_text: _Optional[str] = ..., supplier_id: _Optional[str] = ..., price_fen: _Optional[int] = ..., cost_fen: _Optional[int] = ...) -> None: ...

class SuggestPurchasesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SuggestPurchasesResponse(_message.Message):
    __slots__ = ("suggestions",)
    SUGGESTIONS_FIELD_NUMBER: _ClassVar[int]
    suggestions: _containers.RepeatedCompositeFieldContainer[PurchaseSuggestion]
    def __init__(self, suggestions: _Optional[_Iterable[_Union[PurchaseSuggestion, _Mapping]]] = ...) -> None: ...

class PurchaseOrderLine(_message.Message):
    __slots__ = ("item_id", "ordered", "price_fen", "received")
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    ORDERED_FIELD_NUMBER: _ClassVar[int]
    PRICE_FEN_FIELD_NUMBER: _ClassVar[int]
    RECEIVED_FIELD_NUMBER: _ClassVar[int]
    item_id: str
    ordered: int
    price_fen: int
    received: int
    def __init__(self, item_id: _Optional[str] = ..., ordered: _Optional[int] = ..., price_fen: _Optional[int] = ..., received: _Optional[int] = ...) -> None: ...

class PurchaseOrder(_message.Message):
    __slots__ = ("po_id", "supplier_id", "status", "create_time", "created_by", "expected_on", "lines", "send_time", "close_time", "note", "overdue", "total_fen")
    PO_ID_FIELD_NUMBER: _ClassVar[int]
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_ON_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    SEND_TIME_FIELD_NUMBER: _ClassVar[int]
    CLOSE_TIME_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FEN_FIELD_NUMBER: _ClassVar[int]
    po_id: str
    supplier_id: str
    status: str
    create_time: _timestamp_pb2.Timestamp
    created_by: str
    expected_on: str
    lines: _containers.RepeatedCompositeFieldContainer[PurchaseOrderLine]
    send_time: _timestamp_pb2.Timestamp
    close_time: _timestamp_pb2.Timestamp
    note: str
    overdue: bool
    total_fen: int
    def __init__(self, po_id: _Optional[str] = ..., supplier_id: _Optional[str] = ..., status: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_by: _Optional[str] = ..., expected_on: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[PurchaseOrderLine, _Mapping]]] = ..., send_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., close_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., note: _Optional[str] = ..., overdue: _Optional[bool] = ..., total_fen: _Optional[int] = ...) -> None: ...

class PurchaseOrderLineInput(_message.Message):
    __slots__ = ("item_id", "quantity", "unit")
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    item_id: str
    quantity: str
    unit: str
    def __init__(self, item_id: _Optional[str] = ..., quantity: _Optional[str] = ..., unit: _Optional[str] = ...) -> None: ...

class CreatePurchaseOrderRequest(_message.Message):
    __slots__ = ("supplier_id", "lines", "expected_on", "note", "request_id")
    SUPPLIER_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_ON_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    supplier_id: str
    lines: _containers.RepeatedCompositeFieldContainer[PurchaseOrderLineInput]
    expected_on: str
    note: str
    request_id: str
    def __init__(self, supplier_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[PurchaseOrderLineInput, _Mapping]]] = ..., expected_on: _Optional[str] = ..., note: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreatePurchaseOrderResponse(_message.Message):
    __slots__ = ("purchase_order",)
    PURCHASE_ORDER_FIELD_NUMBER: _ClassVar[int]
    purchase_order: PurchaseOrder
    def __init__(self, purchase_order: _Optional[_Union[PurchaseOrder, _Mapping]] = ...) -> None: ...

class SendPurchaseOrderRequest(_message.Message):
    __slots__ = ("po_id", "channel", "request_id")
    PO_ID_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    po_id: str
    channel: str
    request_id: str
    def __init__(self, po_id: _Optional[str] = ..., channel: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class SendPurchaseOrderResponse(_message.Message):
    __slots__ = ("purchase_order", "sent_to")
    PURCHASE_ORDER_FIELD_NUMBER: _ClassVar[int]
    SENT_TO_FIELD_NUMBER: _ClassVar[int]
    purchase_order: PurchaseOrder
    sent_to: str
    def __init__(self, purchase_order: _Optional[_Union[PurchaseOrder, _Mapping]] = ..., sent_to: _Optional[str] = ...) -> None: ...

class ExportPurchaseOrderRequest(_message.Message):
    __slots__ = ("po_id", "format")
    PO_ID_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    po_id: str
    format: str
    def __init__(self, po_id: _Optional[str] = ..., format: _Optional[str] = ...) -> None: ...

class ExportPurchaseOrderResponse(_message.Message):
    __slots__ = ("content", "filename")
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    content: bytes
    filename: str
    def __init__(self, content: _Optional[bytes] = ..., filename: _Optional[str] = ...) -> None: ...

class ClosePurchaseOrderRequest(_message.Message):
    __slots__ = ("po_id", "cancel", "request_id")
    PO_ID_FIELD_NUMBER: _ClassVar[int]
    CANCEL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    po_id: str
    cancel: bool
    request_id: str
    def __init__(self, po_id: _Optional[str] = ..., cancel: _Optional[bool] = ..., request_id: _Optional[str] = ...) -> None: ...

class ClosePurchaseOrderResponse(_message.Message):
    __slots__ = ("purchase_order",)
    PURCHASE_ORDER_FIELD_NUMBER: _ClassVar[int]
    purchase_order: PurchaseOrder
    def __init__(self, purchase_order: _Optional[_Union[PurchaseOrder, _Mapping]] = ...) -> None: ...

class ListPurchaseOrdersRequest(_message.Message):
    __slots__ = ("open_only",)
    OPEN_ONLY_FIELD_NUMBER: _ClassVar[int]
    open_only: bool
    def __init__(self, open_only: _Optional[bool] = ...) -> None: ...

class ListPurchaseOrdersResponse(_message.Message):
    __slots__ = ("purchase_orders",)
    PURCHASE_ORDERS_FIELD_NUMBER: _ClassVar[int]
    purchase_orders: _containers.RepeatedCompositeFieldContainer[PurchaseOrder]
    def __init__(self, purchase_orders: _Optional[_Iterable[_Union[PurchaseOrder, _Mapping]]] = ...) -> None: ...

class StoredBottle(_message.Message):
    __slots__ = ("label_code", "phone", "member_id", "item_id", "item_name", "remaining", "unit", "opened", "location", "store_time", "expires_on", "status")
    LABEL_CODE_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_NAME_FIELD_NUMBER: _ClassVar[int]
    REMAINING_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    OPENED_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    STORE_TIME_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_ON_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    label_code: str
    phone: str
    member_id: str
    item_id: str
    item_name: str
    remaining: int
    unit: str
    opened: bool
    location: str
    store_time: _timestamp_pb2.Timestamp
    expires_on: str
    status: str
    def __init__(self, label_code: _Optional[str] = ..., phone: _Optional[str] = ..., member_id: _Optional[str] = ..., item_id: _Optional[str] = ..., item_name: _Optional[str] = ..., remaining: _Optional[int] = ..., unit: _Optional[str] = ..., opened: _Optional[bool] = ..., location: _Optional[str] = ..., store_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expires_on: _Optional[str] = ..., status: _Optional[str] = ...) -> None: ...

class StoreBottleRequest(_message.Message):
    __slots__ = ("phone", "item_id", "remaining", "opened", "location", "label_code", "request_id")
    PHONE_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    REMAINING_FIELD_NUMBER: _ClassVar[int]
    OPENED_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    LABEL_CODE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    phone: str
    item_id: str
    remaining: str
    opened: bool
    location: str
    label_code: str
    request_id: str
    def __init__(self, phone: _Optional[str] = ..., item_id: _Optional[str] = ..., remaining: _Optional[str] = ..., opened: _Optional[bool] = ..., location: _Optional[str] = ..., label_code: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class StoreBottleResponse(_message.Message):
    __slots__ = ("bottle",)
    BOTTLE_FIELD_NUMBER: _ClassVar[int]
    bottle: StoredBottle
    def __init__(self, bottle: _Optional[_Union[StoredBottle, _Mapping]] = ...) -> None: ...

class WithdrawBottleRequest(_message.Message):
    __slots__ = ("label_code", "quantity", "request_id")
    LABEL_CODE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    label_code: str
    quantity: str
    request_id: str
    def __init__(self, label_code: _Optional[str] = ..., quantity: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class WithdrawBottleResponse(_message.Message):
    __slots__ = ("bottle",)
    BOTTLE_FIELD_NUMBER: _ClassVar[int]
    bottle: StoredBottle
    def __init__(self, bottle: _Optional[_Union[StoredBottle, _Mapping]] = ...) -> None: ...

class ResolveBottleRequest(_message.Message):
    __slots__ = ("label_code", "action", "days", "note", "request_id")
    LABEL_CODE_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    DAYS_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    label_code: str
    action: str
    days: int
    note: str
    request_id: str
    def __init__(self, label_code: _Optional[str] = ..., action: _Optional[str] = ..., days: _Optional[int] = ..., note: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class ResolveBottleResponse(_message.Message):
    __slots__ = ("bottle",)
    BOTTLE_FIELD_NUMBER: _ClassVar[int]
    bottle: StoredBottle
    def __init__(self, bottle: _Optional[_Union[StoredBottle, _Mapping]] = ...) -> None: ...

class ListStoredBottlesRequest(_message.Message):
    __slots__ = ("phone", "label_code", "expiring_within_days")
    PHONE_FIELD_NUMBER: _ClassVar[int]
    LABEL_CODE_FIELD_NUMBER: _ClassVar[int]
    EXPIRING_WITHIN_DAYS_FIELD_NUMBER: _ClassVar[int]
    phone: str
    label_code: str
    expiring_within_days: int
    def __init__(self, phone: _Optional[str] = ..., label_code: _Optional[str] = ..., expiring_within_days: _Optional[int] = ...) -> None: ...

class ListStoredBottlesResponse(_message.Message):
    __slots__ = ("bottles",)
    BOTTLES_FIELD_NUMBER: _ClassVar[int]
    bottles: _containers.RepeatedCompositeFieldContainer[StoredBottle]
    def __init__(self, bottles: _Optional[_Iterable[_Union[StoredBottle, _Mapping]]] = ...) -> None: ...

class CheckStoredBottlesRequest(_message.Message):
    __slots__ = ("labels_found", "request_id")
    LABELS_FOUND_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    labels_found: _containers.RepeatedScalarFieldContainer[str]
    request_id: str
    def __init__(self, labels_found: _Optional[_Iterable[str]] = ..., request_id: _Optional[str] = ...) -> None: ...

class CheckStoredBottlesResponse(_message.Message):
    __slots__ = ("matched", "missing", "extra")
    MATCHED_FIELD_NUMBER: _ClassVar[int]
    MISSING_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    matched: _containers.RepeatedScalarFieldContainer[str]
    missing: _containers.RepeatedScalarFieldContainer[str]
    extra: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, matched: _Optional[_Iterable[str]] = ..., missing: _Optional[_Iterable[str]] = ..., extra: _Optional[_Iterable[str]] = ...) -> None: ...

class StockAlert(_message.Message):
    __slots__ = ("kind", "subject", "text", "days")
    KIND_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    DAYS_FIELD_NUMBER: _ClassVar[int]
    kind: str
    subject: str
    text: str
    days: int
    def __init__(self, kind: _Optional[str] = ..., subject: _Optional[str] = ..., text: _Optional[str] = ..., days: _Optional[int] = ...) -> None: ...

class ListStockAlertsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListStockAlertsResponse(_message.Message):
    __slots__ = ("alerts",)
    ALERTS_FIELD_NUMBER: _ClassVar[int]
    alerts: _containers.RepeatedCompositeFieldContainer[StockAlert]
    def __init__(self, alerts: _Optional[_Iterable[_Union[StockAlert, _Mapping]]] = ...) -> None: ...

class VerifyStockLedgerRequest(_message.Message):
    __slots__ = ("start_time", "end_time")
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class VerifyStockLedgerResponse(_message.Message):
    __slots__ = ("problems", "sold_cost_fen", "package_cost_fen", "gift_cost_fen")
    PROBLEMS_FIELD_NUMBER: _ClassVar[int]
    SOLD_COST_FEN_FIELD_NUMBER: _ClassVar[int]
    PACKAGE_COST_FEN_FIELD_NUMBER: _ClassVar[int]
    GIFT_COST_FEN_FIELD_NUMBER: _ClassVar[int]
    problems: _containers.RepeatedScalarFieldContainer[str]
    sold_cost_fen: int
    package_cost_fen: int
    gift_cost_fen: int
    def __init__(self, problems: _Optional[_Iterable[str]] = ..., sold_cost_fen: _Optional[int] = ..., package_cost_fen: _Optional[int] = ..., gift_cost_fen: _Optional[int] = ...) -> None: ...
