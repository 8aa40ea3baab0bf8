"""``ktv.v1.InventoryService``: a thin adapter from ktv.v1 messages to the venue's
:class:`Inventory`. Every mutating call runs inside ``once()`` (request_id -> first answer, in
the same transaction). The module also installs inventory's stock keeper into billing and the
``storage_reminders`` job into the scheduler.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

import grpc
from google.protobuf.message import Message

from controller.api.convert import ts
from controller.api.idempotent import once
from controller.api.paging import decode_token, encode_token, page_size
from controller.app import ControllerApp, register_service_module
from controller.auth.interceptor import current_principal
from controller.auth.permissions import INVENTORY_SERVICE, Permission
from controller.billing.convert import actor_of
from controller.billing.records import Actor
from controller.billing.stock import StockKeeper, register_stock_keeper
from controller.inventory import settings
from controller.inventory.buying import PurchaseOrder
from controller.inventory.channel import EmailOutbox, FileOutbox, SupplierChannel
from controller.inventory.desk import InventoryConfig, ItemLevel, MoveLine, ReceiptLine
from controller.inventory.model import STORE_ROOM, StockItem, in_purchase_units
from controller.inventory.purchasing import Supplier
from controller.inventory.records import Document
from controller.inventory.service import Inventory
from controller.inventory.stocktakes import Stocktake
from controller.inventory.storage import StoredBottle
from controller.inventory.storage_rules import ExpiryAction
from ktv.errors import InvalidArgument
from ktv.text import short
from ktv.v1 import inventory_pb2 as pb
from ktv.v1 import inventory_pb2_grpc

R = TypeVar("R", bound=Message)
PART = "inventory"
LINES_MAX = 200  # lines in one stock document


def inventory_of(app: ControllerApp) -> Inventory:
    """The venue's one inventory (billing's stock keeper and the servicer share it)."""
    found = app.parts.get(PART)
    if found is None:
        text = app.options.venue_config.read_text("utf-8") if app.options.venue_config else ""
        found = app.parts[PART] = Inventory(
            app.store, clock=app.clock, config=InventoryConfig.from_toml(text)
        )
    assert isinstance(found, Inventory)
    return found


def _keeper(app: ControllerApp) -> StockKeeper:
    return inventory_of(app).sales


register_stock_keeper(_keeper)


# --- conversions ---------------------------------------------------------------------------
def parse_date(text: str, what: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10]) if len(text) == 10 else date.fromisoformat(text)
    except ValueError:
        raise InvalidArgument(
            f"{what} {short(text)} is not YYYY-MM-DD", reason="BAD_DATE"
        ) from None


def item_pb(item: StockItem) -> pb.StockItem:
    return pb.StockItem(
        item_id=item.item_id,
        name=item.name,
        base_unit=item.base_unit,
        purchase_unit=item.purchase_unit,
        purchase_factor=item.purchase_factor,
        category=item.category,
        tracks_expiry=item.tracks_expiry,
        unit_cost_fen=item.unit_cost_fen,
        reorder_point=item.reorder_point,
        reorder_target=item.reorder_target,
        storage_category=item.storage_category,
    )


def item_from_pb(p: pb.StockItem) -> StockItem:
    return StockItem(
        p.item_id,
        p.name,
        p.base_unit or "瓶",
        p.purchase_unit,
        p.purchase_factor or 1,
        p.category,
        p.tracks_expiry,
        p.unit_cost_fen,
        p.reorder_point,
        p.reorder_target,
        p.storage_category,
    )


def document_pb(doc: Document) -> pb.StockDocument:
    return pb.StockDocument(
        doc_id=doc.doc_id,
        kind=doc.kind.value,
        time=ts(doc.at),
        staff_id=doc.staff_id,
        location=doc.location,
        to_location=doc.to_location,
        reason=doc.reason,
        ref=doc.ref,
        purpose=doc.purpose,
        lines=[
            pb.StockMovement(
                item_id=x.item_id,
                location=x.location,
                batch_id=x.batch_id,
                quantity=x.quantity,
                unit_cost_fen=x.unit_cost_fen,
            )
            for x in doc.lines
        ],
        value_fen=sum(x.cost_fen for x in doc.lines),
    )


def stocktake_pb(take: Stocktake) -> pb.Stocktake:
    lines = []
    for x in take.lines:
        line = pb.CountSheetLine(item=item_pb(x.item), expected_now=x.expected_now)
        if x.count is not None:
            line.counted = True
            line.expected = x.count.expected
            line.counted_quantity = x.count.counted
            line.variance = x.count.variance
            line.variance_fen = x.count.variance_fen
        lines.append(line)
    return pb.Stocktake(
        stocktake_id=take.stocktake_id,
        location=take.location,
        status=take.status.value,
        open_time=ts(take.opened_at),
        opened_by=take.opened_by,
        lines=lines,
        variance_fen=take.variance_fen,
        doc_id=take.doc_id,
    )


def po_pb(po: PurchaseOrder, factors: Mapping[str, int]) -> pb.PurchaseOrder:
    out = pb.PurchaseOrder(
        po_id=po.po_id,
        supplier_id=po.supplier.supplier_id,
        status=po.status.value,
        create_time=ts(po.created_at),
        created_by=po.created_by,
        expected_on=po.expected_on.isoformat() if po.expected_on else "",
        lines=[
            pb.PurchaseOrderLine(
                item_id=x.item_id, ordered=x.ordered, price_fen=x.price_fen, received=x.received
            )
            for x in po.lines
        ],
        note=po.note,
        overdue=po.overdue,
        total_fen=sum(
            x.price_fen * x.ordered // max(factors.get(x.item_id, 1), 1) for x in po.lines
        ),
    )
    if po.sent_at:
        out.send_time.CopyFrom(ts(po.sent_at))
    if po.closed_at:
        out.close_time.CopyFrom(ts(po.closed_at))
    return out


def bottle_pb(b: StoredBottle) -> pb.StoredBottle:
    return pb.StoredBottle(
        label_code=b.label_code,
        phone=b.phone,
        member_id=b.member_id,
        item_id=b.item_id,
        item_name=b.item_name,
        remaining=b.remaining,
        unit=b.unit,
        opened=b.opened,
        location=b.location,
        store_time=ts(b.stored_at),
        expires_on=b.expires_on.isoformat(),
        status=b.status.value,
    )


def _lines(lines: Sequence[pb.StockLineInput]) -> list[MoveLine]:
    if len(lines) > LINES_MAX:
        raise InvalidArgument(f"a document has at most {LINES_MAX} lines", reason="BAD_DOCUMENT")
    return [MoveLine(x.item_id, x.quantity, x.unit) for x in lines]


def _receipt_lines(lines: Sequence[pb.StockLineInput]) -> list[ReceiptLine]:
    if len(lines) > LINES_MAX:
        raise InvalidArgument(f"a document has at most {LINES_MAX} lines", reason="BAD_DOCUMENT")
    return [
        ReceiptLine(
            x.item_id,
            x.quantity,
            x.unit,
            x.batch_code,
            parse_date(x.best_before, "best_before"),
            x.unit_cost_fen,
        )
        for x in lines
    ]


class InventoryServicer(inventory_pb2_grpc.InventoryServiceServicer):
    def __init__(self, inventory: Inventory, outbox: Path) -> None:
        self.inventory = inventory
        self.desk = inventory.desk
        self.store = inventory.store
        self.outbox = outbox

    def _once(self, method: str, request: Message, rtype: type[R], action: Callable[[], R]) -> R:
        return once(self.store, f"/ktv.v1.InventoryService/{method}", request, rtype, action)

    @staticmethod
    def _actor() -> Actor:
        return actor_of(current_principal())

    def _document(self, doc_id: str) -> pb.StockDocument:
        return document_pb(self.desk.records.document(doc_id))

    def _factors(self) -> dict[str, int]:
        return {i.item_id: i.purchase_factor for i in self.desk.records.items().values()}

    # --- items, levels, recipes --------------------------------------------------------------
    async def UpsertStockItem(self, request, context):  # type: ignore[no-untyped-def]
        item = item_from_pb(request.item)

        def act() -> pb.UpsertStockItemResponse:
            return pb.UpsertStockItemResponse(item=item_pb(self.desk.put_item(item, self._actor())))

        return self._once("UpsertStockItem", request, pb.UpsertStockItemResponse, act)

    async def ListStockLevels(self, request, context):  # type: ignore[no-untyped-def]
        levels = self.desk.levels()
        reorder = self.inventory.buying.levels([x.item for x in levels])
        out = pb.ListStockLevelsResponse()
        for x in levels:
            level = reorder[x.item.item_id]
            low = level.target > 0 and x.on_hand <= level.point
            if request.warnings_only and not (low or x.expired or x.expiry_warning):
                continue
            out.levels.append(_level_pb(x, low, level.point, level.target))
        return out

    async def SetRecipe(self, request, context):  # type: ignore[no-untyped-def]
        from controller.inventory.desk import recipe_of

        recipe = recipe_of(
            request.sku,
            [(c.item_id, c.quantity) for c in request.components],
            request.allow_negative,
        )

        def act() -> pb.SetRecipeResponse:
            stored = self.desk.set_recipe(recipe, self._actor())
            return pb.SetRecipeResponse(
                sku=stored.sku,
                components=[
                    pb.RecipeComponent(item_id=c.item_id, quantity=c.quantity)
                    for c in stored.components
                ],
                allow_negative=stored.allow_negative,
            )

        return self._once("SetRecipe", request, pb.SetRecipeResponse, act)

    # --- documents ---------------------------------------------------------------------------
    async def ReceiveStock(self, request, context):  # type: ignore[no-untyped-def]
        lines = _receipt_lines(request.lines)

        def act() -> pb.ReceiveStockResponse:
            doc_id = self.inventory.receive(
                lines,
                self._actor(),
                location=request.location or STORE_ROOM,
                po_id=request.purchase_order,
            )
            return pb.ReceiveStockResponse(document=self._document(doc_id))

        return self._once("ReceiveStock", request, pb.ReceiveStockResponse, act)

    async def IssueStock(self, request, context):  # type: ignore[no-untyped-def]
        lines = _lines(request.lines)

        def act() -> pb.IssueStockResponse:
            doc_id = self.desk.issue(
                lines, self._actor(), location=request.location, reason=request.reason
            )
            return pb.IssueStockResponse(document=self._document(doc_id))

        return self._once("IssueStock", request, pb.IssueStockResponse, act)

    async def TransferStock(self, request, context):  # type: ignore[no-untyped-def]
        lines = _lines(request.lines)

        def act() -> pb.TransferStockResponse:
            doc_id = self.desk.transfer(
                lines,
                self._actor(),
                from_location=request.from_location,
                to_location=request.to_location,
            )
            return pb.TransferStockResponse(document=self._document(doc_id))

        return self._once("TransferStock", request, pb.TransferStockResponse, act)

    async def WasteStock(self, request, context):  # type: ignore[no-untyped-def]
        lines = _lines(request.lines)

        def act() -> pb.WasteStockResponse:
            doc_id = self.desk.waste(
                lines, self._actor(), location=request.location, reason=request.reason
            )
            return pb.WasteStockResponse(document=self._document(doc_id))

        return self._once("WasteStock", request, pb.WasteStockResponse, act)

    async def WriteOffExpired(self, request, context):  # type: ignore[no-untyped-def]
        def act() -> pb.WriteOffExpiredResponse:
            doc_id = self.desk.write_off_expired(self._actor(), request.location)
            out = pb.WriteOffExpiredResponse()
            if doc_id:
                out.document.CopyFrom(self._document(doc_id))
            return out

        return self._once("WriteOffExpired", request, pb.WriteOffExpiredResponse, act)

    async def ListStockDocuments(self, request, context):  # type: ignore[no-untyped-def]
        size = page_size(request.page_size, settings.documents_page_default)
        # the token carries its filter; an item's ledger is a filter of its own
        scope = f"{request.kind}|item:{request.item_id}" if request.item_id else request.kind
        after = decode_token(request.page_token, "stock_documents", scope) or ""
        docs = self.desk.records.documents(
            size + 1, before=after, kind=request.kind, item_id=request.item_id
        )
        out = pb.ListStockDocumentsResponse(documents=[document_pb(d) for d in docs[:size]])
        if len(docs) > size:
            last = docs[size - 1]
            out.next_page_token = encode_token(
                "stock_documents", scope, f"{last.at.isoformat()}|{last.doc_id}"
            )
        return out

    # --- stocktakes --------------------------------------------------------------------------
    async def OpenStocktake(self, request, context):  # type: ignore[no-untyped-def]
        def act() -> pb.OpenStocktakeResponse:
            take = self.inventory.stocktakes.open(request.location, self._actor())
            return pb.OpenStocktakeResponse(stocktake=stocktake_pb(take))

        return self._once("OpenStocktake", request, pb.OpenStocktakeResponse, act)

    async def GetStocktake(self, request, context):  # type: ignore[no-untyped-def]
        take = self.inventory.stocktakes.get(request.stocktake_id)
        return pb.GetStocktakeResponse(stocktake=stocktake_pb(take))

    async def ListStocktakes(self, request, context):  # type: ignore[no-untyped-def]
        closed = page_size(request.page_size, settings.stocktakes_page_default)
        out = pb.ListStocktakesResponse()
        for take in self.inventory.stocktakes.list(request.open_only, closed):
            summary = stocktake_pb(take)
            del summary.lines[:]
            out.stocktakes.append(summary)
        return out

    async def RecordCount(self, request, context):  # type: ignore[no-untyped-def]
        def act() -> pb.RecordCountResponse:
            takes = self.inventory.stocktakes
            takes.count(
                request.stocktake_id, request.item_id, request.counted, self._actor(), request.unit
            )
            sheet = stocktake_pb(takes.get(request.stocktake_id))
            line = next(x for x in sheet.lines if x.item.item_id == request.item_id)
            return pb.RecordCountResponse(line=line)

        return self._once("RecordCount", request, pb.RecordCountResponse, act)

    async def DecideStocktake(self, request, context):  # type: ignore[no-untyped-def]
        def act() -> pb.DecideStocktakeResponse:
            takes = self.inventory.stocktakes
            decide = takes.approve if request.approve else takes.reject
            return pb.DecideStocktakeResponse(
                stocktake=stocktake_pb(decide(request.stocktake_id, self._actor()))
            )

        return self._once("DecideStocktake", request, pb.DecideStocktakeResponse, act)

    # --- purchasing --------------------------------------------------------------------------
    def _supplier_pb(self, s: Supplier) -> pb.Supplier:
        return pb.Supplier(
            supplier_id=s.supplier_id,
            name=s.name,
            contact=s.contact,
            phone=s.phone,
            email=s.email,
            lead_days=s.lead_days,
            prices=[
                pb.SupplierPrice(item_id=p.item_id, price_fen=p.price_fen)
                for p in self.inventory.buying.prices(s.supplier_id)
            ],
        )

    async def UpsertSupplier(self, request, context):  # type: ignore[no-untyped-def]
        s = request.supplier
        supplier = Supplier(s.supplier_id, s.name, s.contact, s.phone, s.email, s.lead_days)
        if len(s.prices) > 2000:
            raise InvalidArgument("at most 2000 prices per supplier", reason="BAD_SUPPLIER")
        prices = {p.item_id: p.price_fen for p in s.prices}

        def act() -> pb.UpsertSupplierResponse:
            stored = self.inventory.buying.put_supplier(supplier, prices, self._actor())
            return pb.UpsertSupplierResponse(supplier=self._supplier_pb(stored))

        return self._once("UpsertSupplier", request, pb.UpsertSupplierResponse, act)

    async def ListSuppliers(self, request, context):  # type: ignore[no-untyped-def]
        return pb.ListSuppliersResponse(
            suppliers=[self._supplier_pb(s) for s in self.inventory.buying.suppliers()]
        )

    async def SuggestPurchases(self, request, context):  # type: ignore[no-untyped-def]
        found = await asyncio.to_thread(self.inventory.buying.suggestions)
        return pb.SuggestPurchasesResponse(
            suggestions=[
                pb.PurchaseSuggestion(
                    item=item_pb(s.item),
                    on_hand=s.on_hand,
                    on_order=s.on_order,
                    reorder_point=s.level.point,
                    reorder_target=s.level.target,
                    derived=s.level.derived,
                    quantity=s.quantity,
                    quantity_text=in_purchase_units(s.item, s.quantity),
                    supplier_id=s.supplier_id,
                    price_fen=s.price_fen,
                    cost_fen=s.cost_fen,
                )
                for s in found
            ]
        )

    async def CreatePurchaseOrder(self, request, context):  # type: ignore[no-untyped-def]
        if len(request.lines) > LINES_MAX:
            raise InvalidArgument(f"an order has at most {LINES_MAX} lines", reason="BAD_DOCUMENT")
        lines = [(x.item_id, x.quantity, x.unit) for x in request.lines]
        expected = parse_date(request.expected_on, "expected_on")

        def act() -> pb.CreatePurchaseOrderResponse:
            po = self.inventory.buying.create(
                request.supplier_id, lines, self._actor(), expected_on=expected, note=request.note
            )
            return pb.CreatePurchaseOrderResponse(purchase_order=po_pb(po, self._factors()))

        return self._once("CreatePurchaseOrder", request, pb.CreatePurchaseOrderResponse, act)

    def _channel(self, name: str) -> SupplierChannel:
        if name in ("", "file"):
            return FileOutbox(self.outbox / "orders")
        if name == "email":
            return EmailOutbox(self.outbox / "mail")
        raise InvalidArgument(
            f"no supplier channel {short(name)}: file or email", reason="BAD_CHANNEL"
        )

    async def SendPurchaseOrder(self, request, context):  # type: ignore[no-untyped-def]
        channel = self._channel(request.channel)

        def act() -> pb.SendPurchaseOrderResponse:
            po, where = self.inventory.buying.send(request.po_id, channel, self._actor())
            return pb.SendPurchaseOrderResponse(
                purchase_order=po_pb(po, self._factors()), sent_to=where
            )

        return self._once("SendPurchaseOrder", request, pb.SendPurchaseOrderResponse, act)

    async def ExportPurchaseOrder(self, request, context):  # type: ignore[no-untyped-def]
        buying = self.inventory.buying
        sheet = buying.sheet(buying.get(request.po_id))
        kind = request.format or "text"
        if kind == "text":
            content = sheet.text().encode("utf-8")
        elif kind == "csv":
            content = sheet.csv()
        elif kind == "xlsx":
            content = await asyncio.to_thread(sheet.xlsx)
        else:
            raise InvalidArgument(f"format {short(kind)}: text, csv or xlsx", reason="BAD_FORMAT")
        suffix = "txt" if kind == "text" else kind
        return pb.ExportPurchaseOrderResponse(content=content, filename=f"{sheet.po_id}.{suffix}")

    async def ClosePurchaseOrder(self, request, context):  # type: ignore[no-untyped-def]
        def act() -> pb.ClosePurchaseOrderResponse:
            po = self.inventory.buying.close(request.po_id, self._actor(), cancel=request.cancel)
            return pb.ClosePurchaseOrderResponse(purchase_order=po_pb(po, self._factors()))

        return self._once("ClosePurchaseOrder", request, pb.ClosePurchaseOrderResponse, act)

    async def ListPurchaseOrders(self, request, context):  # type: ignore[no-untyped-def]
        factors = self._factors()
        return pb.ListPurchaseOrdersResponse(
            purchase_orders=[
                po_pb(po, factors)
                for po in self.inventory.buying.orders(open_only=request.open_only)
            ]
        )

    # --- 存酒 ---------------------------------------------------------------------------------
    async def StoreBottle(self, request, context):  # type: ignore[no-untyped-def]
        def act() -> pb.StoreBottleResponse:
            bottle = self.inventory.storage.deposit(
                request.phone,
                request.item_id,
                request.remaining,
                self._actor(),
                opened=request.opened,
                location=request.location or "bar",
                label_code=request.label_code,
            )
            return pb.StoreBottleResponse(bottle=bottle_pb(bottle))

        return self._once("StoreBottle", request, pb.StoreBottleResponse, act)

    async def WithdrawBottle(self, request, context):  # type: ignore[no-untyped-def]
        def act() -> pb.WithdrawBottleResponse:
            bottle = self.inventory.storage.withdraw(
                request.label_code, request.quantity, self._actor()
            )
            return pb.WithdrawBottleResponse(bottle=bottle_pb(bottle))

        return self._once("WithdrawBottle", request, pb.WithdrawBottleResponse, act)

    async def ResolveBottle(self, request, context):  # type: ignore[no-untyped-def]
        try:
            action = ExpiryAction(request.action)
        except ValueError:
            raise InvalidArgument(
                f"action {short(request.action)}: extend, forfeit or serve", reason="BAD_ACTION"
            ) from None

        def act() -> pb.ResolveBottleResponse:
            bottle = self.inventory.storage.resolve(
                request.label_code, action, self._actor(), days=request.days, note=request.note
            )
            return pb.ResolveBottleResponse(bottle=bottle_pb(bottle))

        return self._once("ResolveBottle", request, pb.ResolveBottleResponse, act)

    async def ListStoredBottles(self, request, context):  # type: ignore[no-untyped-def]
        storage = self.inventory.storage
        if request.label_code:
            bottles = [storage.get(request.label_code)]
        elif request.phone:
            bottles = storage.of_phone(request.phone, stored_only=False)
        else:
            if not 0 <= request.expiring_within_days <= 366:
                raise InvalidArgument("expiring_within_days is 0-366", reason="BAD_DURATION")
            bottles = storage.expiring(request.expiring_within_days)
        return pb.ListStoredBottlesResponse(bottles=[bottle_pb(b) for b in bottles])

    async def CheckStoredBottles(self, request, context):  # type: ignore[no-untyped-def]
        if len(request.labels_found) > 10_000:
            raise InvalidArgument("at most 10000 labels in one check", reason="BAD_LABEL")
        labels = list(request.labels_found)

        def act() -> pb.CheckStoredBottlesResponse:
            result = self.inventory.storage.check(labels, self._actor())
            return pb.CheckStoredBottlesResponse(
                matched=result.matched, missing=result.missing, extra=result.extra
            )

        return self._once("CheckStoredBottles", request, pb.CheckStoredBottlesResponse, act)

    # --- alerts and checks -------------------------------------------------------------------
    async def ListStockAlerts(self, request, context):  # type: ignore[no-untyped-def]
        alerts = await asyncio.to_thread(self.inventory.alerts)
        return pb.ListStockAlertsResponse(
            alerts=[
                pb.StockAlert(kind=a.kind.value, subject=a.subject, text=a.text, days=a.days)
                for a in alerts
            ]
        )

    async def VerifyStockLedger(self, request, context):  # type: ignore[no-untyped-def]
        now = self.desk.clock()
        end = (
            request.end_time.ToDatetime(tzinfo=now.tzinfo) if request.HasField("end_time") else now
        )
        start = (
            request.start_time.ToDatetime(tzinfo=now.tzinfo)
            if request.HasField("start_time")
            else end - timedelta(days=1)
        )
        problems = await asyncio.to_thread(self.desk.verify)
        cost = self.inventory.sales.cost_of_sales(start, end)
        return pb.VerifyStockLedgerResponse(
            problems=problems[:100],
            sold_cost_fen=cost["sale"],
            package_cost_fen=cost["package"],
            gift_cost_fen=cost["gift"],
        )


def _level_pb(x: ItemLevel, low: bool, point: int, target: int) -> pb.StockLevel:
    return pb.StockLevel(
        item=item_pb(x.item),
        on_hand=x.on_hand,
        locations=[
            pb.LocationQuantity(location=k, quantity=v) for k, v in sorted(x.by_location.items())
        ],
        expired=x.expired,
        next_best_before=x.next_best_before.isoformat() if x.next_best_before else "",
        expiry_warning_days=x.expiry_warning or 0,
        value_fen=x.value_fen,
        low=low,
        reorder_point=point,
        reorder_target=target,
        on_hand_text=in_purchase_units(x.item, x.on_hand),
    )


class InventoryModule:
    def permissions(self) -> Mapping[str, Permission]:
        return INVENTORY_SERVICE

    def add_to_server(self, server: grpc.aio.Server, app: ControllerApp) -> list[str]:
        inventory = inventory_of(app)
        inventory_pb2_grpc.add_InventoryServiceServicer_to_server(
            InventoryServicer(inventory, app.options.data_dir / "outbox"), server
        )
        if app.scheduler is not None:
            from controller.scheduler.timing import parse_cadence

            def remind(period: object) -> str:
                return f"queued {inventory.storage.remind()} 存酒 reminders"

            app.scheduler.add("storage_reminders", parse_cadence("daily 10:00"), remind)
        return [pb.DESCRIPTOR.services_by_name["InventoryService"].full_name]


register_service_module(InventoryModule)
