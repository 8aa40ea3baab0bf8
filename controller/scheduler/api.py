"""``ktv.v1.SchedulerService``: what the scheduler did and will do (``ktvctl scheduler``)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import grpc

from controller.api.convert import ts
from controller.api.paging import decode_token, encode_token, page_size
from controller.app import ControllerApp, register_service_module
from controller.auth.permissions import MANAGER_UP, STAFF_ROLES, Permission, service_rows
from controller.scheduler.runner import JobRun, Scheduler
from ktv.errors import InvalidArgument
from ktv.limits import JOBS_PAGE_DEFAULT
from ktv.v1 import scheduler_pb2 as pb
from ktv.v1 import scheduler_pb2_grpc

PERMISSIONS = service_rows(
    "ktv.v1.SchedulerService",
    {"ListJobs": Permission(STAFF_ROLES), "RunJob": Permission(MANAGER_UP)},
)


def run_pb(run: JobRun) -> pb.JobRun:
    return pb.JobRun(
        period=run.period,
        started_time=ts(run.started_at),
        finished_time=ts(run.finished_at),
        ok=run.ok,
        result=run.result,
    )


class SchedulerServicer(scheduler_pb2_grpc.SchedulerServiceServicer):
    def __init__(self, scheduler: Scheduler) -> None:
        self.scheduler = scheduler

    async def ListJobs(self, request: pb.ListJobsRequest, context: object) -> pb.ListJobsResponse:
        size = page_size(request.page_size, JOBS_PAGE_DEFAULT)
        after = decode_token(request.page_token, "jobs", "")
        jobs = sorted(await asyncio.to_thread(self.scheduler.status), key=lambda j: j.name)
        if after is not None:
            jobs = [j for j in jobs if j.name > after]
        page = jobs[:size]
        out = pb.ListJobsResponse(
            jobs=[
                pb.Job(
                    name=j.name,
                    schedule=j.cadence,
                    last_run=run_pb(j.last) if j.last else None,
                    next_run_time=ts(j.next_run),
                    due=j.due_now,
                )
                for j in page
            ],
            timezone=str(self.scheduler.tz),
        )
        if len(jobs) > size:
            out.next_page_token = encode_token("jobs", "", page[-1].name)
        return out

    async def RunJob(self, request: pb.RunJobRequest, context: object) -> pb.RunJobResponse:
        """Runs the job in a worker thread (never on the event loop). A retry runs it again:
        every job is idempotent per member and period, so nothing is given twice."""
        if not request.name:
            raise InvalidArgument("which job? (ktvctl scheduler status lists them)")
        run = await asyncio.to_thread(self.scheduler.run_now, request.name)
        return pb.RunJobResponse(name=request.name, run=run_pb(run))


class SchedulerModule:
    def permissions(self) -> Mapping[str, Permission]:
        return PERMISSIONS

    def add_to_server(self, server: grpc.aio.Server, app: ControllerApp) -> list[str]:
        assert app.scheduler is not None
        scheduler_pb2_grpc.add_SchedulerServiceServicer_to_server(
            SchedulerServicer(app.scheduler), server
        )
        return [pb.DESCRIPTOR.services_by_name["SchedulerService"].full_name]


register_service_module(SchedulerModule)
