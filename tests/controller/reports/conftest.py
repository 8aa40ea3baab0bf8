"""A small venue (examples/venue.toml: A08, A09 small, B02 VIP) over a real SQLite file, with
billing, membership and reports on one store and a clock the tests move."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import controller.billing.store
import controller.members.schema
import controller.reports.store  # noqa: F401 - registers the migrations
from controller.auth.model import Role
from controller.billing.desk import TenderAmount
from controller.billing.payments import SandboxProvider
from controller.billing.records import Actor, Tender
from controller.billing.service import BillingDesk
from controller.members.desk import MemberDesk
from controller.members.stored_value import StoredValueProvider
from controller.reports.service import ReportDesk
from controller.rooms.board import RoomBoard
from controller.rooms.model import RoomState
from controller.store.db import open_store

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "venue.toml"
SHANGHAI = ZoneInfo("Asia/Shanghai")
CASHIER = Actor("cashier-li", Role.CASHIER)
MANAGER = Actor("manager-wang", Role.MANAGER)
TUE, WED, THU = date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 26)


def local(day: date, hh: int, mm: int = 0) -> datetime:
    """Wall-clock time in Shanghai on a calendar day, as UTC."""
    return datetime.combine(day, time(hh, mm)).replace(tzinfo=SHANGHAI).astimezone(UTC)


@dataclass
class FakeClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def set(self, instant: datetime) -> None:
        assert instant >= self.now, "the clock only moves forward"
        self.now = instant


@dataclass
class Venue:
    billing: BillingDesk
    members: MemberDesk
    reports: ReportDesk
    clock: FakeClock

    def at(self, day: date, hh: int, mm: int = 0) -> Venue:
        self.clock.set(local(day, hh, mm))
        return self

    def tab(self, room: str) -> str:
        return self.billing.tab_id_of(room)

    def clean(self, *rooms: str) -> None:
        for room in rooms:
            self.billing.board.set_state(room, RoomState.IDLE)


def sv(amount_fen: int) -> TenderAmount:
    return TenderAmount(Tender.STORED_VALUE, amount_fen, "13800138000:2580")


def make_venue(tmp_path: Path) -> Venue:
    clock = FakeClock(local(TUE, 10, 30))
    store = open_store(tmp_path / "controller.db")
    board = RoomBoard(store, tiers=("small", "vip"), clock=clock)
    board.load()
    for room, tier in (("A08", "small"), ("A09", "small"), ("B02", "vip")):
        board.create_room(room, room, tier)
    members = MemberDesk(store, clock)
    providers = {t: SandboxProvider() for t in Tender}
    providers[Tender.STORED_VALUE] = StoredValueProvider(members)
    billing = BillingDesk(board, clock=clock, providers=providers)
    billing.import_config(EXAMPLE.read_text(encoding="utf-8"), MANAGER)
    return Venue(billing, members, ReportDesk(store, clock=clock), clock)


@pytest.fixture
def venue(tmp_path):
    v = make_venue(tmp_path)
    yield v
    v.billing.store.close()


def later(instant: datetime, **delta: float) -> datetime:
    return instant + timedelta(**delta)
