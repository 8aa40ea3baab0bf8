"""Which part of a file is the original vocal (原唱) and which the accompaniment (伴唱). Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from media_index.model import Channel, VocalMode

_ACCOMPANIMENT = re.compile(
    r"伴奏|伴唱|卡拉|消音|无人声|instrumental|karaoke|backing|accompan|off.?vocal|no.?vocal|"
    r"minus.?one|\binst\b|\bmr\b|\bbgm\b",
    re.IGNORECASE,
)
_VOCAL = re.compile(r"原唱|原声|人声|导唱|original|vocal|\borig\b|guide|\bvox\b", re.IGNORECASE)
# Words in file names / tags marking a stereo-split file (左伴右唱: left accompaniment, right vocal)
_SPLIT_RIGHT_VOCAL = re.compile(r"左伴右唱|右声道原唱|vocal.?right|\bL-?acc", re.IGNORECASE)
_SPLIT_LEFT_VOCAL = re.compile(r"左唱右伴|左声道原唱|vocal.?left|\bR-?acc", re.IGNORECASE)


def track_role(title: str) -> str | None:
    """'accompaniment', 'vocal' or None from an audio track's title (accompaniment first:
    "off vocal" names the accompaniment)."""
    if _ACCOMPANIMENT.search(title):
        return "accompaniment"
    if _VOCAL.search(title):
        return "vocal"
    return None


@dataclass(frozen=True)
class VocalLayout:
    mode: VocalMode
    vocal_track: int | None = None
    accompaniment_track: int | None = None
    vocal_channel: Channel | None = None
    assumed: bool = False  # decided by convention, nothing in the file said so


@dataclass(frozen=True)
class Declared:
    """What a sidecar says (all optional)."""

    mode: VocalMode | None = None
    vocal_track: int | None = None
    accompaniment_track: int | None = None
    vocal_channel: Channel | None = None


def infer_layout(
    track_titles: Sequence[str],
    stereo_split: bool | None,
    declared: Declared = Declared(),
    hints: str = "",
) -> VocalLayout:
    """Decide the vocal layout: the sidecar wins, then track titles, then measurements and
    conventions (two tracks: 0 vocal / 1 accompaniment; split stereo: right = vocal).
    ``hints`` is free text (file name, tags) that may say 左伴右唱."""
    n = len(track_titles)
    mode = declared.mode
    if mode is VocalMode.NONE:
        return VocalLayout(VocalMode.NONE)
    if mode is VocalMode.CHANNELS or (mode is None and n == 1 and _split_hint(hints, stereo_split)):
        channel = declared.vocal_channel or _channel_hint(hints) or Channel.RIGHT
        assumed = declared.vocal_channel is None and _channel_hint(hints) is None
        return VocalLayout(VocalMode.CHANNELS, vocal_channel=channel, assumed=assumed)
    if n >= 2 and mode in (None, VocalMode.TRACKS):
        vocal, accomp = declared.vocal_track, declared.accompaniment_track
        roles = [track_role(t) for t in track_titles]
        if vocal is None and "vocal" in roles:
            vocal = roles.index("vocal")
        if accomp is None and "accompaniment" in roles:
            accomp = roles.index("accompaniment")
        assumed = False
        if vocal is None and accomp is None:
            if mode is None and n > 2:
                return VocalLayout(VocalMode.NONE)  # several unnamed tracks: languages, not vocal
            vocal, accomp, assumed = 0, 1, True
        elif vocal is None:
            vocal = next(i for i in range(n) if i != accomp)
        elif accomp is None:
            accomp = next(i for i in range(n) if i != vocal)
        if vocal == accomp or max(vocal, accomp) >= n:
            return VocalLayout(VocalMode.NONE)
        return VocalLayout(VocalMode.TRACKS, vocal, accomp, assumed=assumed)
    return VocalLayout(VocalMode.NONE)


def _split_hint(hints: str, stereo_split: bool | None) -> bool:
    return (
        bool(stereo_split)
        or bool(_SPLIT_RIGHT_VOCAL.search(hints))
        or bool(_SPLIT_LEFT_VOCAL.search(hints))
    )


def _channel_hint(hints: str) -> Channel | None:
    if _SPLIT_LEFT_VOCAL.search(hints):
        return Channel.LEFT
    if _SPLIT_RIGHT_VOCAL.search(hints):
        return Channel.RIGHT
    return None
