"""Where the player's sound goes: the same ``VlcPlayer`` class on the Pi and in tests.

- ``DUMMY``: decoded and thrown away (fast tests of control flow).
- ``CAPTURE``: libVLC's amem callbacks hand every PCM buffer (S16 native, 44.1 kHz, stereo,
  with its presentation time) to a :class:`PcmCapture`: what a guest would hear, to analyse.
- ``PULSE``: a PulseAudio (or PipeWire-pulse) server; ``device`` is a sink name or "".
- ``ALSA``: straight to an ALSA device (``device`` such as ``hw:CARD=vc4hdmi0`` or "").
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

CAPTURE_RATE_HZ = 44100
CAPTURE_CHANNELS = 2


class OutputKind(enum.Enum):
    DUMMY = "dummy"
    CAPTURE = "capture"
    PULSE = "pulse"
    ALSA = "alsa"


class PcmCapture(Protocol):
    """Receives PCM from libVLC's thread: copy and return quickly, never call the player."""

    def write(self, deck: str, pts_us: int, pcm: bytes) -> None:
        """``pcm`` is interleaved S16 stereo at 44.1 kHz; ``pts_us`` is libVLC's clock
        (microseconds, the same clock for every deck of one process); ``deck`` is "main" or
        "shadow"."""

    def flush(self, deck: str, pts_us: int) -> None:
        """libVLC dropped its buffered audio (seek, stop) at ``pts_us`` (libVLC clock): what
        was due after that instant is never heard."""

    def volume(self, deck: str, at_us: int, volume: float, muted: bool) -> None:
        """The deck's volume changed at ``at_us`` (libVLC clock): apply ``volume ** 3``
        (libVLC's and PulseAudio's curve), or silence if ``muted``, to audio heard from then
        on, as an audio server's mixer does."""


@dataclass(frozen=True)
class AudioOutput:
    kind: OutputKind = OutputKind.DUMMY
    device: str = ""
    capture: PcmCapture | None = None

    def __post_init__(self) -> None:
        if (self.kind is OutputKind.CAPTURE) != (self.capture is not None):
            raise ValueError("a CAPTURE output needs a PcmCapture, and only it takes one")

    def vlc_module(self) -> str:
        return {OutputKind.PULSE: "pulse", OutputKind.ALSA: "alsa"}.get(self.kind, "adummy")

    def instance_args(self) -> list[str]:
        if self.kind is OutputKind.PULSE:
            return ["--aout=pulse"]
        if self.kind is OutputKind.ALSA:
            args = ["--aout=alsa"]
            if self.device:
                args.append(f"--alsa-audio-device={self.device}")
            return args
        # CAPTURE installs amem callbacks per media player, which override --aout.
        return ["--aout=dummy"]
