"""ktvctl stock ...: stock on hand with warnings, receive / issue / transfer / waste,
stocktakes, purchase orders, the suggested list, 存酒 storage, stock alerts (``--json``).

Lines are ``ITEM:QTY[:UNIT]`` (``tsingtao:2:箱``, ``chivas:1``); quantities go to the
controller as typed and come back refused there when they are not whole base units.
"""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.table import Table

from controller.billing.money import format_yuan
from controller.ktvctl import args as types
from controller.ktvctl import command
from controller.ktvctl.connection import connect
from controller.ktvctl.output import console, print_json, to_dict
from ktv.errors import InvalidArgument
from ktv.v1 import inventory_pb2 as pb
from ktv.v1 import inventory_pb2_grpc

ITEM = types.text("an item id", 64)
LOCATION = types.text("a location (store or bar)", 16)
LABEL = types.text("a label code", 32)
QTY = types.verbatim("a quantity", 32)
DATE = types.verbatim("a date (YYYY-MM-DD)", 10)
LABELS_MAX = 10_000
WARN = {30: "30天内", 15: "15天内", 7: "7天内"}


def line(text: str) -> pb.StockLineInput:
    """``ITEM:QTY[:UNIT]``."""
    parts = text.split(":")
    if len(parts) not in (2, 3) or not parts[0] or not parts[1] or len(text) > 120:
        raise argparse.ArgumentTypeError(f"a line is ITEM:QTY[:UNIT], got {text!r}")
    return pb.StockLineInput(
        item_id=parts[0].strip(),
        quantity=parts[1].strip(),
        unit=(parts[2] if len(parts) == 3 else "").strip(),
    )


def _rid(args: argparse.Namespace) -> str:
    return getattr(args, "request_id", "") or uuid.uuid4().hex


def _call(args: argparse.Namespace, method: str, request: Any) -> Any:
    conn = connect(args)
    try:
        stub = inventory_pb2_grpc.InventoryServiceStub(conn.channel)
        return conn.call(getattr(stub, method), request)
    finally:
        conn.close()


def _show(args: argparse.Namespace, reply: Any, draw: Callable[[Any], None]) -> int:
    if args.json:
        print_json(to_dict(reply))
    else:
        draw(reply)
    return 0


def _document(reply: Any) -> None:
    doc = reply.document
    if not doc.doc_id:
        console.print("nothing to do")
        return
    table = Table(title=f"{doc.kind} {doc.doc_id} by {doc.staff_id}", title_justify="left")
    for column in ("item", "location", "batch", "quantity", "cost"):
        table.add_column(column)
    for x in doc.lines:
        table.add_row(
            x.item_id,
            x.location,
            x.batch_id or "-",
            f"{x.quantity:+d}",
            format_yuan(x.quantity * x.unit_cost_fen),
        )
    console.print(table)


def _lines_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("lines", nargs="+", type=line, metavar="ITEM:QTY[:UNIT]")
    parser.add_argument("--request-id", type=types.REQUEST_ID, default="")


@command("stock show", "stock on hand by location, with expiry and low-stock warnings")
def _show_levels(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("--warnings", action="store_true", help="only items with a warning")

    def run(args: argparse.Namespace) -> int:
        reply = _call(
            args, "ListStockLevels", pb.ListStockLevelsRequest(warnings_only=args.warnings)
        )

        def draw(r: Any) -> None:
            table = Table(title="stock on hand", title_justify="left")
            for column in (
                "item",
                "name",
                "store",
                "bar",
                "on hand",
                "value",
                "best before",
                "warning",
            ):
                table.add_column(column)
            for x in r.levels:
                where = {q.location: q.quantity for q in x.locations}
                warn = []
                if x.low:
                    warn.append(f"low (reorder at {x.reorder_point})")
                if x.expired:
                    warn.append(f"{x.expired} expired")
                elif x.expiry_warning_days:
                    warn.append(f"expires {WARN.get(x.expiry_warning_days, x.expiry_warning_days)}")
                table.add_row(
                    x.item.item_id,
                    x.item.name,
                    str(where.get("store", 0)),
                    str(where.get("bar", 0)),
                    x.on_hand_text,
                    format_yuan(x.value_fen),
                    x.next_best_before or "-",
                    ", ".join(warn),
                )
            console.print(table)

        return _show(args, reply, draw)

    return run


@command("stock item", "define or change a stock item (manager)")
def _item(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("item_id", type=ITEM)
    parser.add_argument("name", type=types.NAME)
    parser.add_argument("--unit", type=types.text("a unit", 8), default="瓶", help="base unit")
    parser.add_argument(
        "--case", type=types.text("a unit", 8), default="", help="purchase unit (箱)"
    )
    parser.add_argument("--per-case", type=types.count("base units per case", 1, 10_000), default=1)
    parser.add_argument("--category", type=types.NAME, default="")
    parser.add_argument("--expiry", action="store_true", help="receipts need best-before dates")
    parser.add_argument(
        "--cost", type=types.yuan(positive=False), default=0, help="per base unit, yuan"
    )
    parser.add_argument("--reorder-point", type=types.count("a reorder point", 0, 10**9), default=0)
    parser.add_argument(
        "--reorder-target", type=types.count("a reorder target", 0, 10**9), default=0
    )
    parser.add_argument(
        "--storage",
        type=types.text("a storage category", 16),
        default="",
        help="存酒 rule: spirits/wine/beer",
    )
    parser.add_argument("--request-id", type=types.REQUEST_ID, default="")

    def run(args: argparse.Namespace) -> int:
        reply = _call(
            args,
            "UpsertStockItem",
            pb.UpsertStockItemRequest(
                item=pb.StockItem(
                    item_id=args.item_id,
                    name=args.name,
                    base_unit=args.unit,
                    purchase_unit=args.case,
                    purchase_factor=args.per_case,
                    category=args.category,
                    tracks_expiry=args.expiry,
                    unit_cost_fen=args.cost,
                    reorder_point=args.reorder_point,
                    reorder_target=args.reorder_target,
                    storage_category=args.storage,
                ),
                request_id=_rid(args),
            ),
        )
        return _show(args, reply, lambda r: console.print(f"{r.item.item_id} {r.item.name} saved"))

    return run


@command("stock recipe", "what a menu product takes from stock (manager): SKU ITEM:QTY ...")
def _recipe(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("sku", type=types.CODE)
    parser.add_argument("parts", nargs="*", type=line, metavar="ITEM:QTY")
    parser.add_argument(
        "--allow-negative", action="store_true", help="sell on below zero with a warning"
    )
    parser.add_argument("--request-id", type=types.REQUEST_ID, default="")

    def run(args: argparse.Namespace) -> int:
        parts = []
        for p in args.parts:
            qty = types.count("a recipe quantity", 1, 10**6)(p.quantity)
            parts.append(pb.RecipeComponent(item_id=p.item_id, quantity=qty))
        reply = _call(
            args,
            "SetRecipe",
            pb.SetRecipeRequest(
                sku=args.sku,
                components=parts,
                allow_negative=args.allow_negative,
                request_id=_rid(args),
            ),
        )
        return _show(
            args, reply, lambda r: console.print(f"{r.sku}: {len(r.components)} components")
        )

    return run


@command("stock receive", "入库: goods received (ITEM:QTY[:UNIT] ...), optionally against a PO")
def _receive(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    _lines_args(parser)
    parser.add_argument("--at", type=LOCATION, default="store", help="store (default) or bar")
    parser.add_argument("--best-before", type=DATE, default="", help="YYYY-MM-DD")
    parser.add_argument("--batch", type=types.text("a batch code", 40), default="")
    parser.add_argument(
        "--cost", type=types.yuan(positive=False), default=0, help="per base unit, yuan"
    )
    parser.add_argument("--po", type=types.CODE, default="", help="purchase order id")

    def run(args: argparse.Namespace) -> int:
        for x in args.lines:
            x.best_before, x.batch_code, x.unit_cost_fen = args.best_before, args.batch, args.cost
        reply = _call(
            args,
            "ReceiveStock",
            pb.ReceiveStockRequest(
                lines=args.lines, location=args.at, purchase_order=args.po, request_id=_rid(args)
            ),
        )
        return _show(args, reply, _document)

    return run


@command("stock issue", "领用: stock taken out for use")
def _issue(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    _lines_args(parser)
    parser.add_argument("--at", type=LOCATION, required=True)
    parser.add_argument("--reason", type=types.NOTE, required=True)

    def run(args: argparse.Namespace) -> int:
        reply = _call(
            args,
            "IssueStock",
            pb.IssueStockRequest(
                lines=args.lines, location=args.at, reason=args.reason, request_id=_rid(args)
            ),
        )
        return _show(args, reply, _document)

    return run


@command("stock transfer", "调拨: between the store room and the bar")
def _transfer(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    _lines_args(parser)
    parser.add_argument("--from", dest="source", type=LOCATION, default="store")
    parser.add_argument("--to", dest="target", type=LOCATION, default="bar")

    def run(args: argparse.Namespace) -> int:
        reply = _call(
            args,
            "TransferStock",
            pb.TransferStockRequest(
                lines=args.lines,
                from_location=args.source,
                to_location=args.target,
                request_id=_rid(args),
            ),
        )
        return _show(args, reply, _document)

    return run


@command("stock waste", "报损: broken, spoilt or expired, with a reason")
def _waste(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    _lines_args(parser)
    parser.add_argument("--at", type=LOCATION, required=True)
    parser.add_argument("--reason", type=types.NOTE, required=True)

    def run(args: argparse.Namespace) -> int:
        reply = _call(
            args,
            "WasteStock",
            pb.WasteStockRequest(
                lines=args.lines, location=args.at, reason=args.reason, request_id=_rid(args)
            ),
        )
        return _show(args, reply, _document)

    return run


@command("stock expire", "write every expired batch off as waste (manager)")
def _expire(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("--at", type=LOCATION, default="")
    parser.add_argument("--request-id", type=types.REQUEST_ID, default="")

    def run(args: argparse.Namespace) -> int:
        reply = _call(
            args,
            "WriteOffExpired",
            pb.WriteOffExpiredRequest(location=args.at, request_id=_rid(args)),
        )
        return _show(args, reply, _document)

    return run


def _sheet(r: Any) -> None:
    take = r.stocktake
    table = Table(
        title=f"盘点 {take.stocktake_id} {take.location} ({take.status})", title_justify="left"
    )
    for column in (
        "item",
        "name",
        "expected now",
        "counted",
        "expected then",
        "variance",
        "at cost",
    ):
        table.add_column(column)
    for x in take.lines:
        table.add_row(
            x.item.item_id,
            x.item.name,
            str(x.expected_now),
            str(x.counted_quantity) if x.counted else "",
            str(x.expected) if x.counted else "",
            f"{x.variance:+d}" if x.counted else "",
            format_yuan(x.variance_fen) if x.counted else "",
        )
    console.print(table)
    console.print(f"variance at cost: {format_yuan(take.variance_fen)}")


@command(
    "stock stocktake", "盘点: open LOCATION | count ID ITEM QTY | show ID | approve ID | reject ID"
)
def _stocktake(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("action", choices=("open", "count", "show", "approve", "reject"))
    parser.add_argument("target", type=types.CODE, help="a location (open) or a stocktake id")
    parser.add_argument("item", nargs="?", type=ITEM, default="")
    parser.add_argument("quantity", nargs="?", type=QTY, default="")
    parser.add_argument("--unit", type=types.text("a unit", 8), default="")
    parser.add_argument("--request-id", type=types.REQUEST_ID, default="")

    def run(args: argparse.Namespace) -> int:
        if args.action == "open":
            reply = _call(
                args,
                "OpenStocktake",
                pb.OpenStocktakeRequest(location=args.target, request_id=_rid(args)),
            )
        elif args.action == "count":
            if not args.item or not args.quantity:
                raise InvalidArgument("usage: stock stocktake count ID ITEM QTY")
            _call(
                args,
                "RecordCount",
                pb.RecordCountRequest(
                    stocktake_id=args.target,
                    item_id=args.item,
                    counted=args.quantity,
                    unit=args.unit,
                    request_id=_rid(args),
                ),
            )
            reply = _call(args, "GetStocktake", pb.GetStocktakeRequest(stocktake_id=args.target))
        elif args.action == "show":
            reply = _call(args, "GetStocktake", pb.GetStocktakeRequest(stocktake_id=args.target))
        else:
            reply = _call(
                args,
                "DecideStocktake",
                pb.DecideStocktakeRequest(
                    stocktake_id=args.target,
                    approve=args.action == "approve",
                    request_id=_rid(args),
                ),
            )
        return _show(args, reply, _sheet)

    return run


def _orders(orders: Any) -> None:
    table = Table(title="purchase orders", title_justify="left")
    for column in ("order", "supplier", "status", "expected", "lines", "total", ""):
        table.add_column(column)
    for po in orders:
        table.add_row(
            po.po_id,
            po.supplier_id,
            po.status,
            po.expected_on,
            ", ".join(f"{x.item_id} {x.received}/{x.ordered}" for x in po.lines),
            format_yuan(po.total_fen),
            "OVERDUE" if po.overdue else "",
        )
    console.print(table)


@command(
    "stock po",
    "purchase orders: list | create SUPPLIER ITEM:QTY[:UNIT]... | send ID | export ID"
    " | close ID | cancel ID",
)
def _po(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("action", choices=("list", "create", "send", "export", "close", "cancel"))
    parser.add_argument(
        "target", nargs="?", type=types.CODE, default="", help="a supplier (create) or an order id"
    )
    parser.add_argument("lines", nargs="*", type=line, metavar="ITEM:QTY[:UNIT]")
    parser.add_argument("--expected", type=DATE, default="", help="delivery date YYYY-MM-DD")
    parser.add_argument("--channel", choices=("file", "email"), default="file")
    parser.add_argument("--format", choices=("text", "csv", "xlsx"), default="text")
    parser.add_argument("--out", type=Path, default=None, help="export: write the file here")
    parser.add_argument("--open", action="store_true", help="list: only open orders")
    parser.add_argument("--request-id", type=types.REQUEST_ID, default="")

    def run(args: argparse.Namespace) -> int:
        if args.action != "list" and not args.target:
            raise InvalidArgument(f"usage: stock po {args.action} ID")
        if args.action == "list":
            reply = _call(
                args, "ListPurchaseOrders", pb.ListPurchaseOrdersRequest(open_only=args.open)
            )
            return _show(args, reply, lambda r: _orders(r.purchase_orders))
        if args.action == "create":
            reply = _call(
                args,
                "CreatePurchaseOrder",
                pb.CreatePurchaseOrderRequest(
                    supplier_id=args.target,
                    lines=[
                        pb.PurchaseOrderLineInput(
                            item_id=x.item_id, quantity=x.quantity, unit=x.unit
                        )
                        for x in args.lines
                    ],
                    expected_on=args.expected,
                    request_id=_rid(args),
                ),
            )
            return _show(args, reply, lambda r: _orders([r.purchase_order]))
        if args.action == "send":
            reply = _call(
                args,
                "SendPurchaseOrder",
                pb.SendPurchaseOrderRequest(
                    po_id=args.target, channel=args.channel, request_id=_rid(args)
                ),
            )
            return _show(
                args, reply, lambda r: console.print(f"{r.purchase_order.po_id} sent: {r.sent_to}")
            )
        if args.action == "export":
            reply = _call(
                args,
                "ExportPurchaseOrder",
                pb.ExportPurchaseOrderRequest(po_id=args.target, format=args.format),
            )
            if args.out is not None:
                types.write_file(args.out, reply.content, "the order")
                console.print(f"wrote {args.out}")
            elif args.format == "text":
                console.print(reply.content.decode("utf-8"), end="")
            else:
                raise InvalidArgument("csv and xlsx need --out FILE", reason="BAD_FORMAT")
            return 0
        reply = _call(
            args,
            "ClosePurchaseOrder",
            pb.ClosePurchaseOrderRequest(
                po_id=args.target, cancel=args.action == "cancel", request_id=_rid(args)
            ),
        )
        return _show(args, reply, lambda r: _orders([r.purchase_order]))

    return run


@command("stock suggest", "the suggested purchase list (items at or below their reorder point)")
def _suggest(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        reply = _call(args, "SuggestPurchases", pb.SuggestPurchasesRequest())

        def draw(r: Any) -> None:
            table = Table(title="suggested purchases", title_justify="left")
            for column in (
                "supplier",
                "item",
                "on hand",
                "on order",
                "point",
                "target",
                "buy",
                "cost",
            ):
                table.add_column(column)
            for s in r.suggestions:
                table.add_row(
                    s.supplier_id or "-",
                    s.item.name,
                    str(s.on_hand),
                    str(s.on_order),
                    f"{s.reorder_point}{' (sales)' if s.derived else ''}",
                    str(s.reorder_target),
                    s.quantity_text,
                    format_yuan(s.cost_fen),
                )
            console.print(table)

        return _show(args, reply, draw)

    return run


def _bottles(bottles: Any) -> None:
    table = Table(title="存酒", title_justify="left")
    for column in ("label", "phone", "item", "left", "opened", "expires", "status"):
        table.add_column(column)
    for b in bottles:
        table.add_row(
            b.label_code,
            b.phone,
            b.item_name,
            f"{b.remaining}{b.unit}",
            "yes" if b.opened else "",
            b.expires_on,
            b.status,
        )
    console.print(table)


@command(
    "stock storage",
    "存酒: put PHONE ITEM QTY | take LABEL QTY | list PHONE | expiring DAYS"
    " | resolve LABEL extend|forfeit|serve | check LABEL...",
)
def _storage(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("action", choices=("put", "take", "list", "expiring", "resolve", "check"))
    parser.add_argument("words", nargs="*", type=types.verbatim("a value", 40))
    parser.add_argument("--opened", action="store_true", help="put: the bottle is opened")
    parser.add_argument("--label", type=LABEL, default="", help="put: the label on the bottle")
    parser.add_argument("--at", type=LOCATION, default="bar")
    parser.add_argument(
        "--days", type=types.count("days", 0, 365), default=0, help="resolve extend: days"
    )
    parser.add_argument("--note", type=types.NOTE, default="")
    parser.add_argument("--request-id", type=types.REQUEST_ID, default="")

    def run(args: argparse.Namespace) -> int:
        def need(n: int, usage: str) -> list[str]:
            if len(args.words) != n:
                raise InvalidArgument(f"usage: stock storage {usage}")
            return list(args.words)

        if args.action == "put":
            phone, item_id, qty = need(3, "put PHONE ITEM QTY")
            reply = _call(
                args,
                "StoreBottle",
                pb.StoreBottleRequest(
                    phone=phone,
                    item_id=item_id,
                    remaining=qty,
                    opened=args.opened,
                    location=args.at,
                    label_code=args.label,
                    request_id=_rid(args),
                ),
            )
            return _show(args, reply, lambda r: _bottles([r.bottle]))
        if args.action == "take":
            label, qty = need(2, "take LABEL QTY")
            reply = _call(
                args,
                "WithdrawBottle",
                pb.WithdrawBottleRequest(label_code=label, quantity=qty, request_id=_rid(args)),
            )
            return _show(args, reply, lambda r: _bottles([r.bottle]))
        if args.action == "list":
            (phone,) = need(1, "list PHONE")
            reply = _call(args, "ListStoredBottles", pb.ListStoredBottlesRequest(phone=phone))
            return _show(args, reply, lambda r: _bottles(r.bottles))
        if args.action == "expiring":
            (days,) = need(1, "expiring DAYS")
            within = types.count("days", 0, 366)(days)
            reply = _call(
                args, "ListStoredBottles", pb.ListStoredBottlesRequest(expiring_within_days=within)
            )
            return _show(args, reply, lambda r: _bottles(r.bottles))
        if args.action == "resolve":
            label, action = need(2, "resolve LABEL extend|forfeit|serve")
            reply = _call(
                args,
                "ResolveBottle",
                pb.ResolveBottleRequest(
                    label_code=label,
                    action=action,
                    days=args.days,
                    note=args.note,
                    request_id=_rid(args),
                ),
            )
            return _show(args, reply, lambda r: _bottles([r.bottle]))
        if len(args.words) > LABELS_MAX:
            raise InvalidArgument(f"at most {LABELS_MAX} labels in one check", reason="BAD_LABEL")
        reply = _call(
            args,
            "CheckStoredBottles",
            pb.CheckStoredBottlesRequest(labels_found=args.words, request_id=_rid(args)),
        )
        return _show(
            args,
            reply,
            lambda r: console.print(
                f"matched {len(r.matched)}; missing: {', '.join(r.missing) or '-'};"
                f" extra: {', '.join(r.extra) or '-'}"
            ),
        )

    return run


@command("stock alerts", "low stock, expiring batches, overdue deliveries, 存酒 expiring")
def _alerts(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        reply = _call(args, "ListStockAlerts", pb.ListStockAlertsRequest())

        def draw(r: Any) -> None:
            if not r.alerts:
                console.print("no stock alerts")
            for a in r.alerts:
                console.print(f"[bold]{a.kind}[/bold] {a.text}")

        return _show(args, reply, draw)

    return run
