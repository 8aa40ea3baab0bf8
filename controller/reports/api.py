"""``ktv.v1.ReportService`` over gRPC: a thin adapter over :class:`ReportDesk`. Reports are
built in a worker thread on a read-only connection of their own, so the event loop and the
store's write lock stay free for checkouts while a quarter is added up."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta

import grpc

from controller.api.convert import ts
from controller.api.idempotent import once
from controller.app import ControllerApp, register_service_module
from controller.auth.interceptor import current_principal
from controller.auth.model import Role, staff_id_input
from controller.auth.permissions import MANAGER_UP, Permission, service_rows
from controller.reports import settings
from controller.reports.convert import parse_day, period_from_pb, report_to_pb
from controller.reports.model import PeriodKind
from controller.reports.service import DEFAULT_DRAWER, ReportDesk, ShiftDesk
from ktv.errors import InvalidArgument, KtvError
from ktv.limits import CODE_MAX_CHARS
from ktv.text import bounded
from ktv.v1 import reports_pb2 as pb
from ktv.v1 import reports_pb2_grpc

log = logging.getLogger(__name__)
CASHIER_UP = frozenset({Role.CASHIER, Role.MANAGER, Role.ADMIN})

PERMISSIONS = service_rows(
    "ktv.v1.ReportService",
    {
        "GetDayReport": Permission(CASHIER_UP),
        "GetPeriodReport": Permission(MANAGER_UP),
        "CloseDay": Permission(MANAGER_UP),
        "StartShift": Permission(CASHIER_UP),
        "GetShift": Permission(CASHIER_UP),
        "HandOverShift": Permission(CASHIER_UP),
    },
)


class ReportServicer(reports_pb2_grpc.ReportServiceServicer):
    def __init__(self, desk: ReportDesk) -> None:
        self.desk = desk
        self.shifts = ShiftDesk(desk)

    def _tz(self) -> str:
        return self.desk.venue_clock().timezone

    async def GetDayReport(
        self, request: pb.GetDayReportRequest, context: object
    ) -> pb.GetDayReportResponse:
        day = parse_day(request.day)
        report = await asyncio.to_thread(self.desk.day, day)
        return pb.GetDayReportResponse(report=report_to_pb(report, self._tz()))

    async def GetPeriodReport(
        self, request: pb.GetPeriodReportRequest, context: object
    ) -> pb.GetPeriodReportResponse:
        kind = period_from_pb(request.period)
        day = parse_day(request.day)
        last = parse_day(request.last_day, "last_day")
        if kind is PeriodKind.RANGE and (day is None or last is None):
            raise InvalidArgument("a range needs day and last_day", reason="BAD_DAY")

        loop = asyncio.get_running_loop()

        def build() -> object:
            def elsewhere(fn: Callable[..., str], *args: object) -> str:
                return asyncio.run_coroutine_threadsafe(_in_worker(loop, fn, *args), loop).result()

            return self.desk.period(kind, day or self.desk.today(), last, run=elsewhere)

        report = await asyncio.to_thread(build)
        return pb.GetPeriodReportResponse(report=report_to_pb(report, self._tz()))  # type: ignore[arg-type]

    async def CloseDay(self, request: pb.CloseDayRequest, context: object) -> pb.CloseDayResponse:
        day = parse_day(request.day)
        staff = current_principal().staff_id

        def act() -> pb.CloseDayResponse:
            which = day or self.desk.today() - timedelta(days=1)
            report = self.desk.close_day(which, staff)
            return pb.CloseDayResponse(report=report_to_pb(report, self._tz()))

        return once(
            self.desk.store, "/ktv.v1.ReportService/CloseDay", request, pb.CloseDayResponse, act
        )

    async def StartShift(
        self, request: pb.StartShiftRequest, context: object
    ) -> pb.StartShiftResponse:
        drawer = _drawer(request.drawer)
        staff = current_principal().staff_id

        def act() -> pb.StartShiftResponse:
            shift = self.shifts.start(staff, drawer, request.float_fen)
            return pb.StartShiftResponse(
                shift_id=shift.shift_id,
                drawer=shift.drawer,
                staff_id=shift.staff_id,
                start_time=ts(shift.started_at),
                opening_fen=shift.opening_fen,
            )

        return once(
            self.desk.store, "/ktv.v1.ReportService/StartShift", request, pb.StartShiftResponse, act
        )

    async def GetShift(self, request: pb.GetShiftRequest, context: object) -> pb.GetShiftResponse:
        drawer = _drawer(request.drawer)
        shift, sheet = await asyncio.to_thread(self.shifts.current, drawer)
        return pb.GetShiftResponse(shift_id=shift.shift_id, report=report_to_pb(sheet, self._tz()))

    async def HandOverShift(
        self, request: pb.HandOverShiftRequest, context: object
    ) -> pb.HandOverShiftResponse:
        drawer = _drawer(request.drawer)
        who = current_principal()
        next_staff = staff_id_input(request.next_staff_id) if request.next_staff_id else ""

        def act() -> pb.HandOverShiftResponse:
            sheet = self.shifts.hand_over(
                who.staff_id,
                who.role in MANAGER_UP,
                request.counted_fen,
                reason=request.reason,
                drawer=drawer,
                handed_to=next_staff,
            )
            return pb.HandOverShiftResponse(report=report_to_pb(sheet, self._tz()))

        return once(
            self.desk.store,
            "/ktv.v1.ReportService/HandOverShift",
            request,
            pb.HandOverShiftResponse,
            act,
        )


_pool: ProcessPoolExecutor | None = None


async def _in_worker(loop: asyncio.AbstractEventLoop, fn: Callable[..., str], *args: object) -> str:
    """Run a report build in the reports' worker process (spawned once, on first use)."""
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    return await loop.run_in_executor(_pool, fn, *args)


def _drawer(name: str) -> str:
    return bounded(name, what="a drawer", max_len=CODE_MAX_CHARS) or DEFAULT_DRAWER


class ReportsModule:
    def permissions(self) -> Mapping[str, Permission]:
        return PERMISSIONS

    def add_to_server(self, server: grpc.aio.Server, app: ControllerApp) -> list[str]:
        desk = ReportDesk(app.store, clock=app.clock)
        reports_pb2_grpc.add_ReportServiceServicer_to_server(ReportServicer(desk), server)
        with contextlib.suppress(RuntimeError):  # no running loop: tests that only build
            asyncio.get_running_loop().create_task(_keep_up(desk))
        return [pb.DESCRIPTOR.services_by_name["ReportService"].full_name]


async def _keep_up(desk: ReportDesk) -> None:
    """Keep the read model close to the log, so a report never starts far behind."""
    while True:
        await asyncio.sleep(settings.catch_up_interval_s)
        try:
            await asyncio.to_thread(desk.records.catch_up)
        except KtvError:
            log.exception("reports: catching up with the billing log failed")


register_service_module(ReportsModule)
