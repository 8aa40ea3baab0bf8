"""Measuring how far apart a song's decks play (pure timing, no libVLC import).

libVLC's ``get_time()`` only changes every ~250 ms, but each new value is exact for the
instant it was computed: for every change observed at monotonic time ``t``, ``t - value`` is
no earlier than the deck's clock origin (when its position 0 is heard), and the smallest such
value over a few changes is the origin within ~1 ms (checked against the decoded PCM and,
for decks without video, against a PulseAudio monitor). The difference of two origins is how
far apart two decks play.

A deck that plays ahead is paused for exactly the difference: libVLC shifts a paused input's
clock by the pause, and its audio output (PulseAudio: the corked stream) resumes where it
stopped; measured through PulseAudio the audio follows the clock within ~3 ms. A deck that
plays behind is seeked ahead of the others (a seek restarts its clock) and then held back.
``alignment.py`` decides which deck may be moved: never the one the guest hears.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
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


def measure_origins_ms(
    decks: Sequence[Clocked],
    *,
    still_wanted: Callable[[], bool],
    budget_s: float,
    changes_wanted: int,
    poll_s: float = 0.001,
) -> dict[str, float]:
    """Each deck's clock origin (monotonic ms); a deck whose clock did not move
    ``changes_wanted`` times within ``budget_s`` is missing from the answer."""
    readings: dict[str, list[ClockReading]] = {deck.name: [] for deck in decks}
    last: dict[str, int] = {}
    deadline = time.monotonic() + budget_s
    while time.monotonic() < deadline and still_wanted():
        for deck in decks:
            value = deck.time_ms()
            now_ms = time.monotonic() * 1000
            if value > 0 and last.get(deck.name) != value:
                if deck.name in last:  # the first value seen may be stale: skip it
                    readings[deck.name].append(ClockReading(now_ms, value))
                last[deck.name] = value
        if all(len(r) >= changes_wanted for r in readings.values()):
            break
        time.sleep(poll_s)
    origins = {name: origin_ms(r) for name, r in readings.items() if len(r) >= changes_wanted}
    return {name: value for name, value in origins.items() if value is not None}


def measure_offset_ms(
    main: Clocked,
    shadow: Clocked,
    *,
    still_wanted: Callable[[], bool],
    budget_s: float,
    changes_wanted: int,
    poll_s: float = 0.001,
) -> float | None:
    """How much later (ms) ``main`` plays the same position than ``shadow``, or None if the
    decks did not both move within ``budget_s``."""
    origins = measure_origins_ms(
        (main, shadow),
        still_wanted=still_wanted,
        budget_s=budget_s,
        changes_wanted=changes_wanted,
        poll_s=poll_s,
    )
    if main.name not in origins or shadow.name not in origins:
        return None
    return origins[main.name] - origins[shadow.name]


def hold_back(early: Clocked, offset_ms: float, *, max_hold_ms: float = 400.0) -> None:
    """Pause the deck that plays ahead for ``offset_ms`` (capped), then let it go on."""
    early.set_pause(True)
    time.sleep(min(offset_ms, max_hold_ms) / 1000)
    early.set_pause(False)
