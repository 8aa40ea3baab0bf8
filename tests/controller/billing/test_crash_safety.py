"""The controller killed with kill -9 in the middle of a batch of checkouts loses and
duplicates nothing: the cashier's retries (same request ids) finish the batch exactly once."""

from __future__ import annotations

import pytest

from ktv.v1 import billing_pb2 as pb
from ktv.v1 import rooms_pb2
from tests.support.controller import launch

from .grpc_support import (
    TIMEOUT_S,
    billing_stub,
    checkout_request,
    checkouts_cut_by_kill_9,
    rid,
    write_venue,
)

ROOMS = [f"K{i:02d}" for i in range(30)]


@pytest.mark.slow
def test_kill_9_during_a_batch_of_checkouts_loses_and_duplicates_nothing(tmp_path):
    data_dir = tmp_path / "data"
    venue = write_venue(data_dir)
    args = ["--venue-config", str(venue), "--no-mdns"]
    ctl = launch(data_dir, args)
    try:
        md = ctl.admin_md
        billing = billing_stub(ctl.channel())
        for room in ROOMS:
            ctl.add_room(room, tier="small")
            name = f"rooms/{room}"
            billing.OpenSession(
                pb.OpenSessionRequest(room=name, guest_count=3, request_id=rid()),
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
        answered = checkouts_cut_by_kill_9(ctl, ROOMS, md, kill_after=8, wait_s=30)
    finally:
        ctl.stop()

    ctl = launch(data_dir, args)  # same database: retry everything with the same ids
    try:
        md = ctl.admin_md
        billing = billing_stub(ctl.channel())
        retried = {
            room: billing.Checkout(checkout_request(room), metadata=md, timeout=TIMEOUT_S)
            for room in ROOMS
        }
        for room, first in answered.items():
            assert retried[room] == first  # a retry returns the first answer
        audit = billing.ListAuditEntries(
            pb.ListAuditEntriesRequest(page_size=10_000), metadata=md, timeout=TIMEOUT_S
        ).entries
        for room in ROOMS:
            bill = retried[room].bill
            fresh = billing.GetBill(
                pb.GetBillRequest(name=bill.name), metadata=md, timeout=TIMEOUT_S
            ).bill
            assert fresh.closed and len(fresh.payments) == 1
            assert fresh.paid_fen == fresh.total_fen == bill.total_fen
            kinds = [e.kind for e in audit if e.bill == bill.name]
            assert kinds.count("TabCheckedOut") == 1 and kinds.count("PaymentTaken") == 1
            state = (
                ctl.rooms()
                .GetRoom(
                    rooms_pb2.GetRoomRequest(name=f"rooms/{room}"), metadata=md, timeout=TIMEOUT_S
                )
                .room.state
            )
            assert state == rooms_pb2.ROOM_STATE_CLEANING
        verified = billing.VerifyLedger(pb.VerifyLedgerRequest(), metadata=md, timeout=TIMEOUT_S)
        assert verified.bill_count == len(ROOMS) and list(verified.problems) == []
    finally:
        ctl.stop()
