"""A venue with two rooms, billing and members over a real SQLite file, a clock the tests move,
and the club's desks on top (draws, members on the phone)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from controller.club.draw_desk import DrawDesk
from controller.club.phone import MemberPhone
from controller.members.campaigns import FileNotifier
from controller.members.loyalty import LoyaltyDesk
from controller.members.outreach import Outreach
from tests.controller.members.conftest import FakeClock
from tests.controller.members.test_pay_from_balance import venue_at

SONGS = {"s-qilixiang": ("七里香", "周杰伦"), "s-daoxiang": ("稻香", "周杰伦")}


class Club:
    def __init__(self, path: Path, clock: FakeClock) -> None:
        self.billing, self.members = venue_at(path / "controller.db", clock, seed=True)
        self.clock = clock
        self.store = self.billing.store
        self.loyalty = LoyaltyDesk(self.members)
        self.outbox = path / "notifications.jsonl"
        self.phone = MemberPhone(
            self.members, Outreach(self.loyalty), FileNotifier(self.outbox), SONGS.get
        )
        self.draws = DrawDesk(self.billing, self.loyalty)

    def sent_codes(self, phone: str) -> list[str]:
        if not self.outbox.exists():
            return []
        lines = [json.loads(line) for line in self.outbox.read_text("utf-8").splitlines()]
        return [
            line["payload"]["code"]
            for line in lines
            if line["template"] == "sign_in_code" and line["phone"] == phone
        ]


@pytest.fixture
def clock() -> FakeClock:
    from datetime import UTC, datetime

    return FakeClock(datetime(2026, 11, 24, 11, 0, tzinfo=UTC))


@pytest.fixture
def club(tmp_path: Path, clock: FakeClock):  # type: ignore[no-untyped-def]
    c = Club(tmp_path, clock)
    yield c
    c.store.close()
