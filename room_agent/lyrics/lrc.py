"""LRC and enhanced LRC parsing.

Handles ``[mm:ss.xx]`` line stamps (several per line), enhanced word stamps ``<mm:ss.xx>``,
``[offset:±ms]`` and ``[ti:] [ar:] [al:] [by:]`` tags. Malformed lines are skipped with a
``LyricWarning``; a file never fails to parse as a whole. A stamped line with no text is a
pause: it ends the line before it and is not shown. Two lines with the same stamp are an
original and its translation (a common Chinese LRC habit).
"""

from __future__ import annotations

import itertools
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from ktv.errors import NotFound
from room_agent.lyrics.encoding import decode_lyrics
from room_agent.lyrics.model import (
    LAST_LINE_DURATION_MS,
    LONGEST_PLAIN_LINE_MS,
    LyricLine,
    LyricMetadata,
    Lyrics,
    LyricWarning,
    LyricWord,
)

log = logging.getLogger(__name__)

_STAMP = r"(\d{1,3}):(\d{1,2})(?:[.:](\d{1,3}))?"
_LINE_STAMP = re.compile(r"\[" + _STAMP + r"\]")
_WORD_STAMP = re.compile(r"<" + _STAMP + r">")
_TAG = re.compile(r"^\[([A-Za-z#][A-Za-z0-9_#-]*):(.*)\]\s*$")
_ANY_BRACKET = re.compile(r"^\[[^\]]*\]")
_SPACES = re.compile(r"\s+")


@dataclass
class _RawLine:
    start_ms: int
    text: str
    words: list[tuple[int, str]]  # (start_ms, text) in absolute song time
    words_end_ms: int | None
    line_no: int


def _stamp_ms(minutes: str, seconds: str, fraction: str | None) -> int:
    frac_ms = int((fraction or "0").ljust(3, "0")[:3])
    return (int(minutes) * 60 + int(seconds)) * 1000 + frac_ms


def parse_lrc(text: str, *, encoding: str = "utf-8") -> Lyrics:
    """Parse LRC text; every problem becomes a warning on the result, never an exception."""
    warnings: list[LyricWarning] = []
    tags: list[tuple[str, str]] = []
    raw: list[_RawLine] = []
    for line_no, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        tag = _TAG.match(stripped)
        if tag and not _LINE_STAMP.match(stripped):
            tags.append((tag.group(1).lower(), tag.group(2).strip()))
            continue
        stamps, rest, bad = _leading_stamps(stripped)
        if bad:
            warnings.append(LyricWarning(line_no, line, f"malformed timestamp {bad!r}"))
            continue
        if not stamps:
            warnings.append(LyricWarning(line_no, line, "no timestamp"))
            continue
        words, words_end, plain, problem = _words(rest)
        if problem:
            warnings.append(LyricWarning(line_no, line, problem))
        first = stamps[0]
        for stamp in stamps:
            shift = stamp - first
            shifted = [(t + shift, w) for t, w in words]
            end = None if words_end is None else words_end + shift
            raw.append(_RawLine(stamp, plain, shifted, end, line_no))
    metadata, offset_warning = _metadata(tags)
    if offset_warning:
        warnings.append(offset_warning)
    lines = _timeline(raw, metadata)
    if warnings:
        shown = "; ".join(f"line {w.line_no} {w.reason}: {w.text!r}" for w in warnings[:3])
        more = f" (+{len(warnings) - 3} more)" if len(warnings) > 3 else ""
        log.warning("lyrics: %d line(s) skipped or simplified: %s%s", len(warnings), shown, more)
    return Lyrics(tuple(lines), metadata, encoding, tuple(warnings))


def _leading_stamps(line: str) -> tuple[list[int], str, str]:
    """Read ``[mm:ss.xx]`` stamps at the start; returns (stamps, rest, malformed_stamp)."""
    stamps: list[int] = []
    rest = line
    while rest.startswith("["):
        match = _LINE_STAMP.match(rest)
        if match is None:
            if stamps:
                break  # "[合]" and the like: part of the lyric text itself
            bracket = _ANY_BRACKET.match(rest)
            return stamps, rest, bracket.group(0) if bracket else rest[:12]
        seconds = int(match.group(2))
        if seconds >= 60:
            return stamps, rest, match.group(0)
        stamps.append(_stamp_ms(*match.groups()))
        rest = rest[match.end() :]
    return stamps, rest, ""


def _words(rest: str) -> tuple[list[tuple[int, str]], int | None, str, str]:
    """Split enhanced word stamps; returns (words, end_of_last_word, plain_text, problem)."""
    parts = _WORD_STAMP.split(rest)
    if len(parts) == 1:
        return [], None, rest.strip(), ""
    lead = parts[0]
    stamped: list[tuple[int, str]] = []
    for i in range(1, len(parts), 4):
        stamped.append((_stamp_ms(parts[i], parts[i + 1], parts[i + 2]), parts[i + 3]))
    times = [t for t, _ in stamped]
    if any(b < a for a, b in itertools.pairwise(times)):
        plain = _SPACES.sub(" ", lead + "".join(w for _, w in stamped)).strip()
        return [], None, plain, "word timestamps go backwards; shown as a plain line"
    words: list[tuple[int, str]] = []
    if lead.strip():
        words.append((-1, lead))  # starts with the line stamp, filled in by the caller
    for start, word in stamped:
        if word.strip():
            words.append((start, word))
        elif word and words:  # spaces between stamps belong to the word before
            words[-1] = (words[-1][0], words[-1][1] + word)
    words = [(t, _SPACES.sub(" ", w).lstrip()) for t, w in words]
    plain = "".join(w for _, w in words).strip()
    end = stamped[-1][0] if not stamped[-1][1].strip() else None
    return words, end, plain, ""


def _metadata(tags: list[tuple[str, str]]) -> tuple[LyricMetadata, LyricWarning | None]:
    known = {"ti": "", "ar": "", "al": "", "by": ""}
    other: list[tuple[str, str]] = []
    offset_ms = 0
    length_ms = 0
    warning = None
    for key, value in tags:
        if key in known:
            known[key] = known[key] or value
        elif key == "offset":
            try:
                offset_ms = int(value.replace(" ", ""))
            except ValueError:
                warning = LyricWarning(0, f"[offset:{value}]", "offset is not a whole number")
        elif key == "length":
            match = re.fullmatch(_STAMP, value)
            if match:
                length_ms = _stamp_ms(*match.groups())
        else:
            other.append((key, value))
    meta = LyricMetadata(
        title=known["ti"],
        artist=known["ar"],
        album=known["al"],
        author=known["by"],
        offset_ms=offset_ms,
        length_ms=length_ms,
        other=tuple(other),
    )
    return meta, warning


def _timeline(raw: list[_RawLine], meta: LyricMetadata) -> list[LyricLine]:
    """Apply the offset (positive = lyrics earlier), sort, and give each line its end."""

    def at(ms: int) -> int:
        return max(0, ms - meta.offset_ms)

    raw.sort(key=lambda r: r.start_ms)  # stable: same-stamp lines keep file order
    starts = sorted({at(r.start_ms) for r in raw})
    next_start: dict[int, int | None] = dict(zip(starts, [*starts[1:], None], strict=False))
    lines: list[LyricLine] = []
    for r in raw:
        start = at(r.start_ms)
        if lines and lines[-1].start_ms == start:
            if r.text and not lines[-1].translation:
                lines[-1] = _with_translation(lines[-1], r.text)
            continue
        if not r.text:
            continue  # an empty stamped line is a pause: it only ends the line before
        following = next_start[start]
        fallback_end = following if following is not None else _last_end(start, meta)
        words = _timed_words(r, start, at, fallback_end)
        end = words[-1].end_ms if words else min(fallback_end, start + LONGEST_PLAIN_LINE_MS)
        if following is not None:
            end = min(end, following)
        end = max(end, start)
        words = [_within(w, start, end) for w in words]
        lines.append(LyricLine(start, end, r.text, tuple(words)))
    return lines


def _within(word: LyricWord, start: int, end: int) -> LyricWord:
    """Words stamped outside their line (sloppy files) are squeezed into it."""
    word_start = min(max(word.start_ms, start), end)
    return LyricWord(word_start, min(max(word.end_ms, word_start), end), word.text)


def _with_translation(line: LyricLine, text: str) -> LyricLine:
    return LyricLine(line.start_ms, line.end_ms, line.text, line.words, translation=text)


def _last_end(start: int, meta: LyricMetadata) -> int:
    end = start + LAST_LINE_DURATION_MS
    if meta.length_ms > start:
        end = min(end, meta.length_ms)
    return end


def _timed_words(r: _RawLine, start: int, at, fallback_end: int) -> list[LyricWord]:
    if not r.words:
        return []
    times = [start if t < 0 else at(t) for t, _ in r.words]
    last_end = at(r.words_end_ms) if r.words_end_ms is not None else fallback_end
    ends = [*times[1:], max(last_end, times[-1])]
    texts = [w for _, w in r.words]
    texts[0] = texts[0].lstrip()
    texts[-1] = texts[-1].rstrip()
    return [LyricWord(s, e, t) for s, e, t in zip(times, ends, texts, strict=True)]


def load_lrc(path: str | Path) -> Lyrics:
    """Read and parse an LRC file in any of the supported encodings."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise NotFound(f"lyrics file not found: {path}") from None
    text, encoding, remark = decode_lyrics(data)
    lyrics = parse_lrc(text, encoding=encoding)
    if remark:
        log.warning("lyrics %s: %s", path, remark)
        extra = (LyricWarning(0, str(path), remark),)
        return Lyrics(lyrics.lines, lyrics.metadata, encoding, extra + lyrics.warnings)
    return lyrics
