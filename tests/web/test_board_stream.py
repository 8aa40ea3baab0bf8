"""The live board over Server-Sent Events: a snapshot first, then every change made anywhere
(here: over gRPC, ktvctl's path); a reconnect starts again from a fresh snapshot."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator

import httpx

from ktv.v1 import rooms_pb2
from tests.web.venue import WebVenue


def events(response: httpx.Response, *, pings: bool = False) -> Iterator[tuple[str, dict]]:
    """(event, data) of an SSE stream, comments and retry lines skipped (pings too unless
    asked for)."""
    event = ""
    for line in response.iter_lines():
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: ") and (pings or event != "ping"):
            yield event, json.loads(line.removeprefix("data: "))


def test_a_named_ping_comes_first_and_then_on_schedule_even_on_a_busy_stream(
    web_venue: WebVenue,
) -> None:
    with web_venue.signed_in("c1") as staff, staff.stream("GET", "/api/board/events") as stream:
        received = events(stream, pings=True)
        kind, first = next(received)
        assert kind == "ping" and first["every_s"] == 2  # the test venue's [web] sse_ping_s
        assert next(received)[0] == "snapshot"
        started = time.monotonic()
        for changes, (kind, message) in enumerate(received, start=1):
            if kind == "ping":
                ping = message
                break
            # keep the stream busy: each change answered by the next, the queue never quiet
            web_venue.grpc.rooms.SetRoomState(
                rooms_pb2.SetRoomStateRequest(
                    name="rooms/B02",
                    state=rooms_pb2.ROOM_STATE_MAINTENANCE
                    if changes % 2
                    else rooms_pb2.ROOM_STATE_IDLE,
                    reason="busy",
                    request_id=uuid.uuid4().hex,
                ),
                **web_venue.grpc.kw,
            )
        waited = time.monotonic() - started
        assert 1.0 < waited < 6.0, waited
        assert ping["send_time"].endswith("Z")
    set_idle(web_venue, "B02")


def set_idle(web_venue: WebVenue, room_id: str) -> None:
    web_venue.grpc.rooms.SetRoomState(
        rooms_pb2.SetRoomStateRequest(
            name=f"rooms/{room_id}", state=rooms_pb2.ROOM_STATE_IDLE, request_id=uuid.uuid4().hex
        ),
        **web_venue.grpc.kw,
    )


def test_a_change_made_over_grpc_reaches_the_browser_stream(web_venue: WebVenue) -> None:
    with web_venue.signed_in("c1") as staff, staff.stream("GET", "/api/board/events") as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        received = events(stream)
        kind, snapshot = next(received)
        assert kind == "snapshot" and snapshot["kind"] == "KIND_SNAPSHOT"
        names = [room["name"] for room in snapshot["rooms"]]
        assert names == ["rooms/A01", "rooms/A02", "rooms/B01", "rooms/B02"]
        web_venue.grpc.rooms.SetRoomState(
            rooms_pb2.SetRoomStateRequest(
                name="rooms/B02",
                state=rooms_pb2.ROOM_STATE_MAINTENANCE,
                reason="aircon",
                request_id=uuid.uuid4().hex,
            ),
            **web_venue.grpc.kw,
        )
        for kind, message in received:
            assert kind == "change"
            room = message["rooms"][0]
            if room["name"] == "rooms/B02" and room["state"] == "ROOM_STATE_MAINTENANCE":
                assert isinstance(room["revision"], str)  # int64 as a string
                break
    with web_venue.signed_in("c1") as staff, staff.stream("GET", "/api/board/events") as again:
        kind, snapshot = next(events(again))
        assert kind == "snapshot"
        b02 = next(r for r in snapshot["rooms"] if r["name"] == "rooms/B02")
        assert b02["state"] == "ROOM_STATE_MAINTENANCE"
    web_venue.grpc.rooms.SetRoomState(
        rooms_pb2.SetRoomStateRequest(
            name="rooms/B02", state=rooms_pb2.ROOM_STATE_IDLE, request_id=uuid.uuid4().hex
        ),
        **web_venue.grpc.kw,
    )
