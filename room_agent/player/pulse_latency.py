"""How late each deck's sound really plays, from the audio server (PulseAudio, PipeWire-pulse).

libVLC's clock says when a deck means to play a sample; what the guest hears is when the
server plays it. Through PulseAudio the two differ per output stream by 0-60 ms (VLC starts a
stream by a timer and tolerates -40..+60 ms of drift before it corrects), so two decks
whose clocks agree can still be heard apart. The server knows: a stream that plays later
holds more audio queued ("Buffer Latency" of its sink input), because both decks write the
same music at the same pace. Measured here (pactl, 12 starts under load): the difference of
the two decks' buffer latencies matched the offset heard on the sink's monitor within ~1 ms
(e.g. +24.5 ms vs +24.9 ms heard).

Each audio deck has its own libVLC media-player role (``Deck(role=...)``), which PulseAudio
shows as the stream's ``media.role``: that is how a sink input is matched to its deck. Only
this process's VLC streams are read; if a role appears twice (two players in one process),
the reading is ambiguous and nothing is corrected. Without ``pactl`` the player aligns by
clock only.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import statistics
import subprocess
from dataclasses import dataclass

from room_agent.player import settings

log = logging.getLogger(__name__)

ROLE_NAMES = {
    1: "music",
    2: "video",
    3: "communication",
    4: "game",
    5: "notification",
    6: "animation",
    7: "production",
    8: "accessibility",
    9: "test",
}


@dataclass(frozen=True)
class SinkInput:
    role: str
    pid: int
    buffer_ms: float
    corked: bool


def parse_sink_inputs(text: str) -> list[SinkInput]:
    """``pactl list sink-inputs`` (English) -> the VLC streams it lists."""
    found = []
    for block in text.split("Sink Input #")[1:]:
        latency = re.search(r"Buffer Latency: (\d+) usec", block)
        role = re.search(r'media\.role = "([^"]*)"', block)
        pid = re.search(r'application\.process\.id = "(\d+)"', block)
        if "org.VideoLAN.VLC" not in block or not (latency and role and pid):
            continue
        corked = re.search(r"Corked: yes", block) is not None
        found.append(
            SinkInput(role.group(1), int(pid.group(1)), int(latency.group(1)) / 1000, corked)
        )
    return found


def lag_ms(readings: list[dict[str, float]], deck_role: str, reference_role: str) -> float | None:
    """Median of how much more audio ``deck_role`` has queued than ``reference_role`` (ms):
    how much later it is heard. Pure."""
    diffs = [
        r[deck_role] - r[reference_role] for r in readings if deck_role in r and reference_role in r
    ]
    return statistics.median(diffs) if diffs else None


class ServerLatency:
    """Reads the buffer latency of this process's VLC streams through ``pactl``."""

    def __init__(self, enabled: bool) -> None:
        self.available = enabled and shutil.which("pactl") is not None
        self._pid = os.getpid()

    def read(self) -> dict[str, float]:
        """role -> buffer latency (ms) of this process's playing VLC streams (ambiguous roles
        left out)."""
        if not self.available:
            return {}
        try:
            out = subprocess.run(
                ["pactl", "list", "sink-inputs"],
                capture_output=True,
                text=True,
                timeout=settings.server_latency_timeout_s,
                env={**os.environ, "LC_ALL": "C"},
            )
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning("cannot read stream latencies from the audio server: %s", exc)
            self.available = False
            return {}
        mine = [s for s in parse_sink_inputs(out.stdout) if s.pid == self._pid and not s.corked]
        roles = [s.role for s in mine]
        return {s.role: s.buffer_ms for s in mine if roles.count(s.role) == 1}

    def lag_ms(self, deck_role: int, reference_role: int) -> float | None:
        """How much later the server plays ``deck_role``'s stream than ``reference_role``'s."""
        if not self.available:
            return None
        readings = [self.read() for _ in range(settings.server_latency_samples)]
        return lag_ms(readings, ROLE_NAMES[deck_role], ROLE_NAMES[reference_role])
