"""``ktv-controller demo-history``: weeks of history through the real services, and reports
worth looking at."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from controller.billing.store import BillingRecords
from controller.demo_history import fill
from controller.deploy.data_dir_lock import DataDirLock
from controller.reports.model import PeriodKind
from controller.reports.service import ReportDesk
from controller.store.db import DB_FILE, open_store
from ktv.errors import FailedPrecondition

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "venue.toml"


def test_a_week_of_history_replays_and_every_closed_day_adds_up(tmp_path):
    data = tmp_path / "data"
    counts = fill(data, EXAMPLE, 1, seed=7)
    assert counts["bills"] > 20 and counts["members"] > 5 and counts["days_closed"] >= 6
    store = open_store(data / DB_FILE)
    try:
        assert BillingRecords(store).verify(datetime.now(UTC)) == []  # the log replays
        reports = ReportDesk(store)
        week = reports.period(PeriodKind.RANGE, *_closed_span(store))
        tenders = week.figure("tendered_fen")
        assert tenders == week.figure("revenue_fen") - week.figure("refund_fen")
        assert week.figure("takings_fen") < tenders  # some stored value, 签单, 招待
        assert {r[0] for r in week.section("tenders").rows} >= {"wechat", "alipay", "cash"}
    finally:
        store.close()


def _closed_span(store):
    days = sorted(r["day"] for r in store.query("SELECT day FROM report_days"))
    from datetime import date

    return date.fromisoformat(days[0]), date.fromisoformat(days[-1])


def test_a_running_controller_is_not_filled(tmp_path):
    data = tmp_path / "data"
    with DataDirLock.acquire(data, purpose="serve"), pytest.raises(FailedPrecondition):
        fill(data, EXAMPLE, 1)


def test_the_command_line(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "controller",
            "demo-history",
            "--data-dir",
            str(tmp_path / "d"),
            "--venue-config",
            str(EXAMPLE),
            "--weeks",
            "99",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "--weeks" in result.stderr
