"""ktvctl scheduler status|run: the controller's periodic jobs (last run, next run, result)."""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.table import Table

from controller.ktvctl import args as types
from controller.ktvctl import command
from controller.ktvctl.connection import connect
from controller.ktvctl.output import console, print_json, to_dict
from ktv.errors import FailedPrecondition
from ktv.v1 import scheduler_pb2 as pb
from ktv.v1 import scheduler_pb2_grpc


def _local(stamp: object, tz: ZoneInfo) -> str:
    if not stamp.seconds:  # type: ignore[attr-defined]
        return "-"
    at: datetime = stamp.ToDatetime().replace(tzinfo=ZoneInfo("UTC"))  # type: ignore[attr-defined]
    return at.astimezone(tz).strftime("%m-%d %H:%M")


@command("scheduler status", "the controller's periodic jobs: last run, result, next run")
def _status(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        conn = connect(args)
        try:
            stub = scheduler_pb2_grpc.SchedulerServiceStub(conn.channel)
            reply = conn.call(stub.ListJobs, pb.ListJobsRequest())
            seen = {""}
            while reply.next_page_token not in seen:  # every page (AIP-158)
                seen.add(reply.next_page_token)
                more = conn.call(
                    stub.ListJobs, pb.ListJobsRequest(page_token=reply.next_page_token)
                )
                reply.jobs.extend(more.jobs)
                reply.next_page_token = more.next_page_token
            reply.next_page_token = ""
        finally:
            conn.close()
        if args.json:
            print_json(to_dict(reply))
            return 0
        tz = ZoneInfo(reply.timezone or "UTC")
        table = Table(title=f"jobs (times in {reply.timezone})", title_justify="left")
        for column in ("job", "schedule", "last run", "period", "result", "next run"):
            table.add_column(column)
        for job in reply.jobs:
            last = job.last_run if job.HasField("last_run") else None
            result = "-" if last is None else (last.result if last.ok else f"FAILED {last.result}")
            table.add_row(
                job.name,
                job.schedule,
                _local(last.finished_time, tz) if last else "never",
                last.period if last else "-",
                result,
                "now" if job.due else _local(job.next_run_time, tz),
            )
        console.print(table)
        return 0

    return run


@command("scheduler run", "run one job now for its current period (manager)")
def _run(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("job", type=types.NAME, help="a job name from `ktvctl scheduler status`")
    parser.add_argument(
        "--request-id",
        type=types.REQUEST_ID,
        default="",
        help="kept for the log; a rerun is harmless",
    )

    def run(args: argparse.Namespace) -> int:
        conn = connect(args)
        try:
            stub = scheduler_pb2_grpc.SchedulerServiceStub(conn.channel)
            reply = conn.call(
                stub.RunJob,
                pb.RunJobRequest(name=args.job, request_id=args.request_id or uuid.uuid4().hex),
            )
        finally:
            conn.close()
        if args.json:
            print_json(to_dict(reply))
        else:
            console.print(f"{reply.name} ({reply.run.period}): {reply.run.result}")
        if not reply.run.ok:
            raise FailedPrecondition(f"job {reply.name} failed: {reply.run.result}")
        return 0

    return run
