from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from media_index.model import Song, VocalMode
from room_agent.core.events import CoreEvent
from room_agent.core.instruments import ManualClock, RecordingPlayer, RecordingSink, SongShelf
from room_agent.core.persistence import MemoryRoomStore
from room_agent.core.ports import SessionOpened
from room_agent.core.presence import PresenceTimeouts
from room_agent.core.room import RoomCore

SONGS = [
    Song(
        "s-qingtian",
        "晴天",
        ("周杰伦",),
        "/media/qingtian.mkv",
        duration_ms=269_000,
        vocal_mode=VocalMode.TRACKS,
        vocal_track=0,
        accompaniment_track=1,
    ),
    Song(
        "s-houlai",
        "后来",
        ("刘若英",),
        "/media/houlai.mpg",
        duration_ms=340_000,
        vocal_mode=VocalMode.CHANNELS,
    ),
    Song("s-yiqi", "一起学猫叫", ("小潘潘",), "/media/yiqi.mp4", duration_ms=200_000),
    Song("s-broken", "坏掉的歌", ("无名",), "/media/broken.mkv", duration_ms=100_000),
]


@dataclass
class Room:
    core: RoomCore
    player: RecordingPlayer
    sink: RecordingSink
    clock: ManualClock
    store: MemoryRoomStore
    shelf: SongShelf
    seen: list[CoreEvent]

    def names(self) -> list[str]:
        return [e.name for e in self.seen]

    def of(self, kind: type) -> list:
        return [e for e in self.seen if isinstance(e, kind)]


def make_room(store: MemoryRoomStore | None = None, **player_options: object) -> Room:
    clock = ManualClock()
    player = RecordingPlayer(
        clock, unplayable_paths=frozenset({"/media/broken.mkv"}), **player_options
    )
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
        door_debounce_ms=50,
    )
    seen: list[CoreEvent] = []
    core.subscribe(seen.append)
    core.start(run_loop=False)
    return Room(core, player, sink, clock, store, shelf, seen)


@pytest.fixture
def room() -> Iterator[Room]:
    r = make_room()
    yield r
    r.core.close()


@pytest.fixture
def open_room(room: Room) -> Room:
    room.core.handle(SessionOpened("sessions/1", room.clock.utcnow()))
    return room
