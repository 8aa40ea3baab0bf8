"""The room's libVLC player: ``VlcPlayer`` implements ``room_agent.core.ports.Player``."""

from room_agent.player.config import PlayerConfig
from room_agent.player.output import AudioOutput, OutputKind, PcmCapture
from room_agent.player.vlc_player import VlcPlayer

__all__ = ["AudioOutput", "OutputKind", "PcmCapture", "PlayerConfig", "VlcPlayer"]
