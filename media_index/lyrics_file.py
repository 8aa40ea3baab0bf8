"""Find and inspect the LRC lyrics next to a song: presence, encoding, word timings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_LINE_TIME = re.compile(r"\[\d{1,3}:\d{2}(?:[.:]\d{1,3})?\]")
_WORD_TIME = re.compile(r"<\d{1,3}:\d{2}(?:[.:]\d{1,3})?>")
ENCODINGS = ("utf-8-sig", "gb18030", "big5")


@dataclass(frozen=True)
class LyricsFacts:
    path: Path
    encoding: str
    timed_lines: int
    word_timed: bool


class LyricsError(ValueError):
    pass


def decode(raw: bytes) -> tuple[str, str]:
    """Text and encoding of an LRC file: UTF-8, else GB18030 (GBK), else Big5."""
    for enc in ENCODINGS:
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise LyricsError("lyrics are neither UTF-8, GBK/GB18030 nor Big5")


def inspect(path: Path) -> LyricsFacts:
    """Raises LyricsError for unreadable files or ones without a single timed line."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise LyricsError(f"cannot read lyrics: {e.strerror}") from None
    text, enc = decode(raw)
    lines = [ln for ln in text.splitlines() if _LINE_TIME.match(ln.strip())]
    if not lines:
        raise LyricsError("no timed lines ([mm:ss.xx]) in lyrics")
    word_timed = sum(1 for ln in lines if _WORD_TIME.search(ln)) >= max(1, len(lines) // 2)
    return LyricsFacts(path, enc, len(lines), word_timed)


def find_for(media: Path, declared: str | None = None) -> Path | None:
    """The sidecar's ``lyrics`` path if given, else ``<stem>.lrc`` next to the song."""
    if declared:
        p = Path(declared)
        return p if p.is_absolute() else media.parent / p
    for candidate in (media.with_suffix(".lrc"), media.with_suffix(".LRC")):
        if candidate.exists():
            return candidate
    return None
