"""ktvctl report day|week|month|quarter|range|close: the day close and the owner's reports
as readable tables (``--json`` for scripts), exported with ``--xlsx`` / ``--csv`` / ``--png``."""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Callable
from pathlib import Path

from rich.table import Table

from controller.ktvctl import args as types
from controller.ktvctl import command
from controller.ktvctl.connection import connect
from controller.ktvctl.output import console, print_json, to_dict
from controller.reports.convert import report_from_pb
from controller.reports.export import csv_text, text_value, write_png, write_xlsx
from controller.reports.model import Report, Unit
from ktv.errors import InvalidArgument
from ktv.text import short
from ktv.v1 import reports_pb2 as pb
from ktv.v1 import reports_pb2_grpc

PERIODS = {
    "week": pb.REPORT_PERIOD_WEEK,
    "month": pb.REPORT_PERIOD_MONTH,
    "quarter": pb.REPORT_PERIOD_QUARTER,
}
NUMERIC = (Unit.FEN, Unit.COUNT, Unit.BP, Unit.SECONDS)


def _exports(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--xlsx", type=Path, metavar="FILE", help="write XLSX")
    parser.add_argument("--csv", type=Path, metavar="FILE", help="write CSV")
    parser.add_argument("--png", type=Path, metavar="FILE", help="draw a chart")


def show(report: Report) -> None:
    """The report as tables: headline figures, then each section."""
    span = (
        f"{report.first_day}"
        if report.first_day == report.last_day
        else f"{report.first_day} ~ {report.last_day}"
    )
    closed = f"  (已日结 {report.closed_at[:16]} {report.closed_by})" if report.closed_at else ""
    head = Table(title=f"营业报表 {span}{closed}", title_justify="left")
    head.add_column("项目")
    head.add_column("数值", justify="right")
    for f in report.figures:
        head.add_row(f.label, text_value(f.value, f.unit))
    console.print(head)
    for section in report.sections:
        if not section.rows:
            continue
        table = Table(title=section.title, title_justify="left")
        for col in section.columns:
            table.add_column(col.label, justify="right" if col.unit in NUMERIC else "left")
        for row in section.rows:
            table.add_row(
                *(text_value(v, c.unit) for v, c in zip(row, section.columns, strict=True))
            )
        console.print(table)


def _fetch(args: argparse.Namespace, call: Callable[[object, object], pb.Report]) -> pb.Report:
    conn = connect(args)
    try:
        stub = reports_pb2_grpc.ReportServiceStub(conn.channel)
        with console.status("building the report…", spinner="dots"):
            return call(conn, stub)
    finally:
        conn.close()


def _write(path: Path, what: str, write: Callable[[Path], None]) -> None:
    """An export, or one line saying why it could not be written."""
    try:
        write(path)
    except OSError as error:
        raise InvalidArgument(
            f"cannot write {what} to {short(str(path))}: {error.strerror or error}"
        ) from None


def _out(args: argparse.Namespace, msg: pb.Report) -> int:
    report = report_from_pb(msg)
    if args.xlsx:
        with console.status("writing XLSX…") as status:
            _write(
                args.xlsx,
                "the XLSX",
                lambda p: write_xlsx(
                    report, p, lambda title: status.update(f"writing XLSX: {title}")
                ),
            )
    if args.csv:
        types.write_file(args.csv, csv_text(report).encode("utf-8-sig"), "the CSV")
    if args.png:
        _write(args.png, "the chart", lambda p: write_png(report, p))
    if args.json:
        print_json(to_dict(msg))
    else:
        show(report)
        for kind in ("xlsx", "csv", "png"):
            if getattr(args, kind):
                console.print(f"wrote {getattr(args, kind)}")
    return 0


@command("report day", "营业日报: the day close of a business day (default: today so far)")
def _day(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("day", nargs="?", type=types.day, default=None, help="YYYY-MM-DD")
    _exports(parser)

    def run(args: argparse.Namespace) -> int:
        msg = _fetch(
            args,
            lambda c, s: c.call(s.GetDayReport, pb.GetDayReportRequest(day=args.day or "")).report,  # type: ignore[attr-defined]
        )
        return _out(args, msg)

    return run


def _period(name: str) -> None:
    @command(
        f"report {name}",
        f"the {name} holding DAY (default: today): trend, best sellers, vs last {name}/year",
    )
    def _cfg(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
        parser.add_argument("day", nargs="?", type=types.day, default=None, help="YYYY-MM-DD")
        _exports(parser)

        def run(args: argparse.Namespace) -> int:
            request = pb.GetPeriodReportRequest(period=PERIODS[name], day=args.day or "")
            msg = _fetch(args, lambda c, s: c.call(s.GetPeriodReport, request).report)  # type: ignore[attr-defined]
            return _out(args, msg)

        return run


for _name in PERIODS:
    _period(_name)


@command("report range", "business days FIRST..LAST (at most 400 days)")
def _range(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("first", type=types.day, help="YYYY-MM-DD")
    parser.add_argument("last", type=types.day, help="YYYY-MM-DD")
    _exports(parser)

    def run(args: argparse.Namespace) -> int:
        request = pb.GetPeriodReportRequest(
            period=pb.REPORT_PERIOD_RANGE, day=args.first, last_day=args.last
        )
        msg = _fetch(args, lambda c, s: c.call(s.GetPeriodReport, request).report)  # type: ignore[attr-defined]
        return _out(args, msg)

    return run


@command("report close", "日结: freeze a finished business day (manager; default: yesterday)")
def _close(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("day", nargs="?", type=types.day, default=None, help="YYYY-MM-DD")
    parser.add_argument("--request-id", type=types.REQUEST_ID, default="")
    _exports(parser)

    def run(args: argparse.Namespace) -> int:
        request = pb.CloseDayRequest(
            day=args.day or "", request_id=args.request_id or uuid.uuid4().hex
        )
        msg = _fetch(args, lambda c, s: c.call(s.CloseDay, request).report)  # type: ignore[attr-defined]
        return _out(args, msg)

    return run


@command("shift start", "交班: sign in at a cash drawer (it opens with the last handover's count)")
def _shift_start(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("--drawer", type=types.CODE, default="", help="default: desk")
    parser.add_argument(
        "--float",
        dest="float_fen",
        type=types.yuan(positive=False),
        default=0,
        metavar="YUAN",
        help="cash put in a drawer's first shift",
    )
    parser.add_argument("--request-id", type=types.REQUEST_ID, default="")

    def run(args: argparse.Namespace) -> int:
        conn = connect(args)
        try:
            stub = reports_pb2_grpc.ReportServiceStub(conn.channel)
            reply = conn.call(
                stub.StartShift,
                pb.StartShiftRequest(
                    drawer=args.drawer,
                    float_fen=args.float_fen,
                    request_id=args.request_id or uuid.uuid4().hex,
                ),
            )
        finally:
            conn.close()
        if args.json:
            print_json(to_dict(reply))
        else:
            console.print(
                f"shift {reply.shift_id} at {reply.drawer}: {reply.staff_id}, "
                f"drawer opens with {text_value(reply.opening_fen, Unit.FEN)}"
            )
        return 0

    return run


@command("shift show", "the open shift's sheet so far: takings, the drawer, operations")
def _shift_show(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("--drawer", type=types.CODE, default="", help="default: desk")
    _exports(parser)

    def run(args: argparse.Namespace) -> int:
        msg = _fetch(
            args,
            lambda c, s: c.call(s.GetShift, pb.GetShiftRequest(drawer=args.drawer)).report,  # type: ignore[attr-defined]
        )
        return _out(args, msg)

    return run


@command("shift handover", "交班: count the drawer, close the shift (--to: the next cashier)")
def _shift_handover(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("counted", type=types.yuan(positive=False), metavar="YUAN")
    parser.add_argument("--reason", type=types.NOTE, default="", help="why the count differs")
    parser.add_argument("--to", type=types.CODE, default="", help="the next cashier's staff id")
    parser.add_argument("--drawer", type=types.CODE, default="", help="default: desk")
    parser.add_argument("--request-id", type=types.REQUEST_ID, default="")
    _exports(parser)

    def run(args: argparse.Namespace) -> int:
        request = pb.HandOverShiftRequest(
            drawer=args.drawer,
            counted_fen=args.counted,
            reason=args.reason,
            next_staff_id=args.to,
            request_id=args.request_id or uuid.uuid4().hex,
        )
        msg = _fetch(args, lambda c, s: c.call(s.HandOverShift, request).report)  # type: ignore[attr-defined]
        return _out(args, msg)

    return run
