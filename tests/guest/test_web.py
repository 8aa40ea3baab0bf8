"""A phone over HTTP: JoinRoom sets the HttpOnly ``ktv_guest`` cookie, the gateway passes it
as the Guest credential, and the cookie never opens a staff method or the staff session."""

from __future__ import annotations

import json

import httpx

from tests.support.guests import code_of, room_url


def web_url(ctl) -> str:  # type: ignore[no-untyped-def]
    return json.loads((ctl.data_dir / "controller.web.json").read_text())["url"]


def test_a_phone_joins_over_http_and_its_cookie_reaches_only_its_rooms_guest_methods(ctl, desk):
    room, other = desk.new_room(), desk.new_room()
    desk.open(room)
    base = web_url(ctl)
    origin = {"Origin": base}
    with httpx.Client(base_url=base, timeout=10) as phone:
        joined = phone.post(
            "/api/v1/GuestService/JoinRoom",
            json={"code": code_of(room_url(ctl, room)), "nickname": "<b>Jay</b>"},
            headers=origin,
        )
        assert joined.status_code == 200, joined.text
        body = joined.json()
        assert body["room"] == f"rooms/{room}" and body["nickname"] == "<b>Jay</b>"
        assert not body.get("credential")  # the secret stays in the HttpOnly cookie
        cookie = joined.headers.get_list("set-cookie")
        guest = next(c for c in cookie if c.startswith("ktv_guest="))
        assert "HttpOnly" in guest and "SameSite=strict" in guest.replace("Strict", "strict")
        csrf = {**origin, "X-CSRF-Token": phone.cookies["ktv_guest_csrf"]}

        seen = phone.post(
            "/api/v1/GuestService/GetRoomView", json={"room": f"rooms/{room}"}, headers=csrf
        )
        assert seen.status_code == 200 and seen.json()["session_open"] is True, seen.text
        assert (
            phone.post(
                "/api/v1/GuestService/GetRoomView", json={"room": f"rooms/{room}"}, headers=origin
            ).json()["reason"]
            == "CSRF_REFUSED"
        )
        wrong_room = phone.post(
            "/api/v1/GuestService/GetRoomView", json={"room": f"rooms/{other}"}, headers=csrf
        )
        assert (wrong_room.status_code, wrong_room.json()["reason"]) == (403, "WRONG_ROOM")
        staff = phone.post("/api/v1/RoomService/ListRooms", json={}, headers=csrf)
        assert (staff.status_code, staff.json()["reason"]) == (403, "ROLE_NOT_ALLOWED")
        checkout = phone.post(
            "/api/v1/BillingService/Checkout",
            json={"room": f"rooms/{room}", "request_id": "x"},
            headers=csrf,
        )
        assert checkout.json()["reason"] == "ROLE_NOT_ALLOWED"
        assert phone.get("/api/session").status_code == 401  # no staff session from a phone

        desk.checkout(room)
        after = phone.post(
            "/api/v1/GuestService/GetRoomView", json={"room": f"rooms/{room}"}, headers=csrf
        )
        assert (after.status_code, after.json()["reason"]) == (401, "GUEST_SESSION_ENDED")


def test_a_desk_browser_that_joins_a_room_keeps_its_staff_session_apart(ctl, desk):
    """Cookies are per host, not per port: a cashier who scans a room's code on the desk's
    browser holds both a staff session and a phone's cookie. The guest page's calls (X-KTV-Guest)
    act as the phone, with the phone's own CSRF cookie; the staff session and its ktv_csrf are
    untouched."""
    import uuid

    from ktv.v1 import auth_pb2, auth_pb2_grpc

    auth_pb2_grpc.AuthServiceStub(ctl.channel()).CreateStaff(
        auth_pb2.CreateStaffRequest(
            staff_id="c9",
            display_name="收银九",
            role=auth_pb2.ROLE_CASHIER,
            pin="135790",
            request_id=uuid.uuid4().hex,
        ),
        metadata=ctl.admin_md,
        timeout=10,
    )
    room = desk.new_room()
    desk.open(room)
    base = web_url(ctl)
    origin = {"Origin": base}
    with httpx.Client(base_url=base, timeout=10) as browser:
        signed_in = browser.post(
            "/api/session", json={"staff_id": "c9", "pin": "135790"}, headers=origin
        )
        assert signed_in.status_code == 200, signed_in.text
        staff_csrf = browser.cookies["ktv_csrf"]
        joined = browser.post(
            "/api/v1/GuestService/JoinRoom",
            json={"code": code_of(room_url(ctl, room)), "nickname": "收银"},
            headers=origin,
        )
        assert joined.status_code == 200, joined.text
        assert browser.cookies["ktv_csrf"] == staff_csrf  # the staff session's token survives
        as_phone = {**origin, "X-KTV-Guest": "1", "X-CSRF-Token": browser.cookies["ktv_guest_csrf"]}
        view = browser.post(
            "/api/v1/GuestService/GetRoomView", json={"room": f"rooms/{room}"}, headers=as_phone
        )
        assert view.status_code == 200, view.text
        as_phone_staff_call = browser.post(
            "/api/v1/RoomService/ListRooms", json={}, headers=as_phone
        )
        assert as_phone_staff_call.json()["reason"] == "ROLE_NOT_ALLOWED"  # the page is the phone
        wrong_token = {**as_phone, "X-CSRF-Token": staff_csrf}
        refused = browser.post(
            "/api/v1/GuestService/GetRoomView", json={"room": f"rooms/{room}"}, headers=wrong_token
        )
        assert refused.json()["reason"] == "CSRF_REFUSED"
        as_staff = {**origin, "X-CSRF-Token": staff_csrf}
        rooms = browser.post("/api/v1/RoomService/ListRooms", json={}, headers=as_staff)
        assert rooms.status_code == 200, rooms.text  # the desk's own calls are still the cashier's
    desk.checkout(room)
