"""Keeping the shadow deck in step with the main deck.

Two decks opened together do not start together: the main deck also waits for its video
decoder before its clock starts, so its audio comes 10-90 ms after the shadow's (measured
here with the dual-track MKV with video). A switch would then jump the music by that much.

libVLC's ``get_time()`` only changes every ~250 ms, but each new value is exact for the
instant it was computed: for every change observed at monotonic time ``t``, ``t - value`` is
no earlier than the deck's clock origin (when its position 0 is heard), and the smallest such
value over a few changes is the origin within ~1 ms (checked against the decoded PCM). The
difference of the two origins is how far apart the decks play.

To close the gap the early deck is paused for exactly that long: libVLC shifts a paused
input's clock by the pause, and the audio output resumes where it stopped, so the next
measurement sees the result (closed loop, a few rounds at most). ``audio_set_delay`` was
tried first: exact with amem, but through PulseAudio VLC absorbs a delay change by slow
resampling and left 12-25 ms of the offset in place.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


class Clocked(Protocol):
    name: str

    def time_ms(self) -> int: ...

    def set_pause(self, paused: bool) -> None: ...


@dataclass(frozen=True)
class ClockReading:
    observed_ms: float  # monotonic clock when the deck's time was read
    deck_ms: int  # the deck's time (position in the song) just read


def origin_ms(readings: list[ClockReading]) -> float | None:
    """The deck's clock origin (monotonic ms at which its position 0 plays)."""
    if not readings:
        return None
    return min(r.observed_ms - r.deck_ms for r in readings)


def measure_offset_ms(
    main: Clocked,
    shadow: Clocked,
    *,
    still_wanted: Callable[[], bool],
    budget_s: float,
    changes_wanted: int,
    poll_s: float = 0.001,
) -> float | None:
    """How much later (ms) the main deck plays the same position than the shadow deck, or
    None if the decks did not both move within ``budget_s``."""
    readings: dict[str, list[ClockReading]] = {main.name: [], shadow.name: []}
    last: dict[str, int] = {}
    deadline = time.monotonic() + budget_s
    while time.monotonic() < deadline and still_wanted():
        for deck in (main, shadow):
            value = deck.time_ms()
            now_ms = time.monotonic() * 1000
            if value > 0 and last.get(deck.name) != value:
                if deck.name in last:  # the first value seen may be stale: skip it
                    readings[deck.name].append(ClockReading(now_ms, value))
                last[deck.name] = value
        if all(len(r) >= changes_wanted for r in readings.values()):
            break
        time.sleep(poll_s)
    main_origin, shadow_origin = origin_ms(readings[main.name]), origin_ms(readings[shadow.name])
    if main_origin is None or shadow_origin is None:
        return None
    return main_origin - shadow_origin


def hold_back(early: Clocked, offset_ms: float, *, max_hold_ms: float = 400.0) -> None:
    """Pause the deck that plays ahead for ``offset_ms`` (capped), then let it go on."""
    early.set_pause(True)
    time.sleep(min(offset_ms, max_hold_ms) / 1000)
    early.set_pause(False)
