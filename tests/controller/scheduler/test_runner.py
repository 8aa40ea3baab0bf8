"""The scheduler runs each job once per period, remembers it across restarts, catches up a
missed run at start-up, retries a failing job next period, and never blocks the event loop."""

from __future__ import annotations

import asyncio
import threading
import time as wall
from datetime import UTC, datetime
from datetime import time as clock_time

import pytest

from controller.scheduler.runner import Scheduler
from controller.scheduler.timing import Daily, Every, Monthly

from .conftest import SHANGHAI, FakeClock


def at_shanghai(d: int, h: int, mi: int = 0) -> datetime:
    return datetime(2026, 11, d, h, mi, tzinfo=SHANGHAI).astimezone(UTC)


class Tally:
    def __init__(self) -> None:
        self.periods: list[str] = []

    def __call__(self, period) -> str:
        self.periods.append(period.key)
        return f"ran {period.key}"


def test_a_daily_job_runs_once_per_day_at_its_time(store):
    clock = FakeClock(at_shanghai(24, 8))
    s = Scheduler(store, clock, SHANGHAI)
    birthday = Tally()
    s.add("birthday", Daily(clock_time(9)), birthday)
    s.run_due()  # 08:00: yesterday's period has no run: it is caught up now
    assert birthday.periods == ["2026-11-23"]
    s.run_due()
    assert birthday.periods == ["2026-11-23"]
    clock.now = at_shanghai(24, 9)
    s.run_due()
    s.run_due()
    assert birthday.periods == ["2026-11-23", "2026-11-24"]


def test_a_restart_does_not_repeat_todays_run_and_a_missed_day_runs_at_start_up(store):
    clock = FakeClock(at_shanghai(24, 10))
    expiry = Tally()
    first = Scheduler(store, clock, SHANGHAI)
    first.add("points_expiry", Daily(clock_time(4)), expiry)
    first.run_due()
    restarted = Scheduler(store, clock, SHANGHAI)  # the controller restarted the same day
    restarted.add("points_expiry", Daily(clock_time(4)), expiry)
    assert restarted.run_due() == [] and expiry.periods == ["2026-11-24"]
    clock.now = at_shanghai(27, 15)  # down from the 25th to the 27th afternoon
    again = Scheduler(store, clock, SHANGHAI)
    again.add("points_expiry", Daily(clock_time(4)), expiry)
    runs = again.run_due()
    assert [r.period for r in runs] == ["2026-11-27"] and expiry.periods[-1] == "2026-11-27"


def test_a_failing_job_is_recorded_and_retried_next_period_while_the_others_run(store):
    clock = FakeClock(at_shanghai(24, 10))
    s = Scheduler(store, clock, SHANGHAI)
    calls = []

    def flaky(period) -> str:
        calls.append(period.key)
        if len(calls) == 1:
            raise ConnectionError("SMS gateway down")
        return "sent 3"

    others = Tally()
    s.add("notifications", Every(300), flaky)
    s.add("birthday", Daily(clock_time(9)), others)
    runs = {r.job: r for r in s.run_due()}
    assert runs["notifications"].ok is False
    assert "ConnectionError: SMS gateway down" in runs["notifications"].result
    assert runs["birthday"].ok and others.periods == ["2026-11-24"]
    s.run_due()
    assert len(calls) == 1  # not again in the same period
    clock.advance(minutes=5)
    (run,) = s.run_due()
    assert run.ok and run.result == "sent 3" and len(calls) == 2


def test_status_shows_last_run_result_and_next_run(store):
    clock = FakeClock(at_shanghai(24, 10))
    s = Scheduler(store, clock, SHANGHAI)
    s.add("win_back", Monthly(1, clock_time(10)), Tally())
    s.add("birthday", Daily(clock_time(9)), Tally())
    before = {j.name: j for j in s.status()}
    assert before["birthday"].last is None and before["birthday"].due_now
    s.run_due()
    after = {j.name: j for j in s.status()}
    assert after["birthday"].last.result == "ran 2026-11-24" and not after["birthday"].due_now
    assert after["birthday"].next_run == at_shanghai(25, 9)
    assert after["win_back"].last.period == "2026-11"
    assert after["win_back"].next_run == datetime(2026, 12, 1, 10, tzinfo=SHANGHAI)
    assert after["win_back"].cadence == "monthly 1 10:00"


def test_the_venue_config_overrides_a_jobs_default_time(store):
    s = Scheduler(
        store, FakeClock(at_shanghai(24, 10)), SHANGHAI, {"birthday": Daily(clock_time(8))}
    )
    job = s.add("birthday", Daily(clock_time(9)), Tally())
    assert job.cadence == Daily(clock_time(8))
    s2 = Scheduler(
        store, FakeClock(at_shanghai(24, 10)), SHANGHAI, {"brithday": Daily(clock_time(8))}
    )
    s2.add("birthday", Daily(clock_time(9)), Tally())
    assert s2.unknown_configured() == ["brithday"]  # a typo is reported at start


def test_run_now_reruns_a_job_for_its_period(store):
    clock = FakeClock(at_shanghai(24, 10))
    s = Scheduler(store, clock, SHANGHAI)
    tally = Tally()
    s.add("birthday", Daily(clock_time(9)), tally)
    s.run_due()
    run = s.run_now("birthday")
    assert run.ok and tally.periods == ["2026-11-24", "2026-11-24"]


def test_a_slow_job_runs_in_a_thread_and_the_event_loop_keeps_serving(store):
    clock = FakeClock(at_shanghai(24, 10))
    s = Scheduler(store, clock, SHANGHAI)
    release = threading.Event()
    started = threading.Event()

    def slow(period) -> str:
        started.set()
        release.wait(30)
        return "done"

    s.add("win_back", Monthly(1, clock_time(10)), slow)

    async def scenario() -> tuple[int, bool]:
        s.start(tick_s=3600)
        beats = 0
        while not started.is_set():
            await asyncio.sleep(0.01)
        t0 = wall.monotonic()
        while wall.monotonic() - t0 < 0.3:  # the job is blocked; the loop must not be
            await asyncio.sleep(0.01)
            beats += 1
        release.set()
        await s.stop()  # waits for the job's thread to finish
        return beats, s.status()[0].last is not None

    beats, recorded = asyncio.run(scenario())
    assert beats >= 5 and recorded


def test_a_job_name_is_scheduled_once(store):
    s = Scheduler(store, FakeClock(at_shanghai(24, 10)), SHANGHAI)
    s.add("birthday", Daily(clock_time(9)), Tally())
    with pytest.raises(Exception, match="already scheduled"):
        s.add("birthday", Daily(clock_time(9)), Tally())
