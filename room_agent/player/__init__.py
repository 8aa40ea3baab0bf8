"""The room's libVLC player: ``VlcPlayer`` implements ``room_agent.core.ports.Player``.

The package's names load lazily: importing a pure submodule (``loudness``, ``sync``,
``shadow``, ``settings``) must not load libVLC. ``from room_agent.player import VlcPlayer``
still works; it imports ``vlc_player`` (and libVLC) at that moment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ktv.lazy import lazy_names

if TYPE_CHECKING:
    from room_agent.player.config import PlayerConfig
    from room_agent.player.output import AudioOutput, OutputKind, PcmCapture
    from room_agent.player.vlc_player import VlcPlayer

_WHERE = {
    "AudioOutput": "room_agent.player.output",
    "OutputKind": "room_agent.player.output",
    "PcmCapture": "room_agent.player.output",
    "PlayerConfig": "room_agent.player.config",
    "VlcPlayer": "room_agent.player.vlc_player",
}

__all__ = ["AudioOutput", "OutputKind", "PcmCapture", "PlayerConfig", "VlcPlayer"]


__getattr__, __dir__ = lazy_names(__name__, _WHERE, globals(), __all__)
