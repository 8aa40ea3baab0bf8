"""Phone payments against the stand-in gateway (real sockets, the real WeChat Pay and Alipay
SDKs, real SQLite, the billing desk on an injected clock): paid, declined, expired then paid
late, notified twice, forged, paid after the desk took cash, over-paid. Amounts are integer
fen from the bill to the gateway and back."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

import controller.billing.intent_store  # registers the phone payments' tables
import controller.billing.store  # noqa: F401 - registers the billing migrations
from controller.billing.desk import TenderAmount
from controller.billing.gateway_alipay import AlipayConfig, AlipayGateway, alipay_client
from controller.billing.gateway_sandbox import SandboxGateway
from controller.billing.gateway_wechat import WeChatConfig, WeChatGateway, wechat_client
from controller.billing.intents import IntentState, IssueKind, IssueState
from controller.billing.payments import SandboxProvider
from controller.billing.phone_pay import PhonePayments
from controller.billing.records import Tender
from controller.billing.service import BillingDesk
from controller.rooms.board import RoomBoard
from controller.store.db import open_store
from ktv.errors import InvalidArgument, PaymentDeclined
from tests.support.pay_gateway import StandInGateway, new_key

from .conftest import CASHIER, MANAGER, TUESDAY, local

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "venue.toml"
NOTIFY = "https://ktv.example.cn/api/pay/notify/"


@dataclass
class FakeClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)


@pytest.fixture(scope="module")
def standin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandInGateway]:
    gw = StandInGateway()
    gw.files = gw.write_keys(tmp_path_factory.mktemp("merchant"))  # type: ignore[attr-defined]
    yield gw
    gw.close()


def wechat_config(gw: StandInGateway) -> WeChatConfig:
    files = gw.files  # type: ignore[attr-defined]
    return WeChatConfig.from_toml(
        {
            "mchid": gw.mchid,
            "appid": gw.appid,
            "cert_serial_no": gw.merchant_serial,
            "private_key_file": str(files["wechat_key"]),
            "apiv3_key": gw.apiv3_key,
            "notify_url": NOTIFY + "wechat",
            "platform_cert_dir": str(files["platform_dir"]),
            "base_url": gw.base_url,
        }
    )


def alipay_config(gw: StandInGateway) -> AlipayConfig:
    files = gw.files  # type: ignore[attr-defined]
    return AlipayConfig.from_toml(
        {
            "appid": gw.alipay_appid,
            "app_private_key_file": str(files["alipay_app_key"]),
            "alipay_public_key_file": str(files["alipay_public"]),
            "notify_url": NOTIFY + "alipay",
            "base_url": gw.base_url + "/gateway.do",
        }
    )


@pytest.fixture(scope="module")
def gateways(standin: StandInGateway) -> dict[str, object]:
    return {
        "wechat": WeChatGateway(wechat_config(standin)),
        "alipay": AlipayGateway(alipay_config(standin)),
        "sandbox": SandboxGateway(),
    }


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(local(TUESDAY, 19))


@pytest.fixture
def venue(tmp_path, clock, gateways, standin) -> Iterator[PhonePayments]:
    standin.decline_fen.clear()
    standin.refunds_fail = False
    store = open_store(tmp_path / "controller.db")
    board = RoomBoard(store, tiers=("small", "vip"), clock=clock)
    board.load()
    for room, tier in (("A08", "small"), ("B02", "vip")):
        board.create_room(room, room, tier)
    sandbox = SandboxProvider()
    billing = BillingDesk(board, clock=clock, providers={t: sandbox for t in Tender})
    billing.import_config(EXAMPLE.read_text(encoding="utf-8"), MANAGER)
    yield PhonePayments(billing, gateways, description="金色KTV A08", clock=clock)
    store.close()


def open_room(pay: PhonePayments, clock: FakeClock, room: str = "A08") -> str:
    pay.desk.open(room, 4, CASHIER)
    pay.desk.order(room, [("beer", 6)], CASHIER)
    clock.advance(30)
    return pay.desk.tab_id_of(room)


def start(pay: PhonePayments, provider: str, room: str = "A08"):  # type: ignore[no-untyped-def]
    with pay.store.transaction():
        intent = pay.open_intent(room, provider, "guest:g1")
    return pay.place_order(intent.payment_id)


def kinds(pay: PhonePayments, tab_id: str) -> list[str]:
    rows = pay.store.query(
        "SELECT kind FROM billing_events WHERE tab_id = ? ORDER BY seq", (tab_id,)
    )
    return [r["kind"] for r in rows]


def due(pay: PhonePayments, tab_id: str) -> int:
    return pay.desk.bill(tab_id).bill.due_fen


def test_wechat_payment_is_recorded_once_in_fen_and_a_repeated_notice_changes_nothing(
    venue, clock, standin
):
    tab = open_room(venue, clock)
    asked = due(venue, tab)
    intent = start(venue, "wechat")
    assert intent.state is IntentState.PENDING and intent.amount_fen == asked
    assert intent.pay_url.startswith("weixin://wxpay/bizpayurl?pr=")
    order = standin.wechat[intent.payment_id]
    assert order.total_fen == asked and isinstance(order.total_fen, int)
    assert order.notify_url == NOTIFY + "wechat"
    standin.pay_wechat(intent.payment_id)
    for _ in range(2):  # WeChat resends until it hears 2xx: each is signed afresh
        answer = venue.notify("wechat", *standin.wechat_notification(intent.payment_id))
        assert answer.http_status == 204
    paid = venue.get(intent.payment_id)
    assert paid.state is IntentState.PAID and paid.recorded_fen == asked
    assert paid.transaction_id == order.transaction_id
    assert kinds(venue, tab).count("PaymentTaken") == 1
    bill = venue.desk.bill(tab).bill
    assert bill.paid_fen == asked and bill.due_fen == 0
    payment = venue.desk.bill(tab).tab.payments[-1]
    assert payment.tender is Tender.WECHAT and payment.reference == order.transaction_id
    assert payment.amount_fen == asked and payment.provider == "wechat"
    venue.desk.checkout("A08", CASHIER)
    assert kinds(venue, tab).count("TabCheckedOut") == 1
    assert standin.refused_requests == 0


def test_alipay_wap_payment_signed_rsa2_is_recorded(venue, clock, standin):
    tab = open_room(venue, clock)
    asked = due(venue, tab)
    intent = start(venue, "alipay")
    # the guest's browser opens Alipay's page: the stand-in checks the RSA2 signature
    opened = httpx.get(intent.pay_url, timeout=10)
    assert opened.status_code == 200 and "stand-in" in opened.text
    assert standin.refused_requests == 0
    order = standin.alipay[intent.payment_id]
    assert order.total_amount == f"{asked // 100}.{asked % 100:02d}"
    assert venue.get(intent.payment_id).state is IntentState.PENDING
    standin.pay_alipay(intent.payment_id)
    for _ in range(2):
        answer = venue.notify("alipay", *standin.alipay_notification(intent.payment_id))
        assert (answer.http_status, answer.body) == (200, b"success")
    assert venue.get(intent.payment_id).recorded_fen == asked
    assert kinds(venue, tab).count("PaymentTaken") == 1
    assert venue.desk.bill(tab).tab.payments[-1].tender is Tender.ALIPAY


def test_a_declined_order_fails_the_payment_and_leaves_the_bill_alone(venue, clock, standin):
    tab = open_room(venue, clock)
    standin.decline_fen.add(due(venue, tab))
    with pytest.raises(PaymentDeclined):
        start(venue, "wechat")
    (failed,) = venue.store.query("SELECT payment_id, state, failure FROM billing_phone_payments")
    assert failed["state"] == "failed" and "refused" in failed["failure"]
    assert kinds(venue, tab).count("PaymentTaken") == 0


def test_an_expired_payment_paid_late_is_still_recorded_and_a_lost_notice_is_found_by_query(
    venue, clock, standin
):
    tab = open_room(venue, clock)
    intent = start(venue, "wechat")
    clock.advance(16)  # past the 15-minute order: the query finds it unpaid and closes it
    expired = venue.get(intent.payment_id)
    assert expired.state is IntentState.EXPIRED
    assert standin.wechat[intent.payment_id].state == "CLOSED"
    standin.pay_wechat(intent.payment_id)  # the guest's payment raced the close
    answer = venue.notify("wechat", *standin.wechat_notification(intent.payment_id))
    assert answer.http_status == 204
    late = venue.get(intent.payment_id)
    assert late.state is IntentState.PAID and late.recorded_fen == intent.amount_fen
    # a second order whose notification never arrives: GetPayment asks the gateway
    venue.desk.order("A08", [("beer", 30)], CASHIER)  # over the minimum spend
    again = start(venue, "wechat")
    standin.pay_wechat(again.payment_id)
    assert venue.get(again.payment_id).state is IntentState.PENDING  # not overdue yet
    clock.advance(1)
    assert venue.get(again.payment_id).state is IntentState.PAID
    assert kinds(venue, tab).count("PaymentTaken") == 2 and due(venue, tab) == 0


def test_forged_notifications_are_refused_and_change_nothing(venue, clock, standin):
    tab = open_room(venue, clock)
    wx = start(venue, "wechat")
    ali = start(venue, "alipay")
    httpx.get(ali.pay_url, timeout=10)
    standin.pay_wechat(wx.payment_id)
    standin.pay_alipay(ali.payment_id)
    stranger = new_key()
    forged = [
        ("wechat", standin.wechat_notification(wx.payment_id, key=stranger)),
        ("wechat", standin.wechat_notification(wx.payment_id, apiv3_key="0" * 32)),
        ("alipay", standin.alipay_notification(ali.payment_id, key=stranger)),
    ]
    headers, body = standin.wechat_notification(wx.payment_id)
    forged.append(("wechat", (headers, body.replace(b"encrypt-resource", b"encrypt-resourcE"))))
    headers, body = standin.alipay_notification(ali.payment_id)
    forged.append(("alipay", (headers, body.replace(b"total_amount=", b"total_amount=1"))))
    token = venue.gateways["sandbox"].token(wx.payment_id, wx.amount_fen)  # type: ignore[attr-defined]
    forged.append(("sandbox", ({}, f"payment_id={wx.payment_id}&amount_fen=1&t={token}".encode())))
    for provider, (headers, body) in forged:
        answer = venue.notify(provider, headers, body)
        assert answer.http_status in (400, 401), (provider, answer)
    assert venue.notify("nobody", {}, b"").http_status == 404
    assert kinds(venue, tab).count("PaymentTaken") == 0
    for intent in (wx, ali):
        assert venue.records.get(intent.payment_id).state is IntentState.PENDING


def test_a_payment_after_the_desk_took_cash_is_refunded_and_the_bill_closes_once(
    venue, clock, standin
):
    tab = open_room(venue, clock)
    intent = start(venue, "wechat")
    cash = due(venue, tab)
    venue.desk.checkout("A08", CASHIER, [TenderAmount(Tender.CASH, cash)])
    standin.pay_wechat(intent.payment_id)
    assert (
        venue.notify("wechat", *standin.wechat_notification(intent.payment_id)).http_status == 204
    )
    late = venue.get(intent.payment_id)
    assert late.state is IntentState.PAID and late.recorded_fen == 0
    assert late.refunded_fen == intent.amount_fen
    (issue,) = venue.issues(include_settled=True, limit=10)
    assert (issue.kind, issue.state, issue.amount_fen) == (
        IssueKind.LATE,
        IssueState.REFUNDED,
        intent.amount_fen,
    )
    assert standin.refunds[issue.issue_id] == intent.amount_fen
    assert venue.issues(include_settled=False, limit=10) == []
    events = kinds(venue, tab)
    assert events.count("TabCheckedOut") == 1 and events.count("PaymentTaken") == 1
    assert venue.desk.bill(tab).bill.paid_fen == cash
    # the same notification again refunds nothing twice
    venue.notify("wechat", *standin.wechat_notification(intent.payment_id))
    assert len(venue.issues(include_settled=True, limit=10)) == 1


def test_an_over_payment_records_the_due_and_a_failed_refund_is_flagged_until_retried(
    venue, clock, standin
):
    tab = open_room(venue, clock)
    intent = start(venue, "alipay")
    httpx.get(intent.pay_url, timeout=10)
    venue.desk.pay("A08", [TenderAmount(Tender.CASH, 1000)], CASHIER)  # the desk took ¥10
    standin.refunds_fail = True
    standin.pay_alipay(intent.payment_id)
    venue.notify("alipay", *standin.alipay_notification(intent.payment_id))
    paid = venue.get(intent.payment_id)
    assert paid.recorded_fen == intent.amount_fen - 1000 and due(venue, tab) == 0
    (issue,) = venue.issues(include_settled=False, limit=10)
    assert (issue.kind, issue.state, issue.amount_fen) == (
        IssueKind.OVERPAID,
        IssueState.OPEN,
        1000,
    )
    assert "refund failed" in issue.note
    standin.refunds_fail = False
    retried = venue.refund_issue(issue.issue_id)
    assert retried.state is IssueState.REFUNDED and standin.refunds[issue.issue_id] == 1000
    assert venue.get(intent.payment_id).refunded_fen == 1000


def test_an_issue_settled_by_hand_needs_a_note_and_settles_once(venue, clock, standin):
    open_room(venue, clock)
    intent = start(venue, "wechat")
    venue.desk.checkout("A08", CASHIER, [TenderAmount(Tender.CASH, intent.amount_fen)])
    standin.refunds_fail = True
    standin.pay_wechat(intent.payment_id)
    venue.notify("wechat", *standin.wechat_notification(intent.payment_id))
    (issue,) = venue.issues(include_settled=False, limit=10)
    with pytest.raises(InvalidArgument):
        venue.resolve_by_hand(issue.issue_id, "  ", "m1")
    with venue.store.transaction():
        done = venue.resolve_by_hand(issue.issue_id, "returned ¥ in cash", "m1")
    assert done.state is IssueState.RESOLVED and done.resolved_by == "m1"
    assert venue.refund_issue(issue.issue_id).state is IssueState.RESOLVED  # no refund now


def test_the_sdks_are_pointed_at_the_configured_gateway_and_need_the_platform_cert(
    standin, tmp_path
):
    config = wechat_config(standin)
    assert wechat_client(config)._core._gate_way == standin.base_url
    assert alipay_client(alipay_config(standin))._gateway == standin.base_url + "/gateway.do"
    empty = tmp_path / "no-certs"
    empty.mkdir()
    from dataclasses import replace

    with pytest.raises(InvalidArgument) as refused:
        wechat_client(replace(config, platform_cert_dir=str(empty)))
    assert refused.value.reason == "BAD_PAYMENT_CONFIG"
    with pytest.raises(InvalidArgument):
        WeChatConfig.from_toml({"mchid": "1"})


def test_the_sandbox_gateway_declines_by_amount_and_reuses_a_pending_payment(venue, clock):
    tab = open_room(venue, clock)
    first = start(venue, "sandbox")
    assert first.pay_url.startswith(f"/api/pay/sandbox/{first.payment_id}?amount_fen=")
    assert start(venue, "sandbox").payment_id == first.payment_id  # a second phone, same bill
    sandbox = venue.gateways["sandbox"]
    form = f"payment_id={first.payment_id}&amount_fen={first.amount_fen}"
    form += f"&t={sandbox.token(first.payment_id, first.amount_fen)}&outcome=pay"  # type: ignore[attr-defined]
    assert venue.notify("sandbox", {}, form.encode()).http_status == 200
    assert venue.get(first.payment_id).state is IntentState.PAID and due(venue, tab) == 0


def test_phones_may_not_pay_where_the_venue_says_so_but_the_desk_still_may(venue, clock):
    import asyncio

    from controller.auth.interceptor import CALLER
    from controller.auth.model import Principal, Role
    from controller.billing.payments_api import PaymentServicer
    from ktv.errors import PermissionDenied
    from ktv.v1 import payments_pb2 as pb

    open_room(venue, clock)
    servicer = PaymentServicer(venue, guests_may_pay=False)
    ask = pb.StartPaymentRequest(room="rooms/A08", provider="sandbox", request_id="r1")
    token = CALLER.set(Principal(Role.GUEST, room_id="A08", credential_id="g1"))
    try:
        with pytest.raises(PermissionDenied) as refused:
            asyncio.run(servicer.StartPayment(ask, None))
        assert refused.value.reason == "PHONE_PAY_OFF"
    finally:
        CALLER.reset(token)
    token = CALLER.set(Principal(Role.CASHIER, staff_id="c1"))
    try:
        answer = asyncio.run(servicer.StartPayment(ask, None))
    finally:
        CALLER.reset(token)
    assert answer.payment.state == pb.PAYMENT_STATE_PENDING and answer.payment.pay_url


def test_cancelling_closes_an_unpaid_order_but_records_one_the_guest_already_paid(
    venue, clock, standin
):
    tab = open_room(venue, clock)
    unpaid = start(venue, "wechat")
    cancelled = venue.cancel(unpaid.payment_id)
    assert cancelled.state is IntentState.CANCELLED
    assert standin.wechat[unpaid.payment_id].state == "CLOSED"
    paid = start(venue, "alipay")
    httpx.get(paid.pay_url, timeout=10)
    standin.pay_alipay(paid.payment_id)  # paid a moment before the guest tapped 取消
    after = venue.cancel(paid.payment_id)
    assert after.state is IntentState.PAID and after.recorded_fen == paid.amount_fen
    assert due(venue, tab) == 0 and kinds(venue, tab).count("PaymentTaken") == 1


def test_the_sweep_records_a_payment_nobody_polls_and_refunds_one_whose_bill_closed(
    venue, clock, standin
):
    """A controller the internet cannot reach hears no notices, and the guest closed the page:
    the periodic sweep asks the gateway."""
    tab = open_room(venue, clock)
    paid = start(venue, "wechat")
    standin.pay_wechat(paid.payment_id)
    assert "checked 0" in venue.sweep()  # not late yet
    clock.advance(1)
    assert "checked 1" in venue.sweep()
    assert venue.records.get(paid.payment_id).state is IntentState.PAID and due(venue, tab) == 0
    venue.desk.order("A08", [("beer", 30)], CASHIER)
    raced = start(venue, "alipay")
    httpx.get(raced.pay_url, timeout=10)
    venue.desk.checkout("A08", CASHIER, [TenderAmount(Tender.CASH, raced.amount_fen)])
    standin.pay_alipay(raced.payment_id)
    standin.refunds_fail = True  # the first refund fails: the next sweep retries it
    clock.advance(1)
    venue.sweep()
    (issue,) = venue.issues(include_settled=False, limit=10)
    standin.refunds_fail = False
    assert "refunded 1" in venue.sweep()
    assert venue.records.issue(issue.issue_id).state is IssueState.REFUNDED
    assert standin.refunds[issue.issue_id] == raced.amount_fen
    assert kinds(venue, tab).count("TabCheckedOut") == 1


def test_wechat_h5_pay_sends_the_phones_address_and_answers_a_page_to_open(venue, clock, standin):
    from dataclasses import replace

    from controller.billing.payments_api import payer_address

    open_room(venue, clock)
    venue.gateways["h5"] = WeChatGateway(replace(wechat_config(standin), pay_type="h5"))

    class ThroughTheWebGateway:  # a call from the HTTP side's local socket
        def peer(self) -> str:
            return "unix:/var/lib/ktv/gateway.sock"

        def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
            return (("x-ktv-client-addr", "203.0.113.7"),)

    class Direct:
        def peer(self) -> str:
            return "ipv4:198.51.100.4:50213"

    assert payer_address(ThroughTheWebGateway()) == "203.0.113.7"
    assert payer_address(Direct()) == "198.51.100.4"
    with venue.store.transaction():
        intent = venue.open_intent("A08", "h5", "guest:g1")
    placed = venue.place_order(intent.payment_id, payer_address(ThroughTheWebGateway()))
    assert placed.pay_url.startswith("https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?")
    assert standin.payer_ips[intent.payment_id] == "203.0.113.7"
    with pytest.raises(InvalidArgument):
        WeChatConfig.from_toml({**_toml(standin), "pay_type": "jsapi"})


def _toml(gw: StandInGateway) -> dict[str, str]:
    files = gw.files  # type: ignore[attr-defined]
    return {
        "mchid": gw.mchid,
        "appid": gw.appid,
        "cert_serial_no": gw.merchant_serial,
        "private_key_file": str(files["wechat_key"]),
        "apiv3_key": gw.apiv3_key,
        "notify_url": NOTIFY + "wechat",
        "platform_cert_dir": str(files["platform_dir"]),
    }
