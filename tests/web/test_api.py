"""The RPC gateway against a real controller: the same refusals, lockout, idempotency and
bounds as gRPC, because it is the gRPC path (docs/web.md)."""

from __future__ import annotations

import uuid

import grpc
import pytest

from ktv.v1 import auth_pb2, rooms_pb2
from tests.support.core_agents import ktvctl
from tests.web.venue import WebVenue


def open_room(staff, room: str, guests: int = 2) -> dict:  # type: ignore[no-untyped-def]
    answer = staff.post(
        "/api/v1/BillingService/OpenSession",
        json={"room": f"rooms/{room}", "guest_count": guests, "request_id": uuid.uuid4().hex},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["bill"]


def make_idle(venue: WebVenue, room: str) -> None:
    venue.grpc.rooms.SetRoomState(
        rooms_pb2.SetRoomStateRequest(
            name=f"rooms/{room}", state=rooms_pb2.ROOM_STATE_IDLE, request_id=uuid.uuid4().hex
        ),
        **venue.grpc.kw,
    )


def test_a_double_clicked_checkout_charges_once(web_venue: WebVenue) -> None:
    with web_venue.signed_in("c1") as cashier:
        open_room(cashier, "A01", guests=3)
        listed = cashier.post("/api/v1/RoomService/GetRoom", json={"name": "rooms/A01"})
        assert listed.json()["room"]["guest_count"] == 3  # billing fills it, like the total
        bill = cashier.post("/api/v1/BillingService/GetBill", json={"room": "rooms/A01"}).json()
        due = int(bill["bill"]["due_fen"])
        checkout = {
            "room": "rooms/A01",
            "tenders": [{"tender": "TENDER_CASH", "amount_fen": str(due + 10_000)}],
            "request_id": "double-click-1",
        }
        first = cashier.post("/api/v1/BillingService/Checkout", json=checkout)
        second = cashier.post("/api/v1/BillingService/Checkout", json=checkout)
        assert first.status_code == 200, first.text
        assert second.status_code == 200 and second.json() == first.json()
        payments = first.json()["bill"]["payments"]
        assert len(payments) == 1
    make_idle(web_venue, "A01")


def test_bad_input_is_a_clear_4xx_and_nothing_is_written(web_venue: WebVenue) -> None:
    with web_venue.signed_in("c1") as cashier:
        before = cashier.post("/api/v1/RoomService/ListRooms", json={}).json()
        cases = [
            (b"{not json", 400, "BAD_JSON"),
            (b'{"room": "rooms/A02", "guest_count": "many"}', 400, "BAD_JSON"),
            (b'{"room": "rooms/A02", "guests": 2}', 400, "BAD_JSON"),  # unknown field
            (b"[1, 2]", 400, "BAD_JSON"),
            (b'{"room": ' * 5000 + b"1" + b"}" * 5000, 400, "BAD_JSON"),  # 5000 deep
            (b'{"room": "rooms/NOPE", "guest_count": 2, "request_id": "x1"}', 404, None),
            (b'{"room": "rooms/A02", "guest_count": 2}', 400, "REQUEST_ID_REQUIRED"),
        ]
        for body, status, reason in cases:
            answer = cashier.post(
                "/api/v1/BillingService/OpenSession",
                content=body,
                headers={"content-type": "application/json"},
            )
            assert answer.status_code == status, (body[:40], answer.text)
            refusal = answer.json()
            assert refusal["message"] and refusal["status"]
            if reason:
                assert refusal["reason"] == reason, refusal
        huge = cashier.post(
            "/api/v1/RoomService/SetEmergency",
            content=b'{"message": "' + b"x" * 70_000 + b'"}',
            headers={"content-type": "application/json"},
        )
        assert huge.status_code == 413 and huge.json()["reason"] == "BODY_TOO_LARGE"
        form = cashier.post("/api/v1/RoomService/ListRooms", content=b"a=1")
        assert form.status_code == 415 and form.json()["reason"] == "NOT_JSON"
        unknown = cashier.post("/api/v1/RoomService/Explode", json={})
        assert unknown.status_code == 404 and unknown.json()["reason"] == "UNKNOWN_METHOD"
        nowhere = cashier.get("/api/nothing/here")
        assert nowhere.status_code == 404 and nowhere.json()["status"] == "NOT_FOUND"
        wrong_verb = cashier.put("/api/session", json={})
        assert wrong_verb.status_code == 405 and wrong_verb.json()["reason"] == "UNKNOWN_METHOD"
        after = cashier.post("/api/v1/RoomService/ListRooms", json={}).json()
        assert [(r["name"], r["state"], r["session"]) for r in after["rooms"]] == [
            (r["name"], r["state"], r["session"]) for r in before["rooms"]
        ]


def test_pin_guesses_over_http_and_grpc_share_one_lockout(web_venue: WebVenue) -> None:
    web_venue.admin.auth.CreateStaff(
        auth_pb2.CreateStaffRequest(
            staff_id="lock1",
            role=auth_pb2.ROLE_CASHIER,
            pin="4321",
            request_id=uuid.uuid4().hex,
        ),
        **web_venue.admin.kw,
    )
    with web_venue.client() as browser:
        for _ in range(3):
            wrong = browser.post("/api/session", json={"staff_id": "lock1", "pin": "0000"})
            assert wrong.status_code == 401 and wrong.json()["reason"] == "BAD_LOGIN"
        for _ in range(2):
            with pytest.raises(grpc.RpcError) as refused:
                web_venue.grpc.auth.Login(
                    auth_pb2.LoginRequest(staff_id="lock1", pin="0000"), timeout=10
                )
            assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
        right = browser.post("/api/session", json={"staff_id": "lock1", "pin": "4321"})
        assert right.status_code == 401, right.text
        assert right.json()["reason"] == "PIN_LOCKED"
        with pytest.raises(grpc.RpcError) as locked:
            web_venue.grpc.auth.Login(
                auth_pb2.LoginRequest(staff_id="lock1", pin="4321"), timeout=10
            )
        assert "too many wrong PINs" in (locked.value.details() or "")
        assert "ktv_session" not in browser.cookies


def test_an_agent_credential_cannot_reach_staff_endpoints(web_venue: WebVenue) -> None:
    agent_token = web_venue.ctl.enroll_agent("B01")  # a room agent's bearer token
    with web_venue.client(headers={"authorization": f"Bearer {agent_token}"}) as agent:
        for path, body in [
            ("/api/v1/RoomService/ListRooms", {}),
            ("/api/v1/BillingService/OpenSession", {"room": "rooms/B01", "request_id": "a1"}),
            ("/api/v1/RoomService/SetEmergency", {"active": True, "request_id": "a2"}),
        ]:
            answer = agent.post(path, json=body)
            assert answer.status_code == 403, (path, answer.text)
            assert answer.json()["reason"] == "ROLE_NOT_ALLOWED"
        board = agent.get("/api/board/events")
        assert board.status_code == 403
    web_venue.wait_online(["B01"])


def test_a_wall_key_reads_the_board_and_nothing_else(web_venue: WebVenue) -> None:
    with web_venue.signed_in("m1") as manager:
        minted = manager.post("/api/wall-keys", json={"label": "lobby TV"})
        assert minted.status_code == 200, minted.text
        key, key_id = minted.json()["key"], minted.json()["id"]
        assert minted.json()["url"].endswith(f"/#/wall?wall={key}")
        listed = manager.get("/api/wall-keys").json()["wall_keys"]
        assert any(k["id"] == key_id and k["label"] == "lobby TV" for k in listed)
        assert all("key" not in k for k in listed)
        with web_venue.client() as wall:
            rooms = wall.get("/api/v1/RoomService/ListRooms", params={"wall": key})
            assert rooms.status_code == 200 and len(rooms.json()["rooms"]) == 4
            with wall.stream("GET", "/api/board/events", params={"wall": key}) as stream:
                assert stream.status_code == 200
            assert (
                wall.post("/api/v1/RoomService/ListRooms?wall=" + key, json={}).status_code == 401
            )
        with web_venue.client(headers={"authorization": f"Bearer {key}"}) as wall:
            for path in ("/api/v1/BillingService/OpenSession", "/api/v1/RoomService/SetEmergency"):
                refused = wall.post(path, json={"request_id": "w1"})
                assert refused.status_code == 403, refused.text
            assert wall.post("/api/wall-keys", json={}).status_code == 403
        revoked = manager.delete(f"/api/wall-keys/{key_id}")
        assert revoked.status_code == 200 and revoked.json()["wall_key"]["revoke_time"]
        with web_venue.client() as wall:
            gone = wall.get("/api/board/events", params={"wall": key})
            assert gone.status_code == 401 and gone.json()["reason"] == "BAD_TOKEN"
    with web_venue.signed_in("c1") as cashier:
        assert cashier.post("/api/wall-keys", json={"label": "x"}).status_code == 403


def test_rooms_carry_their_floor_plan_place_and_guests(web_venue: WebVenue) -> None:
    with web_venue.signed_in("m1") as manager:
        rooms = manager.post("/api/v1/RoomService/ListRooms", json={}).json()["rooms"]
        floors = {r["name"]: r["layout"]["floor"] for r in rooms}
        assert floors == {
            "rooms/A01": "1F",
            "rooms/A02": "1F",
            "rooms/B01": "2F",
            "rooms/B02": "2F",
        }
        assert all(r["guest_count"] == 0 or r["session"] for r in rooms)
        moved = ktvctl(
            web_venue.ctl, "room", "layout", "A02", "--floor", "3F", "--col", "3", "--row", "1"
        )
        assert moved.returncode == 0, moved.stderr
        room = manager.post("/api/v1/RoomService/GetRoom", json={"name": "rooms/A02"}).json()
        assert room["room"]["layout"] == {
            "floor": "3F",
            "column": 3,
            "row": 1,
            "width": 1,
            "height": 1,
        }
        too_wide = manager.post(
            "/api/v1/RoomService/SetRoomLayout",
            json={"name": "rooms/A02", "layout": {"width": 99}, "request_id": uuid.uuid4().hex},
        )
        assert too_wide.status_code == 400 and too_wide.json()["reason"] == "BAD_LAYOUT"
        back = manager.post(
            "/api/v1/RoomService/SetRoomLayout",
            json={
                "name": "rooms/A02",
                "layout": {"floor": "1F", "column": 1, "row": 0},
                "request_id": uuid.uuid4().hex,
            },
        )
        assert back.status_code == 200 and back.json()["room"]["layout"]["floor"] == "1F"
    with web_venue.signed_in("c1") as cashier:
        refused = cashier.post(
            "/api/v1/RoomService/SetRoomLayout",
            json={"name": "rooms/A02", "layout": {"floor": "2F"}, "request_id": "c-lay"},
        )
        assert refused.status_code == 403


def test_a_retried_wall_key_mint_leaves_one_working_key(web_venue: WebVenue) -> None:
    """The key is stored hashed, so a retry (the answer was lost) cannot get the same key
    back: it revokes the one minted under that request_id and answers a fresh one."""
    with web_venue.signed_in("m1") as manager:
        asked = {"label": "bar TV", "request_id": "mint-twice"}
        first = manager.post("/api/wall-keys", json=asked).json()
        second = manager.post("/api/wall-keys", json=asked).json()
        assert first["key"] != second["key"]
        with web_venue.client() as wall:
            old = wall.get("/api/v1/RoomService/ListRooms", params={"wall": first["key"]})
            new = wall.get("/api/v1/RoomService/ListRooms", params={"wall": second["key"]})
        assert old.status_code == 401 and new.status_code == 200
        keys = {k["id"]: k for k in manager.get("/api/wall-keys").json()["wall_keys"]}
        assert keys[first["id"]]["revoke_time"] and "revoke_time" not in keys[second["id"]]
