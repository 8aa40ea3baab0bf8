"""``media_index.Catalog`` as the touchscreen's ``SongSource``.

The catalog is the agent's local copy of the song index: no network in the keystroke path.
Its methods may take milliseconds on a big library, so the app only calls them from worker
threads. A swapped-in catalog version is picked up with ``KtvApp.attach(catalog=...)``.
"""

from __future__ import annotations

from typing import Any, Protocol

from media_index.model import Song
from room_agent.ui.port import FOREIGN, SearchRequest, SingerEntry, SongPage

SINGER_PAGE_LIMIT = 200


class CatalogApi(Protocol):
    """The slice of ``media_index.Catalog`` the touchscreen uses."""

    def search(self, query: str = "", **filters: Any) -> Any: ...
    def singers(
        self, initials: str = "", kind: Any = None, limit: int = 50, *, foreign: bool = False
    ) -> list[Any]: ...
    def hot(self, days: int | None = 7, limit: int = 50) -> list[Song]: ...
    def new_arrivals(self, limit: int = 50) -> list[Song]: ...
    def recommend(self, for_song_ids: Any = (), limit: int = 20) -> list[Song]: ...


class CatalogSongSource:
    def __init__(self, catalog: CatalogApi, *, hot_days: int = 7) -> None:
        self.catalog = catalog
        self.hot_days = hot_days

    def search(self, request: SearchRequest) -> SongPage:
        page = self.catalog.search(
            request.query,
            language=request.language,
            char_count=request.char_count,
            artist=request.artist,
            limit=request.limit,
            offset=request.offset,
        )
        return SongPage(tuple(page.songs), page.total, bool(getattr(page, "total_capped", False)))

    def singers(self, initials: str = "", kind: str | None = None) -> tuple[SingerEntry, ...]:
        if kind == FOREIGN:
            found = self.catalog.singers(initials, None, limit=SINGER_PAGE_LIMIT, foreign=True)
        else:
            found = self.catalog.singers(initials, kind, limit=SINGER_PAGE_LIMIT)
        return tuple(
            SingerEntry(s.name, getattr(s.kind, "value", str(s.kind)), s.song_count) for s in found
        )

    def hot(self, limit: int = 20) -> tuple[Song, ...]:
        songs = self.catalog.hot(self.hot_days, limit)
        if len(songs) < limit:  # a quiet week (or a new venue): fill from all-time plays
            known = {s.song_id for s in songs}
            extra = [s for s in self.catalog.hot(None, limit) if s.song_id not in known]
            songs = [*songs, *extra][:limit]
        return tuple(songs)

    def new_arrivals(self, limit: int = 20) -> tuple[Song, ...]:
        return tuple(self.catalog.new_arrivals(limit))

    def recommend(self, for_song_ids: tuple[str, ...], limit: int = 20) -> tuple[Song, ...]:
        return tuple(self.catalog.recommend(list(for_song_ids), limit))
