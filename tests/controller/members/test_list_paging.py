"""A member's history and coupons page (AIP-158) over real gRPC: every entry once, newest
first for the history, tokens bound to the member and the filter, and an old client's
``limit`` still works."""

from __future__ import annotations

import uuid

import grpc
import pytest

from controller.api.errors import reason_of
from ktv.v1 import billing_pb2, members_pb2, members_pb2_grpc
from tests.controller.billing.grpc_support import TIMEOUT_S, write_venue
from tests.support.controller import RunningController, start_controller

TOP_UPS = 7
COUPONS = 5


@pytest.fixture(scope="module")
def ctl(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("members-paging") / "data"
    venue = write_venue(data_dir)
    with start_controller(data_dir, ["--venue-config", str(venue), "--no-mdns"]) as running:
        yield running


@pytest.fixture(scope="module")
def stub(ctl: RunningController) -> members_pb2_grpc.MembersServiceStub:
    return members_pb2_grpc.MembersServiceStub(ctl.channel())


def _md(ctl: RunningController) -> dict:
    return {"metadata": ctl.admin_md, "timeout": TIMEOUT_S}


def _member(ctl: RunningController, stub, phone: str) -> str:
    name = stub.CreateMember(
        members_pb2.CreateMemberRequest(phone=phone, name="李娜", request_id=uuid.uuid4().hex),
        **_md(ctl),
    ).member.resource_name
    for i in range(TOP_UPS):
        stub.TopUp(
            members_pb2.TopUpRequest(
                member=name,
                amount_fen=1_000 + i,
                tender_type=billing_pb2.TENDER_CASH,
                request_id=uuid.uuid4().hex,
            ),
            **_md(ctl),
        )
    for i in range(COUPONS):
        stub.IssueCoupon(
            members_pb2.IssueCouponRequest(
                member=name,
                coupon_kind=members_pb2.COUPON_KIND_FIXED,
                value=100 + i,
                days_valid=30,
                request_id=uuid.uuid4().hex,
            ),
            **_md(ctl),
        )
    return name


def test_a_members_history_comes_in_pages_newest_first_each_entry_once(ctl, stub) -> None:
    name = _member(ctl, stub, "13900139001")
    seen: list[int] = []
    token = ""
    pages = 0
    while True:
        page = stub.ListHistory(
            members_pb2.ListHistoryRequest(member=name, page_size=3, page_token=token), **_md(ctl)
        )
        pages += 1
        assert len(page.entries) <= 3
        seen += [e.entry_id for e in page.entries]
        token = page.next_page_token
        if not token:
            break
    assert pages == 3  # 7 top-ups: 3 + 3 + 1
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == TOP_UPS
    old = stub.ListHistory(members_pb2.ListHistoryRequest(member=name, limit=2), **_md(ctl))
    assert [e.entry_id for e in old.entries] == seen[:2]  # an old client's limit still works


def test_a_members_coupons_come_in_pages_each_once(ctl, stub) -> None:
    name = _member(ctl, stub, "13900139002")
    codes: list[str] = []
    token = ""
    while True:
        page = stub.ListCoupons(
            members_pb2.ListCouponsRequest(member=name, page_size=2, page_token=token), **_md(ctl)
        )
        codes += [c.code for c in page.coupons]
        token = page.next_page_token
        if not token:
            break
    everything = stub.ListCoupons(members_pb2.ListCouponsRequest(member=name), **_md(ctl))
    assert codes == [c.code for c in everything.coupons] and len(set(codes)) == COUPONS
    assert not everything.next_page_token  # no page_size: all of them, as old clients got


def test_a_page_token_works_only_for_its_own_member_and_filter(ctl, stub) -> None:
    first = _member(ctl, stub, "13900139003")
    second = _member(ctl, stub, "13900139004")
    history = stub.ListHistory(
        members_pb2.ListHistoryRequest(member=first, page_size=2), **_md(ctl)
    ).next_page_token
    coupons = stub.ListCoupons(
        members_pb2.ListCouponsRequest(member=first, page_size=2), **_md(ctl)
    ).next_page_token
    refused = [
        members_pb2.ListHistoryRequest(member=second, page_size=2, page_token=history),
        members_pb2.ListHistoryRequest(member=first, page_size=2, page_token=coupons),
        members_pb2.ListHistoryRequest(member=first, page_size=2, page_token="forged"),
        members_pb2.ListCouponsRequest(member=first, usable_only=True, page_token=coupons),
        members_pb2.ListCouponsRequest(member=second, page_token=coupons),
    ]
    for request in refused:
        call = stub.ListHistory if isinstance(request, members_pb2.ListHistoryRequest) else None
        with pytest.raises(grpc.RpcError) as err:
            (call or stub.ListCoupons)(request, **_md(ctl))
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert reason_of(err.value) == "BAD_PAGE_TOKEN"
