"""The cache's eviction choice, pure: sizes and times in, the songs to evict out."""

from __future__ import annotations

from pathlib import Path

from room_agent.library.policy import CachedSong, evictions


def _song(song_id: str, size: int, last_sung: float) -> CachedSong:
    return CachedSong(song_id, Path(song_id), size, last_sung)


CACHED = [_song("a", 40, 3.0), _song("b", 40, 1.0), _song("c", 40, 2.0)]


def test_nothing_is_evicted_when_the_song_fits() -> None:
    got = evictions(CACHED, (), size=30, max_bytes=200, free_bytes=1000, min_free_bytes=0)
    assert got == []


def test_the_least_recently_sung_go_first_and_only_as_many_as_needed() -> None:
    got = evictions(CACHED, (), size=50, max_bytes=130, free_bytes=1000, min_free_bytes=0)
    assert [s.song_id for s in got] == ["b"]
    got = evictions(CACHED, (), size=90, max_bytes=130, free_bytes=1000, min_free_bytes=0)
    assert [s.song_id for s in got] == ["b", "c"]


def test_a_queued_song_is_never_evicted_for_another() -> None:
    got = evictions(CACHED, {"b"}, size=50, max_bytes=130, free_bytes=1000, min_free_bytes=0)
    assert [s.song_id for s in got] == ["c"]


def test_the_disk_floor_counts_and_evicting_frees_disk_space() -> None:
    # the cache has budget left, but the disk would go under its floor: evict for space
    got = evictions(CACHED, (), size=50, max_bytes=10_000, free_bytes=60, min_free_bytes=40)
    assert [s.song_id for s in got] == ["b"]


def test_a_song_that_cannot_fit_evicts_nothing() -> None:
    assert (
        evictions(CACHED, {"a"}, size=200, max_bytes=130, free_bytes=10**6, min_free_bytes=0)
        is None
    )
