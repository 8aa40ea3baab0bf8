"""The stock pages (issue 22's "where people use it") in a real Chromium against the real
controller: goods received on the desk change the on-hand figure and the server's ledger
agrees; a stocktake counted on a phone is approved by a manager on the desk with its variance
at cost; a stored bottle (存酒) is looked up by phone and withdrawn in part; a cashier neither
sees nor may do what the permission table keeps for managers; a manager defines a stock item,
a product's recipe and a supplier in the setup tab, and a sale then deducts the recipe.
Screenshots at desk and phone size (docs/screenshots/web/stock-*.png under
``./run screenshots``)."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import expect

from ktv.v1 import billing_pb2, inventory_pb2_grpc, rooms_pb2
from ktv.v1 import inventory_pb2 as pb
from tests.web.conftest import DESK, PHONE
from tests.web.desk_support import TIMEOUT_MS, api_post, field, rid, shot, tid, yuan

expect.set_options(timeout=TIMEOUT_MS)


def _stock(venue):  # type: ignore[no-untyped-def]
    return inventory_pb2_grpc.InventoryServiceStub(venue.grpc.channel)


def _item(venue, item_id: str, name: str, **fields) -> None:  # type: ignore[no-untyped-def]
    _stock(venue).UpsertStockItem(
        pb.UpsertStockItemRequest(
            item=pb.StockItem(item_id=item_id, name=name, **fields), request_id=rid()
        ),
        **venue.grpc.kw,
    )


def _receive(venue, item_id: str, quantity: str, location: str, **line) -> None:  # type: ignore[no-untyped-def]
    _stock(venue).ReceiveStock(
        pb.ReceiveStockRequest(
            lines=[pb.StockLineInput(item_id=item_id, quantity=quantity, **line)],
            location=location,
            request_id=rid(),
        ),
        **venue.grpc.kw,
    )


def _on_hand(venue, item_id: str, location: str = "") -> int:  # type: ignore[no-untyped-def]
    levels = _stock(venue).ListStockLevels(pb.ListStockLevelsRequest(), **venue.grpc.kw).levels
    level = next(x for x in levels if x.item.item_id == item_id)
    if not location:
        return level.on_hand
    return sum(x.quantity for x in level.locations if x.location == location)


def _pick(page, select: str, text: str) -> None:  # type: ignore[no-untyped-def]
    tid(page, select).click()
    page.locator(".el-select-dropdown__item:visible", has_text=text).first.click()


def test_goods_received_on_the_desk_change_on_hand_and_the_ledger_agrees(
    web_venue, page_for, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    best = (date.today() + timedelta(days=200)).isoformat()
    _item(
        web_venue,
        "st-beer",
        "雪花啤酒",
        base_unit="瓶",
        purchase_unit="箱",
        purchase_factor=24,
        category="啤酒",
        tracks_expiry=True,
        unit_cost_fen=400,
        reorder_point=30,
        reorder_target=96,
    )
    _receive(web_venue, "st-beer", "10", "store", best_before=best)
    assert _on_hand(web_venue, "st-beer") == 10

    _item(web_venue, "st-milk", "鲜牛奶", base_unit="盒", tracks_expiry=True, unit_cost_fen=500)
    soon = (date.today() + timedelta(days=10)).isoformat()
    _receive(web_venue, "st-milk", "6", "bar", best_before=soon)

    page = page_for(DESK, signed_in_as="c1")
    page.goto("/#/stock/levels")
    expect(tid(page, "onhand-st-beer")).to_have_attribute("data-qty", "10")
    milk = tid(page, "level-st-milk").locator("xpath=ancestor::tr")
    expect(milk.locator('[data-test="warn-expiring"]')).to_have_text("临期 15 天内")
    expect(tid(page, "stock-alert").and_(page.locator('[data-kind="expiring"]'))).to_contain_text(
        "鲜牛奶"
    )
    expect(tid(page, "level-st-beer").locator("xpath=ancestor::tr")).to_contain_text("低库存")

    tid(page, "stock-tab-moves").click()
    expect(tid(page, "move-submit")).to_be_visible()
    _pick(page, "move-item-0", "雪花啤酒")
    field(page, "move-qty-0").fill("2")
    _pick(page, "move-unit-0", "箱")
    field(page, "move-batch-0").fill("B-0611")
    picker = field(page, "move-best-before-0")
    picker.fill(best)
    picker.press("Enter")
    shot(page, tmp_path, "stock-receive")
    tid(page, "move-submit").click()
    expect(tid(page, "move-done")).to_be_visible()

    # the server's figures: 10 + 2 箱 x 24
    assert _on_hand(web_venue, "st-beer", "store") == 58
    docs = (
        _stock(web_venue)
        .ListStockDocuments(pb.ListStockDocumentsRequest(item_id="st-beer"), **web_venue.grpc.kw)
        .documents
    )
    assert [d.kind for d in docs] == ["receipt", "receipt"]
    assert docs[0].staff_id == "c1" and docs[0].location == "store"
    assert [(x.quantity, x.unit_cost_fen) for x in docs[0].lines] == [(48, 400)]

    tid(page, "stock-tab-levels").click()
    expect(tid(page, "onhand-st-beer")).to_have_attribute("data-qty", "58")
    expect(tid(page, "at-store-st-beer")).to_have_text("58")
    tid(page, "ledger-st-beer").click()
    expect(tid(page, "ledger-qty").first).to_have_text("+48")
    expect(tid(page, "ledger-qty")).to_have_count(2)
    drawer = page.locator(".el-drawer")
    page.wait_for_function(  # the drawer has slid all the way in
        "() => { const d = document.querySelector('.el-drawer');"
        " return d && Math.abs(d.getBoundingClientRect().right - innerWidth) < 1 }"
    )
    shot(page, tmp_path, "stock-ledger")
    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()
    shot(page, tmp_path, "stock-levels")


def test_a_stocktake_counted_on_a_phone_is_approved_by_a_manager(
    web_venue, page_for, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    _item(web_venue, "st-wine", "长城干红", base_unit="瓶", category="红酒", unit_cost_fen=6800)
    _receive(web_venue, "st-wine", "12", "bar")

    # a waiter opens the count and counts on a phone: the books' quantity is not shown
    phone = page_for(PHONE, signed_in_as="w1")
    phone.goto("/#/stock/counts")
    _pick(phone, "count-open-at", "吧台")
    tid(phone, "count-open").click()
    link = phone.locator('[data-test^="sheet-phone-"]').first
    expect(link).to_be_visible()
    link.click()
    expect(tid(phone, "count-phone")).to_be_visible()
    counted = field(phone, "count-st-wine")
    expect(counted).to_be_visible()
    counted.fill("10")
    expect(tid(phone, "count-submit")).to_contain_text("1")
    expect(tid(phone, "count-submit")).to_be_enabled()
    shot(phone, tmp_path, "stock-count-phone")
    tid(phone, "count-submit").click()
    expect(tid(phone, "counted-st-wine")).to_be_visible()
    expect(tid(phone, "count-saved")).to_be_visible()
    stocktake_id = phone.url.rsplit("/", 1)[-1]

    # a cashier sees the sheet but neither the approve button nor may approve it
    cashier = page_for(DESK, signed_in_as="c1")
    cashier.goto("/#/stock/counts")
    tid(cashier, f"sheet-review-{stocktake_id}").click()
    expect(tid(cashier, "review-variance")).to_have_text(yuan(-2 * 6800))
    expect(tid(cashier, "review-approve")).to_have_count(0)
    refused = api_post(
        cashier,
        web_venue.base_url,
        "/api/v1/InventoryService/DecideStocktake",
        {"stocktake_id": stocktake_id, "approve": True, "request_id": rid()},
    )
    assert refused.status == 403, refused.text()

    manager = page_for(DESK, signed_in_as="m1")
    manager.goto("/#/stock/counts")
    expect(tid(manager, f"sheet-status-{stocktake_id}")).to_have_text("盘点中")
    tid(manager, f"sheet-review-{stocktake_id}").click()
    expect(tid(manager, "variance-st-wine")).to_have_text("-2")
    expect(tid(manager, "review-variance")).to_have_text(yuan(-2 * 6800))
    shot(manager, tmp_path, "stock-count-review")
    tid(manager, "review-approve").click()
    tid(manager, "decide-ok").click()
    expect(tid(manager, "review-status")).to_have_text("已批准")
    expect(tid(manager, f"sheet-status-{stocktake_id}")).to_have_text("已批准")

    take = (
        _stock(web_venue)
        .GetStocktake(pb.GetStocktakeRequest(stocktake_id=stocktake_id), **web_venue.grpc.kw)
        .stocktake
    )
    assert (take.status, take.variance_fen) == ("approved", -2 * 6800)
    assert _on_hand(web_venue, "st-wine", "bar") == 10
    phone.reload()
    expect(tid(phone, "count-closed")).to_be_visible()


def test_a_stored_bottle_is_looked_up_by_phone_and_withdrawn_in_part(
    web_venue, page_for, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    _item(
        web_venue,
        "st-whisky",
        "芝华士12年",
        base_unit="ml",
        category="洋酒",
        storage_category="spirits",
        unit_cost_fen=50,
    )
    stored = (
        _stock(web_venue)
        .StoreBottle(
            pb.StoreBottleRequest(
                phone="13900000007",
                item_id="st-whisky",
                remaining="700",
                opened=True,
                location="bar",
                label_code="L-7001",
                request_id=rid(),
            ),
            **web_venue.grpc.kw,
        )
        .bottle
    )
    assert stored.remaining == 700

    page = page_for(DESK, signed_in_as="c1")
    page.goto("/#/stock/storage")
    field(page, "bottle-phone").fill("13900000007")
    tid(page, "bottle-lookup").click()
    expect(tid(page, "bottle-left-L-7001")).to_have_text("700ml")
    # expiry actions are a manager's: not even the list shows for a cashier
    expect(tid(page, "bottles-expiring")).to_have_count(0)
    tid(page, "bottle-take-L-7001").click()
    field(page, "withdraw-qty").fill("300")
    shot(page, tmp_path, "stock-storage-withdraw")
    tid(page, "withdraw-ok").click()
    expect(tid(page, "bottle-left-L-7001")).to_have_text("400ml")
    expect(tid(page, "bottle-notice")).to_be_visible()
    shot(page, tmp_path, "stock-storage")

    bottles = (
        _stock(web_venue)
        .ListStoredBottles(pb.ListStoredBottlesRequest(phone="13900000007"), **web_venue.grpc.kw)
        .bottles
    )
    assert [(b.label_code, b.remaining, b.status) for b in bottles] == [("L-7001", 400, "stored")]

    # more than is left: the server's refusal, nothing taken
    tid(page, "bottle-take-L-7001").click()
    field(page, "withdraw-qty").fill("500")
    tid(page, "withdraw-ok").click()
    expect(tid(page, "withdraw-dialog").locator('[data-test="action-error"]')).to_be_visible()
    page.keyboard.press("Escape")
    assert _on_hand(web_venue, "st-whisky") == 0
    remaining = (
        _stock(web_venue)
        .ListStoredBottles(pb.ListStoredBottlesRequest(label_code="L-7001"), **web_venue.grpc.kw)
        .bottles[0]
        .remaining
    )
    assert remaining == 400


def test_a_cashier_does_not_see_what_only_a_manager_may_do(web_venue, page_for, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cashier = page_for(DESK, signed_in_as="c1")
    cashier.goto("/#/stock/purchasing")
    expect(tid(cashier, "nav-stock")).to_be_visible()
    expect(tid(cashier, "suggestions")).to_be_visible()
    expect(tid(cashier, "create-po")).to_have_count(0)
    refused = api_post(
        cashier,
        web_venue.base_url,
        "/api/v1/InventoryService/ResolveBottle",
        {"label_code": "L-none", "action": "forfeit", "request_id": rid()},
    )
    assert refused.status == 403, refused.text()

    # a manager orders what the server suggests, sends the order, and it is received
    _item(
        web_venue,
        "st-cola",
        "可口可乐",
        base_unit="罐",
        purchase_unit="箱",
        purchase_factor=24,
        category="饮料",
        unit_cost_fen=250,
        reorder_point=24,
        reorder_target=48,
    )
    _stock(web_venue).UpsertSupplier(
        pb.UpsertSupplierRequest(
            supplier=pb.Supplier(
                supplier_id="sup-drinks",
                name="城东饮料批发",
                lead_days=2,
                prices=[pb.SupplierPrice(item_id="st-cola", price_fen=6000)],
            ),
            request_id=rid(),
        ),
        **web_venue.grpc.kw,
    )
    manager = page_for(DESK, signed_in_as="m1")
    manager.goto("/#/stock/purchasing")
    row = tid(manager, "suggestions").locator("tr", has=tid(manager, "suggest-st-cola"))
    expect(row).to_contain_text("2箱")
    row.locator(".el-checkbox").click()
    shot(manager, tmp_path, "stock-purchasing")
    tid(manager, "create-po").click()
    expect(tid(manager, "po-created")).to_be_visible()
    orders = (
        _stock(web_venue)
        .ListPurchaseOrders(pb.ListPurchaseOrdersRequest(open_only=True), **web_venue.grpc.kw)
        .purchase_orders
    )
    (po,) = [o for o in orders if o.supplier_id == "sup-drinks"]
    assert (po.status, [(x.item_id, x.ordered) for x in po.lines]) == ("draft", [("st-cola", 48)])
    expect(tid(manager, f"po-status-{po.po_id}")).to_have_text("草稿")
    tid(manager, f"po-send-{po.po_id}").click()
    expect(tid(manager, f"po-status-{po.po_id}")).to_have_text("已发送")
    shot(manager, tmp_path, "stock-po-sent")
    tid(manager, f"po-receive-{po.po_id}").click()
    expect(field(manager, "move-qty-0")).to_have_value("48")
    tid(manager, "move-submit").click()
    expect(tid(manager, "move-done")).to_be_visible()
    received = (
        _stock(web_venue)
        .ListPurchaseOrders(pb.ListPurchaseOrdersRequest(), **web_venue.grpc.kw)
        .purchase_orders
    )
    assert next(o for o in received if o.po_id == po.po_id).status == "received"
    assert _on_hand(web_venue, "st-cola", "store") == 48
    manager.goto("/#/stock/storage")
    expect(tid(manager, "bottles-expiring")).to_be_visible()

    phone = page_for(PHONE, signed_in_as="c1")
    phone.goto("/#/stock/levels")
    expect(tid(phone, "stock-levels")).to_be_visible()
    shot(phone, tmp_path, "stock-levels-phone")


def test_a_lost_withdrawal_answer_is_retried_with_the_same_request_and_takes_once(
    web_venue, page_for
) -> None:  # type: ignore[no-untyped-def]
    _item(web_venue, "st-vodka", "绝对伏特加", base_unit="ml", storage_category="spirits")
    _stock(web_venue).StoreBottle(
        pb.StoreBottleRequest(
            phone="13900000008",
            item_id="st-vodka",
            remaining="700",
            label_code="L-8001",
            request_id=rid(),
        ),
        **web_venue.grpc.kw,
    )
    page = page_for(DESK, signed_in_as="c1")
    bodies: list[str] = []

    def lose_the_first_answer(route) -> None:  # type: ignore[no-untyped-def]
        bodies.append(route.request.post_data or "")
        if len(bodies) == 1:
            route.fetch()  # the server does it ...
            route.abort("connectionreset")  # ... and the answer is lost on the way back
        else:
            route.continue_()

    page.route("**/api/v1/InventoryService/WithdrawBottle", lose_the_first_answer)
    page.goto("/#/stock/storage")
    field(page, "bottle-phone").fill("13900000008")
    tid(page, "bottle-lookup").click()
    tid(page, "bottle-take-L-8001").click()
    field(page, "withdraw-qty").fill("300")
    tid(page, "withdraw-ok").click()
    dialog = tid(page, "withdraw-dialog")
    expect(dialog.locator('[data-test="result-pending"]')).to_be_visible()
    expect(tid(page, "withdraw-ok")).to_be_disabled()  # no fresh press while unknown
    dialog.locator('[data-test="retry"]').click()
    expect(tid(page, "bottle-left-L-8001")).to_have_text("400ml")
    assert len(bodies) == 2 and bodies[0] == bodies[1]  # the same request_id, sent again
    bottle = (
        _stock(web_venue)
        .ListStoredBottles(pb.ListStoredBottlesRequest(label_code="L-8001"), **web_venue.grpc.kw)
        .bottles[0]
    )
    assert bottle.remaining == 400  # taken once


def test_a_manager_defines_an_item_its_recipe_and_a_supplier_and_a_sale_deducts_it(
    web_venue, page_for, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    g = web_venue.grpc
    # a cashier sees no setup tab, and the server refuses the editors' calls anyway
    cashier = page_for(DESK, signed_in_as="c1")
    cashier.goto("/#/stock/levels")
    expect(tid(cashier, "stock-levels")).to_be_visible()
    expect(tid(cashier, "stock-tab-setup")).to_have_count(0)
    for path, body in (
        ("UpsertStockItem", {"item": {"item_id": "x1", "name": "x", "base_unit": "瓶"}}),
        ("SetRecipe", {"sku": "water", "components": []}),
        ("UpsertSupplier", {"supplier": {"supplier_id": "s-x", "name": "x"}}),
    ):
        refused = api_post(
            cashier,
            web_venue.base_url,
            f"/api/v1/InventoryService/{path}",
            {**body, "request_id": rid()},
        )
        assert refused.status == 403, (path, refused.text())

    page = page_for(DESK, signed_in_as="m1")
    page.goto("/#/stock/setup")
    # a new item: sold by the ml, bought by the 700 ml bottle, with expiry and reorder levels
    tid(page, "item-add").click()
    field(page, "item-id").fill("st-gin")
    field(page, "item-name").fill("金酒")
    field(page, "item-base-unit").fill("ml")
    field(page, "item-category").fill("烈酒")
    field(page, "item-purchase-unit").fill("瓶")
    field(page, "item-factor").fill("700")
    field(page, "item-reorder-point").fill("1400")
    field(page, "item-reorder-target").fill("4200")
    field(page, "item-cost").fill("0.20")
    _pick(page, "item-storage", "烈酒")
    tid(page, "item-expiry").click()
    tid(page, "item-save").click()
    expect(tid(page, "item-dialog")).to_be_hidden()
    expect(tid(page, "item-edit-st-gin")).to_be_visible()
    levels = _stock(web_venue).ListStockLevels(pb.ListStockLevelsRequest(), **g.kw).levels
    gin = next(x.item for x in levels if x.item.item_id == "st-gin")
    assert (gin.name, gin.base_unit, gin.purchase_unit, gin.purchase_factor) == (
        "金酒",
        "ml",
        "瓶",
        700,
    )
    assert (gin.tracks_expiry, gin.unit_cost_fen, gin.reorder_point, gin.reorder_target) == (
        True,
        20,
        1400,
        4200,
    )
    assert gin.storage_category == "spirits" and gin.category == "烈酒"
    # edited: the id stays, the name changes; a bad entry shows the server's words
    tid(page, "item-edit-st-gin").click()
    expect(field(page, "item-id")).to_be_disabled()
    field(page, "item-name").fill("金酒 <i>Gordon's</i>")
    tid(page, "item-save").click()
    expect(tid(page, "item-dialog")).to_be_hidden()
    expect(tid(page, "setup-items")).to_contain_text("金酒 <i>Gordon's</i>")
    tid(page, "item-add").click()
    field(page, "item-id").fill("st-bad")
    field(page, "item-name").fill("x")
    field(page, "item-base-unit").fill("bottle-of-9")
    tid(page, "item-save").click()
    expect(tid(page, "item-dialog").locator('[data-test="action-error"]')).to_contain_text("1-8")
    tid(page, "item-dialog").get_by_role("button", name="取消").click()

    # the recipe: one 矿泉水 (water) sold takes 50 ml of gin (a test's recipe, not a drink's)
    _pick(page, "recipe-sku", "矿泉水")
    tid(page, "recipe-add-line").click()
    _pick(page, "recipe-item-0", "Gordon")
    field(page, "recipe-qty-0").fill("50")
    tid(page, "recipe-save").click()
    expect(tid(page, "recipe-saved")).to_contain_text("1")

    # a supplier with its price per bottle
    tid(page, "supplier-add").click()
    field(page, "supplier-id").fill("sup-spirits")
    field(page, "supplier-name").fill("城西酒水")
    field(page, "supplier-contact").fill("刘经理")
    field(page, "supplier-phone").fill("13800001234")
    field(page, "supplier-lead").fill("3")
    tid(page, "supplier-add-price").click()
    _pick(page, "supplier-item-0", "Gordon")
    field(page, "supplier-price-0").fill("72.00")
    tid(page, "supplier-save").click()
    expect(tid(page, "supplier-dialog")).to_be_hidden()
    expect(tid(page, "setup-suppliers")).to_contain_text("城西酒水")
    shot(page, tmp_path, "stock-setup")
    suppliers = _stock(web_venue).ListSuppliers(pb.ListSuppliersRequest(), **g.kw).suppliers
    sup = next(s for s in suppliers if s.supplier_id == "sup-spirits")
    assert (sup.contact, sup.phone, sup.lead_days) == ("刘经理", "13800001234", 3)
    assert [(p.item_id, p.price_fen) for p in sup.prices] == [("st-gin", 7200)]

    # the recipe works: a sale in a room takes 50 ml from the bar
    _receive(
        web_venue,
        "st-gin",
        "700",
        "bar",
        best_before=(date.today() + timedelta(days=300)).isoformat(),
    )
    g.rooms.CreateRoom(
        rooms_pb2.CreateRoomRequest(room_id="S01", tier="small", request_id=rid()), **g.kw
    )
    g.billing.OpenSession(
        billing_pb2.OpenSessionRequest(room="rooms/S01", guest_count=2, request_id=rid()), **g.kw
    )
    g.billing.PlaceOrder(
        billing_pb2.PlaceOrderRequest(
            room="rooms/S01",
            items=[billing_pb2.OrderItem(sku="water", quantity=1)],
            request_id=rid(),
        ),
        **g.kw,
    )
    assert _on_hand(web_venue, "st-gin", "bar") == 650
