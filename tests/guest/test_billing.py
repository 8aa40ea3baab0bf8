"""A phone orders from the menu onto its own room's bill: the room tier's prices, the venue's
bound per line for phones, the audit log saying which phone, and its own bill only."""

from __future__ import annotations

import uuid

import grpc
import pytest

from controller.api.errors import reason_of
from ktv.v1 import billing_pb2 as bpb
from ktv.v1 import billing_pb2_grpc
from tests.support.guests import code_of, guest_md, join, room_url

TIMEOUT_S = 10.0


def test_a_phone_orders_a_beer_onto_its_rooms_bill_and_the_audit_names_the_phone(ctl, desk):
    room = desk.new_room()
    desk.open(room)
    joined = join(ctl.channel(), code_of(room_url(ctl, room)), "beer fan")
    phone = guest_md(joined.credential)
    billing = billing_pb2_grpc.BillingServiceStub(ctl.channel())
    menu = billing.ListProducts(
        bpb.ListProductsRequest(room=f"rooms/{room}"), metadata=phone, timeout=TIMEOUT_S
    )
    beer = next(p for p in menu.products if p.sku == "beer")
    ordered = billing.PlaceOrder(
        bpb.PlaceOrderRequest(
            room=f"rooms/{room}",
            items=[bpb.OrderItem(sku="beer", quantity=2)],
            request_id=uuid.uuid4().hex,
        ),
        metadata=phone,
        timeout=TIMEOUT_S,
    )
    assert [ln.unit_fen for ln in ordered.bill.orders[-1].lines] == [beer.price_fen]
    bill = billing.GetBill(
        bpb.GetBillRequest(room=f"rooms/{room}"), metadata=phone, timeout=TIMEOUT_S
    ).bill
    assert bill.rooms == [f"rooms/{room}"] and bill.orders

    with pytest.raises(grpc.RpcError) as caught:
        billing.PlaceOrder(
            bpb.PlaceOrderRequest(
                room=f"rooms/{room}",
                items=[bpb.OrderItem(sku="beer", quantity=25)],  # the venue's bound: 24
                request_id=uuid.uuid4().hex,
            ),
            metadata=phone,
            timeout=TIMEOUT_S,
        )
    assert reason_of(caught.value) == "PHONE_ORDER_TOO_LARGE"

    audit = billing.ListAuditEntries(
        bpb.ListAuditEntriesRequest(bill=bill.name), metadata=ctl.admin_md, timeout=TIMEOUT_S
    )
    guest_id = joined.guest.removeprefix("guests/")
    assert any(e.staff_id == f"guest:{room}:{guest_id}" for e in audit.entries), audit
    desk.checkout(room)
