"""The browser fixtures in a real Chromium, and what a browser itself enforces: the signed-in
context's cookie reaches the API from the venue's page; a form posted from another site does
not change anything."""

from __future__ import annotations

import json

from ktv.v1 import rooms_pb2
from tests.web.conftest import DESK, PHONE
from tests.web.venue import WebVenue


def test_a_signed_in_page_reaches_the_api_with_its_cookie(page_for, web_venue: WebVenue) -> None:  # type: ignore[no-untyped-def]
    page = page_for(PHONE, signed_in_as="m1")
    page.goto("/api/docs")
    page.locator("code", has_text="/api/v1/BillingService/Checkout").first.wait_for()
    session = page.evaluate("fetch('/api/session').then(r => r.json())")
    assert session["staff_id"] == "m1" and session["role"] == "ROLE_MANAGER"
    cookie = page.evaluate("document.cookie")
    assert "ktv_csrf=" in cookie and "ktv_session=" not in cookie  # HttpOnly: not for scripts
    rooms = page.evaluate(
        """async () => {
            const csrf = document.cookie.match(/ktv_csrf=([^;]+)/)[1];
            const answer = await fetch('/api/v1/RoomService/ListRooms', {
                method: 'POST', body: '{}',
                headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf}});
            return [answer.status, (await answer.json()).rooms.length];
        }"""
    )
    assert rooms == [200, 4]


def test_a_form_posted_from_another_site_changes_nothing(page_for, web_venue: WebVenue) -> None:  # type: ignore[no-untyped-def]
    page = page_for(DESK, signed_in_as="c1")  # the victim is signed in in this browser
    page.route(  # another site's page (no CSP of ours on it)
        "http://evil.test/",
        lambda route: route.fulfill(
            body="<html><body>win a prize</body></html>", content_type="text/html"
        ),
    )
    page.goto("http://evil.test/")
    with page.expect_navigation():
        page.evaluate(
            """target => {
                const form = document.createElement('form');
                form.method = 'POST'; form.action = target; form.enctype = 'text/plain';
                const field = document.createElement('input');
                field.name = '{"active": true, "message": "pwned", "request_id": "x", "a": "';
                field.value = '"}';
                form.appendChild(field); document.body.appendChild(form); form.submit();
            }""",
            web_venue.base_url + "/api/v1/RoomService/SetEmergency",
        )
    refusal = json.loads(page.inner_text("body"))
    assert refusal["status"] in ("UNAUTHENTICATED", "PERMISSION_DENIED"), refusal
    assert refusal["reason"] in ("SIGN_IN_REQUIRED", "CSRF_REFUSED", "NOT_JSON"), refusal
    room = web_venue.grpc.rooms.GetRoom(
        rooms_pb2.GetRoomRequest(name="rooms/A01"), **web_venue.grpc.kw
    )
    assert room.room.name == "rooms/A01"
    listed = web_venue.grpc.call(
        web_venue.grpc.rooms.SetEmergency,
        rooms_pb2.SetEmergencyRequest(active=False, request_id="after-csrf-check"),
    )
    assert listed.notified_room_count >= 0 and not listed.active
