"""ktvctl for bills and prices: bill (and receipts), clean-done, price import|show, menu,
audit. Money shown in yuan; --json gives the messages (fen)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from rich.table import Table

from controller.billing.money import format_yuan
from controller.billing.settings import audit_page_size_max as AUDIT_PAGE_MAX
from controller.ktvctl import args as types
from controller.ktvctl import command
from controller.ktvctl.billing import (
    _request_id,
    _rid,
    _stub,
    bill_name,
    enum_word,
    room_name,
    show,
)
from controller.ktvctl.connection import Connection, connect
from controller.ktvctl.output import console, print_json, to_dict
from ktv.errors import FailedPrecondition, InvalidArgument
from ktv.text import short
from ktv.v1 import auth_pb2, rooms_pb2, rooms_pb2_grpc
from ktv.v1 import billing_pb2 as pb

AUDIT_LIMIT_MAX = 100_000_000  # entries `ktvctl audit --limit` may ask for (0: all of them)


@command("bill", "the live bill of a room (or bills/ID); --receipt 58|80 prints a receipt")
def bill_show(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("target", type=types.ROOM, help="room (A08) or bills/ID")
    parser.add_argument(
        "--receipt",
        type=types.count("the receipt width", 58, 80),
        choices=(58, 80),
        help="print a receipt of this width (mm)",
    )
    parser.add_argument("--escpos", type=Path, help="also write ESC/POS bytes to this file")

    def run(args: argparse.Namespace) -> int:
        conn = connect(args)
        try:
            stub = _stub(conn)
            is_bill = args.target.startswith("bills/")
            room = "" if is_bill else room_name(args.target)
            name = args.target if is_bill else ""
            if args.receipt or args.escpos:
                receipt = conn.call(
                    stub.PrintReceipt,
                    pb.PrintReceiptRequest(room=room, bill=name, width_mm=args.receipt or 58),
                )
                if args.escpos:
                    types.write_file(args.escpos, receipt.escpos, "the ESC/POS receipt")
                if args.json:
                    print_json({"text": receipt.text})
                else:
                    print(receipt.text)
                return 0
            show(args, conn.call(stub.GetBill, pb.GetBillRequest(room=room, name=name)).bill)
            return 0
        finally:
            conn.close()

    return run


@command("clean-done", "cleaning finished: the room is IDLE again")
def clean_done(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("room", type=types.ROOM)
    _request_id(parser)

    def run(args: argparse.Namespace) -> int:
        conn = connect(args)
        try:
            stub = rooms_pb2_grpc.RoomServiceStub(conn.channel)
            room = conn.call(
                stub.SetRoomState,
                rooms_pb2.SetRoomStateRequest(
                    name=room_name(args.room),
                    state=rooms_pb2.ROOM_STATE_IDLE,
                    reason="cleaning done",
                    request_id=_rid(args),
                ),
            ).room
            if args.json:
                print_json(to_dict(room))
            else:
                console.print(f"{room.name} is IDLE")
            return 0
        finally:
            conn.close()

    return run


@command("price import", "import a venue config's [pricing] and [[menu]] as a new plan version")
def price_import(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("file", type=Path)
    _request_id(parser)

    def run(args: argparse.Namespace) -> int:
        text = types.read_text_file(args.file, "the venue config")
        conn = connect(args)
        try:
            out = conn.call(
                _stub(conn).ImportPricePlan,
                pb.ImportPricePlanRequest(config_toml=text, request_id=_rid(args)),
            )
            if args.json:
                print_json(to_dict(out))
            else:
                console.print(f"price plan {out.version} is active (open bills keep their version)")
            return 0
        finally:
            conn.close()

    return run


@command("price show", "print a price plan's source (the active one by default)")
def price_show(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("--version", type=types.CODE, default="")

    def run(args: argparse.Namespace) -> int:
        conn = connect(args)
        try:
            out = conn.call(_stub(conn).GetPricePlan, pb.GetPricePlanRequest(version=args.version))
            if args.json:
                print_json(to_dict(out))
            else:
                versions = ", ".join(out.versions)
                print(f"# version {out.version} (active: {out.active_version}; all: {versions})")
                print(out.config_toml)
            return 0
        finally:
            conn.close()

    return run


def audit_kind(e: pb.AuditEntry) -> str:
    """An audit entry's event type as the log names it ("TabCheckedOut"), from its enum; an
    older controller's string otherwise."""
    word = enum_word(pb.AuditEventKind, "AUDIT_EVENT_KIND", e.event_kind)
    return "".join(part.title() for part in word.split("_")) if word else e.kind


def all_products(conn: Connection) -> list[pb.Product]:
    """The whole menu, page by page (AIP-158)."""
    out: list[pb.Product] = []
    token = ""
    while True:
        reply = conn.call(_stub(conn).ListProducts, pb.ListProductsRequest(page_token=token))
        out.extend(reply.products)
        if not reply.next_page_token or reply.next_page_token == token:
            return out
        token = reply.next_page_token


@command("menu", "list the products")
def menu(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        conn = connect(args)
        try:
            products = all_products(conn)
            if args.json:
                print_json([to_dict(p) for p in products])
                return 0
            table = Table(title="Menu", title_justify="left")
            for column in ("SKU", "Name", "Category", "Yuan", "Available"):
                table.add_column(column)
            for p in products:
                table.add_row(
                    p.sku,
                    p.name,
                    p.category,
                    format_yuan(p.base_fen),
                    "yes" if p.available else "no",
                )
            console.print(table)
            return 0
        finally:
            conn.close()

    return run


@command("audit", "the money audit log of a bill (manager)")
def audit(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument(
        "bill", type=types.BILL, nargs="?", default="", help="bills/ID (default: the whole log)"
    )
    parser.add_argument(
        "--limit",
        type=types.count("the limit", 0, AUDIT_LIMIT_MAX),
        default=1000,
        help="at most this many entries, oldest first; 0: all",
    )
    parser.add_argument(
        "--verify", action="store_true", help="replay the whole log and compare every bill"
    )

    def run(args: argparse.Namespace) -> int:
        conn = connect(args)
        try:
            if args.verify:
                return _verify(conn, args)
            entries = _audit_entries(conn, bill_name(args.bill) if args.bill else "", args.limit)
            if args.bill and not entries:  # an unknown bill is NOT_FOUND, not an empty log
                conn.call(_stub(conn).GetBill, pb.GetBillRequest(name=bill_name(args.bill)))
            if args.json:
                print_json([to_dict(e) for e in entries])
                return 0
            table = Table(title=f"Audit {args.bill or '(all bills)'}", title_justify="left")
            for column in (
                "#",
                "Bill",
                "What",
                "Who",
                "Role",
                "Total before/after",
                "Paid before/after",
            ):
                table.add_column(column)
            for e in entries:
                table.add_row(
                    str(e.seq),
                    e.bill.removeprefix("bills/")[-8:],
                    audit_kind(e),
                    e.staff_id,
                    enum_word(auth_pb2.Role, "ROLE", e.staff_role, e.role),
                    f"{format_yuan(e.total_before_fen)} -> {format_yuan(e.total_after_fen)}",
                    f"{format_yuan(e.paid_before_fen)} -> {format_yuan(e.paid_after_fen)}",
                )
            console.print(table)
            return 0
        finally:
            conn.close()

    return run


def _audit_entries(conn: Connection, bill: str, limit: int) -> list[pb.AuditEntry]:
    """Pages through ListAuditEntries until ``limit`` entries (0: the whole log)."""
    if limit < 0:
        raise InvalidArgument("--limit must not be negative", reason="BAD_PAGE_SIZE")
    entries: list[pb.AuditEntry] = []
    token = ""
    while True:
        want = AUDIT_PAGE_MAX if not limit else min(AUDIT_PAGE_MAX, limit - len(entries))
        page = conn.call(
            _stub(conn).ListAuditEntries,
            pb.ListAuditEntriesRequest(bill=bill, page_size=want, page_token=token),
        )
        entries += page.entries
        token = page.next_page_token
        if not token or (limit and len(entries) >= limit):
            return entries


def _verify(conn: Connection, args: argparse.Namespace) -> int:
    out = conn.call(_stub(conn).VerifyLedger, pb.VerifyLedgerRequest())
    if args.json:
        print_json(to_dict(out))
    else:
        verdict = "every fen matches the log" if not out.problems else "DIFFERENCES"
        console.print(f"replayed {out.entry_count} entries, {out.bill_count} bills: {verdict}")
        for problem in out.problems:
            console.print(f"  {problem}")
    if out.problems:
        raise FailedPrecondition(
            f"{len(out.problems)} bills differ from the audit log", reason="LEDGER_MISMATCH"
        )
    return 0


@command("product", "add or change a product on the menu (manager)")
def product(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("sku", type=types.CODE)
    parser.add_argument("--name", type=types.NAME)
    parser.add_argument("--category", type=types.NAME)
    parser.add_argument(
        "--price",
        type=types.yuan(positive=False),
        metavar="YUAN",
        help="base price (tiers may override it)",
    )
    stock = parser.add_mutually_exclusive_group()
    stock.add_argument("--sold-out", action="store_true", help="cannot be ordered for now")
    stock.add_argument("--available", action="store_true", help="can be ordered again")
    _request_id(parser)

    def run(args: argparse.Namespace) -> int:
        conn = connect(args)
        try:
            stub = _stub(conn)
            menu = {p.sku: p for p in all_products(conn)}
            current = menu.get(args.sku)
            if current is None and (args.name is None or args.price is None):
                raise InvalidArgument(f"new product {short(args.sku)}: give --name and --price")
            item = pb.Product(sku=args.sku, available=True)
            if current is not None:
                item.CopyFrom(current)
            if args.name is not None:
                item.name = args.name
            if args.category is not None:
                item.category = args.category
            if args.price is not None:
                item.base_fen = args.price
            if args.sold_out or args.available:
                item.available = args.available
            request = pb.UpsertProductRequest(product=item, request_id=_rid(args))
            saved = conn.call(stub.UpsertProduct, request).product
            if args.json:
                print_json(to_dict(saved))
            else:
                state = "available" if saved.available else "sold out"
                console.print(f"{saved.sku} {saved.name}: {format_yuan(saved.base_fen)} ({state})")
            return 0
        finally:
            conn.close()

    return run
