"""``ktvctl scheduler status|run`` against a real controller process: the jobs ran at
start-up (their periods had no run yet), a restart repeats none of them, and a manager can
run one now."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from ktv.v1 import scheduler_pb2, scheduler_pb2_grpc
from tests.controller.billing.grpc_support import write_venue
from tests.support.controller import launch

KTVCTL = [sys.executable, "-m", "controller.ktvctl"]
JOBS = {
    "points_expiry",
    "birthday",
    "win_back",
    "notifications",
    "member_credit_sweep",
    "storage_reminders",  # inventory: 存酒 expiring
}
DAILY_OR_MONTHLY = ("points_expiry", "birthday", "win_back")


def ktvctl(ctl, tmp_path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("KTV_CONTROLLER", "KTV_TOKEN")}
    env.update({"KTV_CONFIG_DIR": str(tmp_path / "cfg"), "COLUMNS": "200"})
    who = ["--controller", ctl.address, "--data-dir", str(ctl.data_dir)]
    return subprocess.run(
        [*KTVCTL, *who, *args], capture_output=True, text=True, timeout=30, env=env
    )


def wait_for_first_runs(ctl) -> dict[str, scheduler_pb2.Job]:
    stub = scheduler_pb2_grpc.SchedulerServiceStub(ctl.channel())
    deadline = time.monotonic() + 60
    while True:
        jobs = stub.ListJobs(
            scheduler_pb2.ListJobsRequest(), metadata=ctl.admin_md, timeout=10
        ).jobs
        if all(j.HasField("last_run") for j in jobs) or time.monotonic() > deadline:
            return {j.name: j for j in jobs}
        time.sleep(0.2)


@pytest.mark.slow
def test_jobs_run_at_start_up_once_per_period_and_show_in_ktvctl(tmp_path):
    data_dir = tmp_path / "data"
    args = ["--venue-config", str(write_venue(data_dir)), "--no-mdns"]
    ctl = launch(data_dir, args)
    try:
        first = wait_for_first_runs(ctl)
        assert set(first) == JOBS
        assert all(j.last_run.ok for j in first.values()), {n: j.last_run for n, j in first.items()}
        status = ktvctl(ctl, tmp_path, "scheduler", "status")
        assert status.returncode == 0, status.stderr
        assert "birthday" in status.stdout and "daily 09:00" in status.stdout
        assert "Asia/Shanghai" in status.stdout
        listed = json.loads(ktvctl(ctl, tmp_path, "scheduler", "status", "--json").stdout)
        assert {j["name"] for j in listed["jobs"]} == JOBS
        ran = ktvctl(ctl, tmp_path, "scheduler", "run", "birthday")
        assert ran.returncode == 0 and "birthday coupons" in ran.stdout
        unknown = ktvctl(ctl, tmp_path, "scheduler", "run", "brithday")
        assert unknown.returncode == 3 and unknown.stderr.strip().count("\n") == 0
    finally:
        ctl.stop()

    ctl = launch(data_dir, args)  # restarted the same day: no daily or monthly job again
    try:
        again = wait_for_first_runs(ctl)
        for name in DAILY_OR_MONTHLY:
            assert again[name].last_run.period == first[name].last_run.period
        assert (
            again["points_expiry"].last_run.finished_time
            == first["points_expiry"].last_run.finished_time
        )
    finally:
        ctl.stop()
    assert "job birthday" in ctl.log_text()
