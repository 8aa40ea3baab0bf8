"""The board's fan-out to browsers on a real board (real SQLite file, hand-moved clock): every
stream gets the snapshot and each change once; a stream that stops reading is dropped at its
bound instead of growing; a board that closes ends every stream."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

from controller.rooms.board import RoomBoard
from controller.rooms.model import DEFAULT_TIERS, RoomState
from controller.store.db import open_store
from controller.web.board_stream import BoardFanout
from tests.web.aio import run_async


def clock() -> datetime:
    return datetime(2026, 12, 7, 20, 0, tzinfo=UTC)


def decode(message: bytes) -> tuple[str, dict]:
    event, data = message.decode().strip().split("\n")
    return event.removeprefix("event: "), json.loads(data.removeprefix("data: "))


def test_each_stream_gets_the_snapshot_then_every_change(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = open_store(tmp_path / "board.db")
        board = RoomBoard(store, tiers=DEFAULT_TIERS, clock=clock)
        board.load()
        board.create_room("A01", "A01", "small")
        fanout = BoardFanout(board, clock, max_messages=50)
        try:
            first, second = fanout.subscribe(), fanout.subscribe()
            board.create_room("A02", "A02", "small")
            board.set_state("A02", RoomState.MAINTENANCE, "aircon")
            for client in (first, second):
                kind, snapshot = decode(await client.queue.get())
                assert kind == "snapshot" and [r["name"] for r in snapshot["rooms"]] == [
                    "rooms/A01"
                ]
                states = []
                for _ in range(2):
                    kind, change = decode(await asyncio.wait_for(client.queue.get(), 5))
                    assert kind == "change" and change["kind"] == "KIND_CHANGE"
                    states.append(change["rooms"][0]["state"])
                assert states == ["ROOM_STATE_IDLE", "ROOM_STATE_MAINTENANCE"]
            late = fanout.subscribe()  # a reconnect: the board as it is now
            _, snapshot = decode(await late.queue.get())
            assert [r["state"] for r in snapshot["rooms"]] == [
                "ROOM_STATE_IDLE",
                "ROOM_STATE_MAINTENANCE",
            ]
        finally:
            await fanout.stop()
            store.close()

    run_async(scenario())


def test_a_stream_that_stops_reading_is_dropped_not_grown(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = open_store(tmp_path / "board.db")
        board = RoomBoard(store, tiers=DEFAULT_TIERS, clock=clock)
        board.load()
        board.create_room("A01", "A01", "small")
        fanout = BoardFanout(board, clock, max_messages=20)
        try:
            stuck, reading = fanout.subscribe(), fanout.subscribe()
            got = []
            for i in range(60):  # the stuck browser never reads
                board.set_running_total("A01", 100 * (i + 1))
                await asyncio.sleep(0)
                while not reading.queue.empty():
                    got.append(reading.queue.get_nowait())
            for _ in range(100):
                if len(got) >= 61:
                    break
                got.append(await asyncio.wait_for(reading.queue.get(), 5))
            assert stuck.dropped and stuck not in fanout.clients
            assert stuck.queue.qsize() == 1 and stuck.queue.get_nowait() is None  # stream ends
            assert not reading.dropped and len(got) == 61  # snapshot + 60 changes, in order
            totals = [decode(m)[1]["rooms"][0]["running_total_fen"] for m in got[1:]]
            assert totals == [str(100 * (i + 1)) for i in range(60)]
            assert fanout.dropped_total == 1
        finally:
            await fanout.stop()
            store.close()

    run_async(scenario())


def test_a_closing_board_ends_every_stream(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = open_store(tmp_path / "board.db")
        board = RoomBoard(store, tiers=DEFAULT_TIERS, clock=clock)
        board.load()
        fanout = BoardFanout(board, clock)
        client = fanout.subscribe()
        await client.queue.get()  # snapshot
        board.close()  # the controller is stopping
        assert await asyncio.wait_for(client.queue.get(), 5) is None
        await fanout.stop()
        store.close()

    run_async(scenario())


def test_nobody_watching_means_no_subscription(tmp_path: Path) -> None:
    """Billing changes rooms often: with no browser open the fan-out costs nothing."""

    async def scenario() -> None:
        store = open_store(tmp_path / "board.db")
        board = RoomBoard(store, tiers=DEFAULT_TIERS, clock=clock)
        board.load()
        board.create_room("A01", "A01", "small")
        fanout = BoardFanout(board, clock)
        assert board.watcher_count == 0
        first, second = fanout.subscribe(), fanout.subscribe()
        assert board.watcher_count == 1  # one subscription, fanned out
        fanout.unsubscribe(first)
        assert board.watcher_count == 1
        fanout.unsubscribe(second)
        assert board.watcher_count == 0
        board.set_state("A01", RoomState.MAINTENANCE, "aircon")  # while nobody watches
        again = fanout.subscribe()
        _, snapshot = decode(await again.queue.get())
        assert snapshot["rooms"][0]["state"] == "ROOM_STATE_MAINTENANCE"
        await fanout.stop()
        assert board.watcher_count == 0
        store.close()

    run_async(scenario())
