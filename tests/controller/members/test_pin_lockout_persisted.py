"""Five wrong PINs lock balance payments for 15 minutes, and the lock survives the
controller's restart: the count is written after the failed payment's transaction, which
rolls back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import pytest

from controller.api.errors import reason_of
from controller.billing.desk import TenderAmount
from controller.billing.records import Tender
from controller.members.desk import MemberDesk
from controller.store.db import open_store
from controller.store.migrations import apply_migrations, load_builtin_areas
from ktv.errors import FailedPrecondition, PermissionDenied
from ktv.v1 import billing_pb2, billing_pb2_grpc, members_pb2, members_pb2_grpc
from tests.controller.billing.grpc_support import TIMEOUT_S, rid, write_venue
from tests.support.controller import launch

from .conftest import FakeClock
from .test_pay_from_balance import CASHIER, venue_at


def sv(pin: str, fen: int = 1000) -> TenderAmount:
    return TenderAmount(Tender.STORED_VALUE, fen, f"13800138000:{pin}")


def test_wrong_pins_in_failed_payments_still_count_and_a_restart_keeps_the_lock(tmp_path, clock):
    path = tmp_path / "controller.db"
    billing, members = venue_at(path, clock, seed=True)
    m = members.register("13800138000", "张伟", pin="2580")
    members.top_up(m.member_id, 50_000, tender="cash", request_id="t1")
    billing.open("A08", 4, CASHIER)
    clock.advance(hours=1)
    for i in range(5):  # each payment fails and its transaction rolls back
        with pytest.raises(PermissionDenied):
            billing.pay("A08", [sv("0000")], CASHIER, f"p{i}")
    assert billing.bill(billing.tab_id_of("A08")).tab.payments == ()
    billing.store.close()

    billing, members = venue_at(path, clock, seed=False)  # the controller restarted
    try:
        with pytest.raises(FailedPrecondition) as err:
            billing.pay("A08", [sv("2580")], CASHIER, "p-right")  # even the right PIN
        assert err.value.reason == "PIN_LOCKED"
        clock.advance(minutes=14, seconds=59)
        with pytest.raises(FailedPrecondition):
            members.check_pin(m.member_id, "2580")
        clock.advance(seconds=1)
        out = billing.pay("A08", [sv("2580")], CASHIER, "p-later")
        assert out.tab.paid_fen == 1000
    finally:
        billing.store.close()


def test_a_right_pin_clears_the_count_so_four_wrong_then_four_wrong_do_not_lock(members):
    m = members.register("13800138000", "张伟", pin="2580")
    for _ in range(2):
        for _ in range(4):
            with pytest.raises(PermissionDenied):
                members.check_pin(m.member_id, "1111")
        members.check_pin(m.member_id, "2580")
    assert members.pins.failures(m.member_id).count == 0


def test_after_the_lock_ends_the_count_starts_again_from_one(members, clock):
    m = members.register("13800138000", "张伟", pin="2580")
    for _ in range(5):
        with pytest.raises(PermissionDenied):
            members.check_pin(m.member_id, "1111")
    clock.advance(minutes=15)
    with pytest.raises(PermissionDenied):
        members.check_pin(m.member_id, "1111")
    state = members.pins.failures(m.member_id)
    assert state.count == 1 and not state.locked_at(clock.now)


def test_one_member_locked_out_does_not_lock_another(members):
    a = members.register("13800138000", "张伟", pin="2580")
    b = members.register("13900139000", "李娜", pin="1357")
    for _ in range(5):
        with pytest.raises(PermissionDenied):
            members.check_pin(a.member_id, "1111")
    members.check_pin(b.member_id, "1357")
    with pytest.raises(FailedPrecondition):
        members.check_pin(a.member_id, "2580")


@pytest.mark.slow
def test_five_wrong_pins_then_a_controller_restart_the_sixth_try_is_still_pin_locked(tmp_path):
    data_dir = tmp_path / "data"
    args = ["--venue-config", str(write_venue(data_dir)), "--no-mdns"]
    ctl = launch(data_dir, args)
    try:
        md = ctl.admin_md
        members = members_pb2_grpc.MembersServiceStub(ctl.channel())
        billing = billing_pb2_grpc.BillingServiceStub(ctl.channel())
        members.RegisterMember(
            members_pb2.RegisterMemberRequest(
                phone="13800138000", name="张伟", pin="2580", request_id=rid()
            ),
            metadata=md,
            timeout=TIMEOUT_S,
        )
        members.TopUp(
            members_pb2.TopUpRequest(
                member="13800138000", amount_fen=50_000, tender="cash", request_id=rid()
            ),
            metadata=md,
            timeout=TIMEOUT_S,
        )
        billing.OpenSession(
            billing_pb2.OpenSessionRequest(room="rooms/A08", guest_count=2, request_id=rid()),
            metadata=md,
            timeout=TIMEOUT_S,
        )
        billing.PlaceOrder(
            billing_pb2.PlaceOrderRequest(
                room="rooms/A08",
                items=[billing_pb2.OrderItem(sku="beer", quantity=6)],
                request_id=rid(),
            ),
            metadata=md,
            timeout=TIMEOUT_S,
        )

        def pay(pin: str) -> grpc.RpcError:
            with pytest.raises(grpc.RpcError) as err:
                billing.TakePayment(
                    billing_pb2.TakePaymentRequest(
                        room="rooms/A08",
                        tenders=[
                            billing_pb2.TenderAmount(
                                tender=billing_pb2.TENDER_STORED_VALUE,
                                amount_fen=100,
                                reference=f"13800138000:{pin}",
                            )
                        ],
                        request_id=rid(),
                    ),
                    metadata=md,
                    timeout=TIMEOUT_S,
                )
            return err.value

        for _ in range(5):
            wrong = pay("0000")
            assert wrong.code() is grpc.StatusCode.PERMISSION_DENIED
            assert reason_of(wrong) == "WRONG_PIN"
    finally:
        ctl.stop()

    ctl = launch(data_dir, args)  # restarted: memory is gone, the lock is not
    try:
        md = ctl.admin_md
        members = members_pb2_grpc.MembersServiceStub(ctl.channel())
        billing = billing_pb2_grpc.BillingServiceStub(ctl.channel())
        locked = pay("2580")
        assert locked.code() is grpc.StatusCode.FAILED_PRECONDITION
        assert reason_of(locked) == "PIN_LOCKED"
        with pytest.raises(grpc.RpcError) as sign_in:
            members.SignIn(
                members_pb2.SignInRequest(room="rooms/A08", phone="13800138000", pin="2580"),
                metadata=md,
                timeout=TIMEOUT_S,
            )
        assert reason_of(sign_in.value) == "PIN_LOCKED"
    finally:
        ctl.stop()

    # 15 minutes later (the controller's clock injected over the same database file)
    later = FakeClock(datetime.now(UTC) + timedelta(minutes=15, seconds=1))
    store = open_store(data_dir / "controller.db")
    try:
        desk = MemberDesk(store, later)
        desk.check_pin(desk.resolve("13800138000").member_id, "2580")
        assert desk.pins.failures(desk.resolve("13800138000").member_id).count == 0
    finally:
        store.close()


def test_a_member_locked_before_the_upgrade_is_still_locked_after_it(tmp_path, clock):
    """Locks written to member_pin_failures (members area 5) move to pin_attempts."""
    store = open_store(tmp_path / "old.db", migrate=False)
    try:
        load_builtin_areas()
        apply_migrations(store, up_to={"pin_attempts": 0, "members_normalised": 0})
        old = MemberDesk(store, clock)
        m = old.register("13800138000", "张伟", pin="2580")
        until = clock.now + timedelta(minutes=10)
        store.execute(
            "INSERT INTO member_pin_failures (member_id, failures, locked_until) VALUES (?, ?, ?)",
            (m.member_id, 5, until.isoformat()),
        )
        apply_migrations(store)
        with pytest.raises(FailedPrecondition) as err:
            MemberDesk(store, clock).check_pin(m.member_id, "2580")
        assert err.value.reason == "PIN_LOCKED" and "600 s" in err.value.message
    finally:
        store.close()
