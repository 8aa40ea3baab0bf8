"""The touchscreen's ``FrontDesk`` over gRPC: menu, orders, bill, member sign-in and 续钟
paid from a member's stored value, asked of the venue controller as this room.

Every call is a short unary RPC with a deadline (``front_desk_deadline_s``), made on the
caller's thread (the touchscreen calls from its worker pool, never the UI thread), to the
controller the link found last (zeroconf or ``--controller``), with the agent's enrolled
credential: plain text + bearer token on an ``--insecure-dev`` venue, mutual TLS with the room
certificate to the agent port on a TLS venue. gRPC failures become ``ktv.errors`` of the
same meaning with the controller's message (a wrong PIN, a locked card, a closed session);
an unreachable controller is ``Unavailable`` and the screen says so while search, queue and
playback go on.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar, cast

import grpc
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from ktv import errors
from ktv.rpc_errors import reason_in
from ktv.security import grpc_tls
from ktv.v1 import billing_pb2, billing_pb2_grpc, members_pb2, members_pb2_grpc
from room_agent.link import settings
from room_agent.link.credentials import AgentCredential, load_credential
from room_agent.link.discovery import ControllerAddress
from room_agent.ui.port import (
    Bill,
    BillLine,
    ExtendOption,
    ExtendReceipt,
    MemberCard,
    MenuItem,
    OrderReceipt,
)

R = TypeVar("R", bound=Message)


def error_of(exc: grpc.RpcError) -> errors.KtvError:
    """The ``ktv.errors`` class of a failed call, with the controller's one-line message and
    its machine reason (``WRONG_PIN``, ``PIN_LOCKED``...)."""
    call = cast(grpc.Call, exc)  # a failed sync call's error is also its Call
    code = call.code()
    details = call.details() or ""
    reason = reason_in(call.trailing_metadata())
    kind = errors.error_class_for(code.name)
    if kind is errors.Unavailable:
        return errors.Unavailable(
            f"the front desk cannot be reached ({code.name})", reason=reason or "UNAVAILABLE"
        )
    message = details.splitlines()[0] if details else code.name
    return kind(message, reason=reason or None)


def _moment(ts: Timestamp) -> datetime:
    return ts.ToDatetime(tzinfo=UTC)


def _masked(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else phone


class GrpcFrontDesk:
    """``room_agent.ui.port.FrontDesk`` for an enrolled room; thread-safe."""

    def __init__(
        self,
        room_id: str,
        *,
        address: Callable[[], ControllerAddress | None],
        credential: Callable[[], AgentCredential | None],
        agent_port: int = 0,
        deadline_s: float = settings.front_desk_deadline_s,
    ) -> None:
        """``address``: where the link found the controller last (``RoomLink.address``);
        ``credential``: the stored enrollment (re-read so a re-enrolled Pi uses the new one)."""
        self.room_id = room_id
        self.room = f"rooms/{room_id}"
        self._address = address
        self._credential = credential
        self.agent_port = agent_port
        self.deadline_s = deadline_s
        self._lock = threading.Lock()
        self._channel: grpc.Channel | None = None
        self._channel_key: tuple[str, str] = ("", "")

    # --- FrontDesk ------------------------------------------------------------------------
    def menu(self) -> tuple[MenuItem, ...]:
        stub, metadata = self._billing()
        products: list[billing_pb2.Product] = []
        token = ""
        while True:  # every page (AIP-158)
            request = billing_pb2.ListProductsRequest(room=self.room, page_token=token)
            out = self._call(stub.ListProducts, request, metadata)
            products.extend(out.products)
            if not out.next_page_token or out.next_page_token == token:
                break
            token = out.next_page_token
        # Sold out (stock ran out) stays on the menu as 售罄; otherwise unavailable is hidden.
        return tuple(
            MenuItem(p.sku, p.name, p.price_fen or p.base_fen, p.category, sold_out=p.sold_out)
            for p in products
            if p.available or p.sold_out
        )

    def order(self, items: tuple[tuple[str, int], ...], request_id: str) -> OrderReceipt:
        if not items or any(quantity <= 0 for _, quantity in items):
            raise errors.InvalidArgument("choose at least one item", reason="EMPTY_ORDER")
        stub, metadata = self._billing()
        request = billing_pb2.PlaceOrderRequest(
            room=self.room,
            items=[billing_pb2.OrderItem(sku=sku, quantity=qty) for sku, qty in items],
            request_id=request_id,
        )
        out = self._call(stub.PlaceOrder, request, metadata)
        placed = next((o for o in out.bill.orders if o.order_id == out.order_id), None)
        amount = sum(line.quantity * line.unit_fen for line in placed.lines) if placed else 0
        return OrderReceipt(out.order_id, items, amount, out.bill.total_fen)

    def bill(self) -> Bill:
        stub, metadata = self._billing()
        out = self._call(stub.GetBill, billing_pb2.GetBillRequest(room=self.room), metadata)
        lines = tuple(BillLine(line.label, line.amount_fen) for line in out.bill.lines)
        extras = []
        if out.bill.service_charge_fen:
            extras.append(BillLine("服务费 service charge", out.bill.service_charge_fen))
        if out.bill.discount_fen:
            extras.append(BillLine("优惠 discount", -out.bill.discount_fen))
        return Bill(lines + tuple(extras), out.bill.total_fen, out.bill.paid_fen, out.bill.due_fen)

    def member_sign_in(self, phone: str, pin: str) -> MemberCard:
        credential = self._require_credential()
        stub = members_pb2_grpc.MembersServiceStub(self._channel_for(credential))
        request = members_pb2.SignInRequest(
            room=self.room, phone=phone, pin=pin, request_id=uuid.uuid4().hex
        )
        out = self._call(stub.SignIn, request, credential.call_metadata()).member
        return MemberCard(_masked(out.phone), out.tier, out.points, out.balance_fen)

    def extend_options(self) -> tuple[ExtendOption, ...]:
        stub, metadata = self._billing()
        request = billing_pb2.QuoteExtensionsRequest(room=self.room)
        out = self._call(stub.QuoteExtensions, request, metadata)
        return tuple(
            ExtendOption(
                minutes=q.minutes,
                label=q.label,
                price_fen=q.price_fen,
                ends_at=_moment(q.end_time) if q.HasField("end_time") else None,
                bonus_minutes=q.bonus_minutes,
            )
            for q in out.quotes
        )

    def extend_from_balance(
        self, option: ExtendOption, phone: str, pin: str, request_id: str
    ) -> ExtendReceipt:
        if not phone or not pin:
            raise errors.InvalidArgument(
                "enter the member's phone and PIN", reason="MEMBER_REQUIRED"
            )
        stub, metadata = self._billing()
        request = billing_pb2.ExtendSessionRequest(
            room=self.room,
            purchase=billing_pb2.TimePurchase(prepaid_minutes=option.minutes),
            tenders=[
                billing_pb2.TenderAmount(
                    tender=billing_pb2.TENDER_STORED_VALUE,
                    amount_fen=option.price_fen,
                    member=phone,
                    pin=pin,
                )
            ],
            request_id=request_id,
        )
        out = self._call(stub.ExtendSession, request, metadata)
        ends = _moment(out.bill.paid_until_time) if out.bill.HasField("paid_until_time") else None
        return ExtendReceipt(option.minutes, option.price_fen, ends)

    def close(self) -> None:
        with self._lock:
            if self._channel is not None:
                self._channel.close()
            self._channel = None
            self._channel_key = ("", "")

    # --- plumbing -------------------------------------------------------------------------
    def _billing(self) -> tuple[billing_pb2_grpc.BillingServiceStub, tuple[tuple[str, str], ...]]:
        credential = self._require_credential()
        stub = billing_pb2_grpc.BillingServiceStub(self._channel_for(credential))
        return stub, credential.call_metadata()

    def _require_credential(self) -> AgentCredential:
        credential = self._credential()
        if credential is None:
            raise errors.Unavailable(
                "this room is not enrolled with the controller", reason="NOT_ENROLLED"
            )
        return credential

    def _channel_for(self, credential: AgentCredential) -> grpc.Channel:
        address = self._address()
        if address is None:
            raise errors.Unavailable(
                "the front desk has not been found on the network yet", reason="NO_CONTROLLER"
            )
        target = address.link_target(self.agent_port) if credential.uses_tls else address.target
        key = (target, credential.certificate_pem or credential.agent_token)
        with self._lock:
            if self._channel is not None and self._channel_key == key:
                return self._channel
            if self._channel is not None:
                self._channel.close()
            self._channel = _open_channel(target, credential)
            self._channel_key = key
            return self._channel

    def _call(
        self,
        method: Callable[..., R],
        request: Message,
        metadata: tuple[tuple[str, str], ...],
    ) -> R:
        try:
            return method(request, metadata=metadata, timeout=self.deadline_s)
        except grpc.RpcError as exc:
            raise error_of(exc) from None


def _open_channel(target: str, credential: AgentCredential) -> grpc.Channel:
    if not credential.uses_tls:
        return grpc.insecure_channel(target)
    tls = grpc.ssl_channel_credentials(
        root_certificates=credential.ca_certificate_pem.encode(),
        private_key=credential.private_key_pem.encode() or None,
        certificate_chain=credential.certificate_pem.encode() or None,
    )
    return grpc.secure_channel(target, tls, options=grpc_tls.channel_options())


def front_desk_of(
    room_id: str,
    data_dir: Path,
    *,
    address: Callable[[], ControllerAddress | None],
    agent_port: int = 0,
) -> GrpcFrontDesk | None:
    """The gRPC front desk of an enrolled room; ``None`` for a room that never enrolled
    (the touchscreen then uses ``UnavailableFrontDesk``)."""
    if load_credential(data_dir) is None:
        return None
    return GrpcFrontDesk(
        room_id,
        address=address,
        credential=lambda: load_credential(data_dir),
        agent_port=agent_port,
    )
