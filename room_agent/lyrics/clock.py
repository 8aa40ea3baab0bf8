"""Following the player's clock, and answering "which line, which word, how far" at any instant.

libVLC's ``get_time()`` only moves about every 250 ms. ``PlaybackClock`` anchors on the first
moment it sees a new player time and interpolates with the monotonic clock in between; its
answer never goes backwards except on an explicit ``resync`` (seek, replay, new song) or when
the player jumps by more than ``jump_threshold_ms`` (a seek it was not told about). When a new
player time says the estimate ran ahead, the answer slows (``catch_up_rate``) rather than
standing still, so a wipe drawn from it moves on every frame. For ``resync_grace_ms`` after a
resync, far-off player times are stale (libVLC reports the old position until its seek
lands) and are ignored.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from room_agent.lyrics.model import LyricLine, Lyrics
from room_agent.lyrics.settings import (
    clock_catch_up_rate,
    clock_jump_threshold_ms,
    clock_max_extrapolation_ms,
    clock_max_lead_ms,
    clock_resync_grace_ms,
)


class PlaybackClock:
    """Song position in ms at a monotonic instant (seconds). Not thread-safe: one owner."""

    def __init__(
        self,
        *,
        jump_threshold_ms: int = clock_jump_threshold_ms,
        max_extrapolation_ms: int = clock_max_extrapolation_ms,
        resync_grace_ms: int = clock_resync_grace_ms,
        catch_up_rate: float = clock_catch_up_rate,
        max_lead_ms: int = clock_max_lead_ms,
    ) -> None:
        self._grace_s = resync_grace_ms / 1000.0
        self._grace_until_s = float("-inf")
        self._jump_ms = jump_threshold_ms
        self._max_extra_ms = max_extrapolation_ms
        self._catch_up_rate = catch_up_rate
        self._max_lead_ms = max_lead_ms
        self._anchor_ms = 0
        self._anchor_s = 0.0
        self._playing = False
        self._reported_ms: int | None = None
        self._out_ms = 0.0
        self._out_s = 0.0  # when _out_ms was last moved

    @property
    def playing(self) -> bool:
        return self._playing

    def resync(self, position_ms: int, now_s: float, *, playing: bool | None = None) -> None:
        """Jump to ``position_ms`` (seek, replay, new song): the one way to go backwards."""
        self._anchor_ms = self._out_ms = max(0, int(position_ms))
        self._anchor_s = now_s
        self._reported_ms = None
        self._grace_until_s = now_s + self._grace_s
        if playing is not None:
            self._playing = playing

    def sample(self, player_ms: int, now_s: float, *, playing: bool) -> None:
        """Feed what the player reports now; call it as often as you like (e.g. every 20 ms)."""
        if not playing:
            if self._playing:
                self._out_ms = self._anchor_ms = max(self.position_ms(now_s), player_ms)
                self._anchor_s = now_s
                self._playing = False
            self._reported_ms = player_ms
            return
        if self._playing and player_ms == self._reported_ms:
            return  # libVLC has not moved yet: keep interpolating
        estimate = self.position_ms(now_s)
        far_off = abs(player_ms - estimate) > self._jump_ms
        if far_off and self._playing and now_s < self._grace_until_s:
            return  # right after a seek the player may still report the old position
        self._reported_ms = player_ms
        self._anchor_ms = player_ms
        self._anchor_s = now_s
        self._playing = True
        if far_off:
            self._out_ms = player_ms  # a seek: follow it either way

    def position_ms(self, now_s: float) -> int:
        if self._playing:
            elapsed_ms = max(0.0, (now_s - self._anchor_s) * 1000.0)
            estimate = self._anchor_ms + round(min(elapsed_ms, self._max_extra_ms))
            # Ahead of the player: go on at catch_up_rate, within a bounded lead (none once
            # the extrapolation is used up: the player has stopped moving).
            since_ms = max(0.0, (now_s - max(self._out_s, self._anchor_s)) * 1000.0)
            slowed = self._out_ms + since_ms * self._catch_up_rate
            stalled = elapsed_ms >= self._max_extra_ms
            limit = estimate + (0 if stalled else self._max_lead_ms)
            self._out_ms = max(self._out_ms, estimate, min(slowed, limit))
            self._out_s = now_s
        return round(self._out_ms)  # a float inside: frequent callers lose nothing to rounding


@dataclass(frozen=True)
class LyricMoment:
    """What the lyric display shows at one position."""

    position_ms: int
    index: int  # index of ``current`` in the lyrics, -1 when no line is being sung
    current: LyricLine | None
    next: LyricLine | None
    line_progress: float  # 0..1 through the current line (a smooth wipe even without words)
    word_index: int  # index into current.words, -1 if not word-timed or between words
    word_progress: float  # 0..1 through the current word


class LyricTimeline:
    """Looks up lines by position in O(log n)."""

    def __init__(self, lyrics: Lyrics) -> None:
        self.lyrics = lyrics
        self._starts = [line.start_ms for line in lyrics.lines]

    def at(self, position_ms: int) -> LyricMoment:
        lines = self.lyrics.lines
        i = bisect.bisect_right(self._starts, position_ms) - 1
        following = lines[i + 1] if i + 1 < len(lines) else None
        if i < 0 or position_ms >= lines[i].end_ms:
            return LyricMoment(position_ms, -1, None, following, 0.0, -1, 0.0)
        line = lines[i]
        if not line.words:
            progress = span_fraction(position_ms, line.start_ms, line.end_ms)
            return LyricMoment(position_ms, i, line, following, progress, -1, 0.0)
        return _word_moment(position_ms, i, line, following)


class TimedText(Protocol):
    """A word of a word-timed line (``lyrics.model.LyricWord`` or a screen's copy of one)."""

    @property
    def text(self) -> str: ...
    @property
    def start_ms(self) -> int: ...
    @property
    def end_ms(self) -> int: ...


def span_fraction(position_ms: int, start_ms: int, end_ms: int) -> float:
    """How far ``position_ms`` is through [start, end], 0..1; an empty span is all sung once
    its start has come."""
    if end_ms <= start_ms:
        return 1.0 if position_ms >= start_ms else 0.0
    return min(1.0, max(0.0, (position_ms - start_ms) / (end_ms - start_ms)))


def sung_words(words: Sequence[TimedText], position_ms: int) -> tuple[float, int, float]:
    """The karaoke wipe through a word-timed line, the one definition the lyrics clock and
    the touchscreen share: (characters sung, as a fraction; the word being sung or -1
    between words; how far through it, 0..1). A word's characters are wiped during its
    own time; words already ended count whole."""
    done_chars = 0.0
    for n, word in enumerate(words):
        if position_ms >= word.end_ms:
            done_chars += len(word.text)
        elif position_ms >= word.start_ms:
            progress = span_fraction(position_ms, word.start_ms, word.end_ms)
            return done_chars + len(word.text) * progress, n, progress
        else:
            break
    return done_chars, -1, 0.0


def _word_moment(pos: int, i: int, line: LyricLine, following: LyricLine | None) -> LyricMoment:
    """Line progress for word-timed lines is the share of characters already wiped."""
    total_chars = sum(len(w.text) for w in line.words) or 1
    done_chars, word_index, word_progress = sung_words(line.words, pos)
    return LyricMoment(pos, i, line, following, done_chars / total_chars, word_index, word_progress)


def lyric_moment(lyrics: Lyrics, position_ms: int) -> LyricMoment:
    """One-off lookup; keep a ``LyricTimeline`` when asking many times."""
    return LyricTimeline(lyrics).at(position_ms)
