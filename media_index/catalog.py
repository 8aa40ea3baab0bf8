"""The catalog API other parts code against: search, browse, charts, recommendations, plays.

One SQLite file. Writers (scanner, controller) open it read-write; room agents open their copy
read-only, and a read-only Catalog notices when the file was atomically replaced by a newer
version (``publish``) and reopens before the next call.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from ktv.errors import FailedPrecondition, InvalidArgument, KtvError, NotFound
from media_index import catalog_file, charts, settings
from media_index.model import Song, VocalMode
from media_index.ranking import plan_query
from media_index.records import (
    Analysis,
    AnalysisProgress,
    ArtistKind,
    CatalogEntry,
    CatalogStats,
    FileStamp,
    PlayOutcome,
    SearchPage,
    Singer,
)
from media_index.schema import check_readable, migrate
from media_index.search_keys import IndexedText, fold
from media_index.search_run import run_plan
from media_index.store import CatalogReader, SongFilter
from media_index.store_write import CatalogWriter, KnownFile, PendingSong, Tombstone

log = logging.getLogger(__name__)


def _file_identity(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


class Catalog:
    """A song catalog file; ``readonly=True`` for room agents (follows replacements)."""

    def __init__(
        self, path: str | os.PathLike, readonly: bool = False, *, pinyin_phrases: bool = False
    ) -> None:
        """``pinyin_phrases`` (new catalogs only; kept in the file): order a title's readings
        by pypinyin's phrase dictionary (~130 us more per song at import) instead of per
        character. Every reading is indexed either way; singers always use the dictionary."""
        self.path = Path(path)
        self._pinyin_phrases = pinyin_phrases
        self.readonly = readonly
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._identity: tuple[int, int, int] | None = None
        self._refused: tuple[int, int, int] | None = None
        self._checked_at = 0.0
        self._open()

    # ---- lifecycle ---------------------------------------------------------------------------
    def _open(self) -> None:
        if self.readonly:
            if not self.path.exists():
                raise NotFound(f"catalog {self.path} does not exist", reason="CATALOG_MISSING")
            identity = _file_identity(self.path)
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            try:
                conn.execute("PRAGMA query_only = 1")
                check_readable(conn)
            except sqlite3.DatabaseError as e:
                conn.close()
                raise FailedPrecondition(f"{self.path} is not a catalog: {e}") from e
            except BaseException:
                conn.close()
                raise
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
                migrate(conn)
                CatalogWriter(conn).ensure_version(pinyin_phrases=self._pinyin_phrases)
            except sqlite3.DatabaseError as e:
                conn.close()
                raise FailedPrecondition(f"{self.path} is not a catalog: {e}") from e
        cache_kib = settings.reader_cache_kib if self.readonly else settings.writer_cache_kib
        conn.execute(f"PRAGMA cache_size = -{cache_kib}")
        conn.execute("PRAGMA temp_store = MEMORY")
        if self.readonly:
            self._identity = identity
        old, self._conn = self._conn, conn
        if old is not None:
            old.close()
        self._reader = CatalogReader(conn)
        phrases = self._reader.meta("pinyin_phrases", "0") == "1"
        self._writer = None if self.readonly else CatalogWriter(conn, phrase_aware=phrases)

    def _fresh(self) -> CatalogReader:
        """The reader, reopened first if a read-only catalog's file was replaced."""
        if self._conn is None:
            raise FailedPrecondition("catalog is closed")
        if self.readonly:
            now = time.monotonic()
            if now - self._checked_at >= settings.reopen_check_interval_s:
                self._checked_at = now
                ident = _file_identity(self.path)
                if ident is not None and ident != self._identity and ident != self._refused:
                    try:
                        self._open()  # swaps connections only once the new file checks out
                    except KtvError as e:
                        # a broken replacement: keep answering from the version we have
                        self._refused = ident
                        log.warning("keeping catalog version in use: %s", e.message)
        return self._reader

    def _write(self) -> CatalogWriter:
        if self.readonly or self._writer is None:
            raise FailedPrecondition("catalog is open read-only", reason="CATALOG_READONLY")
        self._reader.forget_derived()
        return self._writer

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def version(self) -> str:
        with self._lock:
            return self._fresh().meta("version")

    # ---- search ------------------------------------------------------------------------------
    def search(
        self,
        query: str = "",
        *,
        language: str | None = None,
        char_count: int | None = None,
        artist: str | None = None,
        has_lyrics: bool | None = None,
        vocal_mode: VocalMode | str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> SearchPage:
        """One query box: initials, pinyin, Chinese (any length), English; ranked exact >
        prefix > contains, ties by popularity. ``total`` stops counting at search_count_cap."""
        _check_page(limit, offset)
        if char_count is not None and (not isinstance(char_count, int) or char_count < 1):
            raise InvalidArgument(f"char_count must be a positive integer, got {char_count!r}")
        if isinstance(vocal_mode, str):
            try:
                vocal_mode = VocalMode(vocal_mode)
            except ValueError:
                raise InvalidArgument(f"unknown vocal mode {vocal_mode!r}") from None
        filt = SongFilter(
            language=language.lower() if language else None,
            char_count=char_count,
            artist=fold(artist) if artist else None,
            has_lyrics=has_lyrics,
            vocal_mode=vocal_mode,
        )
        plan = plan_query(query or "")
        with self._lock:
            reader = self._fresh()
            if plan.is_empty:
                cap = settings.browse_count_cap
                ids, total = reader.browse(filt, limit, offset, cap)
                return SearchPage(reader.songs_by_rowid(ids), total, total >= cap)
            result = run_plan(reader, plan, filt, need=offset + limit)
            page = [c.song for c in result.ranked[offset : offset + limit]]
            return SearchPage(reader.songs_by_rowid(page), len(result.ranked), result.truncated)

    def get(self, song_id: str) -> Song:
        with self._lock:
            song = self._fresh().song(song_id)
        if song is None:
            raise NotFound(f"no song {song_id!r} in the catalog", reason="SONG_NOT_FOUND")
        return song

    def singers(
        self,
        initials: str = "",
        kind: ArtistKind | str | None = None,
        limit: int = 50,
        offset: int = 0,
        *,
        foreign: bool = False,
    ) -> list[Singer]:
        """Singer browse (歌星点歌): by pinyin initials prefix and type, most songs first;
        ``foreign`` keeps singers who mostly sing in non-Chinese languages (singer_region)."""
        _check_page(limit, offset)
        if isinstance(kind, str):
            kind = ArtistKind.parse(kind)
        folded = fold(initials).replace(" ", "")
        with self._lock:
            return self._fresh().singers(folded, kind, limit, offset, foreign=foreign)

    def songs_by_artist(self, name: str, limit: int = 50, offset: int = 0) -> SearchPage:
        if not name.strip():
            raise InvalidArgument("singer name is empty")
        return self.search("", artist=name, limit=limit, offset=offset)

    # ---- charts and recommendations ----------------------------------------------------------
    def hot(
        self, days: int | None = 7, limit: int = 50, *, now: datetime | None = None
    ) -> list[Song]:
        """Most-sung songs over the last ``days`` days (None: all time)."""
        _check_page(limit, 0)
        if days is not None and days < 1:
            raise InvalidArgument(f"days must be >= 1 or None, got {days}")
        since = charts.window_start_ms(now or datetime.now(UTC), days)
        with self._lock:
            reader = self._fresh()
            return reader.songs_by_rowid(reader.hot(since, limit))

    def new_arrivals(self, limit: int = 50) -> list[Song]:
        _check_page(limit, 0)
        with self._lock:
            reader = self._fresh()
            return reader.songs_by_rowid(reader.new_arrivals(limit))

    def recommend(self, for_song_ids: Sequence[str] = (), limit: int = 20) -> list[Song]:
        """Guests who sang these also sang...; then same singer, same genre, same language,
        then all-time hot, so a song with no history still gets suggestions."""
        _check_page(limit, 0)
        ids = list(dict.fromkeys(for_song_ids))
        with self._lock:
            reader = self._fresh()
            exclude = reader.rowids_of(ids).values()
            sources = [
                reader.sung_together(ids, limit + len(ids)),
                reader.same_artist(ids, limit + len(ids)),
                reader.same_field("genre", ids, limit + len(ids)),
                reader.same_field("language", ids, limit + len(ids)),
                reader.hot(None, limit + len(ids)),
                reader.new_arrivals(limit + len(ids)),
            ]
            return reader.songs_by_rowid(charts.blend(sources, exclude, limit))

    def record_play(
        self,
        song_id: str,
        *,
        room: str,
        session: str,
        played_at: datetime,
        outcome: PlayOutcome | str,
        played_ms: int,
        event_id: str | None = None,
    ) -> bool:
        """Record one play (a room's outbox event). Returns False for a repeated ``event_id``."""
        if isinstance(outcome, str):
            try:
                outcome = PlayOutcome(outcome)
            except ValueError:
                raise InvalidArgument(f"unknown play outcome {outcome!r}") from None
        if played_ms < 0:
            raise InvalidArgument("played_ms must be >= 0")
        if not room or not session:
            raise InvalidArgument("a play needs its room and session")
        try:
            at_ms = charts.to_epoch_ms(played_at)
        except ValueError as e:
            raise InvalidArgument(str(e)) from None
        with self._lock:
            writer = self._write()
            return writer.record_play(
                event_id=event_id,
                song_id=song_id,
                room=room,
                session=session,
                played_at_ms=at_ms,
                outcome=outcome.value,
                played_ms=played_ms,
                counted=charts.counts_as_sung(outcome, played_ms),
            )

    def stats(self) -> CatalogStats:
        with self._lock:
            r = self._fresh()
            analysis = r.analysis_counts()
            songs = r.scalar("SELECT count(*) FROM song")
            pending = analysis.get(Analysis.PENDING.value, 0)
            failed = analysis.get(Analysis.FAILED.value, 0)
            return CatalogStats(
                songs=songs,
                singers=r.scalar("SELECT count(*) FROM singer WHERE song_count > 0"),
                with_lyrics=r.scalar("SELECT count(*) FROM song WHERE has_lyrics = 1"),
                with_video=r.scalar("SELECT count(*) FROM song WHERE has_video = 1"),
                by_language=r.counts("language"),
                by_vocal_mode=r.counts("vocal_mode"),
                plays=r.scalar("SELECT count(*) FROM play"),
                version=r.meta("version"),
                removed=r.scalar("SELECT count(*) FROM song_tombstone"),
                analysed=songs - pending - failed,
                analysis_pending=pending,
                analysis_failed=failed,
            )

    def analysis_progress(self) -> AnalysisProgress:
        """Songs, pending and failed analyses (~ms at 100k songs; ``stats()`` counts more)."""
        with self._lock:
            r = self._fresh()
            counts = r.analysis_counts()
            return AnalysisProgress(
                songs=r.scalar("SELECT count(*) FROM song"),
                pending=counts.get(Analysis.PENDING.value, 0),
                failed=counts.get(Analysis.FAILED.value, 0),
            )

    def meta(self, key: str, default: str = "") -> str:
        """A value the catalog keeps about itself (``version``, ``library_id``...)."""
        with self._lock:
            return self._fresh().meta(key, default)

    # ---- writing (scanner, controller) -------------------------------------------------------
    def known_files(self) -> dict[str, KnownFile]:
        with self._lock:
            return self._write().known_files()

    def rejected_files(self) -> dict[str, tuple[FileStamp, str]]:
        """Files the last scan could not index (path -> stamp, reason)."""
        with self._lock:
            return self._write().rejected_files()

    def set_rejected(self, rejected: dict[str, tuple[FileStamp, str]]) -> None:
        with self._lock:
            self._write().set_rejected(rejected)

    def stored_facts(self, song_id: str) -> str | None:
        """The probe facts (JSON) kept for a song, so unchanged content is not re-probed."""
        with self._lock:
            return self._write().stored_facts(song_id)

    def tombstones(self) -> list[Tombstone]:
        """Songs whose files went away: identity, last path and stamp."""
        with self._lock:
            return self._write().tombstones()

    def set_meta(self, values: dict[str, str]) -> None:
        with self._lock:
            self._write().set_meta(values)

    def pending_analysis(
        self, limit: int, *, first: Sequence[str] = (), hot_since_ms: int = 0
    ) -> list[PendingSong]:
        """The next songs to analyse: ``first``, then hot, then popular, then catalog order."""
        with self._lock:
            return self._write().pending_analysis(limit, first=first, hot_since_ms=hot_since_ms)

    def set_analysis(self, song_ids: Sequence[str], state: Analysis) -> None:
        with self._lock:
            self._write().set_analysis(song_ids, state)

    def put_entries(self, entries: Sequence[CatalogEntry], *, if_unchanged: bool = False) -> None:
        """Add or update songs (by song_id) in one transaction; ``if_unchanged``: only songs
        still in the catalog at the entry's path, size and mtime."""
        with self._lock:
            self._write().put_entries(entries, if_unchanged=if_unchanged)

    def put_prepared(
        self,
        entries: Sequence[CatalogEntry],
        texts: Sequence[IndexedText],
        staged_keys: str | os.PathLike | None = None,
    ) -> None:
        """``put_entries`` with each entry's ``indexed_text`` already computed, its keys in
        the SQLite file ``staged_keys`` if given (bulk imports: ``bulk_import.stage_texts``)."""
        with self._lock:
            writer = self._write()
            if staged_keys is None:
                writer.put_entries(entries, prepared=texts)
                return
            self._conn.execute("ATTACH DATABASE ? AS staged", (str(staged_keys),))
            try:
                writer.put_entries(entries, prepared=texts, staged_keys=True)
            finally:
                self._conn.execute("DETACH DATABASE staged")

    def import_entries(
        self,
        entries: Iterable[CatalogEntry],
        *,
        workers: int = settings.bulk_worker_processes,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Add or update many songs, a batch per transaction, keys computed by ``workers``
        other processes (0: in this one). Returns how many entries were handed in."""
        from media_index.bulk_import import import_entries

        return import_entries(self, entries, workers=workers, progress=progress).songs

    @property
    def pinyin_phrases(self) -> bool:
        """Whether titles order their readings by the phrase dictionary (fixed per catalog)."""
        with self._lock:
            return self._fresh().meta("pinyin_phrases", "0") == "1"

    def bulk_mode(self, on: bool = True) -> None:
        """``bulk_import.build_catalog`` on its temporary file: journal and syncs off while
        on; when turned off, indexes merged and statistics gathered, one self-contained file."""
        with self._lock:
            (catalog_file.start_bulk if on else catalog_file.finish_bulk)(self._write().conn)

    def remove_songs(self, song_ids: Sequence[str]) -> int:
        with self._lock:
            return self._write().remove_songs(song_ids)

    def publish(self, dest: str | os.PathLike) -> str:
        """Write a self-contained copy to ``dest`` atomically (temp file + rename); readers of
        ``dest`` switch to it on their next call. Returns the published version."""
        dest = Path(dest)
        if dest.resolve() == self.path.resolve():
            raise InvalidArgument("cannot publish a catalog over itself; choose another path")
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.unlink(missing_ok=True)
        with self._lock:
            conn = self._conn
            if conn is None:
                raise FailedPrecondition("catalog is closed")
            version = self._fresh().meta("version")
            conn.execute("VACUUM INTO ?", (str(tmp),))
        try:
            catalog_file.self_contained(tmp)
            catalog_file.replace_durably(tmp, dest)
        finally:
            tmp.unlink(missing_ok=True)
        return version


def _check_page(limit: int, offset: int) -> None:
    if not isinstance(limit, int) or not 1 <= limit <= settings.search_max_limit:
        raise InvalidArgument(f"limit must be 1..{settings.search_max_limit}, got {limit!r}")
    if not isinstance(offset, int) or offset < 0:
        raise InvalidArgument(f"offset must be >= 0, got {offset!r}")
