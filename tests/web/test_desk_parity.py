"""Parity: every front-desk ``ktvctl`` command has its element in the web app, found in the
built app in a real Chromium (or is named below with the reason it is not there).

The commands come from ktvctl's own argparse parser, so a new command fails this test until it
is placed in the app or in ``NOT_IN_THE_APP``. The HTTP API's own parity (every such RPC is
routed) is tests/web/test_parity.py's."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from google.protobuf.timestamp_pb2 import Timestamp
from playwright.sync_api import expect

from controller.ktvctl import build_parser
from ktv.v1 import auth_pb2, billing_pb2, club_pb2, club_pb2_grpc, members_pb2, rooms_pb2
from tests.support.core_agents import wait_until
from tests.web.conftest import DESK
from tests.web.desk_support import TIMEOUT_MS, field, rid, sign_in, tid
from tests.web.test_reports_parity import REPORTS_IN_THE_APP, REPORTS_NOT_IN_THE_APP
from tests.web.test_stock_parity import STOCK_IN_THE_APP, STOCK_NOT_IN_THE_APP

expect.set_options(timeout=TIMEOUT_MS)

# ktvctl command -> the element (data-test) of the web app that offers it
IN_THE_APP: dict[tuple[str, ...], str] = {
    ("login",): "signin-submit",
    ("whoami",): "who",
    ("rooms",): "settings-rooms",
    ("room", "add"): "room-add",
    ("room", "update"): "room-edit-A01",
    ("room", "layout"): "edit-mode",  # the board's edit mode (drag on the floor plan)
    ("room", "state"): "action-maintenanceOn",  # also reserve/unreserve/maintenance off
    ("room", "lock"): "action-lock",
    ("room", "unlock"): "action-unlock",
    ("alerts",): "panel-alerts",
    ("alert", "ack"): "alert-ack",
    ("emergency",): "emergency",
    ("staff", "add"): "staff-add",
    ("agent", "enroll"): "room-enroll-A01",
    ("open",): "action-open",
    ("extend",): "action-extend",
    ("guests",): "action-guests",
    ("move",): "action-move",
    ("merge",): "action-merge",
    ("order",): "action-order",
    ("deliver",): "order-deliver",
    ("cancel-order",): "order-cancel",
    ("comp",): "order-comp",
    ("discount",): "action-discount",
    ("pay",): "action-pay",
    ("checkout",): "action-checkout",
    ("refund",): "payment-refund",
    ("bill",): "bill",  # --receipt: action-receipt
    ("clean-done",): "action-cleanDone",
    ("audit",): "bill-audit",
    ("menu",): "settings-products",
    ("product",): "product-add",
    ("price", "show"): "plan-source",
    ("price", "import"): "plan-import",
    ("member", "add"): "member-register",
    ("member", "show"): "member-card",
    ("member", "list"): "member-search",
    ("member", "topup"): "member-topup",
    ("member", "refund"): "member-cashout",
    ("member", "history"): "member-history",
    ("member", "pin"): "member-pin",
    ("member", "benefits"): "action-benefits",
    ("coupon", "issue"): "member-coupon",
    ("coupon", "list"): "member-coupons",
    ("draw", "create"): "draw-create",  # 抽奖 (manager): src/club/DrawsView.vue
    ("draw", "run"): "draw-run",
    ("draw", "show"): "draw-show",
    ("draw", "verify"): "draw-verify",  # recomputed in the browser (src/club/draw.js)
    ("phonepay", "issues"): "nav-payment-issues",  # the top bar's badge, then the page
    ("phonepay", "resolve"): "issue-resolve",  # also issue-retry
}

NOT_IN_THE_APP: dict[tuple[str, ...], str] = {
    ("member", "redeem"): "积分兑换 of a product is not on the desk yet; points as a discount are "
    "(member benefits, action-benefits)",
    ("member", "credit"): "checkout credits the members attached to a bill itself and the "
    "scheduler's member_credit_sweep catches misses; no desk button",
    ("member", "verify"): "an auditor's consistency check of every balance (VerifyBalances), "
    "not a desk action",
    ("members", "verify"): "the same check as member verify",
    ("campaign", "run"): "marketing back office: campaigns run from the scheduler",
    ("scheduler", "status"): "an operator's tool (the controller's periodic jobs), not the desk's",
    ("scheduler", "run"): "an operator's tool (the controller's periodic jobs), not the desk's",
    ("catalog", "publish"): "a technician's library operation after a scan (CatalogService), "
    "not the desk's",
    ("catalog", "versions"): "the same: the kept catalog versions, for technicians",
    ("energy",): "energy per room and business day is ktvctl/API (DevicesService) for now; "
    "no energy page yet",
    ("health",): "the tile shows each room's health badge; the list by risk is ktvctl/API "
    "(DevicesService.ListDeviceHealth)",
    ("room", "power"): "the tile shows the room's power and a desk-forced mode (!); forcing it "
    "is ktvctl/API (RoomService.SetRoomPower) for now",
}

# Elements only a state the browser test cannot reach cheaply shows; checked in the built
# bundle instead (the element's name is in the compiled template).
IN_THE_BUNDLE_ONLY = {
    "alert-ack": "a SERVICE_CALLED alert comes from a guest's touchscreen button, which the "
    "headless agents' control socket does not press",
    "issue-resolve": "an open phone-payment issue is a gateway refund that failed; this venue "
    "has no gateway (tests/web/test_club_pages.py seeds one and settles it in the browser)",
}


def test_every_front_desk_command_is_placed() -> None:
    _, runners = build_parser()
    commands = set(runners)
    placed = set(IN_THE_APP) | set(NOT_IN_THE_APP)
    placed |= set(STOCK_IN_THE_APP) | set(STOCK_NOT_IN_THE_APP)  # the stock pages' own
    placed |= set(REPORTS_IN_THE_APP) | set(REPORTS_NOT_IN_THE_APP)  # the report pages'
    assert commands - placed == set(), "ktvctl commands the web app does not account for"
    assert placed - commands == set(), "commands ktvctl no longer has"
    assert not set(IN_THE_APP) & set(NOT_IN_THE_APP)


def _seen(page) -> set[str]:  # type: ignore[no-untyped-def]
    return set(page.eval_on_selector_all("[data-test]", "els => els.map(e => e.dataset.test)"))


def _panel(page, room_id: str, seen: set[str], *wait_for: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"/#/room/{room_id}")
    for name in wait_for:
        expect(tid(page, name).first).to_be_visible()
    seen |= _seen(page)


def test_the_app_offers_each_command_to_an_admin(web_venue, browser) -> None:  # type: ignore[no-untyped-def]
    g, admin = web_venue.grpc, web_venue.admin
    admin_id = f"a{uuid.uuid4().hex[:5]}"
    admin.auth.CreateStaff(
        auth_pb2.CreateStaffRequest(
            staff_id=admin_id, role=auth_pb2.ROLE_ADMIN, pin="8642", request_id=rid()
        ),
        **admin.kw,
    )
    # A02 in use with an order and a payment; B01 being cleaned; B02 in maintenance, locked;
    # A01 idle with someone inside (an alert); a member to look at.
    g.billing.OpenSession(
        billing_pb2.OpenSessionRequest(room="rooms/A02", guest_count=2, request_id=rid()), **g.kw
    )
    g.billing.PlaceOrder(
        billing_pb2.PlaceOrderRequest(
            room="rooms/A02",
            items=[billing_pb2.OrderItem(sku="beer", quantity=1)],
            request_id=rid(),
        ),
        **g.kw,
    )
    g.billing.TakePayment(
        billing_pb2.TakePaymentRequest(
            room="rooms/A02",
            tenders=[billing_pb2.TenderAmount(tender=billing_pb2.TENDER_CASH, amount_fen=1000)],
            request_id=rid(),
        ),
        **g.kw,
    )
    g.billing.OpenSession(
        billing_pb2.OpenSessionRequest(room="rooms/B01", guest_count=1, request_id=rid()), **g.kw
    )
    due = g.billing.GetBill(billing_pb2.GetBillRequest(room="rooms/B01"), **g.kw).bill.due_fen
    g.billing.Checkout(
        billing_pb2.CheckoutRequest(
            room="rooms/B01",
            tenders=[billing_pb2.TenderAmount(tender=billing_pb2.TENDER_CASH, amount_fen=due)],
            request_id=rid(),
        ),
        **g.kw,
    )
    g.rooms.SetRoomState(
        rooms_pb2.SetRoomStateRequest(
            name="rooms/B02", state=rooms_pb2.ROOM_STATE_MAINTENANCE, request_id=rid()
        ),
        **g.kw,
    )
    g.rooms.SetRoomLock(
        rooms_pb2.SetRoomLockRequest(
            name="rooms/B02", locked=True, reason="held", request_id=rid()
        ),
        **g.kw,
    )
    web_venue.agents.control("A01", do="motion", active=True)
    wait_until(lambda: web_venue.room("A01").alerts)
    g.members.CreateMember(
        members_pb2.CreateMemberRequest(
            phone="13700001111", name="赵敏", pin="1357", request_id=rid()
        ),
        **g.kw,
    )

    # two draws whose window is over: one drawn (its details verify), one to run
    draws = club_pb2_grpc.DrawServiceStub(g.channel)
    for title in ("待开奖", "已开奖"):  # the last one is run
        start, end = Timestamp(), Timestamp()
        start.FromDatetime(datetime.now(UTC) - timedelta(hours=2))
        end.FromDatetime(datetime.now(UTC) - timedelta(hours=1))
        draw = draws.CreateDraw(
            club_pb2.CreateDrawRequest(
                title=title,
                start_time=start,
                end_time=end,
                eligibility=club_pb2.DRAW_ELIGIBILITY_ROOM_OPEN,
                prize=club_pb2.DrawPrize(kind=club_pb2.DRAW_PRIZE_KIND_COMP_AMOUNT, amount_fen=100),
                winner_count=1,
                request_id=rid(),
            ),
            **g.kw,
        ).draw
    draws.RunDraw(club_pb2.RunDrawRequest(name=draw.name, request_id=rid()), **g.kw)

    context = browser.new_context(viewport=DESK, base_url=web_venue.base_url)
    try:
        seen: set[str] = set()
        page = context.new_page()
        page.goto("/#/signin")
        expect(tid(page, "signin-submit")).to_be_visible()
        seen |= _seen(page)
        sign_in(context, web_venue.base_url, admin_id, "8642")

        _panel(page, "A01", seen, "action-open", "panel-alerts", "who", "emergency")
        _panel(
            page, "A02", seen, "action-checkout", "order-deliver", "payment-refund", "bill-audit"
        )
        _panel(page, "B01", seen, "action-cleanDone")
        _panel(page, "B02", seen, "action-maintenanceOff", "action-unlock")

        page.goto("/#/")
        expect(tid(page, "edit-mode")).to_be_visible()
        seen |= _seen(page)

        page.goto("/#/members")
        field(page, "member-query").fill("13700001111")
        tid(page, "member-search").click()
        expect(tid(page, "member-card")).to_be_visible()
        expect(tid(page, "member-history")).to_be_visible()
        seen |= _seen(page)
        page.get_by_role("tab", name="优惠券（0）").click()
        expect(tid(page, "member-coupons")).to_be_visible()
        seen |= _seen(page)

        page.goto("/#/settings")
        expect(tid(page, "room-enroll-A01")).to_be_visible()
        seen |= _seen(page)
        for tab, element in (
            ("商品", "product-add"),
            ("价格方案", "plan-source"),
            ("员工", "staff-add"),
        ):
            page.get_by_role("tab", name=tab).click()
            expect(tid(page, element)).to_be_visible()
            seen |= _seen(page)

        page.goto("/#/draws")
        expect(tid(page, "draw-run")).to_be_visible()
        seen |= _seen(page)
        page.locator(".el-table__row", has_text="已开奖").locator('[data-test="draw-show"]').click()
        expect(tid(page, "draw-verify")).to_be_visible()
        seen |= _seen(page)
    finally:
        context.close()
        web_venue.agents.control("A01", do="motion", active=False)

    bundle = "".join(
        p.read_text(encoding="utf-8") for p in (web_venue_dist() / "assets").glob("*.js")
    )
    missing = {
        cmd: element
        for cmd, element in IN_THE_APP.items()
        if element not in seen and not (element in IN_THE_BUNDLE_ONLY and element in bundle)
    }
    assert missing == {}


def web_venue_dist():  # type: ignore[no-untyped-def]
    from tests.support.controller import REPO_ROOT

    return REPO_ROOT / "controller" / "web" / "ui" / "dist"
