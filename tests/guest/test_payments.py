"""Paying the bill from the phone, end to end: a real controller process (gRPC and its HTTP
side) configured with WeChat Pay and Alipay merchant keys pointed at the stand-in gateway; a
guest joined from the room's code starts the payment, the stand-in posts its signed
notifications to ``/api/pay/notify/{provider}``; the sandbox's own pay page pays too."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator

import grpc
import httpx
import pytest

from controller.auth.model import Role
from controller.auth.permissions import PermissionTable
from controller.billing.payments_api import PERMISSIONS
from controller.web.routes import routed
from ktv.v1 import billing_pb2 as bpb
from ktv.v1 import billing_pb2_grpc, payments_pb2_grpc
from ktv.v1 import payments_pb2 as pb
from tests.guest.conftest import FrontDesk
from tests.support.controller import RunningController, start_controller
from tests.support.guests import guest_md, join_guest
from tests.support.ktvctl import run_ktvctl
from tests.support.pay_gateway import StandInGateway, new_key, paying_venue

TIMEOUT_S = 10.0


@pytest.fixture(scope="module")
def standin() -> Iterator[StandInGateway]:
    gw = StandInGateway()
    yield gw
    gw.close()


@pytest.fixture(scope="module")
def ctl(tmp_path_factory: pytest.TempPathFactory, standin) -> Iterator[RunningController]:
    data_dir = tmp_path_factory.mktemp("guestpay") / "data"
    venue = paying_venue(data_dir, standin)
    with start_controller(data_dir, ["--venue-config", str(venue), "--no-mdns"]) as running:
        yield running


@pytest.fixture(scope="module")
def web_url(ctl: RunningController) -> str:
    path = ctl.data_dir / "controller.web.json"
    deadline = time.monotonic() + 30
    while not path.exists():
        assert time.monotonic() < deadline, "the controller wrote no controller.web.json"
        time.sleep(0.05)
    return json.loads(path.read_text())["url"]  # type: ignore[no-any-return]


def payments(ctl: RunningController) -> payments_pb2_grpc.PaymentServiceStub:
    return payments_pb2_grpc.PaymentServiceStub(ctl.channel())


def bill_of(ctl: RunningController, room: str) -> bpb.Bill:
    stub = billing_pb2_grpc.BillingServiceStub(ctl.channel())
    return stub.GetBill(
        bpb.GetBillRequest(room=f"rooms/{room}"), metadata=ctl.admin_md, timeout=TIMEOUT_S
    ).bill


def opened_room(ctl: RunningController) -> tuple[FrontDesk, str, str]:
    desk = FrontDesk(ctl)
    room = desk.new_room()
    desk.open(room)
    billing_pb2_grpc.BillingServiceStub(ctl.channel()).PlaceOrder(
        bpb.PlaceOrderRequest(
            room=f"rooms/{room}",
            items=[bpb.OrderItem(sku="beer", quantity=6)],
            request_id=uuid.uuid4().hex,
        ),
        metadata=ctl.admin_md,
        timeout=TIMEOUT_S,
    )
    return desk, room, join_guest(ctl, room, "小王")


def notify(web_url: str, provider: str, headers: dict[str, str], body: bytes) -> httpx.Response:
    return httpx.post(
        f"{web_url}/api/pay/notify/{provider}", content=body, headers=headers, timeout=TIMEOUT_S
    )


def test_a_guest_pays_with_wechat_and_the_gateways_notice_is_recorded_once(ctl, web_url, standin):
    desk, room, credential = opened_room(ctl)
    due = bill_of(ctl, room).due_fen
    stub = payments(ctl)
    started = stub.StartPayment(
        pb.StartPaymentRequest(room=f"rooms/{room}", provider="wechat", request_id="p1-" + room),
        metadata=guest_md(credential),
        timeout=TIMEOUT_S,
    ).payment
    assert started.state == pb.PAYMENT_STATE_PENDING and started.amount_fen == due
    assert started.qr_content.startswith("weixin://")
    payment_id = started.name.removeprefix("payments/")
    assert standin.wechat[payment_id].total_fen == due
    again = stub.StartPayment(  # a retried request: the same payment, no second order
        pb.StartPaymentRequest(room=f"rooms/{room}", provider="wechat", request_id="p1-" + room),
        metadata=guest_md(credential),
        timeout=TIMEOUT_S,
    ).payment
    assert again.name == started.name and len(standin.wechat) == 1
    standin.pay_wechat(payment_id)
    forged = notify(web_url, "wechat", *standin.wechat_notification(payment_id, key=new_key()))
    assert forged.status_code == 401
    assert bill_of(ctl, room).paid_fen == 0
    for _ in range(2):  # the notice, then WeChat's resend of it
        answer = notify(web_url, "wechat", *standin.wechat_notification(payment_id))
        assert answer.status_code == 204, answer.text
    paid = stub.GetPayment(
        pb.GetPaymentRequest(name=started.name), metadata=guest_md(credential), timeout=TIMEOUT_S
    ).payment
    assert paid.state == pb.PAYMENT_STATE_PAID and paid.recorded_fen == due
    bill = bill_of(ctl, room)
    assert bill.paid_fen == due and bill.due_fen == 0
    assert [p.amount_fen for p in bill.payments] == [due]
    closed = desk.billing.Checkout(  # the desk closes the bill the phone paid: no tender
        bpb.CheckoutRequest(room=f"rooms/{room}", request_id=uuid.uuid4().hex),
        metadata=ctl.admin_md,
        timeout=TIMEOUT_S,
    ).bill
    assert closed.closed and closed.paid_fen == due


def test_the_sandbox_pay_page_completes_a_payment_and_a_bad_link_pays_nothing(ctl, web_url):
    _, room, credential = opened_room(ctl)
    due = bill_of(ctl, room).due_fen
    started = (
        payments(ctl)
        .StartPayment(
            pb.StartPaymentRequest(
                room=f"rooms/{room}", provider="sandbox", request_id=uuid.uuid4().hex
            ),
            metadata=guest_md(credential),
            timeout=TIMEOUT_S,
        )
        .payment
    )
    with httpx.Client(base_url=web_url, timeout=TIMEOUT_S) as phone:
        page = phone.get(started.pay_url)
        assert page.status_code == 200 and f"¥{due // 100}.{due % 100:02d}" in page.text
        form = dict(re.findall(r'name="(amount_fen|t)" value="([^"]*)"', page.text))
        path = started.pay_url.split("?")[0]
        bad = phone.post(path, data={**form, "amount_fen": "1", "outcome": "pay"})
        assert bad.status_code == 400 and bill_of(ctl, room).paid_fen == 0
        done = phone.post(path, data={**form, "outcome": "pay"})
        assert done.status_code == 200 and "已支付" in done.text
    assert bill_of(ctl, room).due_fen == 0


def test_a_guest_pays_only_for_their_own_room_and_never_reaches_the_desks_issues(ctl, web_url):
    _, room_a, guest_a = opened_room(ctl)
    _, room_b, _ = opened_room(ctl)
    stub = payments(ctl)
    with pytest.raises(grpc.RpcError) as refused:
        stub.StartPayment(
            pb.StartPaymentRequest(room=f"rooms/{room_b}", provider="sandbox", request_id="x1"),
            metadata=guest_md(guest_a),
            timeout=TIMEOUT_S,
        )
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    theirs = stub.StartPayment(
        pb.StartPaymentRequest(room=f"rooms/{room_b}", provider="sandbox", request_id="x2"),
        metadata=ctl.admin_md,
        timeout=TIMEOUT_S,
    ).payment
    with pytest.raises(grpc.RpcError) as refused:
        stub.GetPayment(
            pb.GetPaymentRequest(name=theirs.name), metadata=guest_md(guest_a), timeout=TIMEOUT_S
        )
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    for call, request in (
        (stub.ListPaymentIssues, pb.ListPaymentIssuesRequest()),
        (stub.ResolvePaymentIssue, pb.ResolvePaymentIssueRequest(name="paymentIssues/x")),
    ):
        with pytest.raises(grpc.RpcError) as refused:
            call(request, metadata=guest_md(guest_a), timeout=TIMEOUT_S)
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as refused:
        stub.StartPayment(
            pb.StartPaymentRequest(room=f"rooms/{room_a}", provider="paypal", request_id="x3"),
            metadata=guest_md(guest_a),
            timeout=TIMEOUT_S,
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    staff_only = {
        m for m, rule in PERMISSIONS.items() if rule.roles and Role.GUEST not in rule.roles
    }
    assert staff_only == {
        "/ktv.v1.PaymentService/ListPaymentIssues",
        "/ktv.v1.PaymentService/ResolvePaymentIssue",
    }
    # notifications come only through /api/pay/notify/{provider}, never the RPC gateway
    routes = routed(PermissionTable(PERMISSIONS))
    assert "PaymentService/StartPayment" in routes
    assert "PaymentService/NotifyPayment" not in routes
    assert notify(web_url, "alipay", {}, b"sign=abc&out_trade_no=1").status_code == 400


def test_the_desk_sees_a_late_payment_whose_refund_failed_and_settles_it_with_ktvctl(
    ctl, web_url, standin, tmp_path
):
    desk, room, _ = opened_room(ctl)
    started = (
        payments(ctl)
        .StartPayment(
            pb.StartPaymentRequest(
                room=f"rooms/{room}", provider="wechat", request_id=uuid.uuid4().hex
            ),
            metadata=ctl.admin_md,
            timeout=TIMEOUT_S,
        )
        .payment
    )
    desk.checkout(room)  # the guests paid cash at the desk meanwhile
    payment_id = started.name.removeprefix("payments/")
    standin.pay_wechat(payment_id)
    standin.refunds_fail = True
    try:
        assert (
            notify(web_url, "wechat", *standin.wechat_notification(payment_id)).status_code == 204
        )
    finally:
        standin.refunds_fail = False
    ktvctl = ["--data-dir", str(ctl.data_dir)]
    listed = run_ktvctl([*ktvctl, "phonepay", "issues", "--json"], config_dir=tmp_path)
    assert listed.code == 0, listed.stderr
    (issue,) = [i for i in json.loads(listed.stdout)["issues"] if i["payment"] == started.name]
    assert (
        issue["kind"] == "PAYMENT_ISSUE_KIND_LATE"
        and int(issue["amount_fen"]) == started.amount_fen
    )
    issue_id = issue["name"].removeprefix("paymentIssues/")
    table = run_ktvctl([*ktvctl, "phonepay", "issues"], config_dir=tmp_path)
    assert issue_id[:8] in table.stdout and "late" in table.stdout
    blank = run_ktvctl(
        [*ktvctl, "phonepay", "resolve", issue_id, "--note", " "], config_dir=tmp_path
    )
    assert blank.code != 0 and "--note" in blank.stderr
    done = run_ktvctl([*ktvctl, "phonepay", "resolve", issue_id, "--refund"], config_dir=tmp_path)
    assert done.code == 0 and "refunded" in done.stdout, done.stderr
    assert standin.refunds[issue_id] == started.amount_fen
    again = run_ktvctl(
        [*ktvctl, "phonepay", "resolve", issue_id, "--note", "returned in cash"],
        config_dir=tmp_path,
    )
    assert again.code != 0 and "refunded already" in again.stderr
