"""The live board for browsers: one subscription to the board's watcher, fanned out to every
open stream as Server-Sent Events. Each change is turned into proto JSON once; each client has
a bounded queue, and a client that falls behind is dropped (its browser reconnects and gets a
fresh snapshot) instead of growing the controller's memory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

from controller.api.convert import room_to_pb, ts
from controller.rooms.board import RoomBoard
from controller.rooms.model import BoardRoom
from controller.web import settings
from controller.web.protojson import to_json
from ktv.v1 import rooms_pb2

log = logging.getLogger("controller.web")
Kind = rooms_pb2.WatchRoomsResponse.Kind

EVENT_NAMES = {
    Kind.KIND_SNAPSHOT: "snapshot",
    Kind.KIND_CHANGE: "change",
    Kind.KIND_REMOVED: "removed",
}


def sse_message(event: str, data: str) -> bytes:
    return f"event: {event}\ndata: {data}\n\n".encode()


class BoardClient:
    """One open board stream: its queue of encoded messages; ``None`` ends the stream."""

    def __init__(self, max_messages: int) -> None:
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue(max_messages + 1)
        self.max_messages = max_messages
        self.dropped = False

    def offer(self, message: bytes) -> None:
        if self.dropped:
            return
        if self.queue.qsize() >= self.max_messages:
            self.end(dropped=True)
            return
        self.queue.put_nowait(message)

    def end(self, *, dropped: bool = False) -> None:
        self.dropped = self.dropped or dropped
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(None)


class BoardFanout:
    def __init__(
        self,
        board: RoomBoard,
        clock: Callable[[], datetime],
        max_messages: int = settings.sse_queue_max_messages,
    ) -> None:
        self.board = board
        self.clock = clock
        self.max_messages = max_messages
        self.clients: set[BoardClient] = set()
        self._latest: dict[str, BoardRoom] = {}
        self._task: asyncio.Task[None] | None = None
        self._watcher = None  # type: ignore[var-annotated]
        self.dropped_total = 0

    def _watch(self) -> None:
        """Subscribes to the board (the first stream opened): no browser, no subscription,
        so billing's frequent changes cost nothing while nobody watches."""
        watcher = self.board.watch()
        self._watcher = watcher
        self._latest = {r.room_id: r for r in watcher.snapshot}
        self._task = asyncio.get_running_loop().create_task(self._run(watcher))

    def _unwatch(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if self._watcher is not None:  # closed here: a task cancelled before it ran has no finally
            self._watcher.close()
            self._watcher = None

    async def _run(self, watcher) -> None:  # type: ignore[no-untyped-def]
        try:
            while True:
                room = await watcher.next_change()
                if room is None:
                    if not watcher.overflowed:  # the board closed: the controller is stopping
                        for client in list(self.clients):
                            client.end()
                        self.clients.clear()
                        return
                    log.warning("board stream fell behind the board: watching again")
                    watcher.close()
                    watcher = self._watcher = self.board.watch()
                    self._latest = {r.room_id: r for r in watcher.snapshot}
                    snapshot = self.snapshot_message()
                    for client in list(self.clients):
                        client.offer(snapshot)
                    continue
                self._latest[room.room_id] = room
                message = self._encode(Kind.KIND_CHANGE, [room])
                for client in list(self.clients):
                    client.offer(message)
                    if client.dropped:
                        self._forget(client)
        finally:
            watcher.close()

    def _encode(self, kind: int, rooms: list[BoardRoom]) -> bytes:
        response = rooms_pb2.WatchRoomsResponse(
            kind=kind,  # type: ignore[arg-type]
            rooms=[room_to_pb(r) for r in rooms],
            send_time=ts(self.clock()),
        )
        return sse_message(EVENT_NAMES[kind], to_json(response))

    def snapshot_message(self) -> bytes:
        return self._encode(Kind.KIND_SNAPSHOT, [self._latest[k] for k in sorted(self._latest)])

    def subscribe(self) -> BoardClient:
        """A new stream, its first message the whole board as this fan-out last saw it."""
        if self._task is None:
            self._watch()
        client = BoardClient(self.max_messages)
        client.offer(self.snapshot_message())
        self.clients.add(client)
        return client

    def unsubscribe(self, client: BoardClient) -> None:
        self.clients.discard(client)
        if not self.clients:
            self._unwatch()

    def _forget(self, client: BoardClient) -> None:
        self.dropped_total += 1
        log.warning("a board stream fell %d messages behind: dropped", self.max_messages)
        self.unsubscribe(client)

    async def stop(self) -> None:
        for client in list(self.clients):
            client.end()
        self.clients.clear()
        task, self._task = self._task, None
        if self._watcher is not None:
            self._watcher.close()
            self._watcher = None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
