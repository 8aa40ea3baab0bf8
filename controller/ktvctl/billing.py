"""ktvctl for the cashier: open, extend, guests, move, merge, order, deliver, cancel-order,
comp, discount, pay, checkout, refund (bills and prices: :mod:`controller.ktvctl.prices`).

Money on the command line is yuan ("88", "20.50"); on the wire and in --json it is fen.
"""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Callable

from google.protobuf.internal.enum_type_wrapper import EnumTypeWrapper
from rich.table import Table
from rich.text import Text

from controller.billing.money import format_yuan
from controller.ktvctl import args as types
from controller.ktvctl import command
from controller.ktvctl.connection import Connection, connect
from controller.ktvctl.output import console, print_json, to_dict
from ktv import limits
from ktv.errors import InvalidArgument
from ktv.text import short
from ktv.v1 import billing_pb2 as pb
from ktv.v1 import billing_pb2_grpc

TENDER_OPTIONS = {
    "cash": pb.TENDER_CASH,
    "card": pb.TENDER_BANK_CARD,
    "wechat": pb.TENDER_WECHAT,
    "alipay": pb.TENDER_ALIPAY,
    "unionpay": pb.TENDER_UNIONPAY_QR,
    "stored_value": pb.TENDER_STORED_VALUE,
    "hospitality": pb.TENDER_HOSPITALITY,  # 招待 (manager; --ref says for whom)
    "signed_credit": pb.TENDER_SIGNED_CREDIT,  # 签单 (--account names who signs)
}


def room_name(value: str) -> str:
    return value if value.startswith("rooms/") else f"rooms/{value}"


def bill_name(value: str) -> str:
    return value if value.startswith("bills/") else f"bills/{value}"


def _request_id(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--request-id",
        type=types.REQUEST_ID,
        help="idempotency key (reuse it to retry safely); default: random",
    )


def _rid(args: argparse.Namespace) -> str:
    return args.request_id or uuid.uuid4().hex


def _tender_options(parser: argparse.ArgumentParser) -> None:
    for name in TENDER_OPTIONS:
        parser.add_argument(
            f"--{name.replace('_', '-')}",
            type=types.yuan(),
            metavar="YUAN",
            help=f"pay by {name} (yuan)",
        )
    parser.add_argument(
        "--ref",
        type=types.CODE,
        default="",
        help="POS terminal / gateway reference for non-cash tenders",
    )
    parser.add_argument(
        "--member",
        type=types.CODE,
        default="",
        help="stored value: the paying member (phone, card number or members/ID)",
    )
    parser.add_argument("--pin", type=types.pin, default="", help="stored value: the member's PIN")
    parser.add_argument(
        "--account",
        type=types.CODE,
        default="",
        help="签单 (signed credit): the account it is signed to",
    )


def tenders(args: argparse.Namespace) -> list[pb.TenderAmount]:
    out = []
    for name, tender in TENDER_OPTIONS.items():
        fen = getattr(args, name, None)
        if fen is not None:
            if tender == pb.TENDER_STORED_VALUE and (args.member or args.pin):
                out.append(
                    pb.TenderAmount(tender=tender, amount_fen=fen, member=args.member, pin=args.pin)
                )
                continue
            ref = "" if tender == pb.TENDER_CASH else args.ref
            if tender == pb.TENDER_SIGNED_CREDIT:
                ref = args.account or args.ref
            out.append(pb.TenderAmount(tender=tender, amount_fen=fen, reference=ref))
    return out


def enum_word(enum: EnumTypeWrapper, prefix: str, value: int, old: str = "") -> str:
    """A proto enum value as the word ktvctl prints ("open", "placed"); an older controller
    that fills only the deprecated string field gives ``old``."""
    if value and value in enum.values():
        return str(enum.Name(value)).removeprefix(prefix + "_").lower()
    return old


def _purchase_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--package", type=types.CODE, help="package (套餐) code")
    group.add_argument(
        "--prepaid", type=types.minutes, metavar="DURATION", help="prepaid time (买钟), e.g. 3h"
    )
    group.add_argument("--session", type=types.NAME, help="场次 code or name, e.g. 黄金场")
    parser.add_argument(
        "--gift", action="store_true", help="given free with the opening (开房赠送)"
    )


def purchase(args: argparse.Namespace) -> pb.TimePurchase | None:
    if args.package:
        return pb.TimePurchase(package=args.package, gift=args.gift)
    if args.prepaid:
        return pb.TimePurchase(prepaid_minutes=args.prepaid, gift=args.gift)
    if args.session:
        return pb.TimePurchase(session_slot=args.session, gift=args.gift)
    return None


def _stub(conn: Connection) -> billing_pb2_grpc.BillingServiceStub:
    return billing_pb2_grpc.BillingServiceStub(conn.channel)


def bill_table(bill: pb.Bill) -> Table:
    status = enum_word(pb.BillStatus, "BILL_STATUS", bill.bill_status, bill.status)
    state = "closed" if bill.closed else status or "open"
    rooms = ",".join(r.removeprefix("rooms/") for r in bill.rooms)
    table = Table(
        title=f"{bill.name}  {rooms}  ({state}, {bill.guest_count} guests)", title_justify="left"
    )
    table.add_column("Item")
    table.add_column("Qty", justify="right")
    table.add_column("Yuan", justify="right")
    for line in bill.lines:
        table.add_row(
            line.label,
            str(line.quantity) if line.quantity > 1 else "",
            format_yuan(line.amount_fen),
        )
    table.add_section()
    table.add_row(Text("Total", "bold"), "", Text(format_yuan(bill.total_fen), "bold"))
    for p in bill.payments:
        tender = pb.Tender.Name(p.tender).removeprefix("TENDER_").lower()
        label = f"refund {tender}" if p.amount_fen < 0 else tender
        extra = f" (change {format_yuan(p.change_fen)})" if p.change_fen else ""
        table.add_row(f"{label}{extra}", "", format_yuan(p.amount_fen))
    table.add_row("Due", "", format_yuan(bill.due_fen))
    return table


def show(args: argparse.Namespace, bill: pb.Bill, verb: str = "") -> None:
    if args.json:
        print_json(to_dict(bill))
        return
    if verb:
        console.print(verb)
    console.print(bill_table(bill))


def _mutation(
    name: str,
    help: str,
    configure: Callable[[argparse.ArgumentParser], None],
    act: Callable[[billing_pb2_grpc.BillingServiceStub, Connection, argparse.Namespace], pb.Bill],
    verb: Callable[[argparse.Namespace, pb.Bill], str],
) -> None:
    """Register a command that changes a bill and prints it."""

    def build(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
        configure(parser)
        _request_id(parser)

        def run(args: argparse.Namespace) -> int:
            conn = connect(args)
            try:
                bill = act(_stub(conn), conn, args)
                show(args, bill, verb(args, bill))
                return 0
            finally:
                conn.close()

        return run

    command(name, help)(build)


GUESTS = types.count("the guest count", 1, types.GUEST_COUNT_MAX)


def _open_cfg(p: argparse.ArgumentParser) -> None:
    p.add_argument("room", type=types.ROOM)
    p.add_argument("--guests", type=GUESTS, required=True)
    p.add_argument("--booking", type=types.CODE, default="")
    _purchase_options(p)
    _tender_options(p)


_mutation(
    "open",
    "开台: open a room (--package, --prepaid 3h or --session 黄金场; pay with --cash ...)",
    _open_cfg,
    lambda s, c, a: (
        c.call(
            s.OpenSession,
            pb.OpenSessionRequest(
                room=room_name(a.room),
                guest_count=a.guests,
                purchase=purchase(a),
                tenders=tenders(a),
                booking=a.booking,
                request_id=_rid(a),
            ),
        ).bill
    ),
    lambda a, b: f"opened {room_name(a.room)} as {b.name}",
)


def _extend_cfg(p: argparse.ArgumentParser) -> None:
    p.add_argument("room", type=types.ROOM)
    _purchase_options(p)
    _tender_options(p)


def _extend(
    s: billing_pb2_grpc.BillingServiceStub, c: Connection, a: argparse.Namespace
) -> pb.Bill:
    bought = purchase(a)
    if bought is None:
        raise InvalidArgument("say what to sell: --prepaid 1h, --package CODE or --session NAME")
    request = pb.ExtendSessionRequest(
        room=room_name(a.room), purchase=bought, tenders=tenders(a), request_id=_rid(a)
    )
    return c.call(s.ExtendSession, request).bill


_mutation(
    "extend",
    "续时 / 续钟: sell more time to a room",
    _extend_cfg,
    _extend,
    lambda a, b: f"extended {room_name(a.room)}",
)


def _guests_cfg(p: argparse.ArgumentParser) -> None:
    p.add_argument("room", type=types.ROOM)
    p.add_argument("count", type=GUESTS)


_mutation(
    "guests",
    "change a room's guest count",
    _guests_cfg,
    lambda s, c, a: (
        c.call(
            s.SetGuestCount,
            pb.SetGuestCountRequest(
                room=room_name(a.room), guest_count=a.count, request_id=_rid(a)
            ),
        ).bill
    ),
    lambda a, b: f"{room_name(a.room)}: {a.count} guests",
)


def _move_cfg(p: argparse.ArgumentParser) -> None:
    p.add_argument("room", type=types.ROOM)
    p.add_argument("to_room", type=types.ROOM)


_mutation(
    "move",
    "换房: move a session to another room",
    _move_cfg,
    lambda s, c, a: (
        c.call(
            s.MoveSession,
            pb.MoveSessionRequest(
                room=room_name(a.room), to_room=room_name(a.to_room), request_id=_rid(a)
            ),
        ).bill
    ),
    lambda a, b: f"moved {room_name(a.room)} -> {room_name(a.to_room)}",
)


def _merge_cfg(p: argparse.ArgumentParser) -> None:
    p.add_argument("room", type=types.ROOM, help="the room whose bill absorbs the other")
    p.add_argument("source_room", type=types.ROOM, help="the room that joins it")


_mutation(
    "merge",
    "并房: one bill for several rooms (ktvctl merge A08 A09)",
    _merge_cfg,
    lambda s, c, a: (
        c.call(
            s.MergeSessions,
            pb.MergeSessionsRequest(
                room=room_name(a.room), source_room=room_name(a.source_room), request_id=_rid(a)
            ),
        ).bill
    ),
    lambda a, b: f"merged {room_name(a.source_room)} into {b.name}",
)


QUANTITY = types.count("the quantity", 1, types.QUANTITY_MAX)
SKU = types.text("a product (SKU)", limits.CODE_MAX_CHARS)


def order_item(spec: str) -> pb.OrderItem:
    """``SKU:QUANTITY`` (``beer:6``; ``beer`` alone is one)."""
    sku, colon, qty = spec.rpartition(":") if ":" in spec else (spec, "", "1")
    try:
        return pb.OrderItem(sku=SKU(sku), quantity=QUANTITY(qty if colon else "1"))
    except argparse.ArgumentTypeError as error:
        raise argparse.ArgumentTypeError(f"not SKU:QUANTITY: {short(spec)}: {error}") from None


def _order_cfg(p: argparse.ArgumentParser) -> None:
    p.add_argument("room", type=types.ROOM)
    p.add_argument(
        "items", type=order_item, nargs="+", metavar="SKU:QTY", help="e.g. beer:6 fruit:1"
    )


_mutation(
    "order",
    "order products into a room's bill (ktvctl order A08 beer:6 fruit:1)",
    _order_cfg,
    lambda s, c, a: (
        c.call(
            s.PlaceOrder,
            pb.PlaceOrderRequest(room=room_name(a.room), items=a.items, request_id=_rid(a)),
        ).bill
    ),
    lambda a, b: f"ordered for {room_name(a.room)}: order {b.orders[-1].order_id}",
)


def _approval_options(p: argparse.ArgumentParser) -> None:
    """Over the caller's cap: the approving manager's staff id and PIN, at the same call."""
    p.add_argument("--approver", type=types.CODE, default="", help="approving manager's id")
    p.add_argument("--approver-pin", type=types.pin, default="", help="their PIN")


def _approval(a: argparse.Namespace) -> dict[str, str]:
    return {
        "approver_staff_id": getattr(a, "approver", ""),
        "approver_pin": getattr(a, "approver_pin", ""),
    }


def _order_action(
    action: int,
) -> Callable[[billing_pb2_grpc.BillingServiceStub, Connection, argparse.Namespace], pb.Bill]:
    def act(
        s: billing_pb2_grpc.BillingServiceStub, c: Connection, a: argparse.Namespace
    ) -> pb.Bill:
        request = pb.UpdateOrderRequest(
            room=room_name(a.room),
            order_id=a.order_id,
            action=action,
            reason=getattr(a, "reason", ""),
            request_id=_rid(a),
            **_approval(a),
        )
        return c.call(s.UpdateOrder, request).bill

    return act


def _order_cfg_with(reason: bool) -> Callable[[argparse.ArgumentParser], None]:
    def cfg(p: argparse.ArgumentParser) -> None:
        p.add_argument("room", type=types.ROOM)
        p.add_argument("order_id", type=types.CODE)
        if reason:
            p.add_argument("--reason", type=types.NOTE, required=True)
            _approval_options(p)  # a comp over the cashier's cap

    return cfg


_mutation(
    "deliver",
    "mark an order delivered",
    _order_cfg_with(False),
    _order_action(pb.ORDER_ACTION_DELIVER),
    lambda a, b: f"delivered {a.order_id}",
)
_mutation(
    "cancel-order",
    "cancel an order (after delivery: a manager)",
    _order_cfg_with(True),
    _order_action(pb.ORDER_ACTION_CANCEL),
    lambda a, b: f"cancelled {a.order_id}",
)
_mutation(
    "comp",
    "赠送: comp an order (manager)",
    _order_cfg_with(True),
    _order_action(pb.ORDER_ACTION_COMP),
    lambda a, b: f"comped {a.order_id}",
)


def _discount_cfg(p: argparse.ArgumentParser) -> None:
    p.add_argument("room", type=types.ROOM)
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument(
        "--percent", type=types.percent_bp, help="e.g. 10 for 10 %% off (up to 2 decimals)"
    )
    group.add_argument("--amount", type=types.yuan(), metavar="YUAN", help="fixed amount off")
    p.add_argument("--reason", type=types.NOTE, required=True)
    _approval_options(p)


def _discount(
    s: billing_pb2_grpc.BillingServiceStub, c: Connection, a: argparse.Namespace
) -> pb.Bill:
    request = pb.ApplyDiscountRequest(
        room=room_name(a.room),
        percent_bp=a.percent or 0,
        amount_fen=a.amount or 0,
        reason=a.reason,
        request_id=_rid(a),
        **_approval(a),
    )
    return c.call(s.ApplyDiscount, request).bill


_mutation(
    "discount",
    "a discount with a reason (over the cashier's cap: --approver ID --approver-pin PIN)",
    _discount_cfg,
    _discount,
    lambda a, b: f"discount on {room_name(a.room)}",
)


def _pay_cfg(p: argparse.ArgumentParser) -> None:
    p.add_argument("room", type=types.ROOM)
    _tender_options(p)


def _pay(s: billing_pb2_grpc.BillingServiceStub, c: Connection, a: argparse.Namespace) -> pb.Bill:
    paid = tenders(a)
    if not paid:
        raise InvalidArgument(
            "say how the guest pays: --cash 88 --wechat 300 ...", reason="NO_TENDER"
        )
    return c.call(
        s.TakePayment,
        pb.TakePaymentRequest(room=room_name(a.room), tenders=paid, request_id=_rid(a)),
    ).bill


_mutation(
    "pay",
    "take payments (split tender) without closing",
    _pay_cfg,
    _pay,
    lambda a, b: f"paid {room_name(a.room)}: {format_yuan(b.due_fen)} still due",
)
_mutation(
    "checkout",
    "结账: take the last payments, close the bill, rooms go to cleaning",
    _pay_cfg,
    lambda s, c, a: (
        c.call(
            s.Checkout,
            pb.CheckoutRequest(room=room_name(a.room), tenders=tenders(a), request_id=_rid(a)),
        ).bill
    ),
    lambda a, b: f"checked out {b.name}: {format_yuan(b.total_fen)}",
)


def _refund_cfg(p: argparse.ArgumentParser) -> None:
    p.add_argument("bill", type=types.BILL, help="bills/ID (see `ktvctl bill`)")
    p.add_argument("payment_id", type=types.CODE)
    p.add_argument("amount", type=types.yuan(), metavar="YUAN")
    p.add_argument("--reason", type=types.NOTE, required=True)
    _approval_options(p)


_mutation(
    "refund",
    "refund (part of) a payment (over the cashier's cap: a manager's --approver/--approver-pin)",
    _refund_cfg,
    lambda s, c, a: (
        c.call(
            s.RefundPayment,
            pb.RefundPaymentRequest(
                bill=bill_name(a.bill),
                payment_id=a.payment_id,
                amount_fen=a.amount,
                reason=a.reason,
                request_id=_rid(a),
                **_approval(a),
            ),
        ).bill
    ),
    lambda a, b: f"refunded {format_yuan(a.amount)} of {a.payment_id}",
)
