"""BillingService through a real controller process and real gRPC sockets."""

from __future__ import annotations

import itertools
import json
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest

from controller.api.errors import reason_of
from ktv.v1 import auth_pb2, rooms_pb2
from ktv.v1 import billing_pb2 as pb
from tests.support.controller import bearer, start_controller

from .grpc_support import TIMEOUT_S, billing_stub, cash, rid, wechat, write_venue

_rooms = itertools.count(1)


@pytest.fixture(scope="module")
def ctl(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("billing-api") / "data"
    venue = write_venue(data_dir)
    with start_controller(data_dir, ["--venue-config", str(venue), "--no-mdns"]) as running:
        yield running


@pytest.fixture(scope="module")
def staff(ctl):
    return {
        "cashier": bearer(ctl.add_staff("li", auth_pb2.ROLE_CASHIER)),
        "manager": bearer(ctl.add_staff("wang", auth_pb2.ROLE_MANAGER)),
        "waiter": bearer(ctl.add_staff("zhao", auth_pb2.ROLE_WAITER)),
    }


@pytest.fixture
def room(ctl):
    room_id = f"S{next(_rooms):03d}"
    ctl.add_room(room_id, tier="small")
    return f"rooms/{room_id}"


@pytest.fixture
def billing(ctl):
    return billing_stub(ctl.channel())


def call(method, request, md):
    return method(request, metadata=md, timeout=TIMEOUT_S)


def audit_count(billing, staff, bill=""):
    entries = call(
        billing.ListAuditEntries, pb.ListAuditEntriesRequest(bill=bill), staff["manager"]
    )
    return len(entries.entries)


def test_a_whole_evening_open_order_pay_checkout_and_the_room_goes_to_cleaning(
    ctl, staff, billing, room
):
    c = staff["cashier"]
    opened = call(
        billing.OpenSession, pb.OpenSessionRequest(room=room, guest_count=4, request_id=rid()), c
    )
    assert opened.bill.rooms == [room] and not opened.bill.closed
    ordered = call(
        billing.PlaceOrder,
        pb.PlaceOrderRequest(
            room=room,
            items=[pb.OrderItem(sku="beer", quantity=6), pb.OrderItem(sku="fruit", quantity=1)],
            request_id=rid(),
        ),
        staff["waiter"],
    )
    assert [ln.unit_fen for ln in ordered.bill.orders[0].lines] == [1000, 3800]
    board = (
        ctl.rooms().GetRoom(rooms_pb2.GetRoomRequest(name=room), metadata=c, timeout=TIMEOUT_S).room
    )
    assert board.state == rooms_pb2.ROOM_STATE_IN_USE
    assert board.running_total_fen == ordered.bill.total_fen
    due = call(billing.GetBill, pb.GetBillRequest(room=room), c).bill.due_fen
    done = call(
        billing.Checkout,
        pb.CheckoutRequest(room=room, tenders=[wechat(5000), cash(due)], request_id=rid()),
        c,
    )
    assert done.bill.closed and done.bill.paid_fen == done.bill.total_fen
    assert done.bill.payments[1].change_fen == 5000
    board = (
        ctl.rooms().GetRoom(rooms_pb2.GetRoomRequest(name=room), metadata=c, timeout=TIMEOUT_S).room
    )
    assert board.state == rooms_pb2.ROOM_STATE_CLEANING
    receipt = call(
        billing.PrintReceipt, pb.PrintReceiptRequest(bill=done.bill.name, width_mm=80), c
    )
    assert "青岛啤酒" in receipt.text and receipt.escpos.startswith(b"\x1b@")


def test_the_same_checkout_sent_twice_at_once_charges_once(staff, billing, room):
    c = staff["cashier"]
    call(billing.OpenSession, pb.OpenSessionRequest(room=room, guest_count=2, request_id=rid()), c)
    call(
        billing.PlaceOrder,
        pb.PlaceOrderRequest(
            room=room, items=[pb.OrderItem(sku="water", quantity=2)], request_id=rid()
        ),
        c,
    )
    request = pb.CheckoutRequest(room=room, tenders=[cash(1_000_00)], request_id=rid())
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: call(billing.Checkout, request, c), range(4)))
    assert all(r == results[0] for r in results)
    bill = call(billing.GetBill, pb.GetBillRequest(name=results[0].bill.name), c).bill
    assert len(bill.payments) == 1 and bill.paid_fen == bill.total_fen


def test_the_same_request_id_with_other_parameters_is_aborted(staff, billing, room):
    c = staff["cashier"]
    key = rid()
    call(billing.OpenSession, pb.OpenSessionRequest(room=room, guest_count=2, request_id=key), c)
    with pytest.raises(grpc.RpcError) as error:
        call(
            billing.OpenSession, pb.OpenSessionRequest(room=room, guest_count=3, request_id=key), c
        )
    assert error.value.code() == grpc.StatusCode.ABORTED


@pytest.mark.parametrize(
    ("build", "code", "reason"),
    [
        (
            lambda room: (
                "PlaceOrder",
                pb.PlaceOrderRequest(room=room, items=[pb.OrderItem(sku="beer", quantity=-2)]),
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "BAD_QUANTITY",
        ),
        (
            lambda room: (
                "PlaceOrder",
                pb.PlaceOrderRequest(room=room, items=[pb.OrderItem(sku="caviar", quantity=1)]),
            ),
            grpc.StatusCode.NOT_FOUND,
            "UNKNOWN_PRODUCT",
        ),
        (
            lambda room: ("TakePayment", pb.TakePaymentRequest(room=room, tenders=[wechat(10**7)])),
            grpc.StatusCode.INVALID_ARGUMENT,
            "OVERPAYMENT",
        ),
        (
            lambda room: (
                "TakePayment",
                pb.TakePaymentRequest(room=room, tenders=[pb.TenderAmount(amount_fen=100)]),
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "BAD_TENDER",
        ),
        (
            lambda room: ("Checkout", pb.CheckoutRequest(room=room, tenders=[wechat(1)])),
            grpc.StatusCode.FAILED_PRECONDITION,
            "BILL_NOT_PAID",
        ),
        (
            lambda room: ("SetGuestCount", pb.SetGuestCountRequest(room=room, guest_count=0)),
            grpc.StatusCode.INVALID_ARGUMENT,
            "BAD_GUESTS",
        ),
        (
            lambda room: ("OpenSession", pb.OpenSessionRequest(room=room, guest_count=2)),
            grpc.StatusCode.FAILED_PRECONDITION,
            "ROOM_OCCUPIED",
        ),
        (
            lambda room: (
                "ExtendSession",
                pb.ExtendSessionRequest(room=room, purchase=pb.TimePurchase(package="nope")),
            ),
            grpc.StatusCode.NOT_FOUND,
            "UNKNOWN_PACKAGE",
        ),
    ],
)
def test_bad_input_gets_a_precise_error_and_writes_nothing(
    staff, billing, room, build, code, reason
):
    c = staff["cashier"]
    call(billing.OpenSession, pb.OpenSessionRequest(room=room, guest_count=2, request_id=rid()), c)
    call(
        billing.PlaceOrder,
        pb.PlaceOrderRequest(
            room=room, items=[pb.OrderItem(sku="water", quantity=2)], request_id=rid()
        ),
        c,
    )
    before = audit_count(billing, staff)
    method, request = build(room)
    request.request_id = rid()
    with pytest.raises(grpc.RpcError) as error:
        call(getattr(billing, method), request, c)
    assert (error.value.code(), reason_of(error.value)) == (code, reason)
    assert audit_count(billing, staff) == before


def test_paying_a_closed_bill_and_refunding_more_than_was_paid_are_refused(staff, billing, room):
    c, m = staff["cashier"], staff["manager"]
    call(billing.OpenSession, pb.OpenSessionRequest(room=room, guest_count=2, request_id=rid()), c)
    call(
        billing.PlaceOrder,
        pb.PlaceOrderRequest(
            room=room, items=[pb.OrderItem(sku="water", quantity=2)], request_id=rid()
        ),
        c,
    )
    done = call(
        billing.Checkout, pb.CheckoutRequest(room=room, tenders=[cash(10**6)], request_id=rid()), c
    )
    with pytest.raises(grpc.RpcError) as error:
        call(
            billing.TakePayment,
            pb.TakePaymentRequest(room=room, tenders=[cash(100)], request_id=rid()),
            c,
        )
    assert error.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    payment = done.bill.payments[0]
    with pytest.raises(grpc.RpcError) as error:
        call(
            billing.RefundPayment,
            pb.RefundPaymentRequest(
                bill=done.bill.name,
                payment_id=payment.payment_id,
                amount_fen=payment.amount_fen + 1,
                reason="多收",
                request_id=rid(),
            ),
            m,
        )
    assert reason_of(error.value) == "REFUND_TOO_LARGE"
    with pytest.raises(grpc.RpcError) as error:
        call(
            billing.RefundPayment,
            pb.RefundPaymentRequest(
                bill=done.bill.name,
                payment_id=payment.payment_id,
                amount_fen=100,
                reason="多收",
                request_id=rid(),
            ),
            c,
        )
    assert error.value.code() == grpc.StatusCode.PERMISSION_DENIED
    refunded = call(
        billing.RefundPayment,
        pb.RefundPaymentRequest(
            bill=done.bill.name,
            payment_id=payment.payment_id,
            amount_fen=100,
            reason="多收",
            request_id=rid(),
        ),
        m,
    )
    assert (
        refunded.bill.paid_fen == done.bill.paid_fen - 100
        and refunded.bill.total_fen == done.bill.total_fen
    )


def test_a_waiter_cannot_discount_and_a_manager_must_give_a_reason(staff, billing, room):
    call(
        billing.OpenSession,
        pb.OpenSessionRequest(room=room, guest_count=2, request_id=rid()),
        staff["cashier"],
    )
    with pytest.raises(grpc.RpcError) as error:
        call(
            billing.ApplyDiscount,
            pb.ApplyDiscountRequest(room=room, amount_fen=100, reason="x", request_id=rid()),
            staff["waiter"],
        )
    assert error.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as error:
        call(
            billing.ApplyDiscount,
            pb.ApplyDiscountRequest(room=room, amount_fen=100, request_id=rid()),
            staff["manager"],
        )
    assert reason_of(error.value) == "REASON_REQUIRED"


def test_the_audit_log_names_who_did_what_with_totals_before_and_after(staff, billing, room):
    opened = call(
        billing.OpenSession,
        pb.OpenSessionRequest(room=room, guest_count=2, request_id=rid()),
        staff["cashier"],
    )
    call(
        billing.PlaceOrder,
        pb.PlaceOrderRequest(
            room=room, items=[pb.OrderItem(sku="fruit", quantity=1)], request_id=rid()
        ),
        staff["waiter"],
    )
    call(
        billing.ApplyDiscount,
        pb.ApplyDiscountRequest(room=room, amount_fen=500, reason="生日", request_id=rid()),
        staff["manager"],
    )
    entries = call(
        billing.ListAuditEntries,
        pb.ListAuditEntriesRequest(bill=opened.bill.name),
        staff["manager"],
    ).entries
    assert [(e.kind, e.staff_id, e.role) for e in entries] == [
        ("TabOpened", "li", "cashier"),
        ("OrderPlaced", "zhao", "waiter"),
        ("DiscountGiven", "wang", "manager"),
    ]
    assert entries[1].total_after_fen - entries[1].total_before_fen == 3800
    assert entries[2].total_before_fen - entries[2].total_after_fen == 500
    assert json.loads(entries[2].detail_json)["discount"]["reason"] == "生日"


def test_the_price_plan_comes_from_the_venue_config(staff, billing):
    plan = call(billing.GetPricePlan, pb.GetPricePlanRequest(), staff["cashier"])
    assert plan.active_version == "2026-11" and "[pricing]" in plan.config_toml
    products = call(billing.ListProducts, pb.ListProductsRequest(), staff["waiter"]).products
    assert {p.sku for p in products} == {"beer", "fruit", "water", "chips"}


def _next_command(link, kind):
    while True:
        command = link.wait_for("command").command
        if command.WhichOneof("cmd") == kind:
            return command


def test_the_rooms_agent_is_unlocked_at_opening_and_locked_at_checkout(ctl, staff, billing, room):
    from tests.support.link import AgentLink

    room_id = room.removeprefix("rooms/")
    token = ctl.enroll_agent(room_id)
    with AgentLink(ctl.address, token, room_id) as link:
        opened = call(
            billing.OpenSession,
            pb.OpenSessionRequest(
                room=room,
                guest_count=3,
                purchase=pb.TimePurchase(prepaid_minutes=60),
                tenders=[cash(50000)],
                request_id=rid(),
            ),
            staff["cashier"],
        )
        unlock = _next_command(link, "session_opened").session_opened
        assert unlock.session == f"sessions/{opened.bill.name.removeprefix('bills/')}"
        assert unlock.end_time == opened.bill.paid_until_time
        # prepaid and nothing ordered: nothing is due at checkout
        call(billing.Checkout, pb.CheckoutRequest(room=room, request_id=rid()), staff["cashier"])
        assert _next_command(link, "session_closed").session_closed.session == unlock.session


def test_a_room_orders_from_its_touchscreen_for_itself_only(ctl, staff, billing, room):
    room_id = room.removeprefix("rooms/")
    agent = bearer(ctl.enroll_agent(room_id))
    call(
        billing.OpenSession,
        pb.OpenSessionRequest(room=room, guest_count=2, request_id=rid()),
        staff["cashier"],
    )
    placed = call(
        billing.PlaceOrder,
        pb.PlaceOrderRequest(
            room=room, items=[pb.OrderItem(sku="water", quantity=2)], request_id=rid()
        ),
        agent,
    )
    assert placed.bill.orders[-1].source == "room"
    assert call(billing.GetBill, pb.GetBillRequest(room=room), agent).bill.due_fen > 0
    with pytest.raises(grpc.RpcError) as error:
        call(
            billing.PlaceOrder,
            pb.PlaceOrderRequest(
                room="rooms/A08", items=[pb.OrderItem(sku="water", quantity=1)], request_id=rid()
            ),
            agent,
        )
    assert error.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as error:
        call(billing.Checkout, pb.CheckoutRequest(room=room, request_id=rid()), agent)
    assert error.value.code() == grpc.StatusCode.PERMISSION_DENIED
