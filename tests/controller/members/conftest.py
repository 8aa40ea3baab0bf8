"""A venue's membership over a real SQLite file, with a clock the tests move."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

import controller.billing.store
import controller.members.schema  # noqa: F401 - registers the members migrations
from controller.members.desk import MemberDesk
from controller.store.db import open_store


@dataclass
class FakeClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 24, 11, 0, tzinfo=UTC))


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "controller.db")
    yield s
    s.close()


@pytest.fixture
def members(store, clock) -> MemberDesk:
    return MemberDesk(store, clock)
