"""Values the catalog hands out besides ``Song`` (``model.py``, the agent contract)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from ktv.room_link import PlayOutcome  # how a play ended: the link's one definition
from media_index.model import Song


class ArtistKind(enum.Enum):
    """Singer browse categories of a KTV song book (男歌星/女歌星/组合/乐队)."""

    UNKNOWN = "unknown"
    MALE = "male"
    FEMALE = "female"
    GROUP = "group"
    BAND = "band"

    @classmethod
    def parse(cls, text: str | None) -> ArtistKind:
        if not text:
            return cls.UNKNOWN
        key = text.strip().lower()
        aliases = {"男": "male", "女": "female", "组合": "group", "乐队": "band", "duo": "group"}
        key = aliases.get(key, key)
        try:
            return cls(key)
        except ValueError:
            return cls.UNKNOWN


class Analysis(enum.Enum):
    """Where a song is in the analysis that follows the scan (loudness, channel split)."""

    PENDING = "pending"  # searchable and playable; default gain, layout from the probe
    DONE = "done"
    FAILED = "failed"  # the decode failed or timed out: not retried until the file changes


@dataclass(frozen=True)
class Singer:
    name: str
    kind: ArtistKind
    song_count: int
    initials: str  # pinyin initials (or first letters of Latin words), lowercase


@dataclass(frozen=True)
class SearchPage:
    songs: list[Song]
    total: int  # matches counted, at most settings.search_count_cap when total_capped
    total_capped: bool = False


@dataclass(frozen=True)
class PlayRecord:
    song_id: str
    room: str
    session: str
    played_at: datetime
    outcome: PlayOutcome
    played_ms: int


@dataclass(frozen=True)
class CatalogStats:
    songs: int
    singers: int
    with_lyrics: int
    with_video: int
    by_language: dict[str, int] = field(default_factory=dict)
    by_vocal_mode: dict[str, int] = field(default_factory=dict)
    plays: int = 0
    version: str = ""
    removed: int = 0  # tombstones: songs whose files went away (they return with their plays)
    analysed: int = 0  # loudness and channel split measured (Analysis.DONE)
    analysis_pending: int = 0
    analysis_failed: int = 0

    @property
    def analysed_share(self) -> float:
        """How far analysis has got: 0.0-1.0 of the songs (1.0 for an empty catalog)."""
        return 1.0 if self.songs == 0 else (self.songs - self.analysis_pending) / self.songs


@dataclass(frozen=True)
class AnalysisProgress:
    """How far the analysis after the scan has got: cheap to read (a count and an index), so
    the controller can show it on its board while the analyser works."""

    songs: int
    pending: int
    failed: int

    @property
    def analysed(self) -> int:
        return self.songs - self.pending - self.failed

    @property
    def share(self) -> float:
        """0.0-1.0 of the songs no longer waiting (1.0 for an empty catalog)."""
        return 1.0 if self.songs == 0 else (self.songs - self.pending) / self.songs


@dataclass(frozen=True)
class FileStamp:
    """What tells a rescan that a file (or its sidecar/lyrics) changed."""

    size: int
    mtime_ns: int
    meta_stamp: str = ""  # sidecar + lyrics mtimes: metadata changes without re-probing


@dataclass(frozen=True)
class CatalogEntry:
    """A song as the scanner hands it to the index: the agent's ``Song`` plus file facts."""

    song: Song
    stamp: FileStamp
    artist_kinds: tuple[ArtistKind, ...] = ()  # parallel to song.artists, may be shorter
    audio_track_titles: tuple[str, ...] = ()
    video_codec: str = ""
    base_popularity: int = 0  # a declared starting popularity (sidecar), plays add to it
    probe_facts_json: str = ""  # the prober's facts, kept so unchanged files are not re-probed
    analysis: Analysis = Analysis.DONE  # scanner entries start PENDING (analysed afterwards)
