"""The room's door and presence, from raw sensor edges to what the controller is told.

Owned by ``RoomCore`` and called under its lock with timestamps from the core's monotonic
clock. The pure ``DoorDebouncer`` and ``PresenceModel`` decide; this controller sends their
changes up the link (``DoorChanged``, ``PresenceChanged``) and to the subscribers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from room_agent.core.events import SensorChanged
from room_agent.core.ports import DoorChanged, PresenceChanged
from room_agent.core.presence import DoorDebouncer, PresenceModel, PresenceTimeouts

if TYPE_CHECKING:
    from room_agent.core.room import RoomCore


class SensorsController:
    """Owns: the debounced door and the presence belief."""

    def __init__(self, core: RoomCore, timeouts: PresenceTimeouts, door_debounce_ms: int) -> None:
        self._core = core
        self._door = DoorDebouncer(door_debounce_ms)
        self._presence = PresenceModel(timeouts)

    @property
    def door_open(self) -> bool:
        return self._door.open

    @property
    def present(self) -> bool:
        return self._presence.present

    def door_signal(self, raw_open: bool, now_s: float) -> None:
        """A raw reed-switch level (bouncy)."""
        changed = self._door.edge(raw_open, now_s)
        if changed is not None:
            self._door_changed(changed, now_s)

    def motion_signal(self, active: bool, now_s: float) -> None:
        self._presence_result(self._presence.motion(active, now_s))

    def tick(self, now_s: float) -> None:
        settled = self._door.poll(now_s)
        if settled is not None:
            self._door_changed(settled, now_s)
        self._presence_result(self._presence.poll(now_s))

    def _door_changed(self, open_: bool, now_s: float) -> None:
        self._core.emit_up(DoorChanged(open_))
        self._presence_result(self._presence.door(open_, now_s))
        self._core.send(SensorChanged(open_, self._presence.present))

    def _presence_result(self, changed: bool | None) -> None:
        if changed is None:
            return
        self._core.emit_up(PresenceChanged(changed))
        self._core.send(SensorChanged(self._door.open, changed))
