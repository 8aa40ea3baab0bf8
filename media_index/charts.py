"""Chart and recommendation rules (pure): what counts as a play, how sources are blended."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from media_index import settings
from media_index.records import PlayOutcome


def counts_as_sung(outcome: PlayOutcome, played_ms: int) -> bool:
    """A completed song counts; a skipped or stopped one only after ``play_counts_after_ms``."""
    if outcome is PlayOutcome.FAILED:
        return False
    return outcome is PlayOutcome.COMPLETED or played_ms >= settings.play_counts_after_ms


def window_start_ms(now: datetime, days: int | None) -> int | None:
    """Start of a chart window of ``days`` days ending at ``now`` (None = all time)."""
    if days is None:
        return None
    return to_epoch_ms(now - timedelta(days=days))


def to_epoch_ms(when: datetime) -> int:
    if when.tzinfo is None:
        raise ValueError("play times must be timezone-aware UTC datetimes")
    return int(when.astimezone(UTC).timestamp() * 1000)


def blend(sources: Iterable[Sequence[int]], exclude: Iterable[int], limit: int) -> list[int]:
    """Take from each source in order (co-sung first, then fallbacks), skipping repeats."""
    seen = set(exclude)
    out: list[int] = []
    for source in sources:
        for item in source:
            if item not in seen:
                seen.add(item)
                out.append(item)
                if len(out) >= limit:
                    return out
    return out
