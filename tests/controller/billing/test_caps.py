"""Operator caps: a cashier's discount, comp or refund over their cap is refused without a
manager's approval and accepted with one (staff id + PIN at the same call, PIN lockout
persisted); the approver is on the event, so the audit log says who approved."""

from __future__ import annotations

import json

import grpc
import pytest

from controller.api.errors import reason_of
from controller.auth.model import Role
from controller.billing.caps import (
    Approval,
    CapKind,
    Caps,
    CapTable,
    authorize,
    caps_from_config,
)
from ktv.errors import InvalidArgument, PermissionDenied
from ktv.v1 import auth_pb2
from ktv.v1 import billing_pb2 as pb
from tests.support.controller import bearer, start_controller

from .grpc_support import TIMEOUT_S, billing_stub, cash, rid, write_venue

CASHIER_10 = CapTable({Role.CASHIER: Caps(1000, 2000, 3000, 5000), Role.MANAGER: Caps()})


def test_within_the_cap_a_cashier_acts_alone_over_it_needs_a_manager():
    assert authorize(CASHIER_10, "li", Role.CASHIER, CapKind.DISCOUNT_PERCENT, 1000).within_cap
    with pytest.raises(PermissionDenied) as err:
        authorize(CASHIER_10, "li", Role.CASHIER, CapKind.DISCOUNT_PERCENT, 1001)
    assert err.value.reason == "APPROVAL_REQUIRED"
    wang = Approval("wang", Role.MANAGER)
    ok = authorize(CASHIER_10, "li", Role.CASHIER, CapKind.REFUND, 999_999, wang)
    assert ok.approved_by == "wang" and not ok.within_cap
    with pytest.raises(PermissionDenied) as err:  # a cashier cannot approve a cashier
        authorize(
            CASHIER_10, "li", Role.CASHIER, CapKind.COMP, 3001, Approval("zhou", Role.CASHIER)
        )
    assert err.value.reason == "APPROVER_CAPPED"


def test_approving_yourself_needs_its_own_right():
    capped_manager = CapTable({Role.MANAGER: Caps(2000, None, None, None), Role.ADMIN: Caps()})
    me = Approval("wang", Role.MANAGER)
    with pytest.raises(PermissionDenied) as err:
        authorize(capped_manager, "wang", Role.MANAGER, CapKind.DISCOUNT_PERCENT, 3000, me)
    assert err.value.reason == "SELF_APPROVAL"
    allowed = CapTable(capped_manager.caps, frozenset({Role.MANAGER}))
    with pytest.raises(PermissionDenied) as err:  # the right, but still their own cap
        authorize(allowed, "wang", Role.MANAGER, CapKind.DISCOUNT_PERCENT, 3000, me)
    assert err.value.reason == "APPROVER_CAPPED"
    boss = Approval("boss", Role.ADMIN)
    assert authorize(allowed, "wang", Role.MANAGER, CapKind.DISCOUNT_PERCENT, 3000, boss)


def test_caps_come_from_the_venue_config_and_bad_ones_are_refused():
    table = caps_from_config(
        {"cashier": {"discount_percent": 10, "comp_yuan": 50, "refund_yuan": "20.50"}}
    )
    assert table.caps[Role.CASHIER] == Caps(1000, None, 5000, 2050)
    for bad in ({"cashier": {"discount_percent": 150}}, {"chef": {}}, {"cashier": {"x": 1}}):
        with pytest.raises(InvalidArgument) as err:
            caps_from_config(bad)
        assert err.value.reason == "BAD_CAPS"


# --- through a real controller -------------------------------------------------------------


@pytest.fixture(scope="module")
def ctl(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("caps-api") / "data"
    venue = write_venue(data_dir)
    venue.write_text(
        venue.read_text(encoding="utf-8")
        + "\n[caps.cashier]\ndiscount_percent = 10\ncomp_yuan = 20\nrefund_yuan = 5\n",
        encoding="utf-8",
    )
    with start_controller(data_dir, ["--venue-config", str(venue), "--no-mdns"]) as running:
        yield running


@pytest.fixture(scope="module")
def staff(ctl):
    return {
        "cashier": bearer(ctl.add_staff("li", auth_pb2.ROLE_CASHIER, pin="2468")),
        "manager": bearer(ctl.add_staff("wang", auth_pb2.ROLE_MANAGER, pin="1357")),
    }


def call(method, request, md):
    return method(request, metadata=md, timeout=TIMEOUT_S)


def test_over_cap_discount_refused_then_approved_and_the_audit_log_names_the_approver(ctl, staff):
    billing = billing_stub(ctl.channel())
    ctl.add_room("C01", tier="small")
    room, c = "rooms/C01", staff["cashier"]
    call(billing.OpenSession, pb.OpenSessionRequest(room=room, guest_count=2, request_id=rid()), c)
    call(
        billing.PlaceOrder,
        pb.PlaceOrderRequest(
            room=room, items=[pb.OrderItem(sku="beer", quantity=6)], request_id=rid()
        ),
        c,
    )
    within = call(
        billing.ApplyDiscount,
        pb.ApplyDiscountRequest(room=room, percent_bp=1000, reason="会员日", request_id=rid()),
        c,
    )
    over = pb.ApplyDiscountRequest(room=room, percent_bp=2000, reason="老板朋友", request_id=rid())
    with pytest.raises(grpc.RpcError) as err:
        call(billing.ApplyDiscount, over, c)
    assert err.value.code() is grpc.StatusCode.PERMISSION_DENIED
    assert reason_of(err.value) == "APPROVAL_REQUIRED"
    wrong = pb.ApplyDiscountRequest()
    wrong.CopyFrom(over)
    wrong.approver_staff_id, wrong.approver_pin, wrong.request_id = "wang", "0000", rid()
    with pytest.raises(grpc.RpcError) as err:
        call(billing.ApplyDiscount, wrong, c)
    assert err.value.code() is grpc.StatusCode.UNAUTHENTICATED
    assert reason_of(err.value) == "BAD_LOGIN"
    self_ok = pb.ApplyDiscountRequest()
    self_ok.CopyFrom(over)
    self_ok.approver_staff_id, self_ok.approver_pin, self_ok.request_id = "li", "2468", rid()
    with pytest.raises(grpc.RpcError) as err:
        call(billing.ApplyDiscount, self_ok, c)
    assert reason_of(err.value) == "SELF_APPROVAL"
    over.approver_staff_id, over.approver_pin = "wang", "1357"
    approved = call(billing.ApplyDiscount, over, c)
    assert approved.bill.discount_fen > within.bill.discount_fen
    entries = call(
        billing.ListAuditEntries,
        pb.ListAuditEntriesRequest(bill=approved.bill.name),
        staff["manager"],
    ).entries
    discounts = [json.loads(e.detail_json) for e in entries if e.kind == "DiscountGiven"]
    assert [(d["within_cap"], d["approved_by"]) for d in discounts] == [
        (True, ""),
        (False, "wang"),
    ]
    assert all(e.staff_id == "li" for e in entries if e.kind == "DiscountGiven")
    assert "1357" not in "".join(e.detail_json for e in entries)


def test_a_refund_over_the_cashiers_cap_needs_the_manager(ctl, staff):
    billing = billing_stub(ctl.channel())
    ctl.add_room("C02", tier="small")
    room, c = "rooms/C02", staff["cashier"]
    call(billing.OpenSession, pb.OpenSessionRequest(room=room, guest_count=2, request_id=rid()), c)
    done = call(
        billing.Checkout, pb.CheckoutRequest(room=room, tenders=[cash(10**6)], request_id=rid()), c
    )
    payment = done.bill.payments[0]
    small = pb.RefundPaymentRequest(
        bill=done.bill.name,
        payment_id=payment.payment_id,
        amount_fen=500,
        reason="多收",
        request_id=rid(),
    )
    call(billing.RefundPayment, small, c)  # ¥5: the cashier's cap
    big = pb.RefundPaymentRequest(
        bill=done.bill.name,
        payment_id=payment.payment_id,
        amount_fen=501,
        reason="多收",
        request_id=rid(),
    )
    with pytest.raises(grpc.RpcError) as err:
        call(billing.RefundPayment, big, c)
    assert reason_of(err.value) == "APPROVAL_REQUIRED"
    big.approver_staff_id, big.approver_pin = "wang", "1357"
    refunded = call(billing.RefundPayment, big, c)
    assert refunded.bill.paid_fen == done.bill.paid_fen - 1001
