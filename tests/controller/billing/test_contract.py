"""Issue 18: billing's contract carries enums beside the old strings, audit entries a Struct
beside their JSON, stored-value tenders a member and a PIN beside the old ``MEMBER:PIN``
reference, and ListProducts pages (AIP-158). Old clients' messages (old fields only) still
work. Against a real controller process."""

from __future__ import annotations

import json

import grpc
import pytest
from google.protobuf.json_format import MessageToDict

from controller.api.errors import reason_of
from controller.billing import convert
from ktv.v1 import auth_pb2, members_pb2, members_pb2_grpc
from ktv.v1 import billing_pb2 as pb
from tests.support.controller import start_controller

from .grpc_support import TIMEOUT_S, billing_stub, cash, rid, write_venue

PHONE = "13900139088"
PIN = "2468"


@pytest.fixture(scope="module")
def ctl(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("contract") / "data"
    venue = write_venue(data_dir)
    with start_controller(data_dir, ["--venue-config", str(venue), "--no-mdns"]) as running:
        for room in ("C01", "C02", "C03", "C04", "C05", "C06"):
            running.add_room(room, tier="small")
        yield running


@pytest.fixture(scope="module")
def billing(ctl):
    return billing_stub(ctl.channel())


@pytest.fixture(scope="module")
def member_id(ctl) -> str:
    members = members_pb2_grpc.MembersServiceStub(ctl.channel())
    out = members.RegisterMember(
        members_pb2.RegisterMemberRequest(phone=PHONE, name="会员", pin=PIN, request_id=rid()),
        metadata=ctl.admin_md,
        timeout=TIMEOUT_S,
    )
    members.TopUp(
        members_pb2.TopUpRequest(member=PHONE, amount_fen=100_000, request_id=rid()),
        metadata=ctl.admin_md,
        timeout=TIMEOUT_S,
    )
    return out.member.name


def call(ctl, method, request):
    return method(request, metadata=ctl.admin_md, timeout=TIMEOUT_S)


def refused(ctl, method, request) -> tuple[grpc.StatusCode, str, str]:
    with pytest.raises(grpc.RpcError) as error:
        call(ctl, method, request)
    return error.value.code(), reason_of(error.value), error.value.details() or ""


def open_room(ctl, billing, room: str) -> pb.Bill:
    return call(
        ctl,
        billing.OpenSession,
        pb.OpenSessionRequest(room=f"rooms/{room}", guest_count=2, request_id=rid()),
    ).bill


def stored_value(fen: int, **fields: str) -> pb.TenderAmount:
    return pb.TenderAmount(tender=pb.TENDER_STORED_VALUE, amount_fen=fen, **fields)


def test_a_bill_carries_every_closed_set_as_an_enum_beside_the_old_string(ctl, billing):
    open_room(ctl, billing, "C01")
    placed = call(
        ctl,
        billing.PlaceOrder,
        pb.PlaceOrderRequest(
            room="rooms/C01",
            items=[pb.OrderItem(sku="beer", quantity=2), pb.OrderItem(sku="water", quantity=1)],
            request_id=rid(),
        ),
    )
    bill = placed.bill
    assert (bill.session_mode, bill.mode) == (pb.SESSION_MODE_POSTPAID, "postpaid")
    assert (bill.bill_status, bill.status) == (pb.BILL_STATUS_OPEN, "open")
    assert bill.lines
    for line in bill.lines:
        assert pb.BillLineKind.Name(line.line_kind) == f"BILL_LINE_KIND_{line.kind.upper()}"
    assert pb.BILL_LINE_KIND_ORDER in [ln.line_kind for ln in bill.lines]
    (order,) = bill.orders
    assert (order.order_status, order.status) == (pb.ORDER_STATUS_PLACED, "placed")
    assert (order.order_source, order.source) == (pb.ORDER_SOURCE_FRONT_DESK, "front_desk")
    delivered = call(
        ctl,
        billing.UpdateOrder,
        pb.UpdateOrderRequest(
            room="rooms/C01",
            order_id=placed.order_id,
            action=pb.ORDER_ACTION_DELIVER,
            request_id=rid(),
        ),
    ).bill
    assert delivered.orders[0].order_status == pb.ORDER_STATUS_DELIVERED
    page = call(ctl, billing.GetBill, pb.GetBillRequest(room="rooms/C01", page_size=1)).bill
    assert page.next_page_token
    assert (page.lines[-1].line_kind, page.lines[-1].kind) == (pb.BILL_LINE_KIND_MORE, "more")
    closed = call(
        ctl,
        billing.Checkout,
        pb.CheckoutRequest(room="rooms/C01", tenders=[cash(10**6)], request_id=rid()),
    ).bill
    assert (closed.bill_status, closed.status) == (pb.BILL_STATUS_CLOSED, "closed")


def test_a_prepaid_session_says_so_in_its_enum(ctl, billing):
    bill = call(
        ctl,
        billing.OpenSession,
        pb.OpenSessionRequest(
            room="rooms/C05",
            guest_count=2,
            purchase=pb.TimePurchase(prepaid_minutes=60),
            tenders=[cash(10**6)],
            request_id=rid(),
        ),
    ).bill
    assert (bill.session_mode, bill.mode) == (pb.SESSION_MODE_PREPAID, "prepaid")
    assert pb.BILL_LINE_KIND_TIME_BOUGHT in [ln.line_kind for ln in bill.lines]


def test_an_answer_stored_before_the_enums_existed_is_replayed_with_them():
    old = pb.CheckoutResponse(
        bill=pb.Bill(
            name="bills/x",
            mode="prepaid",
            status="closed",
            lines=[pb.BillLine(kind="room_time", amount_fen=100)],
            orders=[pb.Order(order_id="o", status="cancelled", source="room")],
        )
    )
    bill = convert.fit_response(old).bill
    assert (bill.session_mode, bill.bill_status) == (pb.SESSION_MODE_PREPAID, pb.BILL_STATUS_CLOSED)
    assert bill.lines[0].line_kind == pb.BILL_LINE_KIND_ROOM_TIME
    assert bill.orders[0].order_status == pb.ORDER_STATUS_CANCELLED
    assert bill.orders[0].order_source == pb.ORDER_SOURCE_ROOM


def test_stored_value_is_paid_with_member_and_pin_fields_and_the_pin_is_never_echoed(
    ctl, billing, member_id
):
    open_room(ctl, billing, "C02")
    by_phone = call(
        ctl,
        billing.TakePayment,
        pb.TakePaymentRequest(
            room="rooms/C02", tenders=[stored_value(500, member=PHONE, pin=PIN)], request_id=rid()
        ),
    ).bill
    by_name = call(
        ctl,
        billing.TakePayment,
        pb.TakePaymentRequest(
            room="rooms/C02",
            tenders=[stored_value(300, member=member_id, pin=PIN)],
            request_id=rid(),
        ),
    ).bill
    assert by_name.paid_fen == by_phone.paid_fen + 300 == 800
    for payment in by_name.payments:
        assert payment.tender == pb.TENDER_STORED_VALUE
        assert PIN not in payment.reference and PIN not in str(MessageToDict(payment))
    entries = call(
        ctl, billing.ListAuditEntries, pb.ListAuditEntriesRequest(bill=by_name.name)
    ).entries
    assert entries and all(PIN not in e.detail_json for e in entries)


def test_an_old_clients_member_pin_reference_still_pays(ctl, billing, member_id):
    open_room(ctl, billing, "C03")
    bill = call(
        ctl,
        billing.TakePayment,
        pb.TakePaymentRequest(  # an old client's message: reference "MEMBER:PIN" only
            room="rooms/C03",
            tenders=[stored_value(400, reference=f"{PHONE}:{PIN}")],
            request_id=rid(),
        ),
    ).bill
    assert bill.paid_fen == 400
    assert PIN not in bill.payments[-1].reference


@pytest.mark.parametrize(
    ("tender", "reason"),
    [
        (
            pb.TenderAmount(tender=pb.TENDER_CASH, amount_fen=100, member=PHONE, pin=PIN),
            "BAD_TENDER",
        ),
        (stored_value(100, member=PHONE, pin=PIN, reference=f"{PHONE}:{PIN}"), "BAD_REFERENCE"),
        (stored_value(100, member=PHONE), "MEMBER_REQUIRED"),
        (stored_value(100, pin=PIN), "MEMBER_REQUIRED"),
        (stored_value(100, member="members/", pin=PIN), "MEMBER_REQUIRED"),
        (stored_value(100, member=PHONE, pin="12ab9876"), "BAD_PIN"),
        (stored_value(100, member=PHONE, pin="9" * 40), "BAD_PIN"),
        (stored_value(100, member=PHONE, pin="1111"), "WRONG_PIN"),
    ],
)
def test_a_bad_member_or_pin_is_refused_without_quoting_the_pin(
    ctl, billing, member_id, open_c04, tender, reason
):
    code, got, details = refused(
        ctl,
        billing.TakePayment,
        pb.TakePaymentRequest(room="rooms/C04", tenders=[tender], request_id=rid()),
    )
    assert got == reason, details
    assert code in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.PERMISSION_DENIED)
    if tender.pin:
        assert tender.pin not in details


@pytest.fixture(scope="module")
def open_c04(ctl, billing) -> pb.Bill:
    return open_room(ctl, billing, "C04")


def test_audit_entries_carry_their_detail_as_a_struct_beside_the_json(ctl, billing):
    bill = open_room(ctl, billing, "C06")
    call(
        ctl,
        billing.PlaceOrder,
        pb.PlaceOrderRequest(
            room="rooms/C06", items=[pb.OrderItem(sku="beer", quantity=3)], request_id=rid()
        ),
    )
    request = pb.ListAuditEntriesRequest(bill=bill.name)
    entries = call(ctl, billing.ListAuditEntries, request).entries
    assert len(entries) >= 2
    for e in entries:
        assert MessageToDict(e.detail) == json.loads(e.detail_json)
        assert e.detail.fields  # every event has at least its type
        assert e.event_kind == convert.audit_event_kind(e.kind) != 0
        assert auth_pb2.Role.Name(e.staff_role) == f"ROLE_{e.role.upper()}"
    assert entries[0].event_kind == pb.AUDIT_EVENT_KIND_TAB_OPENED
    assert pb.AUDIT_EVENT_KIND_ORDER_PLACED in [e.event_kind for e in entries]


def test_every_billing_event_type_has_its_audit_enum_and_ktvctl_reads_it():
    from controller.billing.events import EVENT_TYPES
    from controller.ktvctl.prices import audit_kind

    for event_type in EVENT_TYPES:  # a new event type needs its AuditEventKind
        number = convert.audit_event_kind(event_type.__name__)
        assert number, event_type.__name__
        assert audit_kind(pb.AuditEntry(event_kind=number)) == event_type.__name__
    assert audit_kind(pb.AuditEntry(kind="TabOpened")) == "TabOpened"  # an older controller


def test_an_audit_body_that_is_not_an_object_still_gives_a_struct():
    detail = convert.audit_detail('{"type": "x", "fen": 12}')
    assert MessageToDict(detail) == {"type": "x", "fen": 12}
    assert MessageToDict(convert.audit_detail("[1, 2]")) == {"value": [1, 2]}
    assert MessageToDict(convert.audit_detail("not json")) == {"text": "not json"}
    assert MessageToDict(convert.audit_detail("")) == {}


def _products(ctl, billing, **fields) -> pb.ListProductsResponse:
    return call(ctl, billing.ListProducts, pb.ListProductsRequest(**fields))


def test_list_products_pages_through_the_whole_menu(ctl, billing):
    whole = _products(ctl, billing)  # an old client: no page_size, the whole menu at once
    assert len(whole.products) >= 4 and not whole.next_page_token
    for room in ("", "rooms/C02"):
        seen: list[str] = []
        token = ""
        pages = 0
        while True:
            page = _products(ctl, billing, room=room, page_size=3, page_token=token)
            assert len(page.products) <= 3
            seen.extend(p.sku for p in page.products)
            pages += 1
            if not page.next_page_token:
                break
            token = page.next_page_token
        assert pages >= 2
        assert seen == [p.sku for p in whole.products]


def test_a_products_page_token_is_bound_to_its_room_and_to_this_listing(ctl, billing):
    token = _products(ctl, billing, page_size=1).next_page_token
    assert token
    code, reason, _ = refused(
        ctl,
        billing.ListProducts,
        pb.ListProductsRequest(room="rooms/C02", page_size=1, page_token=token),
    )
    assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "BAD_PAGE_TOKEN")
    for forged in ("garbage", "x" * 600, json.dumps(["products", "", "[1, 2]"])):
        code, reason, _ = refused(
            ctl, billing.ListProducts, pb.ListProductsRequest(page_token=forged)
        )
        assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "BAD_PAGE_TOKEN")
    code, reason, _ = refused(ctl, billing.ListProducts, pb.ListProductsRequest(page_size=-1))
    assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "BAD_PAGE_SIZE")
