"""Orders and bills are bounded, and no answer outgrows the transport: a room that orders
tens of thousands of lines (where a venue allows it) still gets its bill, in pages, and a
checkout whose answer was lost returns the same answer on retry."""

from __future__ import annotations

import itertools
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import grpc
import pytest

from controller.api.errors import reason_of
from controller.billing.convert import PageToken
from controller.store.idempotency import fingerprint
from ktv.v1 import auth_pb2, rooms_pb2
from ktv.v1 import billing_pb2 as pb
from tests.support.controller import bearer, start_controller

from .grpc_support import TIMEOUT_S, billing_stub, cash, rid, write_venue

GRPC_DEFAULT_MAX_RECEIVE = 4 * 1024 * 1024
BIG_ORDER_LINES = 6_000  # two of these: 12,000 lines of a long-named platter, ~4.9 MB whole
PLATTER = "豪华果盘" * 15  # a 60-character name (NAME_MAX_CHARS is 64)
PLATTER_FEN = 800
_rooms = itertools.count(1)

# a venue that lets one order carry 6,000 lines (the default refuses more than 100)
LIBERAL_LIMITS = """
[limits]
order_lines_max = 6000
bill_lines_max = 20000
"""


def liberal_venue(data_dir: Path) -> Path:
    path = write_venue(data_dir)
    path.write_text(path.read_text(encoding="utf-8") + LIBERAL_LIMITS, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def ctl(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("bounded-bills") / "data"
    venue = liberal_venue(data_dir)
    with start_controller(data_dir, ["--venue-config", str(venue), "--no-mdns"]) as running:
        yield running


@pytest.fixture(scope="module")
def staff(ctl):
    md = {
        "cashier": bearer(ctl.add_staff("li", auth_pb2.ROLE_CASHIER)),
        "manager": bearer(ctl.add_staff("wang", auth_pb2.ROLE_MANAGER)),
    }
    product = pb.Product(
        sku="platter", name=PLATTER, category="snacks", base_fen=PLATTER_FEN, available=True
    )
    billing_stub(ctl.channel()).UpsertProduct(
        pb.UpsertProductRequest(product=product, request_id=rid()),
        metadata=md["manager"],
        timeout=TIMEOUT_S,
    )
    return md


@pytest.fixture
def billing(ctl):
    return billing_stub(ctl.channel())


@pytest.fixture
def room(ctl):
    room_id = f"L{next(_rooms):03d}"
    ctl.add_room(room_id, tier="small")
    return f"rooms/{room_id}"


def call(method, request, md):
    return method(request, metadata=md, timeout=TIMEOUT_S * 3)


def big_order(room: str) -> pb.PlaceOrderRequest:
    items = [pb.OrderItem(sku="platter", quantity=1)] * BIG_ORDER_LINES
    return pb.PlaceOrderRequest(room=room, items=items, request_id=rid())


def open_with_big_orders(billing, staff, room):
    c = staff["cashier"]
    call(billing.OpenSession, pb.OpenSessionRequest(room=room, guest_count=4, request_id=rid()), c)
    for _ in range(2):
        call(billing.PlaceOrder, big_order(room), c)


def test_the_order_that_makes_a_bill_huge_answers_and_its_retry_gets_the_same_answer(
    billing, staff, room
):
    c = staff["cashier"]
    call(billing.OpenSession, pb.OpenSessionRequest(room=room, guest_count=4, request_id=rid()), c)
    call(billing.PlaceOrder, big_order(room), c)
    second = big_order(room)
    placed = call(billing.PlaceOrder, second, c)
    assert placed.ByteSize() < GRPC_DEFAULT_MAX_RECEIVE // 2
    assert placed.order_id in {o.order_id for o in placed.bill.orders}
    assert placed.bill.total_fen >= 2 * BIG_ORDER_LINES * PLATTER_FEN
    assert call(billing.PlaceOrder, second, c) == placed


def test_a_bill_of_12000_lines_comes_in_pages_that_fit_the_transport(billing, staff, room):
    open_with_big_orders(billing, staff, room)
    got = call(billing.GetBill, pb.GetBillRequest(room=room), staff["cashier"])
    bill = got.bill
    assert got.ByteSize() < GRPC_DEFAULT_MAX_RECEIVE // 2
    assert bill.total_fen >= 2 * BIG_ORDER_LINES * PLATTER_FEN
    assert bill.line_count >= 2 * BIG_ORDER_LINES and bill.next_page_token
    # an old client that adds up the lines it got still sees the whole total
    assert sum(ln.amount_fen for ln in bill.lines) == bill.total_fen
    assert bill.lines[-1].kind == "more"
    # a new client pages through every line, all of them as of the first page's instant
    pages, token = [], ""
    while True:
        page = call(
            billing.GetBill,
            pb.GetBillRequest(room=room, page_token=token, page_size=1000),
            staff["cashier"],
        ).bill
        pages.append(page)
        token = page.next_page_token
        if not token:
            break
    lines = [ln for page in pages for ln in page.lines if ln.kind != "more"]
    assert len(pages) >= 12 and len(lines) == pages[0].line_count
    assert sum(ln.amount_fen for ln in lines) == pages[0].total_fen
    assert {page.as_of_time.ToDatetime() for page in pages} == {pages[0].as_of_time.ToDatetime()}


def test_checkout_of_a_huge_bill_answers_and_its_retry_gets_the_same_answer(
    ctl, billing, staff, room
):
    open_with_big_orders(billing, staff, room)
    request = pb.CheckoutRequest(room=room, tenders=[cash(10**7)], request_id=rid())
    first = call(billing.Checkout, request, staff["cashier"])
    assert first.bill.closed and first.bill.due_fen == 0
    again = call(billing.Checkout, request, staff["cashier"])
    assert again == first
    board = ctl.rooms().GetRoom(
        rooms_pb2.GetRoomRequest(name=room), metadata=ctl.admin_md, timeout=TIMEOUT_S
    )
    assert board.room.state == rooms_pb2.ROOM_STATE_CLEANING


def test_the_default_venue_refuses_an_order_of_more_than_100_lines(tmp_path):
    data_dir = tmp_path / "data"
    venue = write_venue(data_dir)
    with start_controller(data_dir, ["--venue-config", str(venue), "--no-mdns"]) as ctl:
        c = bearer(ctl.add_staff("li", auth_pb2.ROLE_CASHIER))
        ctl.add_room("D01", tier="small")
        billing = billing_stub(ctl.channel())
        call(
            billing.OpenSession,
            pb.OpenSessionRequest(room="rooms/D01", guest_count=2, request_id=rid()),
            c,
        )
        items = [pb.OrderItem(sku="water", quantity=1)] * 101
        with pytest.raises(grpc.RpcError) as err:
            call(
                billing.PlaceOrder,
                pb.PlaceOrderRequest(room="rooms/D01", items=items, request_id=rid()),
                c,
            )
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert reason_of(err.value) == "ORDER_TOO_LONG"


def test_an_answer_stored_too_large_by_an_older_controller_replays_within_the_limit(
    ctl, billing, staff, room
):
    """A PlaceOrder answered (and stored for its request id) before bills were paged: its
    retry must not fail forever with RESOURCE_EXHAUSTED."""
    c = staff["cashier"]
    call(billing.OpenSession, pb.OpenSessionRequest(room=room, guest_count=2, request_id=rid()), c)
    request = pb.PlaceOrderRequest(
        room=room, items=[pb.OrderItem(sku="water", quantity=1)], request_id=rid()
    )
    line = pb.BillLine(kind="order", label=PLATTER, amount_fen=PLATTER_FEN, quantity=1)
    order_line = pb.OrderLine(sku="platter", name=PLATTER, quantity=1, unit_fen=PLATTER_FEN)
    old = pb.PlaceOrderResponse(
        order_id="order-old",
        bill=pb.Bill(
            name="bills/tab-old",
            lines=[line] * 2 * BIG_ORDER_LINES,
            total_fen=2 * BIG_ORDER_LINES * PLATTER_FEN,
            orders=[pb.Order(order_id="order-old", lines=[order_line] * 2 * BIG_ORDER_LINES)],
        ),
    )
    assert old.ByteSize() > GRPC_DEFAULT_MAX_RECEIVE
    method = "/ktv.v1.BillingService/PlaceOrder"
    bare = pb.PlaceOrderRequest()
    bare.CopyFrom(request)
    bare.request_id = ""
    with sqlite3.connect(ctl.data_dir / "controller.db", timeout=10) as db:
        db.execute(
            "INSERT INTO idempotency_keys (request_id, method, fingerprint, response, created_at)"
            " VALUES (?, ?, ?, ?, '2026-12-01T00:00:00+00:00')",
            (
                request.request_id,
                method,
                fingerprint(method, bare.SerializeToString(deterministic=True)),
                old.SerializeToString(deterministic=True),
            ),
        )
    replayed = call(billing.PlaceOrder, request, c)
    assert replayed.ByteSize() < GRPC_DEFAULT_MAX_RECEIVE // 2
    assert replayed.order_id == "order-old"
    assert replayed.bill.line_count == 2 * BIG_ORDER_LINES
    assert sum(ln.amount_fen for ln in replayed.bill.lines) == old.bill.total_fen
    assert replayed.bill.lines[-1].kind == "more"
    assert call(billing.PlaceOrder, request, c) == replayed


def test_a_huge_bills_receipt_prints_300_lines_and_one_for_the_rest(billing, staff, room):
    open_with_big_orders(billing, staff, room)
    receipt = call(
        billing.PrintReceipt, pb.PrintReceiptRequest(room=room, width_mm=80), staff["cashier"]
    )
    text = receipt.text.splitlines()
    assert len(text) < 300 + 30
    assert any("另有" in line for line in text)
    assert receipt.ByteSize() < 200_000


def test_forged_or_foreign_page_tokens_and_negative_page_sizes_are_refused(
    ctl, billing, staff, room
):
    c = staff["cashier"]
    call(billing.OpenSession, pb.OpenSessionRequest(room=room, guest_count=2, request_id=rid()), c)
    other = f"rooms/L{next(_rooms):03d}"
    ctl.add_room(other.removeprefix("rooms/"), tier="small")
    call(billing.OpenSession, pb.OpenSessionRequest(room=other, guest_count=2, request_id=rid()), c)
    foreign = PageToken("tab-someone-else", datetime.now(UTC), 3).encode()
    for request, reason in (
        (pb.GetBillRequest(room=room, page_token="not a token"), "BAD_PAGE_TOKEN"),
        (pb.GetBillRequest(room=room, page_token="x" * 100_000), "BAD_PAGE_TOKEN"),
        (pb.GetBillRequest(room=other, page_token=foreign), "BAD_PAGE_TOKEN"),
        (pb.GetBillRequest(room=room, page_size=-1), "BAD_PAGE_SIZE"),
    ):
        with pytest.raises(grpc.RpcError) as err:
            call(billing.GetBill, request, c)
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert reason_of(err.value) == reason


def test_the_audit_log_comes_in_pages_that_follow_each_other(billing, staff, room):
    c, m = staff["cashier"], staff["manager"]
    call(billing.OpenSession, pb.OpenSessionRequest(room=room, guest_count=2, request_id=rid()), c)
    for _ in range(3):
        items = [pb.OrderItem(sku="water", quantity=1)]
        call(billing.PlaceOrder, pb.PlaceOrderRequest(room=room, items=items, request_id=rid()), c)
    name = call(billing.GetBill, pb.GetBillRequest(room=room), c).bill.name
    seqs, token = [], ""
    while True:
        page = call(
            billing.ListAuditEntries,
            pb.ListAuditEntriesRequest(bill=name, page_size=2, page_token=token),
            m,
        )
        assert len(page.entries) <= 2
        seqs += [e.seq for e in page.entries]
        token = page.next_page_token
        if not token:
            break
    assert len(seqs) == 4 and seqs == sorted(set(seqs))


def test_an_audit_entry_too_large_for_a_page_keeps_its_kind_and_size(billing, staff, room):
    c = staff["cashier"]
    call(billing.OpenSession, pb.OpenSessionRequest(room=room, guest_count=2, request_id=rid()), c)
    call(billing.PlaceOrder, big_order(room), c)
    name = call(billing.GetBill, pb.GetBillRequest(room=room), c).bill.name
    page = call(billing.ListAuditEntries, pb.ListAuditEntriesRequest(bill=name), staff["manager"])
    assert page.ByteSize() < GRPC_DEFAULT_MAX_RECEIVE // 2
    placed = next(e for e in page.entries if e.kind == "OrderPlaced")
    detail = json.loads(placed.detail_json)
    assert detail["type"] == "OrderPlaced" and detail["truncated_chars"] > 500_000
