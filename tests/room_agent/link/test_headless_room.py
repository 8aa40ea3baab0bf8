from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path

from room_agent.core import ports
from room_agent.headless import HeadlessRoom

OPENED = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)


def test_a_headless_room_follows_the_session_cap_and_emergency(tmp_path: Path) -> None:
    state = tmp_path / "room-state.json"
    room = HeadlessRoom("A08", state_file=state)
    assert json.loads(state.read_text())["locked"] is True  # locked until a session opens

    room.handle(ports.SessionOpened(session="sessions/9", open_time=OPENED))
    room.handle(ports.QueueSongs(song_ids=("s1", "s2")))
    room.handle(ports.VolumeLimit(max_percent=60))
    room.handle(ports.Emergency(active=True, message="请从安全出口离开"))
    view = room.view
    assert (view.locked, view.session, view.queued_song_ids) == (False, "sessions/9", ("s1", "s2"))
    assert (view.volume_cap_percent, view.emergency) == (60, True)
    assert json.loads(state.read_text(encoding="utf-8"))["emergency_message"] == "请从安全出口离开"

    room.handle(ports.Emergency(active=False))
    room.handle(ports.SessionClosed(session="sessions/9"))
    room.handle(ports.RoomStateChanged(state=ports.RoomBusinessState.CLEANING))
    saved = json.loads(state.read_text(encoding="utf-8"))
    assert (saved["locked"], saved["emergency"], saved["queued_song_ids"]) == (True, False, [])
    assert saved["business_state"] == "CLEANING"  # the link's RoomState, as the board says it


def test_commands_from_many_threads_leave_a_consistent_room() -> None:
    room = HeadlessRoom("A08")

    def queue_many(prefix: str) -> None:
        for i in range(100):
            room.handle(ports.QueueSongs(song_ids=(f"{prefix}{i}",)))

    threads = [threading.Thread(target=queue_many, args=(p,)) for p in "abcd"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(room.view.queued_song_ids) == 400
