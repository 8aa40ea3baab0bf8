"""A scheduler over a real SQLite file, with a clock the tests move (no sleeps)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

import controller.scheduler.runner  # noqa: F401 - registers the scheduler migrations
from controller.store.db import open_store
from tests.controller.members.conftest import FakeClock, clock  # noqa: F401 - shared fixture

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "controller.db")
    yield s
    s.close()
