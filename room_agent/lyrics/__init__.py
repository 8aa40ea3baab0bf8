"""Lyrics: LRC / enhanced LRC parsing, the playback-following clock, and ASS karaoke output.

Pure code: no VLC, Kivy or file-format libraries beyond the standard library."""

from room_agent.lyrics.clock import LyricMoment, LyricTimeline, PlaybackClock, lyric_moment
from room_agent.lyrics.lrc import load_lrc, parse_lrc
from room_agent.lyrics.model import LyricLine, LyricMetadata, Lyrics, LyricWarning, LyricWord

__all__ = [
    "LyricLine",
    "LyricMetadata",
    "LyricMoment",
    "LyricTimeline",
    "LyricWarning",
    "LyricWord",
    "Lyrics",
    "PlaybackClock",
    "load_lrc",
    "lyric_moment",
    "parse_lrc",
]
