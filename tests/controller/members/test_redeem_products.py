"""积分兑换: a member's points buy a fruit platter onto the room's bill at 0, in one
transaction with the points entry; every refusal writes nothing; a retry redeems once."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from controller.billing.bill import LineKind
from controller.billing.desk import TenderAmount
from controller.billing.plan_config import parse_toml
from controller.billing.records import Tender
from controller.members.loyalty import LoyaltyDesk
from controller.members.points import SpendLine
from controller.members.redemption import ProductRedemption
from controller.members.rewards import Reward, rewards_from_config
from ktv.errors import Conflict, FailedPrecondition, InvalidArgument, NotFound

from .conftest import FakeClock
from .test_pay_from_balance import CASHIER, EXAMPLE, venue_at


def redemption_at(path: Path, clock) -> ProductRedemption:
    billing, members = venue_at(path, clock, seed=True)
    r = ProductRedemption(billing, LoyaltyDesk(members))
    r.set_rewards(rewards_from_config(parse_toml(EXAMPLE.read_text(encoding="utf-8"))))
    return r


@pytest.fixture
def shop(tmp_path, clock):
    r = redemption_at(tmp_path / "controller.db", clock)
    yield r
    r.store.close()


def member_with_points(shop: ProductRedemption, points: int, phone: str = "13800138000") -> str:
    m = shop.loyalty.members.register(phone, "张伟")
    if points:  # 1 point per yuan spent
        shop.loyalty.record_visit(
            m.member_id, f"bills/past-{phone}", [SpendLine("room", points * 100)]
        )
    return m.member_id


def footprint(shop: ProductRedemption) -> tuple:
    s = shop.store
    return (
        s.query("SELECT COUNT(*) AS n FROM member_points")[0]["n"],
        s.query("SELECT COUNT(*) AS n FROM billing_events")[0]["n"],
        s.query("SELECT member_id, points FROM members ORDER BY member_id"),
    )


def test_the_venue_config_prices_the_fruit_platter_at_3000_points(shop):
    assert shop.rewards() == {"fruit": Reward("fruit", 3000)}


def test_a_fruit_platter_for_3000_points_goes_on_the_bill_at_zero(shop, clock):
    member = member_with_points(shop, 5000)
    shop.billing.open("A08", 4, CASHIER)
    before = shop.billing.bill(shop.billing.tab_id_of("A08")).bill.total_fen
    got = shop.redeem("A08", member, "fruit", request_id="r1")
    assert (got.points, got.points_left, got.quantity) == (3000, 2000, 1)
    outcome = shop.billing.bill(shop.billing.tab_id_of("A08"))
    order = outcome.tab.order(got.order_id)
    assert order.comped and "积分兑换 3000" in order.note
    assert outcome.bill.total_fen == before  # the platter and its comp cancel out
    platter = [
        (x.kind, x.amount_fen)
        for x in outcome.bill.lines
        if {"果盘", "积分兑换"} & set(x.label.split())
    ]
    assert sorted(platter, key=lambda k: k[1]) == [(LineKind.COMP, -3800), (LineKind.ORDER, 3800)]
    entry = shop.store.query_one("SELECT * FROM member_points WHERE request_id = 'r1'")
    assert entry["kind"] == "redeem" and entry["points"] == -3000
    assert entry["reference"] == f"{got.bill}#{got.order_id}"
    assert member in shop.loyalty.members.records.members_of_tab(shop.billing.tab_id_of("A08"))


def test_a_retry_with_the_same_request_id_redeems_once(shop):
    member = member_with_points(shop, 7000)
    shop.billing.open("A08", 4, CASHIER)
    first = shop.redeem("A08", member, "fruit", request_id="r1")
    again = shop.redeem("A08", member, "fruit", request_id="r1")
    assert (again.order_id, again.points) == (first.order_id, first.points)
    assert shop.loyalty.members.get(member).points == 4000
    assert len(shop.billing.bill(shop.billing.tab_id_of("A08")).tab.orders) == 1
    other = member_with_points(shop, 9000, phone="13900139000")
    with pytest.raises(Conflict):
        shop.redeem("A08", other, "fruit", request_id="r1")


@pytest.mark.parametrize(
    ("sku", "points", "room_open", "error", "reason"),
    [
        ("fruit", 2999, True, FailedPrecondition, "INSUFFICIENT_POINTS"),
        ("caviar", 9000, True, NotFound, "UNKNOWN_PRODUCT"),
        ("beer", 9000, True, FailedPrecondition, "NOT_REDEEMABLE"),
        ("fruit", 9000, False, FailedPrecondition, "NO_OPEN_SESSION"),
    ],
    ids=["not enough points", "unknown product", "not redeemable", "closed session"],
)
def test_a_refused_redemption_writes_nothing(shop, clock, sku, points, room_open, error, reason):
    member = member_with_points(shop, points)
    shop.billing.open("A08", 4, CASHIER)
    if not room_open:
        clock.advance(hours=1)
        due = shop.billing.bill(shop.billing.tab_id_of("A08")).bill.due_fen
        shop.billing.checkout("A08", CASHIER, [TenderAmount(Tender.CASH, due)], "co-1")
    before = footprint(shop)
    with pytest.raises(error) as err:
        shop.redeem("A08", member, sku, request_id="r1")
    assert err.value.reason == reason
    assert footprint(shop) == before


def test_a_sold_out_product_or_a_silly_quantity_is_refused_and_writes_nothing(shop):
    member = member_with_points(shop, 90_000)
    shop.billing.open("A08", 4, CASHIER)
    before = footprint(shop)
    with pytest.raises(InvalidArgument):
        shop.redeem("A08", member, "fruit", quantity=0, request_id="r0")
    shop.set_rewards([Reward("fruit", 3000), Reward("chips", 500)])  # chips are sold out
    with pytest.raises(FailedPrecondition) as err:
        shop.redeem("A08", member, "chips", request_id="r1")
    assert err.value.reason == "SOLD_OUT"
    assert footprint(shop) == before


def test_an_out_of_stock_answer_from_inventory_writes_nothing(shop):
    class Empty:
        def take(self, sku: str, quantity: int, request_id: str) -> None:
            raise FailedPrecondition(f"{sku}: none left", reason="OUT_OF_STOCK")

    shop.stock = Empty()
    member = member_with_points(shop, 9000)
    shop.billing.open("A08", 4, CASHIER)
    before = footprint(shop)
    with pytest.raises(FailedPrecondition) as err:
        shop.redeem("A08", member, "fruit", request_id="r1")
    assert err.value.reason == "OUT_OF_STOCK" and footprint(shop) == before


def test_the_redeemed_platter_is_not_charged_at_checkout(shop, clock):
    member = member_with_points(shop, 3000)
    shop.billing.open("A08", 4, CASHIER)
    clock.advance(hours=1)
    plain = shop.billing.bill(shop.billing.tab_id_of("A08")).bill.total_fen
    shop.redeem("A08", member, "fruit", request_id="r1")
    assert shop.billing.bill(shop.billing.tab_id_of("A08")).bill.total_fen == plain


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["earn", "redeem", "retry"]),
            st.integers(0, 1),  # which member
            st.integers(1, 3),  # quantity / thousands of points
        ),
        min_size=1,
        max_size=12,
    )
)
def test_points_never_go_negative_and_every_redeemed_point_has_its_comped_item(steps, clock):
    with tempfile.TemporaryDirectory() as tmp:
        shop = redemption_at(Path(tmp) / "controller.db", FakeClock(clock.now))
        try:
            ids = [member_with_points(shop, 0, p) for p in ("13800138000", "13900139000")]
            shop.billing.open("A08", 4, CASHIER)
            last: dict[int, str] = {}
            for i, (kind, who, n) in enumerate(steps):
                member = ids[who]
                if kind == "earn":
                    shop.loyalty.record_visit(
                        member, f"bills/e{i}", [SpendLine("room", n * 100_000)]
                    )
                    continue
                rid = last.get(who, f"r{i}") if kind == "retry" else f"r{i}"
                try:
                    shop.redeem("A08", member, "fruit", quantity=n, request_id=rid)
                    last[who] = rid
                except FailedPrecondition as err:
                    assert err.reason == "INSUFFICIENT_POINTS"
            tab = shop.billing.bill(shop.billing.tab_id_of("A08")).tab
            for member in ids:
                rows = shop.store.query(
                    "SELECT points, reference FROM member_points WHERE member_id = ?", (member,)
                )
                held = shop.loyalty.members.get(member).points
                assert held == sum(r["points"] for r in rows) >= 0
                for r in rows:
                    if r["points"] < 0:
                        order = tab.order(r["reference"].partition("#")[2])
                        assert order.comped and -r["points"] == 3000 * order.lines[0].quantity
            redeemed = shop.store.query("SELECT COUNT(*) AS n FROM member_points WHERE points < 0")
            assert redeemed[0]["n"] == len(tab.orders)
        finally:
            shop.store.close()
