"""kill -9 in the middle of a batch of checkouts with members signed in: after the restart and
the cashier's retries (same request ids), every member is credited with their bill exactly
once: the credit commits in the checkout's transaction, so it cannot be lost or doubled."""

from __future__ import annotations

import sqlite3

import pytest

from ktv.v1 import billing_pb2 as pb
from ktv.v1 import members_pb2, members_pb2_grpc
from tests.controller.billing.grpc_support import (
    TIMEOUT_S,
    billing_stub,
    checkout_request,
    checkouts_cut_by_kill_9,
    rid,
    write_venue,
)
from tests.support.controller import launch

ROOMS = [f"K{i:02d}" for i in range(24)]
PIN = "2580"


def phone(i: int) -> str:
    return f"138{i:08d}"


@pytest.mark.slow
def test_kill_9_between_checkouts_loses_and_doubles_no_member_credit(tmp_path):
    data_dir = tmp_path / "data"
    venue = write_venue(data_dir)
    args = ["--venue-config", str(venue), "--no-mdns"]
    ctl = launch(data_dir, args)
    try:
        md = ctl.admin_md
        billing = billing_stub(ctl.channel())
        members = members_pb2_grpc.MembersServiceStub(ctl.channel())
        for i, room in enumerate(ROOMS):
            ctl.add_room(room, tier="small")
            name = f"rooms/{room}"
            members.RegisterMember(
                members_pb2.RegisterMemberRequest(
                    phone=phone(i), name=f"会员{i}", pin=PIN, request_id=rid()
                ),
                metadata=md,
                timeout=TIMEOUT_S,
            )
            billing.OpenSession(
                pb.OpenSessionRequest(room=name, guest_count=3, request_id=rid()),
                metadata=md,
                timeout=TIMEOUT_S,
            )
            members.SignIn(
                members_pb2.SignInRequest(room=name, phone=phone(i), pin=PIN),
                metadata=md,
                timeout=TIMEOUT_S,
            )
            billing.PlaceOrder(
                pb.PlaceOrderRequest(
                    room=name, items=[pb.OrderItem(sku="beer", quantity=3)], request_id=rid()
                ),
                metadata=md,
                timeout=TIMEOUT_S,
            )
        answered = checkouts_cut_by_kill_9(ctl, ROOMS, md, kill_after=6, wait_s=60)
    finally:
        ctl.stop()

    after_crash = sqlite3.connect(data_dir / "controller.db")
    try:  # what survived the crash: every closed bill already carries its member's credit
        closed = {
            t
            for (t,) in after_crash.execute(
                "SELECT tab_id FROM billing_tabs WHERE status = ?", ("closed",)
            )
        }
        credited = {
            b.removeprefix("bills/")
            for (b,) in after_crash.execute("SELECT bill FROM member_visits")
        }
    finally:
        after_crash.close()
    assert closed == credited and len(closed) >= len(answered)

    ctl = launch(data_dir, args)  # the same database: retry the batch with the same ids
    try:
        md = ctl.admin_md
        billing = billing_stub(ctl.channel())
        members = members_pb2_grpc.MembersServiceStub(ctl.channel())
        retried = {
            room: billing.Checkout(checkout_request(room), metadata=md, timeout=TIMEOUT_S)
            for room in ROOMS
        }
        for room, first in answered.items():
            assert retried[room] == first
        for i, room in enumerate(ROOMS):
            member = members.GetMember(
                members_pb2.GetMemberRequest(query=phone(i)), metadata=md, timeout=TIMEOUT_S
            ).member
            assert member.points == retried[room].bill.total_fen // 100, room
    finally:
        ctl.stop()

    db = sqlite3.connect(data_dir / "controller.db")
    try:
        visits = db.execute(
            "SELECT member_id, COUNT(*), COUNT(DISTINCT bill) FROM member_visits GROUP BY member_id"
        ).fetchall()
        earns = db.execute(
            "SELECT member_id, COUNT(*) FROM member_points WHERE kind = 'earn' GROUP BY member_id"
        ).fetchall()
    finally:
        db.close()
    assert len(visits) == len(ROOMS) and all(n == 1 == d for _, n, d in visits)
    assert len(earns) == len(ROOMS) and all(n == 1 for _, n in earns)
