"""ktv song index: scan a song library into a SQLite catalog with KTV-style search."""

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
