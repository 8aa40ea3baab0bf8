"""A room agent process for the kill -9 test: real RoomCore + SQLite store + a recording player
on the real monotonic clock. First run orders songs; every run prints what it is doing as
lines of ``key=value`` so the test can follow it. Run: python room_process.py DB_PATH"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime

from media_index.model import Song
from room_agent.core.instruments import RecordingPlayer, RecordingSink, SongShelf
from room_agent.core.ports import SessionOpened
from room_agent.core.room import RoomCore
from room_agent.store import SqliteRoomStore

SONGS = [
    Song("s-qingtian", "晴天", ("周杰伦",), "/media/qingtian.mkv", duration_ms=269_000),
    Song("s-houlai", "后来", ("刘若英",), "/media/houlai.mpg", duration_ms=340_000),
    Song("s-yiqi", "一起学猫叫", ("小潘潘",), "/media/yiqi.mp4", duration_ms=200_000),
]


def main(db_path: str) -> None:
    store = SqliteRoomStore(db_path)
    player = RecordingPlayer()
    core = RoomCore(player, RecordingSink(), SongShelf(SONGS), store=store)
    core.start()
    view = core.view()
    restored = view.now_playing
    print(
        f"started restored={restored.song.song_id if restored else '-'} "
        f"position_ms={restored.position_ms if restored else -1} "
        f"key={restored.key_semitones if restored else 0} "
        f"queue={','.join(e.song_id for e in view.queue) or '-'} "
        f"session={view.session or '-'}",
        flush=True,
    )
    if restored is None:
        core.handle(SessionOpened("sessions/kill9", datetime.now(UTC)))
        core.add_song("s-houlai")
        core.add_song("s-qingtian")
        core.add_song("s-yiqi")
        core.set_key(-2)
    while True:
        now = core.view().now_playing
        if now is not None:
            print(f"playing song={now.song.song_id} position_ms={now.position_ms}", flush=True)
        time.sleep(0.1)


if __name__ == "__main__":
    main(sys.argv[1])
