"""The guest's phone page in Chromium (issue 25): one venue per module (a real controller
with the master catalog and real headless room agents on loopback, tests/web's venue), phones
as 390x844 contexts. Three phones open the room's QR URL (the one the agent draws, read from
its control socket: headless agents have no touchscreen to photograph), join under nicknames
(one of them markup), search ``zjl``, add songs at once and see them in the agent's queue in
its order; remove their own, turn the volume down; order a beer, pay with the sandbox; a
member signs in, saves a song and queues 我的歌单; a phone of room A cannot touch room B nor
a staff method; checkout ends every phone and the old URL opens nothing; the page says so
when the agent or the controller is away. Screenshots go to tmp_path
(docs/screenshots/guest/ under ``./run screenshots``)."""

# ruff: noqa: F811 - the fixtures of tests/web are imported by name and taken as arguments
from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from playwright.sync_api import expect

from ktv.v1 import (
    billing_pb2,
    club_pb2,
    club_pb2_grpc,
    guest_pb2,
    guest_pb2_grpc,
    inventory_pb2,
    inventory_pb2_grpc,
    members_pb2,
)
from tests.support.controller import REPO_ROOT
from tests.support.core_agents import wait_until
from tests.support.guest_page import FIRST_LOAD_BUDGET_GZ
from tests.support.guests import room_url
from tests.web.conftest import browser, web_library  # noqa: F401 - fixtures
from tests.web.venue import WebVenue

PHONE = {"width": 390, "height": 844}
DOC_SHOTS = REPO_ROOT / "docs" / "screenshots" / "guest"
XSS = "<b>粗</b><script>"  # 16 characters, the most a nickname keeps
UI_TIMEOUT_MS = 15000
MEMBER_PHONE = "13800138000"
expect.set_options(timeout=UI_TIMEOUT_MS)  # two shared cores: the page polls every 2 s


@pytest.fixture(scope="module")
def web_venue(tmp_path_factory: pytest.TempPathFactory, web_library) -> Iterator[WebVenue]:  # type: ignore[no-untyped-def]
    """tests/web's venue (four rooms with real agents, the example menu, sandbox payments)
    with the master catalog phones search (``--catalog``: a copy, the controller owns it)."""
    root = tmp_path_factory.mktemp("guest-venue")
    master = root / "master-catalog.sqlite"
    shutil.copyfile(web_library.catalog, master)
    venue = WebVenue(root / "venue", web_library, controller_args=["--catalog", str(master)])
    try:
        yield venue
    finally:
        venue.close()


def rid() -> str:
    return uuid.uuid4().hex


def tid(page, name: str):  # type: ignore[no-untyped-def]
    return page.locator(f'[data-test="{name}"]')


def shot(page, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"{name}.png"
    path.write_bytes(page.screenshot())
    if os.environ.get("KTV_UPDATE_SCREENSHOTS") == "1":  # ./run screenshots: on purpose
        DOC_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOC_SHOTS / f"{name}.png")


def open_room(venue: WebVenue, room_id: str) -> None:
    venue.grpc.billing.OpenSession(
        billing_pb2.OpenSessionRequest(room=f"rooms/{room_id}", guest_count=3, request_id=rid()),
        **venue.grpc.kw,
    )


def check_out(venue: WebVenue, room_id: str) -> None:
    g = venue.grpc
    due = g.billing.GetBill(billing_pb2.GetBillRequest(room=f"rooms/{room_id}"), **g.kw).bill
    cash = billing_pb2.TenderAmount(tender=billing_pb2.TENDER_CASH, amount_fen=due.due_fen)
    g.billing.Checkout(
        billing_pb2.CheckoutRequest(
            room=f"rooms/{room_id}", tenders=[cash] if due.due_fen else [], request_id=rid()
        ),
        **g.kw,
    )


def staff_view(venue: WebVenue, room_id: str) -> guest_pb2.GetRoomViewResponse:
    stub = guest_pb2_grpc.GuestServiceStub(venue.grpc.channel)
    return stub.GetRoomView(guest_pb2.GetRoomViewRequest(room=f"rooms/{room_id}"), **venue.grpc.kw)


def phone(browser, venue: WebVenue):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE, base_url=venue.base_url, locale="zh-CN")
    context.set_default_timeout(UI_TIMEOUT_MS)
    page = context.new_page()
    page.dialogs = []  # type: ignore[attr-defined]
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))  # type: ignore[attr-defined]
    return page


def join(page, url: str, nickname: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    tid(page, "nickname").locator("input").fill(nickname)
    tid(page, "join-button").click()
    expect(tid(page, "room-name")).to_be_visible()


def csrf(page) -> str:  # type: ignore[no-untyped-def]
    return next(c["value"] for c in page.context.cookies() if c["name"] == "ktv_guest_csrf")


def api(page, venue: WebVenue, path: str, body: dict):  # type: ignore[no-untyped-def]
    """A call as the phone's own page makes it (its cookie, CSRF header, same origin)."""
    return page.request.post(
        path, data=body, headers={"x-csrf-token": csrf(page), "origin": venue.base_url}
    )


def test_the_guest_page_is_served_small_at_g(web_venue: WebVenue) -> None:
    with web_venue.client(follow_redirects=False) as client:
        moved = client.get("/g?c=abc")
        assert moved.status_code == 308 and moved.headers["location"] == "/g/?c=abc"
        page = client.get("/g/?c=abc", headers={"accept-encoding": "gzip"})
        assert page.status_code == 200 and page.headers["content-encoding"] == "gzip"
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["cache-control"] == "no-cache"
        assert '<div id="app">' in page.text and "element-plus" not in page.text
        script = page.text.split('src="', 1)[1].split('"', 1)[0]
        js = client.get(script, headers={"accept-encoding": "gzip"})
        assert js.headers["content-encoding"] == "gzip"
        assert int(js.headers["content-length"]) < FIRST_LOAD_BUDGET_GZ
        plain = client.get(script, headers={"accept-encoding": "identity"})
        assert "content-encoding" not in plain.headers and plain.content == js.content


def test_three_phones_share_a_room_and_lose_it_at_checkout(
    browser, web_venue: WebVenue, tmp_path: Path
) -> None:
    venue = web_venue
    open_room(venue, "A01")
    open_room(venue, "B01")
    agents = venue.agents
    assert agents is not None
    # the URL the room's QR code shows: what the agent draws (its control socket; these agents
    # are headless, so there is no touchscreen to photograph: the QR itself is decoded in
    # tests/room_agent/ui/test_guest_qr.py), the same as the desk's GetGuestCode
    url = wait_until(lambda: agents.control("A01", do="view").get("guest_url"), 15, 0.05)
    assert url and "/g/?c=" in url and url == room_url(venue, "A01")
    names = ["小王", "Amy", XSS]
    phones = [phone(browser, venue) for _ in names]
    phones[0].goto(url)
    tid(phones[0], "nickname").locator("input").fill(names[0])
    shot(phones[0], tmp_path, "guest-join")
    for page, name in zip(phones, names, strict=True):
        join(page, url, name)
    first, second, third = phones
    expect(tid(third, "room-name")).to_have_text("A01 小包")
    # the markup nickname is text: shown as typed, never parsed
    expect(third.get_by_text(f"我是 {XSS}")).to_be_visible()
    expect(third.locator("header b, header script")).to_have_count(0)

    # search zjl on every phone, then all three tap 点歌 at once
    for page in phones:
        tid(page, "search-box").locator("input").fill("zjl")
    for page in phones:  # the touchscreen's search: zjl is 周杰伦's 晴天 alone
        expect(tid(page, "song")).to_have_count(1)
        expect(tid(page, "song")).to_contain_text("晴天")
    shot(first, tmp_path, "guest-search")
    for page in phones:
        tid(page, "song").first.locator('[data-test="add"]').click(no_wait_after=True)

    def agent_has_three():  # type: ignore[no-untyped-def]
        seen = agents.control("A01", do="view")
        return seen if seen["playing_added_by"] and len(seen["queue"]) == 2 else None

    local = wait_until(agent_has_three, 15, 0.05)
    assert local, agents.control("A01", do="view")
    order = [local["playing_added_by"], *(e["added_by"] for e in local["queue"])]
    assert sorted(order) == sorted(names)
    # every phone shows the agent's order and who added each song
    for page in phones:
        tid(page, "tab-queue").click()
        expect(tid(page, "now-playing")).to_contain_text(f"{order[0]} 点的")
        expect(tid(page, "queue-entry").locator('[data-test="added-by"]')).to_have_text(
            [f"{name} 点的" for name in order[1:]]
        )
    shot(third, tmp_path, "guest-queue")
    # a phone removes its own song; the agent's queue loses it
    owner = phones[names.index(order[2])]
    expect(tid(owner, "queue-entry").nth(1).locator('[data-test="remove"]')).to_be_visible()
    expect(tid(owner, "queue-entry").nth(0).locator('[data-test="remove"]')).to_have_count(0)
    tid(owner, "queue-entry").nth(1).locator('[data-test="remove"]').click()
    assert wait_until(lambda: len(agents.control("A01", do="view")["queue"]) == 1, 10, 0.05)
    # a control the venue allows from phones reaches the agent
    volume = agents.control("A01", do="view")["volume_percent"]
    assert volume > 0
    tid(first, "volume-down").click()
    assert wait_until(lambda: agents.control("A01", do="view")["volume_percent"] < volume, 10, 0.05)

    # a member signs in on a phone: balance, the room's draw, ☆ a song, 我的歌单 全部点上
    venue.grpc.members.RegisterMember(
        members_pb2.RegisterMemberRequest(
            phone=MEMBER_PHONE, name="张伟", pin="2580", request_id=rid()
        ),
        **venue.grpc.kw,
    )
    now = datetime.now(UTC)
    span = [Timestamp(), Timestamp()]
    span[0].FromDatetime(now - timedelta(minutes=1))
    span[1].FromDatetime(now + timedelta(hours=1))
    club_pb2_grpc.DrawServiceStub(venue.grpc.channel).CreateDraw(
        club_pb2.CreateDrawRequest(
            title="今晚抽奖",
            start_time=span[0],
            end_time=span[1],
            eligibility=club_pb2.DRAW_ELIGIBILITY_ROOM_OPEN,
            prize=club_pb2.DrawPrize(kind=club_pb2.DRAW_PRIZE_KIND_COMP_AMOUNT, amount_fen=1000),
            winner_count=1,
            request_id=rid(),
        ),
        **venue.grpc.kw,
    )
    tid(second, "tab-me").click()
    tid(second, "member-phone").locator("input").fill(MEMBER_PHONE)
    tid(second, "member-secret").locator("input").fill("2580")
    tid(second, "member-sign-in").click()
    expect(tid(second, "member-balance")).to_contain_text("¥0")
    expect(tid(second, "draw")).to_contain_text("今晚抽奖")
    tid(second, "tab-search").click()
    tid(second, "song").first.locator('[data-test="save"]').click()
    tid(second, "tab-me").click()
    expect(tid(second, "saved-song")).to_contain_text("晴天")
    shot(second, tmp_path, "guest-member")
    queued = len(agents.control("A01", do="view")["queue"])
    tid(second, "queue-all").click()
    expect(second.get_by_text("已点上 1 首")).to_be_visible()
    assert wait_until(
        lambda: len(agents.control("A01", do="view")["queue"]) == queued + 1, 10, 0.05
    )

    # a phone of room A cannot touch room B, nor any staff method
    other = api(first, venue, "/api/v1/GuestService/GetRoomView", {"room": "rooms/B01"})
    assert other.status == 403 and other.json()["reason"] == "WRONG_ROOM", other.text()
    staff = api(first, venue, "/api/v1/BillingService/Checkout", {"room": "rooms/A01"})
    assert staff.status == 403 and staff.json()["reason"] == "ROLE_NOT_ALLOWED", staff.text()
    no_csrf = first.request.post(
        "/api/v1/GuestService/GetRoomView",
        data={"room": "rooms/A01"},
        headers={"origin": venue.base_url},
    )
    assert no_csrf.status == 403 and no_csrf.json()["reason"] == "CSRF_REFUSED"

    # the menu at the room's prices: a beer onto the bill; what is off is not orderable
    before = venue.grpc.billing.GetBill(
        billing_pb2.GetBillRequest(room="rooms/A01"), **venue.grpc.kw
    ).bill.order_count
    # water's stock runs out (a recipe of one stock item nobody has received): 售罄 on the phone
    stock = inventory_pb2_grpc.InventoryServiceStub(venue.grpc.channel)
    stock.UpsertStockItem(
        inventory_pb2.UpsertStockItemRequest(
            item=inventory_pb2.StockItem(item_id="g-water", name="矿泉水", base_unit="瓶"),
            request_id=uuid.uuid4().hex,
        ),
        **venue.grpc.kw,
    )
    stock.SetRecipe(
        inventory_pb2.SetRecipeRequest(
            sku="water",
            components=[inventory_pb2.RecipeComponent(item_id="g-water", quantity=1)],
            request_id=uuid.uuid4().hex,
        ),
        **venue.grpc.kw,
    )
    tid(first, "tab-menu").click()
    water = first.locator('[data-test="product"][data-sku="water"]')
    expect(water.locator('[data-test="sold-out"]')).to_have_text("售罄")
    expect(water.locator('[data-test="qty"]')).to_have_count(0)
    beer = first.locator('[data-test="product"][data-sku="beer"]')
    expect(beer).to_contain_text("青岛啤酒")
    chips = first.locator('[data-test="product"][data-sku="chips"]')
    expect(chips).to_contain_text("暂停供应")
    expect(chips.locator('[data-test="qty"]')).to_have_count(0)
    beer.locator(".van-stepper__plus").click()
    shot(first, tmp_path, "guest-menu")
    tid(first, "order").locator("button").click()
    first.locator(".van-dialog__confirm").click()
    expect(first.get_by_text("已下单")).to_be_visible()
    bill = venue.grpc.billing.GetBill(
        billing_pb2.GetBillRequest(room="rooms/A01"), **venue.grpc.kw
    ).bill
    assert bill.order_count == before + 1
    assert [(line.sku, line.quantity) for line in bill.orders[-1].lines] == [("beer", 1)]
    tid(second, "tab-bill").click()
    expect(tid(second, "bill-line").filter(has_text="青岛啤酒")).to_be_visible()
    expect(tid(second, "bill-due")).to_contain_text("¥")
    shot(second, tmp_path, "guest-bill")

    # pay the bill from the phone on the sandbox (this venue offers phones only the sandbox:
    # WeChat Pay and Alipay answer UNKNOWN_PROVIDER and leave the sheet)
    tid(second, "pay").click()
    for provider in ("wechat", "alipay"):
        tid(second, f"pay-{provider}").click()
        expect(tid(second, f"pay-{provider}")).to_have_count(0)
    tid(second, "pay-sandbox").click()
    expect(tid(second, "pay-state")).to_contain_text("等待付款")
    shot(second, tmp_path, "guest-pay")
    with second.context.expect_page() as opened:
        tid(second, "pay-open").click()
    gateway = opened.value
    gateway.locator("#pay").click()
    expect(gateway.locator("#result")).to_contain_text("已支付")
    gateway.close()
    expect(tid(second, "pay-state")).to_contain_text("付款成功")
    tid(second, "pay-panel").locator(".van-popup__close-icon").click()
    expect(tid(second, "bill-due")).to_have_text("¥0")
    paid = venue.grpc.billing.GetBill(
        billing_pb2.GetBillRequest(room="rooms/A01"), **venue.grpc.kw
    ).bill
    assert paid.due_fen == 0 and paid.paid_fen == paid.total_fen > 0

    # checkout: every phone says so, and the old URL opens nothing
    check_out(venue, "A01")
    for page in phones:
        expect(tid(page, "ended")).to_be_visible()
    shot(first, tmp_path, "guest-ended")
    late = phone(browser, venue)
    late.goto(url)
    tid(late, "nickname").locator("input").fill("迟到")
    tid(late, "join-button").click()
    expect(tid(late, "join-error")).to_contain_text("失效")
    expect(tid(late, "room-name")).to_have_count(0)
    for page in [*phones, late]:
        assert page.dialogs == [], page.dialogs  # type: ignore[attr-defined]
        page.context.close()
    check_out(venue, "B01")


def test_a_phone_says_plainly_when_the_agent_or_the_controller_is_away(
    browser, web_venue: WebVenue, tmp_path: Path
) -> None:
    venue = web_venue
    venue.ctl.add_room("C01", tier="small")  # a room whose agent never connects
    open_room(venue, "C01")
    page = phone(browser, venue)
    join(page, room_url(venue, "C01"), "离线")
    expect(tid(page, "agent-offline")).to_contain_text("点歌机暂时离线")
    # a refusal (403) is said and the visit goes on; only a 401 ends it
    page.route(
        "**/api/v1/GuestService/ControlRoom",
        lambda route: route.fulfill(
            status=403,
            content_type="application/json",
            body='{"reason": "PHONE_NOT_ALLOWED", "message": "not from phones",'
            ' "status": "PERMISSION_DENIED"}',
        ),
    )
    tid(page, "tab-queue").click()
    tid(page, "volume-down").click()
    expect(page.get_by_text("not from phones")).to_be_visible()
    expect(tid(page, "room-name")).to_be_visible()
    expect(tid(page, "ended")).to_have_count(0)
    page.unroute("**/api/v1/GuestService/ControlRoom")
    # the phone loses the venue's Wi-Fi: it says so and retries; back online, the banner goes
    page.context.set_offline(True)
    expect(tid(page, "offline")).to_contain_text("连接不上服务器")
    shot(page, tmp_path, "guest-offline")
    page.context.set_offline(False)
    tid(page, "offline").locator("button").click()
    expect(tid(page, "offline")).to_have_count(0)
    expect(tid(page, "agent-offline")).to_be_visible()
    page.context.close()
    check_out(venue, "C01")
