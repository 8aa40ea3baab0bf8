"""The room's volume (音量): the guest's level, the controller's cap and mute.

Owned by ``RoomCore`` and called under its lock. The player hears ``min(level, cap)``; the
prepaid-time fade drives the player's volume directly and hands it back through
:meth:`MixerController.reapply`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ktv.errors import InvalidArgument
from room_agent.core import settings
from room_agent.core.events import VolumeChanged
from room_agent.core.ports import VolumeLimit

if TYPE_CHECKING:
    from room_agent.core.room import RoomCore

log = logging.getLogger(__name__)


class MixerController:
    """Owns: the volume the guest chose, the controller's cap, mute."""

    def __init__(self, core: RoomCore) -> None:
        self._core = core
        self.volume_percent = settings.default_volume_percent
        self.cap_percent = 100
        self.muted = False

    @property
    def audible_percent(self) -> int:
        """What the player is set to (the guest's level under the cap)."""
        return min(self.volume_percent, self.cap_percent)

    def set_volume(self, percent: int) -> int:
        """Set the volume; never above the controller's cap. Returns what was applied."""
        if not 0 <= percent <= 100:
            raise InvalidArgument("volume must be 0..100 percent")
        self._core.room.require_open()
        self._apply(percent)
        return self.volume_percent

    def step(self, delta_percent: int) -> int:
        return self.set_volume(max(0, min(100, self.volume_percent + delta_percent)))

    def set_mute(self, muted: bool) -> None:
        self._core.room.require_open()
        self.muted = muted
        self._core.player.set_mute(muted)
        self._apply(self.volume_percent)

    def limit(self, command: VolumeLimit) -> None:
        """The controller's cap (VolumeLimit): the level comes down to it at once."""
        if not 0 <= command.max_percent <= 100:
            raise InvalidArgument("volume limit must be 0..100 percent")
        self.cap_percent = command.max_percent
        self._apply(self.volume_percent)

    def reapply(self) -> None:
        """Put the player back at the room's level (after a fade)."""
        self._core.player.set_volume(self.audible_percent)

    def restore(self, volume_percent: int, cap_percent: int) -> None:
        self.volume_percent = volume_percent
        self.cap_percent = cap_percent
        self.reapply()

    def adopt_player_volume(self) -> None:
        """A fresh room starts at the player's configured volume."""
        try:
            self.volume_percent = self._core.player.status().volume_percent
        except Exception:
            log.exception("player status unreadable: assuming the default volume")
            self.volume_percent = settings.default_volume_percent

    def _apply(self, percent: int) -> None:
        self.volume_percent = max(0, min(percent, self.cap_percent))
        self._core.player.set_volume(self.volume_percent)
        self._core.send(VolumeChanged(self.volume_percent, self.muted, self.cap_percent))
        self._core.memory.save()
