"""Staff sign-in over HTTP: the session cookie, the role's methods, sign-out, and refusals
(no session, a role's limits enforced by the server, cross-site requests)."""

from __future__ import annotations

import contextlib
import sqlite3

import pytest

from controller.store.db import DB_FILE
from tests.web.venue import WebVenue


def live_tokens(venue: WebVenue, staff_id: str) -> int:
    path = venue.data_dir / DB_FILE
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        return db.execute(
            "SELECT count(*) FROM credentials WHERE staff_id = ? AND revoked_at IS NULL",
            (staff_id,),
        ).fetchone()[0]


def test_without_a_session_the_api_answers_401(web_venue: WebVenue) -> None:
    with web_venue.client() as client:
        for answer in (
            client.get("/api/session"),
            client.post("/api/v1/RoomService/ListRooms", json={}),
            client.get("/api/board/events"),
        ):
            assert answer.status_code == 401, answer.text
            assert answer.json()["reason"] == "SIGN_IN_REQUIRED"
            assert answer.json()["status"] == "UNAUTHENTICATED"


def test_sign_in_gives_the_role_its_methods_and_strict_cookies(web_venue: WebVenue) -> None:
    with web_venue.client() as client:
        answer = client.post("/api/session", json={"staff_id": "c1", "pin": "1111"})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["staff_id"] == "c1"
        assert body["display_name"] == "收银员小陈"
        assert body["role"] == "ROLE_CASHIER"
        assert body["idle_timeout_s"] == 900
        assert "BillingService/Checkout" in body["methods"]
        assert "ReportService/CloseDay" not in body["methods"]  # manager only
        cookies = answer.headers.get_list("set-cookie")
        session = next(c for c in cookies if c.startswith("ktv_session="))
        csrf = next(c for c in cookies if c.startswith("ktv_csrf="))
        assert "httponly" in session.lower() and "samesite=strict" in session.lower()
        assert "httponly" not in csrf.lower() and "samesite=strict" in csrf.lower()
        assert "path=/" in session.lower()
        again = client.get("/api/session")
        assert again.status_code == 200 and again.json()["staff_id"] == "c1"


def test_a_cashier_calling_a_manager_only_rpc_is_refused_by_the_server(
    web_venue: WebVenue,
) -> None:
    with web_venue.signed_in("c1") as cashier:
        answer = cashier.post(
            "/api/v1/ReportService/CloseDay",
            json={"day": "2026-12-01", "request_id": "r1"},
        )
        assert answer.status_code == 403, answer.text
        assert answer.json() == {
            "reason": "ROLE_NOT_ALLOWED",
            "message": "cashier c1 may not call CloseDay",
            "status": "PERMISSION_DENIED",
        }


def test_sign_out_revokes_the_token_on_the_controller(web_venue: WebVenue) -> None:
    before = live_tokens(web_venue, "w1")
    with web_venue.signed_in("w1") as client:
        assert live_tokens(web_venue, "w1") == before + 1
        cookie = client.cookies["ktv_session"]
        assert client.delete("/api/session").status_code == 204
    assert live_tokens(web_venue, "w1") == before
    with web_venue.client(cookies={"ktv_session": cookie}) as replay:
        assert replay.get("/api/session").status_code == 401
        refused = replay.post("/api/v1/RoomService/ListRooms", json={})
        assert refused.status_code == 401


@pytest.mark.parametrize(
    ("origin", "csrf"),
    [
        ("https://evil.example", "good"),  # a foreign page
        (None, "good"),  # no Origin, no Sec-Fetch-Site
        ("same", None),  # no CSRF header
        ("same", "wrong"),  # a CSRF header that is not the cookie's
    ],
)
def test_cross_site_requests_are_refused(web_venue: WebVenue, origin, csrf) -> None:  # type: ignore[no-untyped-def]
    with web_venue.signed_in("c1") as staff:
        token = staff.cookies["ktv_csrf"]
        headers = {"content-type": "application/json"}
        if origin is not None:
            headers["origin"] = web_venue.base_url if origin == "same" else origin
        if csrf is not None:
            headers["x-csrf-token"] = token if csrf == "good" else "forged"
        del staff.headers["origin"]
        del staff.headers["x-csrf-token"]
        answer = staff.post(
            "/api/v1/RoomService/SetEmergency",
            content=b'{"active": true, "message": "fire", "request_id": "csrf-1"}',
            headers=headers,
        )
        assert answer.status_code == 403, answer.text
        assert answer.json()["reason"] == "CSRF_REFUSED"
        assert staff.get("/api/session").status_code == 200


def test_a_form_post_from_another_site_is_refused(web_venue: WebVenue) -> None:
    with web_venue.signed_in("c1") as staff:
        answer = staff.post(
            "/api/session",
            data={"staff_id": "c1", "pin": "1111"},
            headers={"origin": "https://evil.example", "sec-fetch-site": "cross-site"},
        )
        assert answer.status_code == 403
        assert answer.json()["reason"] == "CSRF_REFUSED"


def test_signing_in_on_a_signed_in_browser_ends_the_previous_session(web_venue: WebVenue) -> None:
    """The desk's PC changes hands at the shift change: the first cashier's token ends."""
    with web_venue.signed_in("w1") as desk:
        before = live_tokens(web_venue, "w1")
        first = desk.cookies["ktv_session"]
        again = desk.post("/api/session", json={"staff_id": "c1", "pin": "1111"})
        assert again.status_code == 200 and again.json()["staff_id"] == "c1"
        assert live_tokens(web_venue, "w1") == before - 1
        with web_venue.client(cookies={"ktv_session": first}) as old:
            assert old.get("/api/session").status_code == 401
