"""VLC's ``stereo-mode`` values as a pure enum: the shadow plan (pure) names them, the deck
(libVLC) applies them."""

from __future__ import annotations

import enum


class StereoMode(enum.IntEnum):
    """VLC 3.0 ``stereo-mode`` values (libvlc_audio_output_channel_t)."""

    STEREO = 1
    LEFT = 3
    RIGHT = 4
