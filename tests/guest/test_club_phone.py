"""A member on a phone over HTTP, end to end: the phone joins with the room's code (cookie),
signs in by phone + PIN through the gateway, saves two catalog songs to 我的歌单 and queues
them all: the room's real agent plays and queues them under the phone's nickname; a retry of
"queue them all" adds nothing. One test, one agent: the flow the guest page walks."""

from __future__ import annotations

import json
import uuid

import httpx

from ktv.v1 import members_pb2, members_pb2_grpc
from tests.support.core_agents import start_agents, wait_until
from tests.support.guests import code_of, room_url

PHONE, PIN = "13700137000", "4680"


def test_a_member_on_a_phone_queues_their_saved_songs_on_the_rooms_agent(  # type: ignore[no-untyped-def]
    ctl, desk, guest_library, tmp_path
):
    members_pb2_grpc.MembersServiceStub(ctl.channel()).CreateMember(
        members_pb2.CreateMemberRequest(
            phone=PHONE, name="周同学", pin=PIN, request_id=uuid.uuid4().hex
        ),
        metadata=ctl.admin_md,
        timeout=10,
    )
    room_id = desk.new_room()
    agent = start_agents(ctl, guest_library, tmp_path / "rooms", [room_id])
    try:
        desk.open(room_id)
        room = f"rooms/{room_id}"
        base = json.loads((ctl.data_dir / "controller.web.json").read_text())["url"]
        with httpx.Client(base_url=base, timeout=10) as phone:
            origin = {"Origin": base}
            joined = phone.post(
                "/api/v1/GuestService/JoinRoom",
                json={"code": code_of(room_url(ctl, room_id)), "nickname": "周周"},
                headers=origin,
            )
            assert joined.status_code == 200, joined.text
            csrf = {**origin, "X-CSRF-Token": phone.cookies["ktv_guest_csrf"]}

            def call(method: str, **body: object) -> dict:  # type: ignore[type-arg]
                answer = phone.post(f"/api/v1/GuestClubService/{method}", json=body, headers=csrf)
                assert answer.status_code == 200, (method, answer.text)
                return answer.json()  # type: ignore[no-any-return]

            signed = call(
                "SignInMember", room=room, phone=PHONE, pin=PIN, request_id=uuid.uuid4().hex
            )
            assert signed["account"]["masked_phone"] == "137****7000"
            songs = [guest_library.by_title["晴天"], guest_library.by_title["红豆"]]
            for song in songs:
                saved = call("SaveSong", room=room, song_id=song, request_id=uuid.uuid4().hex)
                assert saved["song"]["title"] in {"晴天", "红豆"}  # from the master catalog
            request_id = uuid.uuid4().hex

            def queue_all() -> dict:  # type: ignore[type-arg]
                answer = phone.post(
                    "/api/v1/GuestClubService/QueueSavedSongs",
                    json={"room": room, "request_id": request_id},
                    headers=csrf,
                )
                return answer.json() if answer.status_code == 200 else {}  # type: ignore[no-any-return]

            queued = wait_until(queue_all, 15, 0.1)  # until the agent's link is up
            assert queued and queued["queued_song_ids"] == songs, queued  # oldest saved first

            def on_agent():  # type: ignore[no-untyped-def]
                seen = agent.control(room_id, do="view")
                names = [seen["playing_added_by"], *(e["added_by"] for e in seen["queue"])]
                return seen if len([n for n in names if n]) == 2 else None

            local = wait_until(on_agent, 10, 0.02)
            assert local, agent.control(room_id, do="view")
            assert local["playing_added_by"] == "周周" and len(local["queue"]) == 1
            assert queue_all() == queued  # a retried tap: the same answer, no new songs
            again = agent.control(room_id, do="view")
            assert len(again["queue"]) == 1
            assert call("ListRoomDraws", room=room).get("draws", []) == []  # routed, none yet
        desk.checkout(room_id)
    finally:
        agent.stop()
