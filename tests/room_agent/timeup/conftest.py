from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from room_agent.core.events import CoreEvent
from room_agent.core.instruments import ManualClock, RecordingPlayer, RecordingSink, SongShelf
from room_agent.core.persistence import MemoryRoomStore
from room_agent.core.ports import SessionOpened
from room_agent.core.presence import PresenceTimeouts
from room_agent.core.room import RoomCore
from room_agent.core.time_left import TimePolicy
from tests.room_agent.core.conftest import SONGS, Room

__all__ = ["Room", "make_timed_room", "open_prepaid", "run_for"]


def make_timed_room(
    store: MemoryRoomStore | None = None,
    policy: TimePolicy | None = None,
    *,
    started_after_s: float = 0.0,
) -> Room:
    """A core room (fake player, fake clocks) whose core enforces ``policy``; its agent
    starts ``started_after_s`` after the clocks' origin (a restart after some downtime)."""
    clock = ManualClock()
    clock.advance(started_after_s)
    player = RecordingPlayer(clock)
    sink = RecordingSink()
    shelf = SongShelf(SONGS)
    store = store or MemoryRoomStore()
    core = RoomCore(
        player,
        sink,
        shelf,
        store=store,
        monotonic=clock,
        utcnow=clock.utcnow,
        presence=PresenceTimeouts(vacancy_s=300, sealed_s=3600),
        time_policy=policy or TimePolicy(warn_at_minutes=(10, 5), fade_ms=3000),
    )
    seen: list[CoreEvent] = []
    core.subscribe(seen.append)
    core.start(run_loop=False)
    return Room(core, player, sink, clock, store, shelf, seen)


def open_prepaid(room: Room, minutes: float, session: str = "sessions/p1") -> None:
    end = room.clock.utcnow() + timedelta(minutes=minutes)
    room.core.handle(SessionOpened(session, room.clock.utcnow(), end_time=end))


def run_for(room: Room, seconds: float, step_s: float = 0.5) -> None:
    """Let the room's loop tick for ``seconds`` of fake time."""
    elapsed = 0.0
    while elapsed < seconds - 1e-9:
        step = min(step_s, seconds - elapsed)
        room.clock.advance(step)
        room.core.tick()
        elapsed += step


@pytest.fixture
def timed_room() -> Iterator[Room]:
    r = make_timed_room()
    yield r
    r.core.close()
