"""ktv song index: scan a song library into a SQLite catalog with KTV-style search.

The package's names load lazily: importing a pure submodule (``model``, ``ranking``,
``search_keys``) must not load sqlite3 or the catalog. ``from media_index import Catalog``
still works; it imports ``catalog`` at that moment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ktv.lazy import lazy_names

if TYPE_CHECKING:
    from media_index.catalog import Catalog
    from media_index.model import Channel, Song, VocalMode
    from media_index.records import (
        ArtistKind,
        CatalogEntry,
        CatalogStats,
        FileStamp,
        PlayOutcome,
        SearchPage,
        Singer,
    )

_WHERE = {
    "ArtistKind": "media_index.records",
    "Catalog": "media_index.catalog",
    "CatalogEntry": "media_index.records",
    "CatalogStats": "media_index.records",
    "Channel": "media_index.model",
    "FileStamp": "media_index.records",
    "PlayOutcome": "media_index.records",
    "SearchPage": "media_index.records",
    "Singer": "media_index.records",
    "Song": "media_index.model",
    "VocalMode": "media_index.model",
}

__all__ = [
    "ArtistKind",
    "Catalog",
    "CatalogEntry",
    "CatalogStats",
    "Channel",
    "FileStamp",
    "PlayOutcome",
    "SearchPage",
    "Singer",
    "Song",
    "VocalMode",
]


__getattr__, __dir__ = lazy_names(__name__, _WHERE, globals(), __all__)
