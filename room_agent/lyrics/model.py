"""Lyric values: what a parsed LRC file is, independent of where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field

#: A line with no word timings and no following line lasts this long on screen.
LAST_LINE_DURATION_MS = 5000

#: A line with no word timings is shown (and wiped) for at most this long: a long instrumental
#: break after it must not turn into a minute-long crawl.
LONGEST_PLAIN_LINE_MS = 10000


@dataclass(frozen=True)
class LyricWord:
    """One timed word (or character, for Chinese) of an enhanced LRC line."""

    start_ms: int
    end_ms: int
    text: str


@dataclass(frozen=True)
class LyricLine:
    """One line as shown on screen, from ``start_ms`` to ``end_ms`` (both song time)."""

    start_ms: int
    end_ms: int
    text: str
    words: tuple[LyricWord, ...] = ()
    translation: str = ""  # a second line with the same stamp (e.g. 中文 under English)

    @property
    def word_timed(self) -> bool:
        return bool(self.words)

    @property
    def duration_ms(self) -> int:
        return max(0, self.end_ms - self.start_ms)


@dataclass(frozen=True)
class LyricMetadata:
    title: str = ""  # [ti:]
    artist: str = ""  # [ar:]
    album: str = ""  # [al:]
    author: str = ""  # [by:] who made the LRC file
    offset_ms: int = 0  # [offset:] as written; already applied to every timestamp
    length_ms: int = 0  # [length:] if present
    other: tuple[tuple[str, str], ...] = ()  # any other [key:value] tags, in file order


@dataclass(frozen=True)
class LyricWarning:
    """A line that was skipped or read in a tolerant way; the rest of the file still counts."""

    line_no: int  # 1-based, 0 for whole-file remarks (encoding)
    text: str
    reason: str


@dataclass(frozen=True)
class Lyrics:
    """A song's lyrics: lines sorted by start time, no overlaps."""

    lines: tuple[LyricLine, ...]
    metadata: LyricMetadata = field(default_factory=LyricMetadata)
    encoding: str = "utf-8"
    warnings: tuple[LyricWarning, ...] = ()

    @property
    def word_timed(self) -> bool:
        return any(line.word_timed for line in self.lines)

    def __len__(self) -> int:
        return len(self.lines)
