import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReportPeriod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REPORT_PERIOD_UNSPECIFIED: _ClassVar[ReportPeriod]
    REPORT_PERIOD_DAY: _ClassVar[ReportPeriod]
    REPORT_PERIOD_WEEK: _ClassVar[ReportPeriod]
    REPORT_PERIOD_MONTH: _ClassVar[ReportPeriod]
    REPORT_PERIOD_QUARTER: _ClassVar[ReportPeriod]
    REPORT_PERIOD_RANGE: _ClassVar[ReportPeriod]

class ReportUnit(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REPORT_UNIT_UNSPECIFIED: _ClassVar[ReportUnit]
    REPORT_UNIT_FEN: _ClassVar[ReportUnit]
    REPORT_UNIT_COUNT: _ClassVar[ReportUnit]
    REPORT_UNIT_BASIS_POINTS: _ClassVar[ReportUnit]
    REPORT_UNIT_SECONDS: _ClassVar[ReportUnit]
    REPORT_UNIT_TEXT: _ClassVar[ReportUnit]
REPORT_PERIOD_UNSPECIFIED: ReportPeriod
REPORT_PERIOD_DAY: ReportPeriod
REPORT_PERIOD_WEEK: ReportPeriod
REPORT_PERIOD_MONTH: ReportPeriod
REPORT_PERIOD_QUARTER: ReportPeriod
REPORT_PERIOD_RANGE: ReportPeriod
REPORT_UNIT_UNSPECIFIED: ReportUnit
REPORT_UNIT_FEN: ReportUnit
REPORT_UNIT_COUNT: ReportUnit
REPORT_UNIT_BASIS_POINTS: ReportUnit
REPORT_UNIT_SECONDS: ReportUnit
REPORT_UNIT_TEXT: ReportUnit

class ReportFigure(_message.Message):
    __slots__ = ("key", "label", "value", "unit")
    KEY_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    key: str
    label: str
    value: int
    unit: ReportUnit
    def __init__(self, key: _Optional[str] = ..., label: _Optional[str] = ..., value: _Optional[int] = ..., unit: _Optional[_Union[ReportUnit, str]] = ...) -> None: ...

class ReportColumn(_message.Message):
    __slots__ = ("key", "label", "unit")
    KEY_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    key: str
    label: str
    unit: ReportUnit
    def __init__(self, key: _Optional[str] = ..., label: _Optional[str] = ..., unit: _Optional[_Union[ReportUnit, str]] = ...) -> None: ...

class ReportCell(_message.Message):
    __slots__ = ("number", "text")
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    number: int
    text: str
    def __init__(self, number: _Optional[int] = ..., text: _Optional[str] = ...) -> None: ...

class ReportRow(_message.Message):
    __slots__ = ("cells",)
    CELLS_FIELD_NUMBER: _ClassVar[int]
    cells: _containers.RepeatedCompositeFieldContainer[ReportCell]
    def __init__(self, cells: _Optional[_Iterable[_Union[ReportCell, _Mapping]]] = ...) -> None: ...

class ReportSection(_message.Message):
    __slots__ = ("key", "title", "columns", "rows")
    KEY_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    key: str
    title: str
    columns: _containers.RepeatedCompositeFieldContainer[ReportColumn]
    rows: _containers.RepeatedCompositeFieldContainer[ReportRow]
    def __init__(self, key: _Optional[str] = ..., title: _Optional[str] = ..., columns: _Optional[_Iterable[_Union[ReportColumn, _Mapping]]] = ..., rows: _Optional[_Iterable[_Union[ReportRow, _Mapping]]] = ...) -> None: ...

class Report(_message.Message):
    __slots__ = ("period", "first_day", "last_day", "figures", "sections", "closed", "close_time", "closed_by", "timezone")
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    FIRST_DAY_FIELD_NUMBER: _ClassVar[int]
    LAST_DAY_FIELD_NUMBER: _ClassVar[int]
    FIGURES_FIELD_NUMBER: _ClassVar[int]
    SECTIONS_FIELD_NUMBER: _ClassVar[int]
    CLOSED_FIELD_NUMBER: _ClassVar[int]
    CLOSE_TIME_FIELD_NUMBER: _ClassVar[int]
    CLOSED_BY_FIELD_NUMBER: _ClassVar[int]
    TIMEZONE_FIELD_NUMBER: _ClassVar[int]
    period: ReportPeriod
    first_day: str
    last_day: str
    figures: _containers.RepeatedCompositeFieldContainer[ReportFigure]
    sections: _containers.RepeatedCompositeFieldContainer[ReportSection]
    closed: bool
    close_time: _timestamp_pb2.Timestamp
    closed_by: str
    timezone: str
    def __init__(self, period: _Optional[_Union[ReportPeriod, str]] = ..., first_day: _Optional[str] = ..., last_day: _Optional[str] = ..., figures: _Optional[_Iterable[_Union[ReportFigure, _Mapping]]] = ..., sections: _Optional[_Iterable[_Union[ReportSection, _Mapping]]] = ..., closed: _Optional[bool] = ..., close_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., closed_by: _Optional[str] = ..., timezone: _Optional[str] = ...) -> None: ...

class GetDayReportRequest(_message.Message):
    __slots__ = ("day",)
    DAY_FIELD_NUMBER: _ClassVar[int]
    day: str
    def __init__(self, day: _Optional[str] = ...) -> None: ...

class GetDayReportResponse(_message.Message):
    __slots__ = ("report",)
    REPORT_FIELD_NUMBER: _ClassVar[int]
    report: Report
    def __init__(self, report: _Optional[_Union[Report, _Mapping]] = ...) -> None: ...

class GetPeriodReportRequest(_message.Message):
    __slots__ = ("period", "day", "last_day")
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    DAY_FIELD_NUMBER: _ClassVar[int]
    LAST_DAY_FIELD_NUMBER: _ClassVar[int]
    period: ReportPeriod
    day: str
    last_day: str
    def __init__(self, period: _Optional[_Union[ReportPeriod, str]] = ..., day: _Optional[str] = ..., last_day: _Optional[str] = ...) -> None: ...

class GetPeriodReportResponse(_message.Message):
    __slots__ = ("report",)
    REPORT_FIELD_NUMBER: _ClassVar[int]
    report: Report
    def __init__(self, report: _Optional[_Union[Report, _Mapping]] = ...) -> None: ...

class CloseDayRequest(_message.Message):
    __slots__ = ("day", "request_id")
    DAY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    day: str
    request_id: str
    def __init__(self, day: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class CloseDayResponse(_message.Message):
    __slots__ = ("report",)
    REPORT_FIELD_NUMBER: _ClassVar[int]
    report: Report
    def __init__(self, report: _Optional[_Union[Report, _Mapping]] = ...) -> None: ...

class StartShiftRequest(_message.Message):
    __slots__ = ("drawer", "float_fen", "request_id")
    DRAWER_FIELD_NUMBER: _ClassVar[int]
    FLOAT_FEN_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    drawer: str
    float_fen: int
    request_id: str
    def __init__(self, drawer: _Optional[str] = ..., float_fen: _Optional[int] = ..., request_id: _Optional[str] = ...) -> None: ...

class StartShiftResponse(_message.Message):
    __slots__ = ("shift_id", "drawer", "staff_id", "start_time", "opening_fen")
    SHIFT_ID_FIELD_NUMBER: _ClassVar[int]
    DRAWER_FIELD_NUMBER: _ClassVar[int]
    STAFF_ID_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    OPENING_FEN_FIELD_NUMBER: _ClassVar[int]
    shift_id: str
    drawer: str
    staff_id: str
    start_time: _timestamp_pb2.Timestamp
    opening_fen: int
    def __init__(self, shift_id: _Optional[str] = ..., drawer: _Optional[str] = ..., staff_id: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., opening_fen: _Optional[int] = ...) -> None: ...

class GetShiftRequest(_message.Message):
    __slots__ = ("drawer",)
    DRAWER_FIELD_NUMBER: _ClassVar[int]
    drawer: str
    def __init__(self, drawer: _Optional[str] = ...) -> None: ...

class GetShiftResponse(_message.Message):
    __slots__ = ("shift_id", "report")
    SHIFT_ID_FIELD_NUMBER: _ClassVar[int]
    REPORT_FIELD_NUMBER: _ClassVar[int]
    shift_id: str
    report: Report
    def __init__(self, shift_id: _Optional[str] = ..., report: _Optional[_Union[Report, _Mapping]] = ...) -> None: ...

class HandOverShiftRequest(_message.Message):
    __slots__ = ("drawer", "counted_fen", "reason", "next_staff_id", "request_id")
    DRAWER_FIELD_NUMBER: _ClassVar[int]
    COUNTED_FEN_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    NEXT_STAFF_ID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    drawer: str
    counted_fen: int
    reason: str
    next_staff_id: str
    request_id: str
    def __init__(self, drawer: _Optional[str] = ..., counted_fen: _Optional[int] = ..., reason: _Optional[str] = ..., next_staff_id: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class HandOverShiftResponse(_message.Message):
    __slots__ = ("report",)
    REPORT_FIELD_NUMBER: _ClassVar[int]
    report: Report
    def __init__(self, report: _Optional[_Union[Report, _Mapping]] = ...) -> None: ...
