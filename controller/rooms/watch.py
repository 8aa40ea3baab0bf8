"""WatchRooms subscribers of the board."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from controller.rooms.model import BoardRoom
from controller.settings import watch_queue_max_messages

if TYPE_CHECKING:
    from controller.rooms.board import RoomBoard


class BoardWatcher:
    """A WatchRooms subscriber: changed rooms in order; ``None`` when the stream must end.

    A subscriber more than ``watch_queue_max_messages`` behind is dropped (``overflowed``):
    the server ends its stream so the client watches again from a fresh snapshot.
    """

    def __init__(self, board: RoomBoard, snapshot: list[BoardRoom]) -> None:
        self._board = board
        self.snapshot = snapshot
        self._queue: asyncio.Queue[BoardRoom | None] = asyncio.Queue(watch_queue_max_messages)
        self.overflowed = False

    def push(self, room: BoardRoom | None) -> None:
        try:
            self._queue.put_nowait(room)
        except asyncio.QueueFull:
            self.overflowed = True
            self._board.unwatch(self)

    async def next_change(self) -> BoardRoom | None:
        if self.overflowed:
            return None
        return await self._queue.get()

    def close(self) -> None:
        self._board.unwatch(self)
