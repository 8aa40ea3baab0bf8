"""BillingService over gRPC: a thin adapter from ktv.v1 messages to :class:`BillingDesk`.

Every mutating call runs inside ``once()`` (request_id -> first response, same transaction),
so a retried checkout returns the first receipt and charges nothing twice.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import tomllib
from collections.abc import Callable, Mapping
from typing import TypeVar

import grpc
from google.protobuf.message import Message

from controller.api.convert import ts
from controller.api.idempotent import once
from controller.api.paging import decode_token, page_size
from controller.app import ControllerApp, register_service_module
from controller.auth.interceptor import current_principal
from controller.auth.model import Role, staff_id_input
from controller.auth.permissions import (
    ALL_ROLES,
    MANAGER_UP,
    STAFF_ROLES,
    Permission,
    service_rows,
)
from controller.auth.pin_attempts import staff_attempts
from controller.billing import settings
from controller.billing.bill import Outcome
from controller.billing.caps import Approval, caps_from_config
from controller.billing.convert import (
    PageToken,
    actor_of,
    audit_detail,
    audit_event_kind,
    bill_id,
    bill_to_pb,
    fit_response,
    page_size_from_pb,
    page_token_from_pb,
    products_page,
    purchase_from_pb,
    staff_role,
    tenders_from_pb,
)
from controller.billing.desk import Product, check_order_items
from controller.billing.payments import default_providers
from controller.billing.receipt import escpos, render_receipt
from controller.billing.records import Actor, OrderSource
from controller.billing.self_service import RoomSelfService, check_room_extension
from controller.billing.service import BillingDesk
from controller.billing.settlement import settled_hooks
from controller.billing.stock import stock_keepers
from controller.billing.store import AuditEntry
from controller.rooms.model import parse_room_name
from ktv.errors import InvalidArgument, KtvError
from ktv.limits import (
    AUDIT_PAGE_BYTES_MAX,
    MENU_PRODUCTS_MAX,
    PRODUCTS_PAGE_DEFAULT,
    VERIFY_PROBLEMS_MAX,
)
from ktv.v1 import billing_pb2 as pb
from ktv.v1 import billing_pb2_grpc

log = logging.getLogger(__name__)
R = TypeVar("R", bound=Message)

CASHIER_UP = frozenset({Role.CASHIER, Role.MANAGER, Role.ADMIN})
WAITER_UP = CASHIER_UP | {Role.WAITER}
ORDERING = WAITER_UP | {Role.GUEST, Role.AGENT}
SYSTEM = Actor("controller", Role.ADMIN)


Approver = Callable[[str, str], Approval]  # staff id, PIN -> the PIN-checked approval


def no_approvals(staff_id: str, pin: str) -> Approval:
    raise InvalidArgument("this controller takes no approvals", reason="APPROVAL_REQUIRED")


class BillingServicer(billing_pb2_grpc.BillingServiceServicer):
    def __init__(
        self, desk: BillingDesk, venue_name: str = "KTV", approver: Approver = no_approvals
    ) -> None:
        self.desk = desk
        self.store = desk.store
        self.venue_name = venue_name
        self.self_service = RoomSelfService(desk)
        self.approver = approver
        # Hooks other modules install by name (controller.guests: "guest_orders", the venue's
        # rules for orders from guests' phones); looked up per call, set after this is built.
        self.parts: dict[str, object] = {}

    async def _approval(self, staff_id: str, pin: str) -> Approval | None:
        """A manager's approval given at the same call: their PIN checked (and counted, with
        the persisted lockout) before anything else, outside the action's transaction."""
        if not staff_id and not pin:
            return None
        return await asyncio.to_thread(self.approver, staff_id, pin)

    def _once(self, method: str, request: Message, rtype: type[R], action: Callable[[], R]) -> R:
        return once(
            self.store, f"/ktv.v1.BillingService/{method}", request, rtype, action, fit_response
        )

    @staticmethod
    def _room(name: str) -> str:
        return parse_room_name(name)

    @staticmethod
    def _actor() -> Actor:
        return actor_of(current_principal())

    async def OpenSession(
        self, request: pb.OpenSessionRequest, context: object
    ) -> pb.OpenSessionResponse:
        room = self._room(request.room)
        purchase = purchase_from_pb(request.purchase) if request.HasField("purchase") else None
        tenders = tenders_from_pb(request.tenders)

        def act() -> pb.OpenSessionResponse:
            out = self.desk.open(
                room,
                request.guest_count,
                self._actor(),
                purchase=purchase,
                tenders=tenders,
                booking=request.booking,
                request_id=request.request_id,
            )
            return pb.OpenSessionResponse(bill=bill_to_pb(out.bill, out.tab))

        return self._once("OpenSession", request, pb.OpenSessionResponse, act)

    async def ExtendSession(
        self, request: pb.ExtendSessionRequest, context: object
    ) -> pb.ExtendSessionResponse:
        room = self._room(request.room)
        purchase = purchase_from_pb(request.purchase)
        tenders = tenders_from_pb(request.tenders)
        by_room = check_room_extension(current_principal(), purchase, tenders)

        def act() -> pb.ExtendSessionResponse:
            out = self.desk.extend(
                room,
                purchase,
                self._actor(),
                tenders=tenders,
                request_id=request.request_id,
                pay_in_full=by_room,
            )
            return pb.ExtendSessionResponse(bill=bill_to_pb(out.bill, out.tab))

        return self._once("ExtendSession", request, pb.ExtendSessionResponse, act)

    async def SetGuestCount(
        self, request: pb.SetGuestCountRequest, context: object
    ) -> pb.SetGuestCountResponse:
        room = self._room(request.room)

        def act() -> pb.SetGuestCountResponse:
            out = self.desk.change_guests(room, request.guest_count, self._actor())
            return pb.SetGuestCountResponse(bill=bill_to_pb(out.bill, out.tab))

        return self._once("SetGuestCount", request, pb.SetGuestCountResponse, act)

    async def MoveSession(
        self, request: pb.MoveSessionRequest, context: object
    ) -> pb.MoveSessionResponse:
        room, to_room = self._room(request.room), self._room(request.to_room)

        def act() -> pb.MoveSessionResponse:
            out = self.desk.move(room, to_room, self._actor())
            return pb.MoveSessionResponse(bill=bill_to_pb(out.bill, out.tab))

        return self._once("MoveSession", request, pb.MoveSessionResponse, act)

    async def MergeSessions(
        self, request: pb.MergeSessionsRequest, context: object
    ) -> pb.MergeSessionsResponse:
        room, source = self._room(request.room), self._room(request.source_room)

        def act() -> pb.MergeSessionsResponse:
            out = self.desk.merge(source, room, self._actor())
            return pb.MergeSessionsResponse(bill=bill_to_pb(out.bill, out.tab))

        return self._once("MergeSessions", request, pb.MergeSessionsResponse, act)

    async def PlaceOrder(
        self, request: pb.PlaceOrderRequest, context: object
    ) -> pb.PlaceOrderResponse:
        room = self._room(request.room)
        items = [(i.sku, i.quantity) for i in request.items]
        check_order_items(items, self.desk.limits)  # before any lookup or price
        actor = self._actor()
        source = (
            OrderSource.ROOM if actor.role in (Role.GUEST, Role.AGENT) else OrderSource.FRONT_DESK
        )
        guest_orders = self.parts.get("guest_orders")
        if actor.role is Role.GUEST and callable(guest_orders):
            guest_orders(items)  # a phone's order: the venue may forbid it or cap it

        def act() -> pb.PlaceOrderResponse:
            out = self.desk.order(room, items, actor, source)
            return pb.PlaceOrderResponse(order_id=out.order_id, bill=bill_to_pb(out.bill, out.tab))

        return self._once("PlaceOrder", request, pb.PlaceOrderResponse, act)

    async def UpdateOrder(
        self, request: pb.UpdateOrderRequest, context: object
    ) -> pb.UpdateOrderResponse:
        room = self._room(request.room)
        actions = {
            pb.ORDER_ACTION_DELIVER: "deliver",
            pb.ORDER_ACTION_CANCEL: "cancel",
            pb.ORDER_ACTION_COMP: "comp",
        }
        if request.action not in actions:
            raise InvalidArgument(
                "action must be DELIVER, CANCEL or COMP", reason="BAD_ORDER_ACTION"
            )
        approval = await self._approval(request.approver_staff_id, request.approver_pin)

        def act() -> pb.UpdateOrderResponse:
            out = self.desk.update_order(
                room,
                request.order_id,
                actions[request.action],
                self._actor(),
                request.reason,
                approval=approval,
            )
            return pb.UpdateOrderResponse(bill=bill_to_pb(out.bill, out.tab))

        return self._once("UpdateOrder", request, pb.UpdateOrderResponse, act)

    async def ApplyDiscount(
        self, request: pb.ApplyDiscountRequest, context: object
    ) -> pb.ApplyDiscountResponse:
        room = self._room(request.room)
        approval = await self._approval(request.approver_staff_id, request.approver_pin)

        def act() -> pb.ApplyDiscountResponse:
            out = self.desk.discount(
                room,
                self._actor(),
                reason=request.reason,
                percent_bp=request.percent_bp,
                amount_fen=request.amount_fen,
                approval=approval,
            )
            return pb.ApplyDiscountResponse(bill=bill_to_pb(out.bill, out.tab))

        return self._once("ApplyDiscount", request, pb.ApplyDiscountResponse, act)

    def _lookup(self, room_name: str, bill_name: str, page: PageToken | None = None) -> Outcome:
        principal = current_principal()
        if bill_name:
            if principal.role.room_scoped:
                raise InvalidArgument(
                    "guests and agents ask for their room's bill", reason="BAD_BILL_NAME"
                )
            tab_id = bill_id(bill_name)
        else:
            tab_id = self.desk.tab_id_of(self._room(room_name))
        if page is None:
            return self.desk.bill(tab_id)
        if page.tab_id != tab_id:
            raise InvalidArgument(
                "page_token belongs to another bill (the room's bill changed?): start again",
                reason="BAD_PAGE_TOKEN",
            )
        now = self.desk.clock()
        tab = self.desk.records.load(tab_id).tab(tab_id)
        starts = [seg.start for stay in tab.stays for seg in stay.segments]
        # the next pages are of the first page's instant, within what the tab has seen
        as_of = min(max(page.as_of, *starts, tab.opened_at), now)
        return self.desk.bill(tab_id, as_of)

    async def GetBill(self, request: pb.GetBillRequest, context: object) -> pb.GetBillResponse:
        size = page_size_from_pb(request.page_size)
        page = page_token_from_pb(request.page_token)
        out = self._lookup(request.room, request.name, page)
        offset = page.offset if page else 0
        return pb.GetBillResponse(bill=bill_to_pb(out.bill, out.tab, offset=offset, page_size=size))

    async def TakePayment(
        self, request: pb.TakePaymentRequest, context: object
    ) -> pb.TakePaymentResponse:
        room = self._room(request.room)
        tenders = tenders_from_pb(request.tenders)

        def act() -> pb.TakePaymentResponse:
            out = self.desk.pay(room, tenders, self._actor(), request.request_id)
            return pb.TakePaymentResponse(bill=bill_to_pb(out.bill, out.tab))

        return self._once("TakePayment", request, pb.TakePaymentResponse, act)

    async def Checkout(self, request: pb.CheckoutRequest, context: object) -> pb.CheckoutResponse:
        room = self._room(request.room)
        tenders = tenders_from_pb(request.tenders)

        def act() -> pb.CheckoutResponse:
            out = self.desk.checkout(room, self._actor(), tenders, request.request_id)
            return pb.CheckoutResponse(bill=bill_to_pb(out.bill, out.tab))

        return self._once("Checkout", request, pb.CheckoutResponse, act)

    async def RefundPayment(
        self, request: pb.RefundPaymentRequest, context: object
    ) -> pb.RefundPaymentResponse:
        tab_id = bill_id(request.bill)
        approval = await self._approval(request.approver_staff_id, request.approver_pin)

        def act() -> pb.RefundPaymentResponse:
            out = self.desk.refund(
                tab_id,
                request.payment_id,
                request.amount_fen,
                request.reason,
                self._actor(),
                request.request_id,
                approval=approval,
            )
            return pb.RefundPaymentResponse(bill=bill_to_pb(out.bill, out.tab))

        return self._once("RefundPayment", request, pb.RefundPaymentResponse, act)

    async def ImportPricePlan(
        self, request: pb.ImportPricePlanRequest, context: object
    ) -> pb.ImportPricePlanResponse:
        def act() -> pb.ImportPricePlanResponse:
            plan = self.desk.import_config(request.config_toml, self._actor())
            return pb.ImportPricePlanResponse(version=plan.version)

        return self._once("ImportPricePlan", request, pb.ImportPricePlanResponse, act)

    async def GetPricePlan(
        self, request: pb.GetPricePlanRequest, context: object
    ) -> pb.GetPricePlanResponse:
        records = self.desk.records
        active = records.active_version()
        version = request.version or active
        return pb.GetPricePlanResponse(
            version=version,
            config_toml=records.plan_source(version),
            versions=records.versions(),
            active_version=active,
        )

    async def ListProducts(
        self, request: pb.ListProductsRequest, context: object
    ) -> pb.ListProductsResponse:
        size = page_size(request.page_size, PRODUCTS_PAGE_DEFAULT, MENU_PRODUCTS_MAX)
        after = decode_token(request.page_token, "products", request.room)
        return products_page(self.self_service.priced_menu(request.room), size, after, request.room)

    async def QuoteExtensions(
        self, request: pb.QuoteExtensionsRequest, context: object
    ) -> pb.QuoteExtensionsResponse:
        return self.self_service.quote_extensions(request)

    async def UpsertProduct(
        self, request: pb.UpsertProductRequest, context: object
    ) -> pb.UpsertProductResponse:
        p = request.product

        def act() -> pb.UpsertProductResponse:
            stored = self.desk.put_product(
                Product(p.sku, p.name, p.category, p.base_fen, p.available), self._actor()
            )
            return pb.UpsertProductResponse(
                product=pb.Product(
                    sku=stored.sku,
                    name=stored.name,
                    category=stored.category,
                    base_fen=stored.base_fen,
                    available=stored.available,
                    price_fen=stored.base_fen,
                )
            )

        return self._once("UpsertProduct", request, pb.UpsertProductResponse, act)

    async def ListAuditEntries(
        self, request: pb.ListAuditEntriesRequest, context: object
    ) -> pb.ListAuditEntriesResponse:
        if request.page_size < 0:
            raise InvalidArgument("page_size must not be negative", reason="BAD_PAGE_SIZE")
        size = min(
            request.page_size or settings.audit_page_size_default, settings.audit_page_size_max
        )
        tab_id = bill_id(request.bill) if request.bill else None
        after_seq = _audit_token_seq(request.page_token, request.bill)
        out = pb.ListAuditEntriesResponse()
        used = 0
        chunk = min(AUDIT_CHUNK_ROWS, size + 1)
        while True:  # in chunks: a page never loads much more than it sends
            rows = self.desk.records.audit(tab_id, chunk, after_seq)
            for e in rows:
                entry = _audit_pb(e)
                used += entry.ByteSize() + 4
                if len(out.entries) == size or (out.entries and used > AUDIT_PAGE_BYTES_MAX):
                    out.next_page_token = _audit_token(out.entries[-1].seq, request.bill)
                    return out
                out.entries.append(entry)
                after_seq = e.seq
            if len(rows) < chunk:
                return out

    async def PrintReceipt(
        self, request: pb.PrintReceiptRequest, context: object
    ) -> pb.PrintReceiptResponse:
        out = self._lookup(request.room, request.bill)
        plan = self.desk.records.plan(out.tab.plan_version)
        text = render_receipt(
            out.bill,
            out.tab,
            venue_name=self.venue_name,
            width_mm=request.width_mm or 58,
            local_time=out.bill.as_of.astimezone(plan.clock.tz),
        )
        return pb.PrintReceiptResponse(text=text, escpos=escpos(text))

    async def VerifyLedger(
        self, request: pb.VerifyLedgerRequest, context: object
    ) -> pb.VerifyLedgerResponse:
        records = self.desk.records
        problems = records.verify(self.desk.clock())
        if len(problems) > VERIFY_PROBLEMS_MAX:
            more = len(problems) - VERIFY_PROBLEMS_MAX
            problems = [*problems[:VERIFY_PROBLEMS_MAX], f"... and {more} more differences"]
        entries = self.store.query_one("SELECT COUNT(*) AS n FROM billing_events")
        return pb.VerifyLedgerResponse(
            bill_count=len(records.tab_ids()),
            entry_count=entries["n"] if entries else 0,
            problems=problems,
        )


PERMISSIONS = service_rows(
    "ktv.v1.BillingService",
    {
        "OpenSession": Permission(CASHIER_UP),
        "ExtendSession": Permission(CASHIER_UP | {Role.AGENT}, room_field="room"),
        "SetGuestCount": Permission(WAITER_UP),
        "MoveSession": Permission(CASHIER_UP),
        "MergeSessions": Permission(CASHIER_UP),
        "PlaceOrder": Permission(ORDERING, room_field="room"),
        "UpdateOrder": Permission(WAITER_UP),
        "ApplyDiscount": Permission(CASHIER_UP),  # over the cashier's cap: an approval
        "GetBill": Permission(ORDERING, room_field="room"),
        "TakePayment": Permission(CASHIER_UP),
        "Checkout": Permission(CASHIER_UP),
        "RefundPayment": Permission(CASHIER_UP),  # likewise (controller/billing/caps.py)
        "ImportPricePlan": Permission(MANAGER_UP),
        "GetPricePlan": Permission(STAFF_ROLES),
        "ListProducts": Permission(ALL_ROLES),
        "QuoteExtensions": Permission(ORDERING, room_field="room"),
        "UpsertProduct": Permission(MANAGER_UP),
        "ListAuditEntries": Permission(MANAGER_UP),
        "PrintReceipt": Permission(CASHIER_UP),
        "VerifyLedger": Permission(MANAGER_UP),
    },
)


AUDIT_CHUNK_ROWS = 200


def _audit_pb(e: AuditEntry) -> pb.AuditEntry:
    """One audit row; an event too large for a page on its own (a 45,000-line order logged
    before orders were bounded) keeps its kind and size, not its body."""
    body = e.body
    if len(body) > AUDIT_PAGE_BYTES_MAX // 8:
        body = json.dumps({"type": e.kind, "truncated_chars": len(body)})
    return pb.AuditEntry(
        seq=e.seq,
        bill=f"bills/{e.tab_id}",
        kind=e.kind,
        time=ts(e.at),
        staff_id=e.staff_id,
        role=e.role,
        total_before_fen=e.total_before_fen,
        total_after_fen=e.total_after_fen,
        paid_before_fen=e.paid_before_fen,
        paid_after_fen=e.paid_after_fen,
        detail_json=body,
        detail=audit_detail(body),
        event_kind=audit_event_kind(e.kind),
        staff_role=staff_role(e.role),
    )


def _venue_text(app: ControllerApp) -> str:
    path = app.options.venue_config
    return path.read_text(encoding="utf-8") if path else ""


class BillingModule:
    def permissions(self) -> Mapping[str, Permission]:
        return PERMISSIONS

    def add_to_server(self, server: grpc.aio.Server, app: ControllerApp) -> list[str]:
        text = _venue_text(app)
        data = tomllib.loads(text) if text else {}
        kind = str(data.get("payments", {}).get("provider", "terminal"))
        providers = default_providers(kind, app.store, app.clock)
        hooks = settled_hooks(app.store, app.clock)
        desk = BillingDesk(
            app.board,
            clock=app.clock,
            providers=providers,
            on_settled=hooks,
            limits=app.venue.limits,
            stock=stock_keepers(app),
            caps=caps_from_config(data.get("caps", {})),
        )
        app.parts["billing_desk"] = desk  # phone payments record on the same desk
        attempts = staff_attempts(app.store, app.clock)

        def approver(staff_id: str, pin: str) -> Approval:
            staff = staff_id_input(staff_id)
            return Approval(staff, app.credentials.login(staff, pin, attempts))

        if "pricing" in data:
            desk.import_config(text, SYSTEM, seed=True)
        servicer = BillingServicer(desk, app.venue.name or app.venue.venue_id, approver)
        servicer.parts = app.parts
        billing_pb2_grpc.add_BillingServiceServicer_to_server(servicer, server)
        with contextlib.suppress(RuntimeError):  # no running loop: tests that only build
            asyncio.get_running_loop().create_task(_refresh_totals(desk))
        return [pb.DESCRIPTOR.services_by_name["BillingService"].full_name]


async def _refresh_totals(desk: BillingDesk) -> None:
    """Room time accrues between actions: keep the board's running totals current."""
    while True:
        await asyncio.sleep(settings.running_total_refresh_s)
        try:
            desk.refresh_running_totals()
        except KtvError:
            log.exception("refreshing running totals failed")


register_service_module(BillingModule)


def _audit_token(after_seq: int, bill: str) -> str:
    """Opaque to clients (AIP-158): the last seq served, bound to the listing's bill filter."""
    return base64.urlsafe_b64encode(f"audit:{after_seq}:{bill}".encode()).decode()


def _audit_token_seq(token: str, bill: str) -> int:
    if not token:
        return 0
    if len(token) > settings.audit_page_token_max_chars:
        raise InvalidArgument("page_token is not one this server issued", reason="BAD_PAGE_TOKEN")
    try:
        kind, seq, token_bill = base64.urlsafe_b64decode(token.encode()).decode().split(":", 2)
        after = int(seq)
    except (ValueError, UnicodeDecodeError):
        kind, after, token_bill = "", -1, ""
    if kind != "audit" or after < 0:
        raise InvalidArgument("page_token is not one this server issued", reason="BAD_PAGE_TOKEN")
    if token_bill != bill:
        raise InvalidArgument(
            "page_token belongs to a listing of another bill", reason="BAD_PAGE_TOKEN"
        )
    return after
