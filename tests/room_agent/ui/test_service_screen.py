"""Service: calling the front desk with its acknowledgement, and the controller-backed tabs
(menu, bill, member) which say "unavailable" instead of inventing data."""

from __future__ import annotations


def test_call_service_shows_sent_then_the_front_desk_acknowledgement(guest, room):
    guest.tap(guest.session.ids.tab_service)
    service = guest.session.screens["service"]
    guest.tap(service.ids.call_service)
    assert room.intents[-1] == ("call_service", "service")
    guest.until(lambda: service.ids.call_status.text == "已呼叫，请稍候")
    room.acknowledge_last_call()
    guest.until(lambda: service.ids.call_status.text.startswith("服务员马上到"))
    guest.shot("acknowledged")


def test_the_lights_button_cycles_the_guests_scenes(guest, room):
    """Issue 24: 迎宾 → 唱歌 → 派对 → 清洁 → 关闭 from one button, the room's own choice."""
    guest.tap(guest.session.ids.tab_service)
    service = guest.session.screens["service"]
    button = service.ids.scene_button
    guest.until(lambda: button.text == "灯光：迎宾")
    for label, scene in (("唱歌", "singing"), ("派对", "party"), ("清洁", "cleaning")):
        guest.tap(button)
        assert room.intents[-1] == ("choose_scene", scene)
        guest.until(lambda label=label: button.text == f"灯光：{label}")
    guest.shot("lights")


def test_menu_bill_and_member_say_unavailable_when_the_controller_cannot_answer(guest, desk):
    guest.tap(guest.session.ids.tab_service)
    service = guest.session.screens["service"]
    guest.until(lambda: service.status == "暂不可用：前台系统未连接")
    assert service.lines == []
    guest.shot("menu-unavailable")
    guest.tap(service.ids.tab_bill)
    guest.until(lambda: service.status == "暂不可用：前台系统未连接")
    guest.tap(service.ids.tab_member)
    for key in "13800000000":
        guest.tap(_pad(service, key))
    guest.tap(service.ids.pin_field)
    for key in "1234":
        guest.tap(_pad(service, key))
    guest.tap(service.ids.sign_in)
    guest.until(lambda: service.status == "暂不可用：前台系统未连接")


def _pad(service, key):
    return next(k for k in service.ids.keypad.children if getattr(k, "text", "") == key)


def test_menu_lists_what_the_controller_returns_and_orders_once_per_tap(guest, desk):
    desk.reachable = True
    guest.tap(guest.session.ids.tab_service)
    service = guest.session.screens["service"]
    guest.until(lambda: len(service.lines) == 3)
    assert service.lines[0][:2] == ("青岛啤酒", "¥15.00")
    guest.shot("menu")
    row = guest.row(service.ids.lines, sku="beer-tsingtao")
    guest.tap(row.children[0])  # the order button
    guest.until(lambda: len(desk.orders) == 1)
    assert desk.orders[0][0] == (("beer-tsingtao", 1),)
    guest.until(lambda: guest.app.toast.startswith("已下单"))


def test_a_sold_out_product_shows_sold_out_and_cannot_be_ordered(guest, desk):
    """Issue 22: the bar's stock ran out -> 售罄 on the touchscreen, no order button."""
    desk.reachable = True
    guest.tap(guest.session.ids.tab_service)
    service = guest.session.screens["service"]
    row = guest.row(service.ids.lines, sku="whisky-jw")
    button = row.children[0]
    assert button.text == "售罄" and button.disabled
    guest.tap(button)
    guest.pump(5)
    assert desk.orders == []


def test_bill_shows_lines_and_total_in_yuan(guest, desk):
    desk.reachable = True
    guest.tap(guest.session.ids.tab_service)
    service = guest.session.screens["service"]
    guest.tap(service.ids.tab_bill)
    guest.until(lambda: len(service.lines) == 3)
    assert service.lines[-1][:2] == ("合计", "¥206.00")
    guest.shot("bill")


def test_member_sign_in_shows_points_and_balance(guest, desk):
    desk.reachable = True
    guest.tap(guest.session.ids.tab_service)
    service = guest.session.screens["service"]
    guest.tap(service.ids.tab_member)
    assert service.ids.sign_in.disabled
    for key in "13800000000":
        guest.tap(_pad(service, key))
    guest.tap(service.ids.pin_field)
    for key in "2580":
        guest.tap(_pad(service, key))
    assert service.ids.pin_field.text == "密码: ****"
    guest.tap(service.ids.sign_in)
    guest.until(lambda: "积分: 1280" in service.status)
    assert "138****0000" in service.status and "¥500.00" in service.status
    assert service.pin == ""  # the PIN does not linger on screen
    guest.shot("member")
