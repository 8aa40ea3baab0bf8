"""Catalog records shared by the index, the room agent and the controller.

These are the contract between ``media_index`` (which writes them) and the room agent (which
plays them). Fields may be added with defaults; existing ones keep their meaning.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class VocalMode(enum.Enum):
    """How the original vocal (原唱) and the accompaniment (伴唱) are separated in a file."""

    NONE = "none"  # one mix only: the 原唱/伴唱 control is disabled
    TRACKS = "tracks"  # two audio tracks: vocal_track / accompaniment_track (0-based, see Song)
    CHANNELS = "channels"  # one stereo track: vocal on one channel, accompaniment on the other


class Channel(enum.Enum):
    LEFT = "left"
    RIGHT = "right"


@dataclass(frozen=True)
class Song:
    """One playable song as the catalog knows it."""

    song_id: str  # opaque, stable across rescans and moves
    title: str
    artists: tuple[str, ...]
    path: str  # absolute path, or relative to the media root the agent is configured with
    language: str = ""  # "mandarin", "cantonese", "english", "japanese", "korean", "hokkien"...
    genre: str = ""
    duration_ms: int = 0
    has_video: bool = False
    vocal_mode: VocalMode = VocalMode.NONE
    # VocalMode.TRACKS: 0-based index among the file's audio streams (ffprobe order).
    vocal_track: int | None = None
    accompaniment_track: int | None = None
    # VocalMode.CHANNELS: which stereo channel carries the vocal (KTV default: right).
    vocal_channel: Channel | None = None
    loudness_lufs: float | None = None  # EBU R128 integrated loudness, None if unmeasured
    lyrics_path: str | None = None
    lyrics_word_timed: bool = False
    tags: tuple[str, ...] = field(default_factory=tuple)
    # CD+G karaoke: the .cdg next to the .mp3 in ``path``. libVLC playing the MP3 loads the
    # .cdg of the same name by itself as a video track (codec "CDG "); has_video is True.
    graphics_path: str | None = None

    @property
    def artist(self) -> str:
        return " / ".join(self.artists)
