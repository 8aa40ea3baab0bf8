"""Between billing's domain values and ktv.v1 billing messages (the only place that knows
both).

No Bill message outgrows the transport: it carries one page of lines (by count and by bytes)
and a last ``more`` line summing the lines left out, the latest orders and payments that fit,
and the counts of each (docs/limits.md, "Response sizes").
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from google.protobuf.internal.enum_type_wrapper import EnumTypeWrapper
from google.protobuf.json_format import ParseDict
from google.protobuf.json_format import ParseError as JsonParseError
from google.protobuf.message import Message
from google.protobuf.struct_pb2 import Struct

from controller.api.convert import ts
from controller.api.paging import encode_token
from controller.auth.model import Principal, Role
from controller.billing.bill import Bill, BillLine
from controller.billing.desk import TenderAmount, TimePurchase
from controller.billing.records import Actor, Order, Payment, Tender
from controller.billing.tab import Tab
from ktv.errors import InvalidArgument
from ktv.limits import (
    BILL_LINES_BYTES_MAX,
    BILL_ORDERS_BYTES_MAX,
    BILL_PAGE_LINES_DEFAULT,
    BILL_PAGE_LINES_MAX,
    BILL_PAYMENTS_BYTES_MAX,
    BILL_PAYMENTS_MAX,
    CODE_MAX_CHARS,
    FEN_MAX,
    PIN_MAX_DIGITS,
    check_fen,
)
from ktv.text import ascii_digits, bounded, short
from ktv.v1 import auth_pb2
from ktv.v1 import billing_pb2 as pb

MORE = "more"  # the kind of the summary line that stands for the lines left out of a page
PAGE_TOKEN_MAX_CHARS = 256
# a tender's reference: a terminal slip, or MEMBER:PIN for stored value
TENDER_REFERENCE_MAX_CHARS = CODE_MAX_CHARS + 1 + PIN_MAX_DIGITS
M = TypeVar("M", bound=Message)


def actor_of(principal: Principal) -> Actor:
    who = principal.staff_id or f"{principal.role.name.lower()}:{principal.room_id}"
    if principal.role is Role.GUEST and principal.credential_id:
        who = f"guest:{principal.room_id}:{principal.credential_id}"  # which phone, in the audit
    return Actor(who, principal.role)


def tender_from_pb(t: pb.TenderAmount) -> TenderAmount:
    name = pb.Tender.Name(t.tender) if t.tender in pb.Tender.values() else ""
    if not name or t.tender == pb.TENDER_UNSPECIFIED:
        raise InvalidArgument(
            "each payment needs a tender (cash, wechat, ...)", reason="BAD_TENDER"
        )
    tender = Tender(name.removeprefix("TENDER_").lower())
    amount = check_fen(t.amount_fen, what=f"{tender.value} amount", max_fen=FEN_MAX)
    reference = bounded(
        t.reference,
        what=f"{tender.value} reference",
        max_len=TENDER_REFERENCE_MAX_CHARS,
        reason="BAD_REFERENCE",
    )
    if t.member or t.pin:
        reference = _member_reference(tender, t, reference)
    return TenderAmount(tender, amount, reference)


def _member_reference(tender: Tender, t: pb.TenderAmount, reference: str) -> str:
    """A stored-value tender's ``member`` and ``pin`` as the payment provider's ``MEMBER:PIN``
    (what old clients sent in ``reference``, still accepted). The provider reads the PIN and
    writes its own receipt reference: the PIN is never stored or echoed."""
    if tender is not Tender.STORED_VALUE:
        raise InvalidArgument(
            f"member and pin are for stored value, not {tender.value}", reason="BAD_TENDER"
        )
    if reference:
        raise InvalidArgument(
            "send the member and pin, or the old reference MEMBER:PIN, not both",
            reason="BAD_REFERENCE",
        )
    member = bounded(
        t.member.removeprefix("members/"),
        what="the member",
        max_len=CODE_MAX_CHARS,
        reason="BAD_REFERENCE",
    )
    if not member or not t.pin or ":" in member:
        raise InvalidArgument(
            "stored value needs the member (phone, card or members/{id}) and the PIN",
            reason="MEMBER_REQUIRED",
        )
    try:
        pin = ascii_digits(t.pin, what="the PIN", max_len=PIN_MAX_DIGITS, reason="BAD_PIN")
    except InvalidArgument:  # the message would quote the PIN: never echo it
        raise InvalidArgument(
            f"the PIN must be 1-{PIN_MAX_DIGITS} digits 0-9", reason="BAD_PIN"
        ) from None
    return f"{member}:{pin}"


def tenders_from_pb(tenders: Sequence[pb.TenderAmount]) -> list[TenderAmount]:
    """A request's tenders, counted before each is read (a bill takes 200 payments at most)."""
    if len(tenders) > BILL_PAYMENTS_MAX:
        raise InvalidArgument(
            f"at most {BILL_PAYMENTS_MAX} tenders, got {len(tenders)}", reason="TOO_MANY_PAYMENTS"
        )
    return [tender_from_pb(t) for t in tenders]


def tender_to_pb(t: Tender) -> int:
    return pb.Tender.Value(f"TENDER_{t.value.upper()}")


def purchase_from_pb(p: pb.TimePurchase) -> TimePurchase:
    if p.prepaid_minutes < 0:
        raise InvalidArgument("prepaid minutes must be positive", reason="BAD_DURATION")
    return TimePurchase(p.package, p.prepaid_minutes, p.session_slot, p.gift)


@dataclass(frozen=True)
class PageToken:
    """Where the next page of a bill's lines starts, and the instant the pages are of."""

    tab_id: str
    as_of: datetime
    offset: int

    def encode(self) -> str:
        body = json.dumps({"b": self.tab_id, "t": self.as_of.isoformat(), "o": self.offset})
        return base64.urlsafe_b64encode(body.encode()).decode()


def page_token_from_pb(text: str) -> PageToken | None:
    """The token a client passed back (None for the first page); InvalidArgument if forged."""
    if not text:
        return None
    try:
        if len(text) > PAGE_TOKEN_MAX_CHARS:
            raise ValueError("too long")
        body = json.loads(base64.urlsafe_b64decode(text.encode()))
        at = datetime.fromisoformat(body["t"])
        offset = body["o"]
        if type(offset) is not int or offset < 0 or at.tzinfo is None:
            raise ValueError("bad offset or time")
        return PageToken(str(body["b"]), at.astimezone(UTC), offset)
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidArgument(
            f"page_token {short(text)} is not one this controller gave", reason="BAD_PAGE_TOKEN"
        ) from None


def page_size_from_pb(size: int) -> int:
    if size < 0:
        raise InvalidArgument("page_size must not be negative", reason="BAD_PAGE_SIZE")
    return min(size or BILL_PAGE_LINES_DEFAULT, BILL_PAGE_LINES_MAX)


def enum_value(enum: EnumTypeWrapper, prefix: str, value: str) -> int:
    """The proto enum number of a domain value (``prefix`` + its upper-case name), or the
    enum's UNSPECIFIED 0 for a value the contract does not know yet (old clients read the
    string field beside it)."""
    try:
        return int(enum.Value(f"{prefix}_{value.upper()}"))
    except ValueError:
        return 0


def _line_pb(ln: BillLine) -> pb.BillLine:
    return pb.BillLine(
        kind=ln.kind.value,
        line_kind=enum_value(pb.BillLineKind, "BILL_LINE_KIND", ln.kind.value),
        label=ln.label,
        amount_fen=ln.amount_fen,
        quantity=ln.quantity,
        unit_fen=ln.unit_fen,
        room=ln.room,
    )


def _payment_pb(p: Payment) -> pb.Payment:
    return pb.Payment(
        payment_id=p.payment_id,
        tender=tender_to_pb(p.tender),
        amount_fen=p.amount_fen,
        tendered_fen=p.tendered_fen,
        change_fen=p.change_fen,
        provider=p.provider,
        reference=p.reference,
        refund_of=p.refund_of,
        reason=p.reason,
        time=ts(p.at),
    )


def _order_pb(o: Order) -> pb.Order:
    return pb.Order(
        order_id=o.order_id,
        room=f"rooms/{o.room}",
        status=o.status.value,
        order_status=enum_value(pb.OrderStatus, "ORDER_STATUS", o.status.value),
        comped=o.comped,
        included=o.included,
        note=o.note,
        source=o.source.value,
        order_source=enum_value(pb.OrderSource, "ORDER_SOURCE", o.source.value),
        lines=[
            pb.OrderLine(sku=ln.sku, name=ln.name, quantity=ln.quantity, unit_fen=ln.unit_fen)
            for ln in o.lines
        ],
        line_count=len(o.lines),
    )


def _shrink_order(order: pb.Order, byte_budget: int) -> None:
    """An order too large for the message on its own keeps the lines that fit."""
    if not order.line_count:
        order.line_count = len(order.lines)
    kept = _first(order.lines, 0, len(order.lines), byte_budget - 512, _copy)
    del order.lines[:]
    order.lines.extend(kept)


T = TypeVar("T")


def _first(
    items: Sequence[T], start: int, count: int, byte_budget: int, build: Callable[[T], M]
) -> list[M]:
    """``build`` of items[start:], at most ``count`` of them and ``byte_budget`` bytes (always
    at least one, so every page moves on)."""
    out: list[M] = []
    used = 0
    for item in items[start : start + count]:
        msg = build(item)
        used += msg.ByteSize() + 4  # field tag and length
        if out and used > byte_budget:
            break
        out.append(msg)
    return out


def _latest(
    items: Sequence[T],
    byte_budget: int,
    build: Callable[[T], M],
    shrink: Callable[[M, int], None] | None = None,
) -> list[M]:
    """The latest items whose messages fit ``byte_budget``, oldest first (the latest one cut
    down by ``shrink`` when it alone is too large)."""
    out: list[M] = []
    used = 0
    for item in reversed(items):
        msg = build(item)
        size = msg.ByteSize() + 4
        if not out and size > byte_budget and shrink is not None:
            shrink(msg, byte_budget)
            size = msg.ByteSize() + 4
        used += size
        if out and used > byte_budget:
            break
        out.append(msg)
    out.reverse()
    return out


def _more_line(left_out: int, amount_fen: int) -> pb.BillLine:
    return pb.BillLine(
        kind=MORE,
        line_kind=pb.BILL_LINE_KIND_MORE,
        label=f"… 另有 {left_out} 行 ({left_out} more lines)",
        amount_fen=amount_fen,
    )


def bill_to_pb(
    bill: Bill,
    tab: Tab,
    *,
    offset: int = 0,
    page_size: int = BILL_PAGE_LINES_DEFAULT,
) -> pb.Bill:
    """One page of ``bill`` from line ``offset``: never more than about 2.3 MB whatever the
    bill holds (docs/limits.md)."""
    paid_until = tab.stays[0].paid_until if tab.stays else None
    offset = min(offset, len(bill.lines))
    lines = _first(bill.lines, offset, page_size, BILL_LINES_BYTES_MAX, _line_pb)
    end = offset + len(lines)
    left_out = len(bill.lines) - len(lines)
    if left_out:
        shown = sum(ln.amount_fen for ln in bill.lines[offset:end])
        lines.append(_more_line(left_out, bill.total_fen - shown))
    msg = pb.Bill(
        name=f"bills/{bill.tab_id}",
        plan_version=bill.plan_version,
        rooms=[f"rooms/{r}" for r in bill.rooms],
        as_of_time=ts(bill.as_of),
        lines=lines,
        subtotal_fen=bill.subtotal_fen,
        service_charge_fen=bill.service_charge_fen,
        discount_fen=bill.discount_fen,
        rounding_fen=bill.rounding_fen,
        total_fen=bill.total_fen,
        paid_fen=bill.paid_fen,
        due_fen=bill.due_fen,
        closed=bill.closed,
        payments=_latest(tab.payments, BILL_PAYMENTS_BYTES_MAX, _payment_pb),
        orders=_latest(tab.orders, BILL_ORDERS_BYTES_MAX, _order_pb, _shrink_order),
        mode=tab.mode.value,
        session_mode=enum_value(pb.SessionMode, "SESSION_MODE", tab.mode.value),
        guest_count=tab.guests,
        paid_until_time=ts(paid_until),
        status=tab.status.value,
        bill_status=enum_value(pb.BillStatus, "BILL_STATUS", tab.status.value),
        line_count=len(bill.lines),
        order_count=len(tab.orders),
        payment_count=len(tab.payments),
    )
    if end < len(bill.lines):
        msg.next_page_token = PageToken(bill.tab_id, bill.as_of, end).encode()
    return msg


def fill_enums(msg: pb.Bill) -> None:
    """The enum fields of a Bill message stored before they existed (an answer kept for
    replay), from the string fields beside them, in place."""
    for ln in msg.lines:
        if not ln.line_kind:
            ln.line_kind = enum_value(pb.BillLineKind, "BILL_LINE_KIND", ln.kind)
    for o in msg.orders:
        if not o.order_status:
            o.order_status = enum_value(pb.OrderStatus, "ORDER_STATUS", o.status)
        if not o.order_source:
            o.order_source = enum_value(pb.OrderSource, "ORDER_SOURCE", o.source)
    if not msg.session_mode:
        msg.session_mode = enum_value(pb.SessionMode, "SESSION_MODE", msg.mode)
    if not msg.bill_status:
        msg.bill_status = enum_value(pb.BillStatus, "BILL_STATUS", msg.status)


def fit_bill(msg: pb.Bill) -> None:
    """Cut a Bill message built before bills were paged (an answer stored for replay) to one
    page, the same way :func:`bill_to_pb` pages, in place (and fill its enum fields)."""
    fill_enums(msg)
    if not msg.line_count:
        msg.line_count = len(msg.lines)
        msg.order_count = len(msg.orders)
        msg.payment_count = len(msg.payments)
    lines = _first(msg.lines, 0, BILL_PAGE_LINES_DEFAULT, BILL_LINES_BYTES_MAX, _copy)
    if len(lines) < len(msg.lines) and msg.lines[-1].kind != MORE:
        shown = sum(ln.amount_fen for ln in lines)
        lines.append(_more_line(len(msg.lines) - len(lines), msg.total_fen - shown))
        as_of = msg.as_of_time.ToDatetime(tzinfo=UTC)
        token = PageToken(msg.name.removeprefix("bills/"), as_of, len(lines) - 1)
        msg.next_page_token = token.encode()
        del msg.lines[:]
        msg.lines.extend(lines)
    if sum(o.ByteSize() for o in msg.orders) > BILL_ORDERS_BYTES_MAX:
        orders = _latest(msg.orders, BILL_ORDERS_BYTES_MAX, _copy, _shrink_order)
        del msg.orders[:]
        msg.orders.extend(orders)
    if sum(p.ByteSize() for p in msg.payments) > BILL_PAYMENTS_BYTES_MAX:
        payments = _latest(msg.payments, BILL_PAYMENTS_BYTES_MAX, _copy)
        del msg.payments[:]
        msg.payments.extend(payments)


def _copy(msg: M) -> M:
    out = type(msg)()
    out.CopyFrom(msg)
    return out


def fit_response(response: Message) -> Message:
    """Every Bill in a billing answer cut to one page (for answers stored before paging)."""
    for field, value in response.ListFields():
        if field.message_type is pb.Bill.DESCRIPTOR and not field.is_repeated:
            fit_bill(value)
    return response


def bill_id(name: str) -> str:
    if not name.startswith("bills/") or len(name) <= len("bills/"):
        raise InvalidArgument(
            f"bill name must look like bills/{{id}}, got {name!r}", reason="BAD_BILL_NAME"
        )
    return name.removeprefix("bills/")


def audit_detail(body: str) -> Struct:
    """An audit event's JSON as a Struct (numbers become doubles: every amount in the log is
    far below 2**53 fen). A body that is not a JSON object comes as ``{"text": body}``."""
    out = Struct()
    try:
        data = json.loads(body) if body else {}
    except ValueError:
        data = {"text": body}
    if not isinstance(data, dict):
        data = {"value": data}
    try:
        ParseDict(data, out)
    except (JsonParseError, TypeError, ValueError):
        out.Clear()
        out.update({"text": body})
    return out


def _product_key(p: pb.Product) -> str:
    return json.dumps([p.category, p.sku], ensure_ascii=False)


def products_page(
    products: Sequence[pb.Product], size: int, after: str | None, room: str
) -> pb.ListProductsResponse:
    """One page of the menu, by category and sku, after the product whose key is ``after``."""
    ordered = sorted(products, key=lambda p: (p.category, p.sku))
    if after is not None:
        try:
            key = json.loads(after)
        except ValueError:
            key = None
        if not (isinstance(key, list) and len(key) == 2 and all(isinstance(k, str) for k in key)):
            raise InvalidArgument(
                "page_token is not one this server issued", reason="BAD_PAGE_TOKEN"
            )
        start = (key[0], key[1])
        ordered = [p for p in ordered if (p.category, p.sku) > start]
    page = ordered[:size]
    out = pb.ListProductsResponse(products=page)
    if len(ordered) > size:
        out.next_page_token = encode_token("products", room, _product_key(page[-1]))
    return out


def audit_event_kind(kind: str) -> int:
    """An audit event type ("TabCheckedOut") as its AuditEventKind (0 for a type the contract
    does not know yet: the deprecated string beside it still says it)."""
    return enum_value(pb.AuditEventKind, "AUDIT_EVENT_KIND", re.sub(r"(?<!^)(?=[A-Z])", "_", kind))


def staff_role(role: str) -> int:
    """An audit entry's role ("cashier") as the auth contract's Role (0 if unknown)."""
    return enum_value(auth_pb2.Role, "ROLE", role)
