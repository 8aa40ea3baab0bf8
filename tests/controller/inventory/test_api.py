"""InventoryService and stock-managed ordering through a real controller process and real gRPC."""

from __future__ import annotations

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import grpc
import pytest

from controller.api.errors import reason_of
from ktv.v1 import auth_pb2, inventory_pb2_grpc
from ktv.v1 import billing_pb2 as bpb
from ktv.v1 import inventory_pb2 as pb
from tests.support.controller import bearer, start_controller

from ..billing.grpc_support import TIMEOUT_S, billing_stub, rid, write_venue

_rooms = itertools.count(1)
BEST = (date.today() + timedelta(days=120)).isoformat()


@pytest.fixture(scope="module")
def ctl(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("inventory-api") / "data"
    venue = write_venue(data_dir)
    with start_controller(data_dir, ["--venue-config", str(venue), "--no-mdns"]) as running:
        yield running


@pytest.fixture(scope="module")
def staff(ctl):
    return {
        "cashier": bearer(ctl.add_staff("li", auth_pb2.ROLE_CASHIER)),
        "manager": bearer(ctl.add_staff("wang", auth_pb2.ROLE_MANAGER)),
        "waiter": bearer(ctl.add_staff("zhao", auth_pb2.ROLE_WAITER)),
    }


@pytest.fixture(scope="module")
def stock(ctl):
    return inventory_pb2_grpc.InventoryServiceStub(ctl.channel())


@pytest.fixture(scope="module")
def billing(ctl):
    return billing_stub(ctl.channel())


def call(method, request, md):
    return method(request, metadata=md, timeout=TIMEOUT_S)


def refused(method, request, md) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as error:
        call(method, request, md)
    return error.value


def open_room(ctl, billing, staff) -> str:
    room_id = f"I{next(_rooms):03d}"
    ctl.add_room(room_id, tier="small")
    call(
        billing.OpenSession,
        bpb.OpenSessionRequest(room=f"rooms/{room_id}", guest_count=2, request_id=rid()),
        staff["cashier"],
    )
    return room_id


def item(stock, staff, item_id: str, *, tracks_expiry: bool = False) -> None:
    call(
        stock.UpsertStockItem,
        pb.UpsertStockItemRequest(
            item=pb.StockItem(
                item_id=item_id,
                name=f"酒 {item_id}",
                base_unit="瓶",
                purchase_unit="箱",
                purchase_factor=12,
                tracks_expiry=tracks_expiry,
                unit_cost_fen=3000,
            ),
            request_id=rid(),
        ),
        staff["manager"],
    )


def test_two_rooms_ordering_the_last_bottle_at_once_one_succeeds(ctl, staff, stock, billing):
    item(stock, staff, "last-bottle")
    call(
        billing.UpsertProduct,
        bpb.UpsertProductRequest(
            product=bpb.Product(
                sku="xo", name="XO", category="spirits", base_fen=88800, available=True
            ),
            request_id=rid(),
        ),
        staff["manager"],
    )
    call(
        stock.SetRecipe,
        pb.SetRecipeRequest(
            sku="xo",
            components=[pb.RecipeComponent(item_id="last-bottle", quantity=1)],
            request_id=rid(),
        ),
        staff["manager"],
    )
    call(
        stock.ReceiveStock,
        pb.ReceiveStockRequest(
            lines=[pb.StockLineInput(item_id="last-bottle", quantity="1")],
            location="bar",
            request_id=rid(),
        ),
        staff["waiter"],
    )
    rooms = [open_room(ctl, billing, staff) for _ in range(2)]
    agents = {r: bearer(ctl.enroll_agent(r)) for r in rooms}
    start = threading.Barrier(2)

    def order(room_id: str):
        start.wait()
        try:
            return call(
                billing.PlaceOrder,
                bpb.PlaceOrderRequest(
                    room=f"rooms/{room_id}",
                    items=[bpb.OrderItem(sku="xo", quantity=1)],
                    request_id=rid(),
                ),
                agents[room_id],
            )
        except grpc.RpcError as error:
            return error

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(order, rooms))
    errors = [r for r in results if isinstance(r, grpc.RpcError)]
    assert len(errors) == 1, results
    assert errors[0].code() is grpc.StatusCode.FAILED_PRECONDITION
    assert reason_of(errors[0]) == "OUT_OF_STOCK"
    menu = call(billing.ListProducts, bpb.ListProductsRequest(), staff["waiter"])
    xo = next(p for p in menu.products if p.sku == "xo")
    assert xo.sold_out and not xo.available
    levels = call(stock.ListStockLevels, pb.ListStockLevelsRequest(), staff["waiter"])
    assert next(x for x in levels.levels if x.item.item_id == "last-bottle").on_hand == 0


def test_a_retried_receipt_is_one_receipt(ctl, staff, stock):
    item(stock, staff, "retry-beer", tracks_expiry=True)
    request = pb.ReceiveStockRequest(
        lines=[pb.StockLineInput(item_id="retry-beer", quantity="2", unit="箱", best_before=BEST)],
        request_id=rid(),
    )
    first = call(stock.ReceiveStock, request, staff["waiter"])
    again = call(stock.ReceiveStock, request, staff["waiter"])
    assert first.document.doc_id == again.document.doc_id
    assert [x.quantity for x in first.document.lines] == [24]
    levels = call(stock.ListStockLevels, pb.ListStockLevelsRequest(), staff["waiter"])
    beer = next(x for x in levels.levels if x.item.item_id == "retry-beer")
    assert (beer.on_hand, beer.on_hand_text, beer.next_best_before) == (24, "2箱", BEST)


@pytest.mark.parametrize(
    ("line", "code", "reason"),
    [
        (pb.StockLineInput(item_id="bad-input", quantity="-1"), "INVALID_ARGUMENT", "BAD_QUANTITY"),
        (
            pb.StockLineInput(item_id="bad-input", quantity="0.5"),
            "INVALID_ARGUMENT",
            "FRACTIONAL_QUANTITY",
        ),
        (pb.StockLineInput(item_id="nobody", quantity="1"), "NOT_FOUND", "UNKNOWN_ITEM"),
        (
            pb.StockLineInput(item_id="bad-input", quantity="1", best_before="31/12"),
            "INVALID_ARGUMENT",
            "BAD_DATE",
        ),
    ],
)
def test_bad_input_gets_a_clear_error_and_writes_nothing(ctl, staff, stock, line, code, reason):
    item(stock, staff, "bad-input")
    error = refused(
        stock.ReceiveStock, pb.ReceiveStockRequest(lines=[line], request_id=rid()), staff["waiter"]
    )
    assert error.code().name == code and reason_of(error) == reason
    docs = call(stock.ListStockDocuments, pb.ListStockDocumentsRequest(), staff["waiter"])
    assert not any(x.item_id in ("bad-input", "nobody") for d in docs.documents for x in d.lines)


def test_a_waiter_moves_stock_but_defines_and_approves_nothing(ctl, staff, stock):
    error = refused(
        stock.UpsertStockItem,
        pb.UpsertStockItemRequest(item=pb.StockItem(item_id="w", name="w"), request_id=rid()),
        staff["waiter"],
    )
    assert error.code() is grpc.StatusCode.PERMISSION_DENIED
    item(stock, staff, "counted")
    call(
        stock.ReceiveStock,
        pb.ReceiveStockRequest(
            lines=[pb.StockLineInput(item_id="counted", quantity="10")],
            location="bar",
            request_id=rid(),
        ),
        staff["waiter"],
    )
    take = call(
        stock.OpenStocktake,
        pb.OpenStocktakeRequest(location="bar", request_id=rid()),
        staff["waiter"],
    ).stocktake
    line = call(
        stock.RecordCount,
        pb.RecordCountRequest(
            stocktake_id=take.stocktake_id, item_id="counted", counted="9", request_id=rid()
        ),
        staff["waiter"],
    ).line
    assert (line.expected, line.variance, line.variance_fen) == (10, -1, -3000)
    error = refused(
        stock.DecideStocktake,
        pb.DecideStocktakeRequest(stocktake_id=take.stocktake_id, approve=True, request_id=rid()),
        staff["waiter"],
    )
    assert error.code() is grpc.StatusCode.PERMISSION_DENIED
    done = call(
        stock.DecideStocktake,
        pb.DecideStocktakeRequest(stocktake_id=take.stocktake_id, approve=True, request_id=rid()),
        staff["manager"],
    )
    assert done.stocktake.status == "approved"
    checked = call(stock.VerifyStockLedger, pb.VerifyStockLedgerRequest(), staff["manager"])
    assert list(checked.problems) == []


def test_purchase_order_export_and_storage_over_grpc(ctl, staff, stock):
    item(stock, staff, "po-wine")
    call(
        stock.UpsertSupplier,
        pb.UpsertSupplierRequest(
            supplier=pb.Supplier(
                supplier_id="wine-co",
                name="酒商",
                email="a@example.com",
                lead_days=1,
                prices=[pb.SupplierPrice(item_id="po-wine", price_fen=36000)],
            ),
            request_id=rid(),
        ),
        staff["manager"],
    )
    po = call(
        stock.CreatePurchaseOrder,
        pb.CreatePurchaseOrderRequest(
            supplier_id="wine-co",
            lines=[pb.PurchaseOrderLineInput(item_id="po-wine", quantity="2", unit="箱")],
            request_id=rid(),
        ),
        staff["manager"],
    ).purchase_order
    assert (po.status, po.total_fen) == ("draft", 72000)
    sent = call(
        stock.SendPurchaseOrder,
        pb.SendPurchaseOrderRequest(po_id=po.po_id, channel="email", request_id=rid()),
        staff["manager"],
    )
    assert sent.purchase_order.status == "sent" and sent.sent_to.endswith(".eml")
    xlsx = call(
        stock.ExportPurchaseOrder,
        pb.ExportPurchaseOrderRequest(po_id=po.po_id, format="xlsx"),
        staff["waiter"],
    )
    assert xlsx.content[:2] == b"PK" and xlsx.filename.endswith(".xlsx")
    error = refused(
        stock.ReceiveStock,
        pb.ReceiveStockRequest(
            lines=[pb.StockLineInput(item_id="po-wine", quantity="3", unit="箱")],
            purchase_order=po.po_id,
            request_id=rid(),
        ),
        staff["waiter"],
    )
    assert reason_of(error) == "OVER_RECEIPT"
    bottle = call(
        stock.StoreBottle,
        pb.StoreBottleRequest(
            phone="13912345678", item_id="po-wine", remaining="1", request_id=rid()
        ),
        staff["waiter"],
    ).bottle
    error = refused(
        stock.WithdrawBottle,
        pb.WithdrawBottleRequest(label_code=bottle.label_code, quantity="2", request_id=rid()),
        staff["waiter"],
    )
    assert reason_of(error) == "INSUFFICIENT_STORED"
    out = call(
        stock.WithdrawBottle,
        pb.WithdrawBottleRequest(label_code=bottle.label_code, quantity="1", request_id=rid()),
        staff["waiter"],
    ).bottle
    assert out.status == "empty"
    alerts = call(stock.ListStockAlerts, pb.ListStockAlertsRequest(), staff["waiter"])
    assert all(a.kind for a in alerts.alerts)


def test_the_stocktake_list_and_an_items_ledger(ctl, staff, stock):
    item(stock, staff, "listed")
    item(stock, staff, "other")
    for item_id in ("listed", "other"):
        call(
            stock.ReceiveStock,
            pb.ReceiveStockRequest(
                lines=[pb.StockLineInput(item_id=item_id, quantity="5")],
                location="store",
                request_id=rid(),
            ),
            staff["cashier"],
        )
    call(
        stock.WasteStock,
        pb.WasteStockRequest(
            lines=[pb.StockLineInput(item_id="listed", quantity="1")],
            location="store",
            reason="broken",
            request_id=rid(),
        ),
        staff["cashier"],
    )
    ledger = call(
        stock.ListStockDocuments,
        pb.ListStockDocumentsRequest(item_id="listed", page_size=1),
        staff["cashier"],
    )
    assert [d.kind for d in ledger.documents] == ["waste"]
    assert {x.item_id for x in ledger.documents[0].lines} == {"listed"}
    older = call(
        stock.ListStockDocuments,
        pb.ListStockDocumentsRequest(item_id="listed", page_token=ledger.next_page_token),
        staff["cashier"],
    )
    assert [d.kind for d in older.documents] == ["receipt"]
    assert {x.item_id for x in older.documents[0].lines} == {"listed"}
    with pytest.raises(grpc.RpcError) as error:  # a token is bound to its filter
        call(
            stock.ListStockDocuments,
            pb.ListStockDocumentsRequest(item_id="other", page_token=ledger.next_page_token),
            staff["cashier"],
        )
    assert error.value.code() is grpc.StatusCode.INVALID_ARGUMENT

    take = call(
        stock.OpenStocktake,
        pb.OpenStocktakeRequest(location="store", request_id=rid()),
        staff["cashier"],
    ).stocktake
    call(
        stock.RecordCount,
        pb.RecordCountRequest(
            stocktake_id=take.stocktake_id, item_id="listed", counted="3", request_id=rid()
        ),
        staff["cashier"],
    )
    listed = call(
        stock.ListStocktakes, pb.ListStocktakesRequest(open_only=True), staff["cashier"]
    ).stocktakes
    assert [(t.stocktake_id, t.status, t.variance_fen, len(t.lines)) for t in listed] == [
        (take.stocktake_id, "counting", -3000, 0)
    ]
    call(
        stock.DecideStocktake,
        pb.DecideStocktakeRequest(stocktake_id=take.stocktake_id, approve=False, request_id=rid()),
        staff["manager"],
    )
    assert (
        call(
            stock.ListStocktakes, pb.ListStocktakesRequest(open_only=True), staff["cashier"]
        ).stocktakes
        == []
    )
    decided = call(stock.ListStocktakes, pb.ListStocktakesRequest(), staff["cashier"]).stocktakes
    assert take.stocktake_id in {t.stocktake_id for t in decided if t.status == "rejected"}
