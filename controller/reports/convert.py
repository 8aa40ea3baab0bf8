"""Reports <-> ``ktv.v1`` messages, and the day strings of requests (bounded, then parsed)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from controller.reports.model import Column, Figure, PeriodKind, Report, Section, Unit
from ktv.errors import InvalidArgument
from ktv.v1 import reports_pb2 as pb

UNITS = {
    Unit.FEN: pb.REPORT_UNIT_FEN,
    Unit.COUNT: pb.REPORT_UNIT_COUNT,
    Unit.BP: pb.REPORT_UNIT_BASIS_POINTS,
    Unit.SECONDS: pb.REPORT_UNIT_SECONDS,
    Unit.TEXT: pb.REPORT_UNIT_TEXT,
}
FROM_UNITS = {v: k for k, v in UNITS.items()}
PERIODS = {
    PeriodKind.DAY: pb.REPORT_PERIOD_DAY,
    PeriodKind.WEEK: pb.REPORT_PERIOD_WEEK,
    PeriodKind.MONTH: pb.REPORT_PERIOD_MONTH,
    PeriodKind.QUARTER: pb.REPORT_PERIOD_QUARTER,
    PeriodKind.RANGE: pb.REPORT_PERIOD_RANGE,
}
FROM_PERIODS = {v: k for k, v in PERIODS.items()}
DAY_CHARS_MAX = 10


def parse_day(text: str, what: str = "day") -> date | None:
    """``YYYY-MM-DD`` (empty: None); anything else is BAD_DAY, checked before any work."""
    text = text.strip()
    if not text:
        return None
    if len(text) > DAY_CHARS_MAX:
        raise InvalidArgument(f"{what}: YYYY-MM-DD, got {text[:20]!r}...", reason="BAD_DAY")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidArgument(f"{what}: YYYY-MM-DD, got {text!r}", reason="BAD_DAY") from None


def period_from_pb(value: int) -> PeriodKind:
    if value not in FROM_PERIODS:
        raise InvalidArgument(
            "period must be DAY, WEEK, MONTH, QUARTER or RANGE", reason="BAD_PERIOD"
        )
    return FROM_PERIODS[value]


def _cell(value: int | str) -> pb.ReportCell:
    return pb.ReportCell(text=value) if isinstance(value, str) else pb.ReportCell(number=value)


def report_to_pb(report: Report, timezone: str = "") -> pb.Report:
    out = pb.Report(
        period=PERIODS[report.kind],
        first_day=report.first_day.isoformat(),
        last_day=report.last_day.isoformat(),
        figures=[
            pb.ReportFigure(key=f.key, label=f.label, value=f.value, unit=UNITS[f.unit])
            for f in report.figures
        ],
        sections=[
            pb.ReportSection(
                key=s.key,
                title=s.title,
                columns=[
                    pb.ReportColumn(key=c.key, label=c.label, unit=UNITS[c.unit]) for c in s.columns
                ],
                rows=[pb.ReportRow(cells=[_cell(v) for v in row]) for row in s.rows],
            )
            for s in report.sections
        ],
        closed=bool(report.closed_at),
        closed_by=report.closed_by,
        timezone=timezone,
    )
    if report.closed_at:
        stamp = Timestamp()
        stamp.FromDatetime(datetime.fromisoformat(report.closed_at).astimezone(UTC))
        out.close_time.CopyFrom(stamp)
    return out


def report_from_pb(msg: pb.Report) -> Report:
    """The report a client received (ktvctl's exports read this)."""

    def cell(c: pb.ReportCell) -> int | str:
        which = c.WhichOneof("value")
        return c.number if which == "number" else c.text

    closed_at = ""
    if msg.closed:
        closed_at = msg.close_time.ToDatetime().replace(tzinfo=UTC).isoformat()
    return Report(
        kind=FROM_PERIODS.get(msg.period, PeriodKind.RANGE),
        first_day=date.fromisoformat(msg.first_day),
        last_day=date.fromisoformat(msg.last_day),
        figures=tuple(
            Figure(f.key, f.label, f.value, FROM_UNITS.get(f.unit, Unit.COUNT)) for f in msg.figures
        ),
        sections=tuple(
            Section(
                s.key,
                s.title,
                tuple(Column(c.key, c.label, FROM_UNITS.get(c.unit, Unit.TEXT)) for c in s.columns),
                tuple(tuple(cell(c) for c in r.cells) for r in s.rows),
            )
            for s in msg.sections
        ),
        closed_at=closed_at,
        closed_by=msg.closed_by,
    )
