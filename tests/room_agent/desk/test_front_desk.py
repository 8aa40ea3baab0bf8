"""The touchscreen's front desk over gRPC, as the room's enrolled agent, against a real
controller process: the menu at the room tier's prices, orders into the room's own bill
(once per request id), the running bill, member sign-in; another room's bill is out of
reach, and an unreachable controller is a quick ``Unavailable``."""

from __future__ import annotations

import socket
import time

import pytest

from ktv.errors import FailedPrecondition, PermissionDenied, Unavailable
from room_agent.link.credentials import AgentCredential
from room_agent.link.discovery import parse_host_port
from room_agent.link.front_desk import GrpcFrontDesk
from room_agent.ui.port import ExtendOption
from tests.room_agent.desk.conftest import Desk, rid

pytestmark = pytest.mark.slow


def test_the_menu_comes_at_the_room_tiers_prices_and_hides_what_cannot_be_ordered(
    room_desk,
) -> None:
    small = {item.sku: item for item in room_desk("A08").menu()}
    vip = {item.sku: item for item in room_desk("B02").menu()}
    assert small["beer"].price_fen == 1000 and small["beer"].name == "青岛啤酒"
    assert vip["beer"].price_fen == 1500  # the same beer costs more in a VIP room
    assert vip["fruit"].price_fen == small["fruit"].price_fen == 3800
    assert "chips" not in small  # available = false on the menu


def test_an_order_lands_on_the_rooms_open_bill_once_per_request_id(room_desk, desk: Desk) -> None:
    desk.open("A08")
    front = room_desk("A08")
    request_id = rid()
    receipt = front.order((("beer", 2), ("fruit", 1)), request_id)
    again = front.order((("beer", 2), ("fruit", 1)), request_id)  # the guest's retry
    assert receipt.order_id and again.order_id == receipt.order_id
    assert receipt.amount_fen == 2 * 1000 + 3800
    orders = [o for o in desk.bill("A08").orders if o.source == "room"]
    assert [o.order_id for o in orders] == [receipt.order_id]
    bill = front.bill()
    assert any("青岛啤酒" in line.label and line.amount_fen == 2000 for line in bill.lines)
    assert bill.total_fen == desk.bill("A08").total_fen
    desk.checkout("A08")
    with pytest.raises(FailedPrecondition):
        front.order((("beer", 1),), rid())  # no open session any more: nothing written


def test_a_member_signs_in_on_the_touchscreen_and_sees_points_balance_and_tier(
    room_desk, desk: Desk
) -> None:
    desk.member("13800138001", "2580", top_up_fen=50_000)
    desk.open("A09")
    front = room_desk("A09")
    card = front.member_sign_in("13800138001", "2580")
    assert card.phone_masked == "138****8001"
    assert card.balance_fen == 60_000  # 充500送100
    assert card.tier == "regular" and card.points == 0
    with pytest.raises(PermissionDenied) as wrong:
        front.member_sign_in("13800138001", "0000")
    assert wrong.value.reason == "WRONG_PIN"
    desk.checkout("A09")


def test_a_room_cannot_order_into_read_or_extend_another_rooms_bill(room_desk, desk: Desk) -> None:
    desk.open("A09")
    intruder = room_desk("A09", as_room="A08")  # A08's agent asking for A09
    before = desk.bill("A09")
    with pytest.raises(PermissionDenied):
        intruder.menu()  # even another room's price list
    with pytest.raises(PermissionDenied):
        intruder.order((("beer", 1),), rid())
    with pytest.raises(PermissionDenied):
        intruder.bill()
    with pytest.raises(PermissionDenied):
        intruder.extend_options()
    with pytest.raises(PermissionDenied):
        intruder.member_sign_in("13800138001", "2580")
    option = ExtendOption(minutes=60, label="续钟 1小时", price_fen=7200)
    with pytest.raises(PermissionDenied):
        intruder.extend_from_balance(option, "13800138001", "2580", rid())
    assert desk.bill("A09").orders == before.orders
    desk.checkout("A09")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_controller_is_a_quick_unavailable_not_a_hang() -> None:
    credential = AgentCredential(room="rooms/A08", agent_token="t")
    dead = parse_host_port(f"127.0.0.1:{_closed_port()}")
    front = GrpcFrontDesk(
        "A08", address=lambda: dead, credential=lambda: credential, deadline_s=1.0
    )
    try:
        started = time.monotonic()
        for call in (front.menu, front.bill, front.extend_options):
            with pytest.raises(Unavailable):
                call()
        with pytest.raises(Unavailable):
            front.order((("beer", 1),), rid())
        assert time.monotonic() - started < 4 * 1.0 + 4.0  # each call bounded by its deadline
    finally:
        front.close()
    not_found = GrpcFrontDesk("A08", address=lambda: None, credential=lambda: credential)
    with pytest.raises(Unavailable) as err:
        not_found.menu()
    assert err.value.reason == "NO_CONTROLLER"
    not_enrolled = GrpcFrontDesk("A08", address=lambda: dead, credential=lambda: None)
    with pytest.raises(Unavailable) as err:
        not_enrolled.bill()
    assert err.value.reason == "NOT_ENROLLED"


def test_the_desk_follows_the_controller_the_link_finds_next(ctl, room_desk) -> None:
    found = [parse_host_port(f"127.0.0.1:{_closed_port()}")]  # where it was before a restart
    front = room_desk("B02", located=lambda: found[0], deadline_s=1.0)
    with pytest.raises(Unavailable):
        front.menu()
    found[0] = parse_host_port(ctl.address)  # the link found it again (zeroconf)
    assert any(item.sku == "beer" for item in front.menu())
