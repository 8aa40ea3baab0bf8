"""SearchSongs over the controller's master catalog (``serve --catalog``): the touchscreen's
own search (``media_index.Catalog.search``: initials, pinyin, 汉字, English; same ranking),
on a few read-only connections of its own so phones searching never wait on the play feed's
writes, and never on each other more than the pool makes them."""

from __future__ import annotations

import queue
from dataclasses import dataclass
from pathlib import Path

from controller.api.paging import decode_token, encode_token, page_size
from ktv.errors import FailedPrecondition, InvalidArgument
from ktv.text import bounded
from media_index.catalog import Catalog
from media_index.model import Song
from media_index.records import SearchPage

PAGE_DEFAULT = 30
PAGE_MAX = 100
DEEPEST_OFFSET = 1_000  # nobody pages past the 1,000th song of one search from a phone
QUERY_MAX_CHARS = 64
READERS = 2  # read-only connections (this machine has 2 cores)
LISTING = "guest-search"


@dataclass(frozen=True)
class SongQuery:
    query: str
    artist: str
    language: str
    char_count: int
    limit: int
    offset: int

    @property
    def filter_key(self) -> str:
        return f"{self.query}\0{self.artist}\0{self.language}\0{self.char_count}"


def song_query(
    query: str, artist: str, language: str, char_count: int, size: int, token: str
) -> SongQuery:
    """The request's search, normalised and bounded at the edge (before any catalog work)."""
    q = bounded(query or "", what="the query", max_len=QUERY_MAX_CHARS).strip()
    a = bounded(artist or "", what="the singer", max_len=QUERY_MAX_CHARS).strip()
    lang = bounded(language or "", what="the language", max_len=16).strip().lower()
    if char_count < 0 or char_count > 50:
        raise InvalidArgument("char_count is 0 (any) to 50", reason="INVALID_ARGUMENT")
    limit = page_size(size, PAGE_DEFAULT, PAGE_MAX)
    probe = SongQuery(q, a, lang, char_count, limit, 0)
    after = decode_token(token, LISTING, probe.filter_key)
    offset = 0
    if after is not None:
        if not after.isdigit() or int(after) > DEEPEST_OFFSET:
            raise InvalidArgument(
                "page_token is not one this server issued", reason="BAD_PAGE_TOKEN"
            )
        offset = int(after)
    return SongQuery(q, a, lang, char_count, limit, offset)


def next_token(query: SongQuery, page: SearchPage) -> str:
    following = query.offset + len(page.songs)
    if len(page.songs) < query.limit or following >= page.total or following > DEEPEST_OFFSET:
        return ""
    return encode_token(LISTING, query.filter_key, str(following))


class CatalogSearch:
    """A small pool of read-only ``Catalog`` connections on the master catalog file."""

    def __init__(self, path: Path | None, readers: int = READERS) -> None:
        self.path = path
        self._pool: queue.Queue[Catalog] = queue.Queue()
        self._opened: list[Catalog] = []
        self._readers = readers

    def _take(self) -> Catalog:
        if self.path is None:
            raise FailedPrecondition(
                "this controller serves no catalog (serve --catalog PATH): phones cannot search",
                reason="CATALOG_NOT_PUBLISHED",
            )
        try:
            return self._pool.get_nowait()
        except queue.Empty:
            if len(self._opened) < self._readers:
                catalog = Catalog(str(self.path), readonly=True)
                self._opened.append(catalog)
                return catalog
            return self._pool.get()

    def search(self, query: SongQuery) -> SearchPage:
        """Blocking (call it in a thread)."""
        catalog = self._take()
        try:
            return catalog.search(
                query.query,
                language=query.language or None,
                char_count=query.char_count or None,
                artist=query.artist or None,
                limit=query.limit,
                offset=query.offset,
            )
        finally:
            self._pool.put(catalog)

    def song(self, song_id: str) -> Song | None:
        if self.path is None:
            return None
        catalog = self._take()
        try:
            return catalog.get(song_id)
        except Exception:
            return None
        finally:
            self._pool.put(catalog)

    def close(self) -> None:
        for catalog in self._opened:
            catalog.close()
