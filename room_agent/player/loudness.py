"""Loudness levelling and volume as pure gain math (no libVLC here).

libVLC's volume is a percentage whose amplitude gain is cubic: ``amp = (volume/100) ** 3``
(measured with amem; PulseAudio's software volume uses the same cubic curve). The guest's
volume percent keeps that perceptual curve and the levelling gain multiplies the amplitude,
so the libVLC volume is ``percent * 10 ** (gain_db / 60)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from room_agent.player import settings


@dataclass(frozen=True)
class Levelling:
    """Gain that brings one song to the venue's target loudness."""

    song_lufs: float
    target_lufs: float
    gain_db: float
    clamped: bool


def levelling_for(
    song_lufs: float | None,
    *,
    target_lufs: float = settings.target_lufs,
    min_gain_db: float = settings.levelling_min_gain_db,
    max_gain_db: float = settings.levelling_max_gain_db,
) -> Levelling:
    """The gain for a song measured at ``song_lufs`` (None: not measured, assume typical)."""
    measured = settings.unmeasured_song_lufs if song_lufs is None else song_lufs
    if not math.isfinite(measured):
        measured = settings.unmeasured_song_lufs
    wanted = target_lufs - measured
    gain = min(max(wanted, min_gain_db), max_gain_db)
    return Levelling(measured, target_lufs, gain, clamped=gain != wanted)


def vlc_volume(percent: int, gain_db: float, *, vlc_max: int = settings.vlc_volume_max) -> int:
    """libVLC volume for the guest's ``percent`` (0-100) with ``gain_db`` of levelling."""
    if percent <= 0:
        return 0
    value = percent * 10 ** (gain_db / 60.0)
    return max(0, min(vlc_max, round(value)))


def amplitude_of(vlc_volume_value: int) -> float:
    """Linear amplitude gain libVLC applies at ``vlc_volume_value``."""
    return (max(0, vlc_volume_value) / 100.0) ** 3
