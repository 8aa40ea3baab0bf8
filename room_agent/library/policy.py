"""Which cached songs make room for a new one (pure: sizes and times in, a choice out).

Least recently sung first; a song queued now is never evicted for another; the cache stays
within its own bound and the disk keeps its floor of free space. A song that cannot fit even
after every evictable song went is not cached (and nothing is evicted for it).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CachedSong:
    song_id: str  # the folder's name
    folder: Path
    size: int  # bytes
    last_sung: float  # the folder's mtime (when it was last queued or sung)


def evictions(
    cached: Sequence[CachedSong],
    protected: Collection[str],
    *,
    size: int,
    max_bytes: int,
    free_bytes: int,
    min_free_bytes: int,
) -> list[CachedSong] | None:
    """The songs to evict so ``size`` more bytes fit, oldest first; None: it cannot fit.
    Evicting frees disk space as well as cache budget."""
    used = sum(s.size for s in cached)
    chosen: list[CachedSong] = []
    freed = 0

    def fits() -> bool:
        return used - freed + size <= max_bytes and free_bytes + freed - size >= min_free_bytes

    for song in sorted(cached, key=lambda s: (s.last_sung, s.song_id)):
        if fits():
            break
        if song.song_id in protected:
            continue
        chosen.append(song)
        freed += song.size
    return chosen if fits() else None
