"""ListJobs pages (AIP-158) with opaque tokens; an old client (no page_size) gets every job."""

from __future__ import annotations

import grpc
import pytest

from controller.api.errors import reason_of
from ktv.v1 import billing_pb2, billing_pb2_grpc, scheduler_pb2, scheduler_pb2_grpc
from tests.controller.billing.grpc_support import write_venue
from tests.support.controller import start_controller

JOBS = {
    "points_expiry",
    "birthday",
    "win_back",
    "notifications",
    "member_credit_sweep",
    "storage_reminders",  # inventory: 存酒 expiring
}


@pytest.fixture(scope="module")
def ctl(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("jobs-paging") / "data"
    args = ["--venue-config", str(write_venue(data_dir)), "--no-mdns"]
    with start_controller(data_dir, args) as running:
        yield running


def _list(ctl, **fields) -> scheduler_pb2.ListJobsResponse:
    stub = scheduler_pb2_grpc.SchedulerServiceStub(ctl.channel())
    return stub.ListJobs(scheduler_pb2.ListJobsRequest(**fields), metadata=ctl.admin_md, timeout=10)


def test_an_old_client_gets_every_job_in_one_page(ctl):
    reply = _list(ctl)
    assert {j.name for j in reply.jobs} == JOBS and not reply.next_page_token


def test_list_jobs_pages_through_every_job_once(ctl):
    names: list[str] = []
    token = ""
    pages = 0
    while True:
        reply = _list(ctl, page_size=2, page_token=token)
        assert len(reply.jobs) <= 2 and reply.timezone
        names.extend(j.name for j in reply.jobs)
        pages += 1
        if not reply.next_page_token:
            break
        token = reply.next_page_token
    assert pages == 3
    assert names == sorted(JOBS)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"page_token": "not-a-token"}, "BAD_PAGE_TOKEN"),
        ({"page_token": "x" * 600}, "BAD_PAGE_TOKEN"),
        ({"page_size": -1}, "BAD_PAGE_SIZE"),
    ],
)
def test_a_forged_token_or_a_negative_size_is_refused(ctl, fields, reason):
    with pytest.raises(grpc.RpcError) as err:
        _list(ctl, **fields)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert reason_of(err.value) == reason


def test_a_token_of_another_listing_is_refused(ctl):
    billing = billing_pb2_grpc.BillingServiceStub(ctl.channel())
    token = billing.ListProducts(
        billing_pb2.ListProductsRequest(page_size=1), metadata=ctl.admin_md, timeout=10
    ).next_page_token
    assert token
    with pytest.raises(grpc.RpcError) as err:
        _list(ctl, page_token=token)
    assert reason_of(err.value) == "BAD_PAGE_TOKEN"
