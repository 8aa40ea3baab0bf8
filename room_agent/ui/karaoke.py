"""The karaoke wipe: how much of the current lyric line has been sung at an instant.

Pure arithmetic over a ``LyricsFrame``: with word timings the wipe moves through each word
during that word's own time; without them it runs smoothly across the whole line. The result
is a fractional character count (``3.5`` = three characters and half of the fourth), which the
widget turns into pixels with the font's real glyph widths.
"""

from __future__ import annotations

from room_agent.lyrics.clock import span_fraction, sung_words
from room_agent.ui.port import LyricsFrame


def wiped_chars(frame: LyricsFrame) -> float:
    """Characters of ``frame.line`` already sung, as a float in ``[0, len(line)]`` (the lyrics
    clock's own arithmetic, ``lyrics.clock.sung_words``)."""
    total = len(frame.line)
    if total == 0:
        return 0.0
    if not frame.words:
        return total * span_fraction(frame.position_ms, frame.line_start_ms, frame.line_end_ms)
    return min(float(total), sung_words(frame.words, frame.position_ms)[0])


def wipe_x(prefix_widths: list[float], chars: float) -> float:
    """Pixel x of the wipe edge: ``prefix_widths[i]`` is the drawn width of the first ``i``
    characters (so ``prefix_widths[0] == 0``); fractions interpolate inside a glyph."""
    if not prefix_widths:
        return 0.0
    last = len(prefix_widths) - 1
    chars = min(max(chars, 0.0), float(last))
    whole = int(chars)
    if whole >= last:
        return prefix_widths[last]
    part = chars - whole
    return prefix_widths[whole] + part * (prefix_widths[whole + 1] - prefix_widths[whole])
