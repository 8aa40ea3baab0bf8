"""A room agent's link stream driven by hand (sync gRPC), for controller-side tests.

    with AgentLink(ctl.address, token, "A08") as link:   # sends hello, waits for welcome
        link.welcome.emergency
        link.heartbeat()
        link.send_event(door_event("e1", open=True))      # then link.wait_for("ack")
        link.wait_for("command")                           # next command from the controller

Not the real agent (room_agent/link is); this is the raw protocol, to test the server end.
"""

from __future__ import annotations

import queue
import threading
import uuid
from datetime import UTC, datetime

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from ktv.v1 import link_pb2, link_pb2_grpc

_CLOSE = object()


def _now_ts(when: datetime | None = None) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(when or datetime.now(UTC))
    return ts


def door_event(
    event_id: str = "", *, open: bool, when: datetime | None = None
) -> link_pb2.RoomEvent:
    return link_pb2.RoomEvent(
        event_id=event_id or uuid.uuid4().hex,
        occur_time=_now_ts(when),
        door=link_pb2.DoorChanged(open=open),
    )


def presence_event(
    event_id: str = "", *, present: bool, when: datetime | None = None
) -> link_pb2.RoomEvent:
    return link_pb2.RoomEvent(
        event_id=event_id or uuid.uuid4().hex,
        occur_time=_now_ts(when),
        presence=link_pb2.PresenceChanged(present=present),
    )


def song_played_event(
    event_id: str = "", *, song_id: str, played_ms: int = 1000
) -> link_pb2.RoomEvent:
    return link_pb2.RoomEvent(
        event_id=event_id or uuid.uuid4().hex,
        occur_time=_now_ts(),
        song_played=link_pb2.SongPlayed(
            song_id=song_id,
            title=f"song {song_id}",
            outcome=link_pb2.PLAY_OUTCOME_COMPLETED,
            played_ms=played_ms,
        ),
    )


class AgentLink:
    def __init__(
        self,
        address: str,
        token: str,
        room_id: str,
        *,
        version: str = "test-agent/1",
        room_name: str | None = None,
        welcome_timeout_s: float = 10.0,
        channel: grpc.Channel | None = None,
    ) -> None:
        # ``channel``: a TLS channel (deploy tests); the link owns and closes it
        self.channel = channel or grpc.insecure_channel(address)
        self._requests: queue.Queue[object] = queue.Queue()
        self.responses: queue.Queue[link_pb2.ConnectResponse | grpc.RpcError | None] = queue.Queue()
        self._requests.put(
            link_pb2.ConnectRequest(
                hello=link_pb2.AgentHello(
                    room=room_name or f"rooms/{room_id}",
                    agent_version=version,
                    heartbeat_interval_seconds=1,
                )
            )
        )
        stub = link_pb2_grpc.RoomLinkServiceStub(self.channel)
        self.call = stub.Connect(
            self._request_iter(), metadata=(("authorization", f"Bearer {token}"),)
        )
        self.error: grpc.RpcError | None = None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        try:
            first = self.next(welcome_timeout_s)
            if first is None or first.WhichOneof("msg") != "welcome":
                raise AssertionError(f"expected welcome, got {first!r} (error {self.error!r})")
        except BaseException:
            self.close()  # a refused link must not leave its request thread and channel behind
            raise
        self.welcome = first.welcome

    def _request_iter(self):  # type: ignore[no-untyped-def]
        while True:
            item = self._requests.get()
            if item is _CLOSE:
                return
            yield item

    def _read(self) -> None:
        try:
            for response in self.call:
                self.responses.put(response)
        except grpc.RpcError as error:
            self.error = error
        self.responses.put(None)

    def next(self, timeout_s: float = 10.0) -> link_pb2.ConnectResponse | None:
        """Next message from the controller; None when the stream ended."""
        item = self.responses.get(timeout=timeout_s)
        if item is None:
            self.responses.put(None)  # keep reporting the end
        return item  # type: ignore[return-value]

    def wait_for(self, kind: str, timeout_s: float = 10.0) -> link_pb2.ConnectResponse:
        """Skip messages until one whose oneof is ``kind`` (ack, command, welcome)."""
        while True:
            item = self.next(timeout_s)
            if item is None:
                raise AssertionError(f"stream ended waiting for {kind}: {self.error!r}")
            if item.WhichOneof("msg") == kind:
                return item

    def wait_end(self, timeout_s: float = 10.0) -> grpc.RpcError | None:
        """Wait until the controller ends the stream; returns its error (None if OK)."""
        while self.next(timeout_s) is not None:
            pass
        return self.error

    def heartbeat(self, outbox_depth: int = 0) -> None:
        self._requests.put(
            link_pb2.ConnectRequest(
                heartbeat=link_pb2.AgentHeartbeat(send_time=_now_ts(), outbox_depth=outbox_depth)
            )
        )

    def send_event(self, event: link_pb2.RoomEvent) -> None:
        self._requests.put(link_pb2.ConnectRequest(event=event))

    def send(self, request: link_pb2.ConnectRequest) -> None:
        self._requests.put(request)

    def close(self) -> None:
        self._requests.put(_CLOSE)
        self.call.cancel()
        self._reader.join(5)
        self.channel.close()

    def __enter__(self) -> AgentLink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
