"""The scheduler: runs each job once per period, in a worker thread, and remembers every run
in SQLite (``scheduler_runs``).

- **Idempotent per period**: a (job, period) with a recorded run is not run again, so a
  restart never repeats today's birthday run; jobs are idempotent themselves as well.
- **Survives restarts**: the first tick after start-up runs every job whose current period
  has no run yet (a daily run missed while the controller was down happens at start-up).
- **Never blocks the event loop**: a tick runs the due jobs in a thread
  (``asyncio.to_thread``); their database work takes the store's lock per short transaction.
- **A failing job** is logged, recorded with its error, and retried next period.
- **Injectable clock**: ``run_due()`` is synchronous and reads ``clock``; tests move the
  clock instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from controller.scheduler import settings
from controller.scheduler.timing import Cadence, Period, next_run, period_at
from controller.store.db import Store
from controller.store.migrations import Migration, register_migrations
from ktv.errors import AlreadyExists, NotFound

log = logging.getLogger(__name__)

register_migrations(
    "scheduler",
    [
        Migration(
            1,
            "runs of periodic jobs",
            sql="""
            CREATE TABLE scheduler_runs (
                job TEXT NOT NULL,
                period TEXT NOT NULL,
                started_at TEXT NOT NULL,
                finished_at TEXT NOT NULL,
                ok INTEGER NOT NULL,
                result TEXT NOT NULL,
                PRIMARY KEY (job, period)
            );
            CREATE INDEX scheduler_runs_latest ON scheduler_runs (job, finished_at);
            """,
        )
    ],
)

JobAction = Callable[[Period], str]  # does the work; returns a one-line result


@dataclass(frozen=True)
class Job:
    name: str
    cadence: Cadence
    action: JobAction


@dataclass(frozen=True)
class JobRun:
    job: str
    period: str
    started_at: datetime
    finished_at: datetime
    ok: bool
    result: str


@dataclass(frozen=True)
class JobStatus:
    name: str
    cadence: str
    last: JobRun | None
    next_run: datetime
    due_now: bool  # the current period has no run yet


class Scheduler:
    def __init__(
        self,
        store: Store,
        clock: Callable[[], datetime],
        tz: ZoneInfo,
        cadences: dict[str, Cadence] | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.tz = tz
        self.cadences = dict(cadences or {})  # the venue config's overrides, by job name
        self._jobs: dict[str, Job] = {}
        self._running = threading.Lock()  # one tick at a time
        self._task: asyncio.Task[None] | None = None

    # --- composition ------------------------------------------------------------------------
    def add(self, name: str, default: Cadence, action: JobAction) -> Job:
        """Add a job; the venue config's ``[scheduler] NAME = "..."`` overrides ``default``."""
        if name in self._jobs:
            raise AlreadyExists(f"job {name} is already scheduled", reason="JOB_EXISTS")
        job = Job(name, self.cadences.get(name, default), action)
        self._jobs[name] = job
        return job

    def jobs(self) -> list[Job]:
        return list(self._jobs.values())

    def unknown_configured(self) -> list[str]:
        return sorted(set(self.cadences) - set(self._jobs))

    # --- running ----------------------------------------------------------------------------
    def due(self, now: datetime) -> list[tuple[Job, Period]]:
        out = []
        for job in self._jobs.values():
            period = period_at(job.cadence, now, self.tz)
            if self._run_of(job.name, period.key) is None:
                out.append((job, period))
        return out

    def run_due(self) -> list[JobRun]:
        """Run every job whose current period has no run yet (synchronous: call it from a
        thread in the controller, directly in tests)."""
        with self._running:
            return [self._run(job, period) for job, period in self.due(self.clock())]

    def run_now(self, name: str) -> JobRun:
        """Run one job for its current period even if it ran already (``ktvctl scheduler
        run``); the job's own idempotency keeps it from giving anything twice."""
        job = self._jobs.get(name)
        if job is None:
            raise NotFound(f"no job {name!r}", reason="UNKNOWN_JOB")
        with self._running:
            return self._run(job, period_at(job.cadence, self.clock(), self.tz))

    def _run(self, job: Job, period: Period) -> JobRun:
        started = self.clock()
        try:
            result, ok = job.action(period), True
        except Exception as error:  # a failing job must not stop the others
            log.exception("job %s (%s) failed; it runs again next period", job.name, period.key)
            result, ok = f"{type(error).__name__}: {error}", False
        run = JobRun(job.name, period.key, started, self.clock(), ok, result[:500])
        with self.store.transaction():
            self.store.execute(
                "INSERT INTO scheduler_runs (job, period, started_at, finished_at, ok, result)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (job, period) DO UPDATE SET"
                " started_at = excluded.started_at, finished_at = excluded.finished_at,"
                " ok = excluded.ok, result = excluded.result",
                (
                    run.job,
                    run.period,
                    run.started_at.isoformat(),
                    run.finished_at.isoformat(),
                    int(run.ok),
                    run.result,
                ),
            )
        log.info("job %s (%s): %s", job.name, period.key, run.result if ok else "FAILED")
        return run

    def _run_of(self, name: str, period: str) -> JobRun | None:
        row = self.store.query_one(
            "SELECT * FROM scheduler_runs WHERE job = ? AND period = ?", (name, period)
        )
        return _run_of_row(row) if row else None

    # --- status -----------------------------------------------------------------------------
    def status(self) -> list[JobStatus]:
        now = self.clock()
        out = []
        for job in self._jobs.values():
            row = self.store.query_one(
                "SELECT * FROM scheduler_runs WHERE job = ? ORDER BY finished_at DESC LIMIT 1",
                (job.name,),
            )
            period = period_at(job.cadence, now, self.tz)
            out.append(
                JobStatus(
                    job.name,
                    str(job.cadence),
                    _run_of_row(row) if row else None,
                    next_run(job.cadence, now, self.tz),
                    self._run_of(job.name, period.key) is None,
                )
            )
        return out

    # --- in the controller's event loop ----------------------------------------------------
    def start(self, tick_s: float = settings.tick_interval_s) -> None:
        for name in self.unknown_configured():
            log.warning("[scheduler] %s: no such job (ignored)", name)
        self._task = asyncio.get_running_loop().create_task(self._loop(tick_s))

    async def _loop(self, tick_s: float) -> None:
        while True:
            try:
                await asyncio.to_thread(self.run_due)
            except Exception:  # the store is busy or closing: try again next tick
                log.exception("scheduler tick failed")
            await asyncio.sleep(tick_s)

    async def stop(self) -> None:
        """Stop ticking; a job already running in its thread finishes first (bounded)."""
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        acquired = await asyncio.to_thread(self._running.acquire, True, settings.stop_grace_s)
        if acquired:
            self._running.release()
        else:
            log.warning("a job still runs after %.0f s; stopping anyway", settings.stop_grace_s)


def _run_of_row(row: dict[str, object]) -> JobRun:
    return JobRun(
        str(row["job"]),
        str(row["period"]),
        datetime.fromisoformat(str(row["started_at"])),
        datetime.fromisoformat(str(row["finished_at"])),
        bool(row["ok"]),
        str(row["result"]),
    )
