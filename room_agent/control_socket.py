"""A local control socket for headless core rooms: TEST AND BENCHMARK HOOK ONLY.

``ktv-agent run --headless --core-player P --control-socket PATH`` listens on a Unix socket
(mode 0600) that stands in for the guest and the room's hardware:

    {"room": "A01", "do": "door", "open": true}       drive the door reed switch's mock pin
    {"room": "A01", "do": "motion", "active": true}   drive the PIR's mock pin
    {"room": "A01", "do": "add_song", "song_id": "…"} a guest's 点歌 on the touchscreen
    {"room": "A01", "do": "view"}                      the core's screen, now playing, queue
    {"room": "A01", "do": "search", "query": "zjl"}    the touchscreen's search: song ids, ms
    {"room": "A01", "do": "skip"}                      a guest's 切歌

One JSON request per line, one JSON answer per line: ``{"ok": true, ...}`` or
``{"ok": false, "error": "..."}``. The pins are gpiozero ``MockFactory`` pins, so everything
after the pin (gpiozero, debounce, presence model, outbox, link, controller) is the real path.
It never exists on a venue's agent unless the flag is given.
"""

from __future__ import annotations

import json
import logging
import os
import socketserver
import threading
import time
from pathlib import Path
from typing import Any

from ktv.errors import KtvError
from room_agent.core_rooms import CoreRoom, CoreRooms

log = logging.getLogger(__name__)


def _drive(pin: Any, high: bool) -> None:
    if high:
        pin.drive_high()
    else:
        pin.drive_low()


def apply_request(rooms: CoreRooms, request: dict[str, Any]) -> dict[str, Any]:
    """Carry out one request against the room it names; never raises."""
    room: CoreRoom | None = rooms.rooms.get(str(request.get("room", "")))
    if room is None:
        return {"ok": False, "error": f"no such room {request.get('room')!r}"}
    action = request.get("do")
    try:
        config = room.sensors.config
        if action == "door":
            open_ = bool(request["open"])
            _drive(room.sensors.door.pin, open_ == config.door_open_when_high)
        elif action == "motion":
            active = bool(request["active"])
            _drive(room.sensors.motion.pin, active == config.motion_active_high)
        elif action == "add_song":
            room.core.add_song(str(request["song_id"]))
        elif action == "skip":
            room.core.skip()
        elif action == "search" and room.catalog is not None:
            started = time.perf_counter()
            page = room.catalog.search(str(request["query"]), limit=20)
            took_ms = (time.perf_counter() - started) * 1000
            return {
                "ok": True,
                "song_ids": [s.song_id for s in page.songs],
                "total": page.total,
                "ms": round(took_ms, 3),
                "catalog": room.catalog.version,
            }
        elif action != "view":
            return {"ok": False, "error": f"unknown action {action!r}"}
        view = room.core.view()
        now = view.now_playing
        return {
            "ok": True,
            "screen": view.screen.name,
            "playing": now.song.song_id if now is not None else None,
            "player_state": now.state.name if now is not None else None,
            "pcm_buffers": room.pcm.buffers if room.pcm is not None else None,
            "playing_added_by": now.entry.added_by if now is not None else None,
            "queue": [
                {"entry_id": e.entry_id, "song_id": e.song_id, "added_by": e.added_by}
                for e in view.queue
            ],
            "volume_percent": view.volume_percent,
            "guest_url": view.guest_url,
        }
    except KtvError as exc:
        return {"ok": False, "error": exc.message}
    except (KeyError, TypeError, ValueError) as exc:
        return {"ok": False, "error": f"bad request: {exc}"}


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        rooms: CoreRooms = self.server.rooms  # type: ignore[attr-defined]
        for raw in self.rfile:
            try:
                request = json.loads(raw)
                answer = (
                    apply_request(rooms, request)
                    if isinstance(request, dict)
                    else {"ok": False, "error": "a request is a JSON object"}
                )
            except json.JSONDecodeError as exc:
                answer = {"ok": False, "error": f"not JSON: {exc}"}
            self.wfile.write((json.dumps(answer) + "\n").encode())


class _Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True


class ControlSocket:
    def __init__(self, path: Path, rooms: CoreRooms) -> None:
        self.path = path
        path.unlink(missing_ok=True)
        self._server = _Server(str(path), _Handler)
        os.chmod(path, 0o600)
        self._server.rooms = rooms  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="control-socket", daemon=True
        )

    def start(self) -> None:
        self._thread.start()
        log.warning("TEST HOOK: control socket %s drives mock pins and guest actions", self.path)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self.path.unlink(missing_ok=True)
