"""ASS karaoke subtitles from lyrics, so libVLC (through libass) draws the wipe on the TV.

Each line becomes a ``Dialogue`` with one ``{\\kf<centiseconds>}`` per word (enhanced LRC) or
per character / Latin word (plain LRC: the line's time shared out evenly). Lines alternate
left (upper) and right (lower) like a KTV screen, and appear ``ass_preview_ms`` before they are
sung; a leading ``{\\k<cs>}`` with no text holds the wipe until the line's start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from room_agent.lyrics.model import LyricLine, Lyrics
from room_agent.lyrics.settings import ass_preview_ms

ASS_FONT = "Noto Sans CJK SC"


@dataclass(frozen=True)
class AssLook:
    """Screen and colours; colours are ASS ``&HAABBGGRR``."""

    width_px: int = 1280
    height_px: int = 720
    font: str = ASS_FONT
    font_size: int = 56
    sung_colour: str = "&H00FF9900"  # filled by the wipe (blue-ish, KTV style)
    unsung_colour: str = "&H00FFFFFF"
    outline_colour: str = "&H00000000"
    margin_px: int = 60


_STYLE_FORMAT = (
    "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
    "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
    "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding"
)
_EVENT_FORMAT = "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text"
_UNIT = re.compile(r"[A-Za-z0-9'’]+\s*|\s+|.", re.DOTALL)


def ass_time(ms: int) -> str:
    """ASS timestamps are H:MM:SS.cc (centiseconds)."""
    cs = max(0, round(ms / 10))
    hours, cs = divmod(cs, 360000)
    minutes, cs = divmod(cs, 6000)
    seconds, cs = divmod(cs, 100)
    return f"{hours}:{minutes:02d}:{seconds:02d}.{cs:02d}"


def lyrics_to_ass(lyrics: Lyrics, look: AssLook | None = None) -> str:
    """The whole .ass file as text (write it as UTF-8)."""
    look = look or AssLook()
    upper_margin = look.margin_px + look.font_size * 2
    styles = [
        _style("KaraokeLeft", look, alignment=1, margin_v=upper_margin),
        _style("KaraokeRight", look, alignment=3, margin_v=look.margin_px),
    ]
    header = [
        "[Script Info]",
        f"Title: {_escape(lyrics.metadata.title) or 'ktv lyrics'}",
        "ScriptType: v4.00+",
        f"PlayResX: {look.width_px}",
        f"PlayResY: {look.height_px}",
        "WrapStyle: 2",
        "ScaledBorderAndShadow: yes",
        "",
        "[V4+ Styles]",
        _STYLE_FORMAT,
        *styles,
        "",
        "[Events]",
        _EVENT_FORMAT,
    ]
    events = []
    previous_start = 0
    for n, line in enumerate(lyrics.lines):
        appear = max(previous_start, line.start_ms - ass_preview_ms, 0)
        style = "KaraokeLeft" if n % 2 == 0 else "KaraokeRight"
        text = _karaoke_text(line, appear)
        events.append(
            f"Dialogue: 0,{ass_time(appear)},{ass_time(line.end_ms)},{style},,0,0,0,,{text}"
        )
        previous_start = line.start_ms
    return "\n".join([*header, *events]) + "\n"


def _style(name: str, look: AssLook, *, alignment: int, margin_v: int) -> str:
    return (
        f"Style: {name},{look.font},{look.font_size},{look.sung_colour},{look.unsung_colour},"
        f"{look.outline_colour},&H80000000,-1,0,0,0,100,100,0,0,1,3,0,{alignment},"
        f"{look.margin_px},{look.margin_px},{margin_v},1"
    )


def _escape(text: str) -> str:
    """Braces start override blocks and backslashes start tags: show full-width look-alikes."""
    return text.replace("\\", "＼").replace("{", "｛").replace("}", "｝").replace("\n", " ")


def _karaoke_text(line: LyricLine, appear_ms: int) -> str:
    """``{\\k<hold>}{\\kf<cs>}word...``; durations add up exactly to the line's span."""
    if line.words:
        spans = [(w.start_ms, w.end_ms, w.text) for w in line.words]
    else:
        spans = _even_spans(line)
    parts: list[str] = []
    cursor = appear_ms
    for start, end, text in spans:
        if start > cursor:
            parts.append(f"{{\\k{_cs(cursor, start)}}}")
            cursor = start
        parts.append(f"{{\\kf{_cs(cursor, max(end, cursor))}}}{_escape(text)}")
        cursor = max(end, cursor)
    return "".join(parts)


def _cs(from_ms: int, to_ms: int) -> int:
    """Centiseconds between two instants, rounded at the ends so the pieces add up."""
    return round(to_ms / 10) - round(from_ms / 10)


def _even_spans(line: LyricLine) -> list[tuple[int, int, str]]:
    """A plain line wipes at an even pace: one unit per CJK character or Latin word."""
    units = _UNIT.findall(line.text)
    merged: list[str] = []
    for unit in units:
        if unit.isspace() and merged:
            merged[-1] += unit
        else:
            merged.append(unit)
    count = len(merged) or 1
    span = line.duration_ms
    return [
        (line.start_ms + span * i // count, line.start_ms + span * (i + 1) // count, unit)
        for i, unit in enumerate(merged)
    ]
