"""PaymentService over gRPC: phone payments (docs/guest.md, "Payments from the phone").

A thin adapter over :class:`controller.billing.phone_pay.PhonePayments`. StartPayment keeps
its intent row idempotent through ``once()`` and opens the gateway's order after that
transaction (a gateway call never holds the database). The gateways come from the venue
config: ``[payments] phone = ["wechat", "alipay"]`` with ``[payments.wechat]`` and
``[payments.alipay]`` keys; a venue whose ``provider`` is "sandbox" (the demo, tests) gets
the sandbox gateway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import grpc
from google.protobuf.message import Message

import controller.billing.api  # noqa: F401 - BillingModule registers first: its desk is ours
from controller.api.convert import ts
from controller.api.idempotent import once
from controller.app import ControllerApp, register_service_module
from controller.auth.interceptor import current_principal
from controller.auth.model import Principal, Role
from controller.auth.permissions import PUBLIC, Permission, service_rows
from controller.billing import settings
from controller.billing.gateway_sandbox import SandboxGateway
from controller.billing.intent_store import PaymentIssue
from controller.billing.intents import (
    IntentState,
    IssueKind,
    IssueState,
    PaymentIntent,
    PhoneGateway,
)
from controller.billing.phone_pay import PhonePayments
from controller.billing.service import BillingDesk
from controller.rooms.model import parse_room_name
from ktv.errors import FailedPrecondition, InvalidArgument, KtvError, PermissionDenied
from ktv.v1 import payments_pb2 as pb
from ktv.v1 import payments_pb2_grpc

R = TypeVar("R", bound=Message)
log = logging.getLogger(__name__)

BILLING_DESK_PART = "billing_desk"  # BillingModule shares its desk under this name
CASHIER_UP = frozenset({Role.CASHIER, Role.MANAGER, Role.ADMIN})
PAYING = CASHIER_UP | {Role.GUEST}
NOTIFY_BODY_BYTES_MAX = 64 * 1024  # WeChat's and Alipay's notifications are ~1-2 KB
CLIENT_ADDR_KEY = "x-ktv-client-addr"  # the HTTP gateway names the phone's address

PERMISSIONS = service_rows(
    "ktv.v1.PaymentService",
    {
        "StartPayment": Permission(PAYING, room_field="room"),
        "GetPayment": Permission(PAYING),  # a guest: their room's payments only (checked)
        "CancelPayment": Permission(PAYING),  # likewise
        "NotifyPayment": PUBLIC,  # the gateways: verified by signature, not by credential
        "ListPaymentIssues": Permission(CASHIER_UP),
        "ResolvePaymentIssue": Permission(CASHIER_UP),
    },
)

_STATE = {
    IntentState.PENDING: pb.PAYMENT_STATE_PENDING,
    IntentState.PAID: pb.PAYMENT_STATE_PAID,
    IntentState.CANCELLED: pb.PAYMENT_STATE_CANCELLED,
    IntentState.EXPIRED: pb.PAYMENT_STATE_EXPIRED,
    IntentState.FAILED: pb.PAYMENT_STATE_FAILED,
}
_ISSUE_KIND = {
    IssueKind.LATE: pb.PAYMENT_ISSUE_KIND_LATE,
    IssueKind.OVERPAID: pb.PAYMENT_ISSUE_KIND_OVERPAID,
}
_ISSUE_STATE = {
    IssueState.OPEN: pb.PAYMENT_ISSUE_STATE_OPEN,
    IssueState.REFUNDED: pb.PAYMENT_ISSUE_STATE_REFUNDED,
    IssueState.RESOLVED: pb.PAYMENT_ISSUE_STATE_RESOLVED,
}


def payment_to_pb(i: PaymentIntent) -> pb.PhonePayment:
    return pb.PhonePayment(
        name=f"payments/{i.payment_id}",
        room=f"rooms/{i.room_id}",
        bill=f"bills/{i.tab_id}",
        provider=i.provider,
        amount_fen=i.amount_fen,
        state=_STATE[i.state],
        pay_url=i.pay_url,
        qr_content=i.qr_content,
        expire_time=ts(i.expires_at),
        transaction_id=i.transaction_id,
        recorded_fen=i.recorded_fen,
        refunded_fen=i.refunded_fen,
        failure=i.failure,
        create_time=ts(i.created_at),
    )


def issue_to_pb(s: PaymentIssue) -> pb.PaymentIssue:
    return pb.PaymentIssue(
        name=f"paymentIssues/{s.issue_id}",
        payment=f"payments/{s.payment_id}",
        bill=f"bills/{s.tab_id}",
        room=f"rooms/{s.room_id}",
        provider=s.provider,
        kind=_ISSUE_KIND[s.kind],
        state=_ISSUE_STATE[s.state],
        amount_fen=s.amount_fen,
        refund_reference=s.refund_reference,
        note=s.note,
        create_time=ts(s.created_at),
        resolved_by=s.resolved_by,
    )


def _id_of(name: str, prefix: str) -> str:
    value = name.removeprefix(f"{prefix}/")
    if not value or len(value) > 64 or not value.isalnum():
        raise InvalidArgument(f"{prefix}/{{id}} expected, got {name[:80]!r}", reason="BAD_NAME")
    return value


def payer_address(context: object) -> str:
    """The phone's address for WeChat H5 pay: the peer, or for a call through the HTTP
    gateway (a local socket) the address it names in ``x-ktv-client-addr`` (as GuestService
    reads it; billing may not import the guests package, its peer on the house map)."""
    peer_of = getattr(context, "peer", None)
    peer = str(peer_of() or "") if callable(peer_of) else ""
    kind, _, rest = peer.partition(":")
    if kind == "unix" or rest.startswith(("127.0.0.1:", "[::1]:", "%5B::1%5D:")):
        for key, value in getattr(context, "invocation_metadata", lambda: ())() or ():
            if key == CLIENT_ADDR_KEY and value:
                return str(value)[:64]
    return rest.rsplit(":", 1)[0].strip("[]") if kind in ("ipv4", "ipv6") else ""


def _started_by(principal: Principal) -> str:
    if principal.role is Role.GUEST:
        return f"guest:{principal.credential_id or principal.room_id}"
    return principal.staff_id or principal.role.key


class PaymentServicer(payments_pb2_grpc.PaymentServiceServicer):
    def __init__(self, payments: PhonePayments, *, guests_may_pay: bool = True) -> None:
        self.payments = payments
        self.store = payments.store
        self.guests_may_pay = guests_may_pay  # [guests] may_pay

    def _once(self, method: str, request: Message, rtype: type[R], action: Callable[[], R]) -> R:
        return once(self.store, f"/ktv.v1.PaymentService/{method}", request, rtype, action)

    def _own(self, payment_id: str) -> PaymentIntent:
        """The payment, if the caller may see it (a guest: their room's only)."""
        intent = self.payments.records.get(payment_id)
        current_principal().require_room(intent.room_id)
        return intent

    async def StartPayment(
        self, request: pb.StartPaymentRequest, context: object
    ) -> pb.StartPaymentResponse:
        room = parse_room_name(request.room)
        provider = request.provider.strip().lower()[:32]
        principal = current_principal()
        if principal.role is Role.GUEST and not self.guests_may_pay:
            raise PermissionDenied(
                "this venue takes payment at the desk, not from phones", reason="PHONE_PAY_OFF"
            )
        who = _started_by(principal)

        def act() -> pb.StartPaymentResponse:
            intent = self.payments.open_intent(room, provider, who)
            return pb.StartPaymentResponse(payment=payment_to_pb(intent))

        first = self._once("StartPayment", request, pb.StartPaymentResponse, act)
        payment_id = first.payment.name.removeprefix("payments/")
        payer = payer_address(context)
        intent = await asyncio.to_thread(self.payments.place_order, payment_id, payer)
        return pb.StartPaymentResponse(payment=payment_to_pb(intent))

    async def GetPayment(
        self, request: pb.GetPaymentRequest, context: object
    ) -> pb.GetPaymentResponse:
        payment_id = _id_of(request.name, "payments")
        self._own(payment_id)
        intent = await asyncio.to_thread(self.payments.get, payment_id)
        return pb.GetPaymentResponse(payment=payment_to_pb(intent))

    async def CancelPayment(
        self, request: pb.CancelPaymentRequest, context: object
    ) -> pb.CancelPaymentResponse:
        payment_id = _id_of(request.name, "payments")
        self._own(payment_id)
        intent = await asyncio.to_thread(self.payments.cancel, payment_id)
        return pb.CancelPaymentResponse(payment=payment_to_pb(intent))

    async def NotifyPayment(
        self, request: pb.NotifyPaymentRequest, context: object
    ) -> pb.NotifyPaymentResponse:
        if len(request.body) > NOTIFY_BODY_BYTES_MAX or len(request.headers) > 100:
            return pb.NotifyPaymentResponse(http_status=413, content_type="text/plain")
        headers = {h.name.lower(): h.value for h in request.headers}
        answer = await asyncio.to_thread(
            self.payments.notify, request.provider[:32], headers, request.body
        )
        return pb.NotifyPaymentResponse(
            http_status=answer.http_status, content_type=answer.content_type, body=answer.body
        )

    async def ListPaymentIssues(
        self, request: pb.ListPaymentIssuesRequest, context: object
    ) -> pb.ListPaymentIssuesResponse:
        if request.page_size < 0:
            raise InvalidArgument("page_size is negative", reason="BAD_PAGE_SIZE")
        limit = min(request.page_size or 100, settings.phone_issues_page_max)
        found = self.payments.issues(include_settled=request.include_settled, limit=limit)
        return pb.ListPaymentIssuesResponse(issues=[issue_to_pb(s) for s in found])

    async def ResolvePaymentIssue(
        self, request: pb.ResolvePaymentIssueRequest, context: object
    ) -> pb.ResolvePaymentIssueResponse:
        issue_id = _id_of(request.name, "paymentIssues")
        staff = current_principal().staff_id
        if request.action == pb.RESOLVE_ACTION_RETRY_REFUND:
            self.payments.records.issue(issue_id)  # NotFound before the request is stored
            issue = await asyncio.to_thread(self.payments.refund_issue, issue_id)
            return pb.ResolvePaymentIssueResponse(issue=issue_to_pb(issue))
        if request.action != pb.RESOLVE_ACTION_MARK_RESOLVED:
            raise InvalidArgument(
                "say what to do (retry_refund, mark_resolved)", reason="BAD_ACTION"
            )

        def act() -> pb.ResolvePaymentIssueResponse:
            issue = self.payments.resolve_by_hand(issue_id, request.note, staff)
            return pb.ResolvePaymentIssueResponse(issue=issue_to_pb(issue))

        return self._once("ResolvePaymentIssue", request, pb.ResolvePaymentIssueResponse, act)


def phone_gateways(data: Mapping[str, Any], base: Path | None = None) -> dict[str, PhoneGateway]:
    """The gateways a venue config names: ``[payments] phone = [...]``; by default the
    sandbox when ``provider = "sandbox"`` (demo, tests), else none."""
    payments = data.get("payments", {})
    default = ["sandbox"] if payments.get("provider") == "sandbox" else []
    names = payments.get("phone", default)
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise InvalidArgument(
            "[payments] phone must be a list of provider names", reason="BAD_PAYMENT_CONFIG"
        )
    gateways: dict[str, PhoneGateway] = {}
    for name in names:
        if name == "sandbox":
            gateways[name] = SandboxGateway()
        elif name == "wechat":
            from controller.billing.gateway_wechat import WeChatConfig, WeChatGateway

            gateways[name] = WeChatGateway(WeChatConfig.from_toml(payments.get("wechat", {}), base))
        elif name == "alipay":
            from controller.billing.gateway_alipay import AlipayConfig, AlipayGateway

            gateways[name] = AlipayGateway(AlipayConfig.from_toml(payments.get("alipay", {}), base))
        else:
            raise InvalidArgument(
                f"[payments] phone: unknown provider {name!r}", reason="BAD_PAYMENT_CONFIG"
            )
    return gateways


class PaymentModule:
    def permissions(self) -> Mapping[str, Permission]:
        return PERMISSIONS

    def add_to_server(self, server: grpc.aio.Server, app: ControllerApp) -> list[str]:
        desk = app.parts.get(BILLING_DESK_PART)
        if not isinstance(desk, BillingDesk):
            raise FailedPrecondition("phone payments need the billing module composed first")
        path = app.options.venue_config
        data = tomllib.loads(path.read_text("utf-8")) if path else {}
        gateways = phone_gateways(data, path.parent if path else None)
        payments = PhonePayments(desk, gateways, description=app.venue.name or app.venue.venue_id)
        app.parts["phone_payments"] = payments
        may_pay = data.get("guests", {}).get("may_pay", True) is not False
        servicer = PaymentServicer(payments, guests_may_pay=may_pay)
        payments_pb2_grpc.add_PaymentServiceServicer_to_server(servicer, server)
        if gateways:
            with contextlib.suppress(RuntimeError):  # no running loop: tests that only build
                asyncio.get_running_loop().create_task(_sweep(payments))
        return [pb.DESCRIPTOR.services_by_name["PaymentService"].full_name]


async def _sweep(payments: PhonePayments) -> None:
    """Pending payments are asked of their gateway even when no phone is polling (the
    scheduler package is billing's peer, so billing keeps its own loop, like running totals)."""
    while True:
        await asyncio.sleep(settings.phone_sweep_interval_s)
        try:
            await asyncio.to_thread(payments.sweep)
        except KtvError:
            log.exception("sweeping phone payments failed")


register_service_module(PaymentModule)
