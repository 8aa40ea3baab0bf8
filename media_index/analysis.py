"""The scan's second pass: loudness and channel-split analysis, after every song is already
searchable. Decodes audio with ffmpeg at the lowest CPU and I/O priority; the songs guests
want first go first (queued in a room, then the hot chart, then the most popular, then
catalog order). Its state is in the catalog (``song.analysis``: pending -> done | failed),
so a stopped analyser resumes where it was: nothing is analysed twice.

``analyse`` runs until nothing is pending (``ktv-index analyse``, or ``ktv-index scan``
after its first pass); ``BackgroundAnalyser`` keeps doing it on a thread of a long-running
process and takes songs to do first (``prioritise``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from media_index import charts, settings
from media_index.catalog import Catalog
from media_index.probe import ProbeError, StreamFacts, analyse_streams, probe_streams
from media_index.records import Analysis, ArtistKind, CatalogEntry
from media_index.scan import MediaFile, normalise, read_metadata, read_singer_book
from media_index.store_write import PendingSong

log = logging.getLogger(__name__)

HOT_WINDOW_DAYS = 7  # "hot" for the analysis order: sung in the last week

Progress = Callable[[int, int, str], None]


@dataclass
class AnalysisReport:
    analysed: int = 0
    failed: int = 0  # decode failed or timed out: marked failed, not retried unchanged
    skipped: int = 0  # file changed or gone since the scan: the next scan settles it
    remaining: int = 0  # still pending when the run stopped


def _loudness_track(p: PendingSong) -> int:
    """What guests hear most: the accompaniment track of a two-track song, else track 0."""
    if p.vocal_mode == "tracks" and p.accompaniment_track is not None:
        return p.accompaniment_track
    return 0


def analyse_one(
    p: PendingSong, singer_kinds: dict[str, ArtistKind], *, low_priority: bool = True
) -> CatalogEntry | str | None:
    """The song's entry with its analysis done; a reason (str) when the decode failed; None
    when the file is gone or changed since the scan (left pending for the next scan)."""
    path = Path(p.path)
    try:
        st = path.stat()
    except OSError:
        return None
    if (st.st_size, st.st_mtime_ns) != (p.stamp.size, p.stamp.mtime_ns):
        return None
    try:
        try:
            facts = StreamFacts.from_json(p.probe_facts)
        except (ValueError, KeyError, TypeError):
            facts = probe_streams(path)
        facts = analyse_streams(path, facts, _loudness_track(p), low_priority=low_priority)
        media = MediaFile(path, p.stamp.size, p.stamp.mtime_ns, p.stamp.meta_stamp)
        return normalise(media, p.song_id, read_metadata(media), facts, singer_kinds)
    except ProbeError as e:
        return str(e)
    except OSError as e:
        return f"cannot read: {e.strerror or e}"


def analyse(
    catalog: Catalog,
    *,
    first: Sequence[str] | Callable[[], Iterable[str]] = (),
    workers: int = settings.analysis_workers,
    limit: int | None = None,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
    low_priority: bool = True,
    now: datetime | None = None,
) -> AnalysisReport:
    """Analyse pending songs, a batch per transaction, until none is left, ``limit`` songs
    are done or ``stop`` is set. ``first``: song ids to do before the rest (or a callable
    giving them, asked again before every batch: songs queued meanwhile jump the line)."""
    report = AnalysisReport()
    root = catalog.meta("library_root")
    singer_kinds = read_singer_book(Path(root))[0] if root else {}
    pending = catalog.analysis_progress().pending
    total = pending if limit is None else min(limit, pending)
    hot_since = charts.window_start_ms(now or datetime.now(UTC), HOT_WINDOW_DAYS) or 0
    passed: set[str] = set()  # skipped this run: changed or gone files
    done = 0
    batch_size = max(1, settings.analysis_batch_songs, workers)
    with ThreadPoolExecutor(max(1, workers), thread_name_prefix="ktv-analyse") as pool:
        while not (stop and stop.is_set()) and (limit is None or done < limit):
            want = batch_size if limit is None else min(batch_size, limit - done)
            wanted = list(first() if callable(first) else first)
            batch = [
                p
                for p in catalog.pending_analysis(
                    want + len(passed), first=wanted, hot_since_ms=hot_since
                )
                if p.song_id not in passed
            ][:want]
            if not batch:
                break
            results = pool.map(
                lambda p: analyse_one(p, singer_kinds, low_priority=low_priority), batch
            )
            entries, failed = [], []
            for p, result in zip(batch, results, strict=True):
                if result is None:
                    passed.add(p.song_id)
                    report.skipped += 1
                elif isinstance(result, str):
                    log.warning("analysis of %s failed: %s", p.path, result)
                    failed.append(p.song_id)
                else:
                    entries.append(result)
                done += 1
                if progress:
                    progress(done, total, p.path)
            if entries:  # unless a scan (another process) removed or changed them meanwhile
                catalog.put_entries(entries, if_unchanged=True)
            if failed:
                catalog.set_analysis(failed, Analysis.FAILED)
            report.analysed += len(entries)
            report.failed += len(failed)
    report.remaining = catalog.analysis_progress().pending
    return report


class BackgroundAnalyser:
    """Analyses pending songs on a thread of a long-running process (the controller, next to
    its catalog feed): low priority, queued songs first, looks again every
    ``settings.analysis_idle_poll_s`` when nothing is pending. ``stop()`` is idempotent."""

    def __init__(
        self,
        catalog: Catalog,
        *,
        workers: int = settings.analysis_workers,
        idle_poll_s: float = settings.analysis_idle_poll_s,
    ) -> None:
        self.catalog = catalog
        self._workers = workers
        self._idle_poll_s = idle_poll_s
        self._first: dict[str, None] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="catalog-analyser", daemon=True)
        self.analysed = 0

    def start(self) -> None:
        self._thread.start()

    def prioritise(self, song_ids: Iterable[str]) -> None:
        """Analyse these songs next (a room queued them)."""
        with self._lock:
            self._first.update(dict.fromkeys(song_ids))
        self._wake.set()

    def _wanted(self) -> list[str]:
        with self._lock:
            return list(self._first)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                report = analyse(
                    self.catalog, first=self._wanted, workers=self._workers, stop=self._stop
                )
                self.analysed += report.analysed
            except Exception:  # a broken catalog must not kill the process: log, retry later
                log.exception("analysis stopped; retrying in %.0f s", self._idle_poll_s)
            self._wake.wait(self._idle_poll_s)

    def stop(self, timeout_s: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)
