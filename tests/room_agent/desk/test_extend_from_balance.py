"""续钟 from the room paid from a member's stored value, against a real controller: the venue's
options priced for the room now, the PIN checked on the controller (with its lockout), paid in
full or not at all, once per request id; a room can never record any other payment."""

from __future__ import annotations

from datetime import timedelta

import grpc
import pytest

from ktv.errors import FailedPrecondition, PermissionDenied
from ktv.v1 import billing_pb2 as bpb
from ktv.v1 import billing_pb2_grpc
from room_agent.ui.port import ExtendOption
from tests.room_agent.desk.conftest import Desk, rid

pytestmark = pytest.mark.slow


def _state(desk: Desk, room: str, phone: str) -> tuple:
    bill = desk.bill(room)
    return (bill.paid_until_time.ToDatetime(), list(bill.payments), desk.balance_fen(phone))


def test_the_room_extends_from_a_members_balance_after_the_right_pin_and_only_then(
    room_desk, desk: Desk
) -> None:
    desk.member("13900139001", "1357", top_up_fen=100_000)
    opened = desk.open("A08", prepaid_minutes=60, cash_fen=50_000)
    end = opened.paid_until_time.ToDatetime()
    front = room_desk("A08")

    options = front.extend_options()
    assert [o.minutes for o in options] == [30, 60, 120]
    assert all(o.price_fen > 0 for o in options)
    by_minutes = {o.minutes: o for o in options}
    hour = by_minutes[60]
    assert hour.ends_at is not None and hour.ends_at.replace(tzinfo=None) == end + timedelta(
        hours=1
    )
    assert by_minutes[120].bonus_minutes == 30  # 买钟赠送: every 120 min gives 30
    assert hour.note == "1h" and by_minutes[30].note == "30m"

    before = _state(desk, "A08", "13900139001")
    with pytest.raises(PermissionDenied) as wrong:
        front.extend_from_balance(hour, "13900139001", "0000", rid())
    assert wrong.value.reason == "WRONG_PIN"
    cheap = ExtendOption(60, hour.label, hour.price_fen - 100, hour.ends_at)
    with pytest.raises(FailedPrecondition) as short:
        front.extend_from_balance(cheap, "13900139001", "1357", rid())
    assert short.value.reason == "PREPAY_REQUIRED"
    assert _state(desk, "A08", "13900139001") == before  # nothing written by either

    request_id = rid()
    receipt = front.extend_from_balance(hour, "13900139001", "1357", request_id)
    again = front.extend_from_balance(hour, "13900139001", "1357", request_id)  # a retry
    assert receipt == again
    assert receipt.ends_at is not None and receipt.ends_at == hour.ends_at
    paid_balance = before[2] - hour.price_fen
    assert desk.balance_fen("13900139001") == paid_balance  # taken once
    payments = desk.bill("A08").payments
    assert [p.tender for p in payments][-1] == bpb.TENDER_STORED_VALUE
    assert all("1357" not in p.reference for p in payments)  # the PIN is never on the bill
    desk.checkout("A08")
    with pytest.raises(FailedPrecondition):
        front.extend_options()  # the session is closed
    with pytest.raises(FailedPrecondition):
        front.extend_from_balance(hour, "13900139001", "1357", rid())
    assert desk.balance_fen("13900139001") == paid_balance


def test_five_wrong_pins_lock_the_card_on_the_controller(room_desk, desk: Desk) -> None:
    desk.member("13900139002", "2468", top_up_fen=20_000)
    desk.open("A09", prepaid_minutes=60, cash_fen=50_000)
    front = room_desk("A09")
    option = front.extend_options()[0]
    for _ in range(5):
        with pytest.raises(PermissionDenied):
            front.extend_from_balance(option, "13900139002", "1111", rid())
    with pytest.raises(FailedPrecondition) as locked:
        front.extend_from_balance(option, "13900139002", "2468", rid())  # even the right one
    assert locked.value.reason == "PIN_LOCKED"
    assert desk.balance_fen("13900139002") == 20_000
    desk.checkout("A09")


def test_a_room_cannot_pay_its_own_extension_in_cash_or_give_itself_time(
    ctl, room_desk, desk: Desk
) -> None:
    desk.open("B02", prepaid_minutes=60, cash_fen=100_000)
    room_desk("B02").menu()  # enrolls B02's agent
    token = ctl.enroll_agent("B02")
    stub = billing_pb2_grpc.BillingServiceStub(ctl.channel())
    md = (("authorization", f"Bearer {token}"),)
    before = desk.bill("B02")
    for tender, gift in ((bpb.TENDER_CASH, False), (bpb.TENDER_WECHAT, False)):
        with pytest.raises(grpc.RpcError) as err:
            stub.ExtendSession(
                bpb.ExtendSessionRequest(
                    room="rooms/B02",
                    purchase=bpb.TimePurchase(prepaid_minutes=60, gift=gift),
                    tenders=[bpb.TenderAmount(tender=tender, amount_fen=100_000)],
                    request_id=rid(),
                ),
                metadata=md,
                timeout=10,
            )
        assert err.value.code() is grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as err:
        stub.ExtendSession(
            bpb.ExtendSessionRequest(
                room="rooms/B02",
                purchase=bpb.TimePurchase(prepaid_minutes=60, gift=True),
                request_id=rid(),
            ),
            metadata=md,
            timeout=10,
        )
    assert err.value.code() is grpc.StatusCode.PERMISSION_DENIED
    after = desk.bill("B02")
    assert after.paid_until_time == before.paid_until_time and after.payments == before.payments
    desk.checkout("B02")
