"""``ktv.v1.DevicesService`` (gRPC adapter): energy per room and business day, device health
and maintenance alerts; keeps the board's health badges current (issue 24)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tomllib
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta

import grpc

from controller.api.convert import ts
from controller.app import ControllerApp, register_service_module
from controller.auth.permissions import STAFF_ROLES, Permission, service_rows
from controller.billing.clock import VenueClock
from controller.devices import records
from controller.devices.energy import Bucket, RoomEnergy, venue_energy
from controller.devices.health import (
    Badge,
    HealthRules,
    Interval,
    RoomHealth,
    by_risk,
    room_health,
)
from controller.rooms.board import RoomBoard
from controller.rooms.model import BoardRoom, parse_room_name
from controller.store.db import Store
from ktv.errors import InvalidArgument, KtvError
from ktv.room_link import RoomState
from ktv.v1 import devices_pb2 as pb
from ktv.v1 import devices_pb2_grpc, rooms_pb2

log = logging.getLogger(__name__)

PERMISSIONS = service_rows(
    "ktv.v1.DevicesService",
    {"GetEnergyReport": Permission(STAFF_ROLES), "ListDeviceHealth": Permission(STAFF_ROLES)},
)
HEALTH_REFRESH_S = 300.0  # the agents report every 5 minutes
HEALTH_DAYS_DEFAULT = 7
HEALTH_DAYS_MAX = 90
BADGE_TO_PB = {
    Badge.UNKNOWN: rooms_pb2.HEALTH_BADGE_UNSPECIFIED,
    Badge.OK: rooms_pb2.HEALTH_BADGE_OK,
    Badge.WATCH: rooms_pb2.HEALTH_BADGE_WATCH,
    Badge.SERVICE: rooms_pb2.HEALTH_BADGE_SERVICE,
}


def venue_clock(venue_toml: str) -> VenueClock:
    """The venue's timezone and business-day start (``[venue]``, as billing reads them)."""
    venue = tomllib.loads(venue_toml).get("venue", {}) if venue_toml else {}
    starts = str(venue.get("business_day_starts", "10:00"))
    try:
        cutoff = time.fromisoformat(starts)
    except ValueError:
        raise InvalidArgument(f"venue.business_day_starts {starts!r} is not HH:MM") from None
    return VenueClock(str(venue.get("timezone", "Asia/Shanghai")), cutoff)


def _wh(value: float) -> int:
    return round(value)


def energy_pb(e: RoomEnergy) -> pb.RoomEnergy:
    b = e.by_bucket
    return pb.RoomEnergy(
        room=f"rooms/{e.room_id}",
        total_wh=_wh(e.total_wh),
        session_wh=_wh(b.get(Bucket.SESSION, 0.0)),
        idle_wh=_wh(b.get(Bucket.IDLE, 0.0)),
        cleaning_wh=_wh(b.get(Bucket.CLEANING, 0.0)),
        other_wh=_wh(b.get(Bucket.OTHER, 0.0)),
        waste_wh=_wh(e.waste_wh),
        on_seconds=round(e.on_seconds),
        metered=e.metered,
        sessions=[
            pb.SessionEnergy(
                session=s.session,
                energy_wh=_wh(s.wh),
                duration_seconds=round(s.seconds),
                energy_wh_per_hour=_wh(s.wh_per_hour),
            )
            for s in e.sessions
        ],
    )


def health_pb(h: RoomHealth) -> pb.RoomHealth:
    last = h.last
    return pb.RoomHealth(
        room=f"rooms/{h.room_id}",
        badge=BADGE_TO_PB[h.badge],  # type: ignore[arg-type]
        risk=h.risk,
        alerts=[pb.HealthAlert(kind=a.kind, message=a.message) for a in h.alerts],
        temperature_c=(last.temperature_c or 0.0) if last else 0.0,
        throttled_flags=(last.throttled_flags or 0) if last else 0,
        disk_written_bytes_per_day=h.disk_written_per_day,
        disk_free_bytes=last.disk_free_bytes if last else 0,
        player_errors_per_day=h.player_errors_per_day,
        taps=h.taps,
        output_switches=h.output_switches,
        report_time=ts(last.at) if last else None,
    )


class DeviceReports:
    """Energy and health over the board's stored events (the service both RPCs and the
    badge refresh use)."""

    def __init__(
        self,
        store: Store,
        board: RoomBoard,
        clock: VenueClock,
        now: Callable[[], datetime],
        rules: HealthRules | None = None,
    ) -> None:
        self.store = store
        self.board = board
        self.venue = clock
        self.now = now
        self.rules = rules or HealthRules()

    def energy(
        self, day: date | None, rooms: list[BoardRoom]
    ) -> tuple[date, datetime, datetime, list[RoomEnergy]]:
        """Any thread: the rooms' energy over the business day (today: up to now)."""
        now = self.now()
        day = day or self.venue.business_day(now)
        start, end = self.venue.day_start(day), min(self.venue.day_end(day), now)
        if end < start:
            raise InvalidArgument(
                f"business day {day} has not started yet", reason="DAY_NOT_STARTED"
            )
        ids = [r.room_id for r in rooms]
        return (
            day,
            start,
            end,
            venue_energy(records.room_histories(self.store, ids, start, end), start, end),
        )

    def rooms(self, room_id: str = "") -> list[BoardRoom]:
        """On the board's loop: the rooms as they are now (the board is not thread-safe)."""
        return [self.board.get(room_id)] if room_id else self.board.rooms()

    def health(self, days: int, rooms: list[BoardRoom]) -> list[RoomHealth]:
        """Any thread: reads the store and applies the rules to ``rooms``."""
        now = self.now()
        start = now - timedelta(days=days)
        reports = records.health_reports(self.store, start, now + timedelta(seconds=1))
        histories = records.room_histories(self.store, [r.room_id for r in rooms], start, now)
        out = []
        for room, history in zip(rooms, histories, strict=True):
            sessions = _sessions(history.states, start, now)
            door = room.sensors
            open_since = door.door_since if door.door_open else None
            out.append(
                room_health(
                    room.room_id,
                    reports.get(room.room_id, []),
                    sessions,
                    open_since,
                    now,
                    self.rules,
                )
            )
        return by_risk(out)

    def set_badges(self, rooms: list[RoomHealth]) -> None:
        """On the board's loop: the tiles' badges."""
        for h in rooms:
            self.board.set_health(h.room_id, h.badge.value)


def _sessions(states, start: datetime, end: datetime) -> list[Interval]:  # type: ignore[no-untyped-def]
    out = []
    opened: datetime | None = None
    for change in states:
        if change.state is RoomState.IN_USE and opened is None:
            opened = max(change.at, start)
        elif change.state is not RoomState.IN_USE and opened is not None:
            out.append(Interval(opened, max(change.at, start)))
            opened = None
    if opened is not None:
        out.append(Interval(opened, end))
    return out


def _day(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidArgument(
            f"business_day {text[:20]!r} is not YYYY-MM-DD", reason="BAD_DATE"
        ) from None


class DevicesServicer(devices_pb2_grpc.DevicesServiceServicer):
    def __init__(self, reports: DeviceReports) -> None:
        self.reports = reports

    async def GetEnergyReport(
        self, request: pb.GetEnergyReportRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetEnergyReportResponse:
        room_id = parse_room_name(request.room) if request.room else ""
        day, start, end, rooms = await asyncio.to_thread(
            self.reports.energy, _day(request.business_day), self.reports.rooms(room_id)
        )
        return pb.GetEnergyReportResponse(
            business_day=day.isoformat(),
            start_time=ts(start),
            end_time=ts(end),
            rooms=[energy_pb(e) for e in rooms],
        )

    async def ListDeviceHealth(
        self, request: pb.ListDeviceHealthRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListDeviceHealthResponse:
        room_id = parse_room_name(request.room) if request.room else ""
        days = request.days or HEALTH_DAYS_DEFAULT
        if not 1 <= days <= HEALTH_DAYS_MAX:
            raise InvalidArgument(f"days must be 1-{HEALTH_DAYS_MAX}", reason="BAD_HEALTH_WINDOW")
        rooms = await asyncio.to_thread(self.reports.health, days, self.reports.rooms(room_id))
        if not room_id and days == HEALTH_DAYS_DEFAULT:
            self.reports.set_badges(rooms)
        return pb.ListDeviceHealthResponse(rooms=[health_pb(h) for h in rooms])


async def _refresh_badges(reports: DeviceReports) -> None:
    """The week's rules off the event loop (a thread reads and computes), the badges on it."""
    while True:
        await asyncio.sleep(HEALTH_REFRESH_S)
        try:
            rooms = await asyncio.to_thread(reports.health, HEALTH_DAYS_DEFAULT, reports.rooms())
            reports.set_badges(rooms)
        except KtvError:
            log.exception("refreshing health badges failed")


class DevicesModule:
    def permissions(self) -> Mapping[str, Permission]:
        return PERMISSIONS

    def add_to_server(self, server: grpc.aio.Server, app: ControllerApp) -> list[str]:
        path = app.options.venue_config
        text = path.read_text(encoding="utf-8") if path else ""
        reports = DeviceReports(app.store, app.board, venue_clock(text), app.clock)
        devices_pb2_grpc.add_DevicesServiceServicer_to_server(DevicesServicer(reports), server)
        with contextlib.suppress(RuntimeError):  # no running loop: tests that only build
            asyncio.get_running_loop().create_task(_refresh_badges(reports))
        return [pb.DESCRIPTOR.services_by_name["DevicesService"].full_name]


register_service_module(DevicesModule)
