"""The headless room: what a room agent without touchscreen or player does with commands.

Keeps the room's local view (locked or open, session, emergency, volume cap, business state,
last message, pre-booked songs) and logs every change. It stands in for the agent core on a
server with no screen, in the demo and in load tests; the real ``RoomCore`` replaces it.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from room_agent.core import ports

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HeadlessRoomView:
    room_id: str
    locked: bool = True
    session: str = ""
    emergency: bool = False
    emergency_message: str = ""
    volume_cap_percent: int = 100
    business_state: ports.RoomBusinessState | None = None
    last_message: str = ""
    queued_song_ids: tuple[str, ...] = ()


class HeadlessRoom:
    """A ``CommandHandler``; thread-safe, every command applied under one lock. With a
    ``state_file`` the view is also written there (JSON, atomically) after each change, so
    operators and tests can see what a headless room believes."""

    def __init__(self, room_id: str, *, state_file: Path | None = None) -> None:
        self._view = HeadlessRoomView(room_id=room_id)
        self._lock = threading.Lock()
        self._state_file = state_file
        if state_file is not None:
            _write_json(state_file, _jsonable(self._view))

    @property
    def view(self) -> HeadlessRoomView:
        with self._lock:
            return self._view

    def handle(self, command: ports.RoomCommand) -> None:
        with self._lock:
            before = self._view
            self._view = self._apply(before, command)
            after = self._view
            if after != before and self._state_file is not None:
                _write_json(self._state_file, _jsonable(after))
        if after != before:
            log.info("room %s: %s", after.room_id, _describe(command))

    @staticmethod
    def _apply(view: HeadlessRoomView, command: ports.RoomCommand) -> HeadlessRoomView:
        match command:
            case ports.SessionOpened(session=session):
                return replace(view, locked=False, session=session)
            case ports.SessionClosed():
                return replace(view, locked=True, session="", queued_song_ids=())
            case ports.QueueSongs(song_ids=ids):
                return replace(view, queued_song_ids=view.queued_song_ids + ids)
            case ports.VolumeLimit(max_percent=pct):
                return replace(view, volume_cap_percent=pct)
            case ports.ShowMessage(text=text):
                return replace(view, last_message=text)
            case ports.Emergency(active=active, message=message):
                return replace(view, emergency=active, emergency_message=message if active else "")
            case ports.RoomStateChanged(state=state):
                return replace(view, business_state=state)
        return view


def _describe(command: ports.RoomCommand) -> str:
    match command:
        case ports.SessionOpened(session=s):
            return f"unlocked for {s}"
        case ports.SessionClosed():
            return "locked (no session)"
        case ports.Emergency(active=True, message=m):
            return f"EMERGENCY STOP: {m}"
        case ports.Emergency(active=False):
            return "emergency over"
    return repr(command)


def _jsonable(view: HeadlessRoomView) -> dict[str, object]:
    data = asdict(view)
    data["business_state"] = view.business_state.value if view.business_state else None
    data["queued_song_ids"] = list(view.queued_song_ids)
    return data


def _write_json(path: Path, data: dict[str, object]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)
