"""Key change (升降调) through VLC's own ``scaletempo_pitch`` audio filter.

libVLC has no public API for it and ignores ``--audio-filter`` for media players: each media
player owns an empty ``audio-filter`` variable that its audio output inherits. So, through
libvlccore (``vlccore.py``, VLC 3.0.x, guarded at every step):

1. when a deck is created: ``audio-filter=scaletempo_pitch`` and ``pitch-shift`` on the media
   player object, so its audio output builds its filter chain with the pitch filter in it;
2. while playing: ``pitch-shift`` on the player's child "audio output" object; the filter
   listens to that variable and changes key on its next buffer, with no output restart.

Why this and not ffmpeg's ``rubberband`` rendering a shifted copy: the change is live (see
``benchmarks/playback_bench.py``), tempo is kept, nothing is written to disk, and it acts
inside each deck so the vocal shadow deck shifts in step. Rendering costs ~0.2 s per 4 s of
audio here (a whole song: seconds; far more on a Pi) and needs a second swap at the same
position. If the library, a symbol or the object layout does not match, ``supported`` is
False and the player raises ``ktv.errors.Unsupported`` instead of pretending.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from ktv.errors import InvalidArgument, Unsupported
from room_agent.player import settings
from room_agent.player.vlccore import VlcCore

log = logging.getLogger(__name__)

_FILTER = b"scaletempo_pitch"


@dataclass(frozen=True)
class KeySupport:
    supported: bool
    reason: str


def pitch_plugin_present(plugin_dirs: tuple[str, ...] = ()) -> bool:
    """Whether VLC's scaletempo_pitch plugin is installed (Debian: vlc-plugin-base)."""
    dirs = plugin_dirs or (
        "/usr/lib/x86_64-linux-gnu/vlc/plugins/audio_filter",
        "/usr/lib/aarch64-linux-gnu/vlc/plugins/audio_filter",
        "/usr/lib/arm-linux-gnueabihf/vlc/plugins/audio_filter",
        "/usr/lib/vlc/plugins/audio_filter",
    )
    return any(Path(d, "libscaletempo_pitch_plugin.so").exists() for d in dirs)


def check_key_range(semitones: int) -> int:
    if not isinstance(semitones, int) or isinstance(semitones, bool):
        raise InvalidArgument(f"key must be a whole number of semitones, got {semitones!r}")
    if not settings.key_min_semitones <= semitones <= settings.key_max_semitones:
        raise InvalidArgument(
            f"key {semitones:+d} is outside {settings.key_min_semitones:+d}.."
            f"{settings.key_max_semitones:+d} semitones"
        )
    return semitones


class KeyShifter:
    """Puts the pitch filter on decks and shifts them; knows whether it can."""

    def __init__(self, core: VlcCore, *, enabled: bool = True) -> None:
        self._core = core
        if not enabled:
            self.support = KeySupport(False, "key change is disabled in the player's settings")
        elif not core.available:
            self.support = KeySupport(False, "libvlccore (VLC 3.0.x) symbols not found")
        elif not pitch_plugin_present():
            self.support = KeySupport(False, "VLC's scaletempo_pitch plugin is not installed")
        else:
            self.support = KeySupport(True, "scaletempo_pitch via libvlccore")

    @property
    def supported(self) -> bool:
        return self.support.supported

    def prepare(self, player: int) -> None:
        """At deck creation: put the pitch filter in the deck's audio chain."""
        if not self.supported:
            return
        if not (
            self._core.set_string(player, b"audio-filter", _FILTER)
            and self._core.set_float(player, b"pitch-shift", 0.0)
        ):
            self._give_up("libvlccore refused the audio-filter/pitch-shift variables")

    def apply(self, player: int, semitones: int, *, playing: bool) -> None:
        """Change the key of a deck now (if ``playing``) and for its next songs."""
        if not self.supported:
            raise Unsupported(f"key change is not available: {self.support.reason}")
        if not self._core.set_float(player, b"pitch-shift", float(semitones)):
            self._give_up("cannot set pitch-shift on the media player")
        # The audio output outlives songs and keeps its own copy of the variable.
        aout = self._core.audio_output_of(player)
        if aout is None:
            if playing:
                self._give_up("the media player has no audio output object to shift")
            return
        if not self._core.update_float(aout, b"pitch-shift", float(semitones)) and playing:
            # This song's output runs without the filter: the next song takes the key.
            raise Unsupported("key change is not available for this song (no pitch filter)")

    def _give_up(self, reason: str) -> None:
        log.warning("key change unsupported on this build: %s", reason)
        self.support = KeySupport(False, reason)
        raise Unsupported(f"key change is not available: {reason}")
