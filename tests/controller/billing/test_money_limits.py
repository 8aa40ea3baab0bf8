"""Money has domain limits on every input: prices, payments, top-ups, discounts, coupons,
refunds, points and a bill's total. Out of range is INVALID_ARGUMENT with a machine reason,
and nothing is written; never INTERNAL (2**63 - 1 fen once overflowed the top-up bonus and a
bill's total)."""

from __future__ import annotations

import itertools
import sqlite3

import grpc
import pytest

from controller.api.errors import reason_of
from ktv.v1 import auth_pb2, members_pb2, members_pb2_grpc
from ktv.v1 import billing_pb2 as pb
from tests.support.controller import bearer, start_controller

from .grpc_support import TIMEOUT_S, billing_stub, cash, rid, write_venue

INT64_MAX = 2**63 - 1
_rooms = itertools.count(1)
_phones = itertools.count(13_900_139_000)


@pytest.fixture(scope="module")
def ctl(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("money-limits") / "data"
    venue = write_venue(data_dir)
    with start_controller(data_dir, ["--venue-config", str(venue), "--no-mdns"]) as running:
        yield running


@pytest.fixture(scope="module")
def md(ctl):
    return bearer(ctl.add_staff("wang", auth_pb2.ROLE_MANAGER))


@pytest.fixture
def billing(ctl):
    return billing_stub(ctl.channel())


@pytest.fixture
def members(ctl):
    return members_pb2_grpc.MembersServiceStub(ctl.channel())


@pytest.fixture
def room(ctl, billing, md):
    room_id = f"M{next(_rooms):03d}"
    ctl.add_room(room_id, tier="small")
    name = f"rooms/{room_id}"
    billing.OpenSession(
        pb.OpenSessionRequest(room=name, guest_count=2, request_id=rid()), metadata=md, timeout=10
    )
    return name


@pytest.fixture
def member(members, md):
    phone = str(next(_phones))
    members.RegisterMember(
        members_pb2.RegisterMemberRequest(phone=phone, name="李雷", pin="2468", request_id=rid()),
        metadata=md,
        timeout=TIMEOUT_S,
    )
    return phone


def refused(method, request, md, reason: str) -> None:
    with pytest.raises(grpc.RpcError) as err:
        method(request, metadata=md, timeout=TIMEOUT_S)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT, err.value.details()
    assert reason_of(err.value) == reason, err.value.details()


def audit(billing, md, room: str) -> int:
    bill = billing.GetBill(pb.GetBillRequest(room=room), metadata=md, timeout=TIMEOUT_S).bill
    entries = billing.ListAuditEntries(
        pb.ListAuditEntriesRequest(bill=bill.name), metadata=md, timeout=TIMEOUT_S
    )
    return len(entries.entries)


def history(members, md, phone: str) -> members_pb2.ListHistoryResponse:
    return members.ListHistory(
        members_pb2.ListHistoryRequest(member=phone), metadata=md, timeout=TIMEOUT_S
    )


def test_a_top_up_of_int64_max_fen_is_refused_and_writes_nothing(members, md, member):
    refused(
        members.TopUp,
        members_pb2.TopUpRequest(member=member, amount_fen=INT64_MAX, request_id=rid()),
        md,
        "AMOUNT_OUT_OF_RANGE",
    )
    got = history(members, md, member)
    assert not got.entries and got.member.balance_fen == 0


def test_a_top_up_over_the_venues_50000_yuan_is_refused_and_one_at_it_is_taken(members, md, member):
    top = members_pb2.TopUpRequest(member=member, amount_fen=5_000_001, request_id=rid())
    refused(members.TopUp, top, md, "AMOUNT_OUT_OF_RANGE")
    ok = members_pb2.TopUpRequest(member=member, amount_fen=5_000_000, request_id=rid())
    members.TopUp(ok, metadata=md, timeout=TIMEOUT_S)
    assert len(history(members, md, member).entries) == 1


def test_a_product_priced_at_int64_max_fen_is_refused_and_the_menu_is_unchanged(billing, md):
    product = pb.Product(sku="gold", name="金酒", category="drinks", base_fen=INT64_MAX)
    refused(
        billing.UpsertProduct,
        pb.UpsertProductRequest(product=product, request_id=rid()),
        md,
        "PRICE_OUT_OF_RANGE",
    )
    menu = billing.ListProducts(pb.ListProductsRequest(), metadata=md, timeout=TIMEOUT_S)
    assert "gold" not in {p.sku for p in menu.products}


def test_a_price_plan_with_an_absurd_price_is_refused(ctl, billing, md):
    text = write_venue(ctl.data_dir.parent / "absurd").read_text(encoding="utf-8")
    text = text.replace('version = "2026-11"', 'version = "absurd"').replace(
        "products = { beer = 15 }", "products = { beer = 92233720368547758 }"
    )
    refused(
        billing.ImportPricePlan,
        pb.ImportPricePlanRequest(config_toml=text, request_id=rid()),
        md,
        "PRICE_OUT_OF_RANGE",
    )
    plans = billing.GetPricePlan(pb.GetPricePlanRequest(), metadata=md, timeout=TIMEOUT_S)
    assert "absurd" not in plans.versions


def test_ordering_a_product_stored_at_int64_max_fen_is_refused_and_writes_nothing(
    ctl, billing, md, room
):
    # a menu row written before prices were bounded
    with sqlite3.connect(ctl.data_dir / "controller.db", timeout=10) as db:
        db.execute(
            "INSERT INTO billing_products (sku, name, category, base_fen, available)"
            " VALUES ('legacy', '天价酒', 'drinks', ?, 1)",
            (INT64_MAX,),
        )
    before = audit(billing, md, room)
    order = pb.PlaceOrderRequest(
        room=room, items=[pb.OrderItem(sku="legacy", quantity=1)], request_id=rid()
    )
    refused(billing.PlaceOrder, order, md, "LINE_TOO_LARGE")
    assert audit(billing, md, room) == before


def test_an_order_that_takes_the_bill_past_a_million_yuan_is_refused(billing, md, room):
    billing.UpsertProduct(
        pb.UpsertProductRequest(
            product=pb.Product(
                sku="lafite", name="拉菲", category="wine", base_fen=10_000_000, available=True
            ),
            request_id=rid(),
        ),
        metadata=md,
        timeout=TIMEOUT_S,
    )
    before = audit(billing, md, room)
    items = [pb.OrderItem(sku="lafite", quantity=9)] * 2  # 2 x 9 x ¥100,000 = ¥1.8M
    refused(
        billing.PlaceOrder,
        pb.PlaceOrderRequest(room=room, items=items, request_id=rid()),
        md,
        "BILL_TOO_LARGE",
    )
    assert audit(billing, md, room) == before


def test_quantities_and_lines_per_order_have_bounds(billing, md, room):
    one = [pb.OrderItem(sku="water", quantity=1000)]
    refused(
        billing.PlaceOrder,
        pb.PlaceOrderRequest(room=room, items=one, request_id=rid()),
        md,
        "QUANTITY_TOO_LARGE",
    )
    many = [pb.OrderItem(sku="water", quantity=1)] * 101
    refused(
        billing.PlaceOrder,
        pb.PlaceOrderRequest(room=room, items=many, request_id=rid()),
        md,
        "ORDER_TOO_LONG",
    )


@pytest.mark.parametrize(
    ("percent_bp", "amount_fen"),
    [(0, INT64_MAX), (10_001, 0), (-1, 0), (0, -5), (1000, 500)],
)
def test_discounts_out_of_range_are_refused(billing, md, room, percent_bp, amount_fen):
    before = audit(billing, md, room)
    request = pb.ApplyDiscountRequest(
        room=room, percent_bp=percent_bp, amount_fen=amount_fen, reason="老板朋友", request_id=rid()
    )
    refused(billing.ApplyDiscount, request, md, "BAD_DISCOUNT")
    assert audit(billing, md, room) == before


def test_a_payment_of_int64_max_fen_is_refused_and_writes_nothing(billing, md, room):
    before = audit(billing, md, room)
    refused(
        billing.TakePayment,
        pb.TakePaymentRequest(room=room, tenders=[cash(INT64_MAX)], request_id=rid()),
        md,
        "AMOUNT_OUT_OF_RANGE",
    )
    refused(
        billing.Checkout,
        pb.CheckoutRequest(room=room, tenders=[cash(100_000_001)], request_id=rid()),
        md,
        "AMOUNT_OUT_OF_RANGE",
    )
    assert audit(billing, md, room) == before


def test_a_refund_of_int64_max_fen_is_refused_and_writes_nothing(billing, md, room):
    order = pb.PlaceOrderRequest(
        room=room, items=[pb.OrderItem(sku="beer", quantity=2)], request_id=rid()
    )
    billing.PlaceOrder(order, metadata=md, timeout=TIMEOUT_S)
    paid = billing.TakePayment(
        pb.TakePaymentRequest(room=room, tenders=[cash(1000)], request_id=rid()),
        metadata=md,
        timeout=TIMEOUT_S,
    ).bill
    before = audit(billing, md, room)
    refused(
        billing.RefundPayment,
        pb.RefundPaymentRequest(
            bill=paid.name,
            payment_id=paid.payments[0].payment_id,
            amount_fen=INT64_MAX,
            reason="多收",
            request_id=rid(),
        ),
        md,
        "AMOUNT_OUT_OF_RANGE",
    )
    assert audit(billing, md, room) == before


def test_coupons_and_points_out_of_range_are_refused(members, md, member):
    for kind, value in (("fixed", INT64_MAX), ("percent", 10_001), ("free_item", -1)):
        refused(
            members.IssueCoupon,
            members_pb2.IssueCouponRequest(member=member, kind=kind, value=value, request_id=rid()),
            md,
            "BAD_COUPON",
        )
    refused(
        members.IssueCoupon,
        members_pb2.IssueCouponRequest(
            member=member, kind="fixed", value=500, days_valid=2**31 - 1, request_id=rid()
        ),
        md,
        "BAD_COUPON",
    )
    listed = members.ListCoupons(
        members_pb2.ListCouponsRequest(member=member), metadata=md, timeout=TIMEOUT_S
    )
    assert not listed.coupons
    refused(
        members.RedeemPoints,
        members_pb2.RedeemPointsRequest(
            member=member, points=INT64_MAX, bill="bills/x", request_id=rid()
        ),
        md,
        "BAD_POINTS",
    )


def test_benefits_redemptions_and_history_pages_have_bounds(members, md, member, room):
    refused(
        members.ApplyBenefits,
        members_pb2.ApplyBenefitsRequest(
            room=room, member=member, coupons=["C"] * 21, request_id=rid()
        ),
        md,
        "TOO_MANY_COUPONS",
    )
    refused(
        members.RedeemPoints,
        members_pb2.RedeemPointsRequest(
            member=member, product="fruit", room=room, quantity=2**31 - 1, request_id=rid()
        ),
        md,
        "QUANTITY_TOO_LARGE",
    )
    refused(
        members.ListHistory,
        members_pb2.ListHistoryRequest(member=member, limit=-1),
        md,
        "BAD_PAGE_SIZE",
    )


def test_more_tenders_than_a_bill_takes_are_refused_before_any_is_read(billing, md, room):
    tenders = [cash(100)] * 201
    refused(
        billing.TakePayment,
        pb.TakePaymentRequest(room=room, tenders=tenders, request_id=rid()),
        md,
        "TOO_MANY_PAYMENTS",
    )
