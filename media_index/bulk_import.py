"""Bulk imports: many songs into a catalog, the CPU-heavy text work in a second process.

A song's keys, folded text and words (``search_keys.indexed_text``, ~60 us of pure Python
per song) are computed by a worker process one batch ahead while this process writes the
previous batch to SQLite. The worker also writes the ~30 key rows per song into a small
SQLite file of its own (binding them one by one is ~80 us per song); the writer attaches it
and moves them into the catalog with one sorted INSERT ... SELECT. Results are the same as
``put_entries`` with no worker (tests/media_index/test_bulk_import.py compares the two
catalogs row by row).

``build_catalog`` writes a new catalog file from scratch with the journal off (the file is
a temporary one, renamed into place only once complete: a crash leaves the old file).
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import sqlite3
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ktv.errors import InvalidArgument
from media_index import settings
from media_index.catalog import Catalog
from media_index.catalog_file import replace_durably
from media_index.records import CatalogEntry
from media_index.search_keys import IndexedText, indexed_texts

Progress = Callable[[int], None]  # called with the number of songs written so far


@dataclass(frozen=True)
class ImportReport:
    songs: int  # entries handed in (a repeated song_id counts each time)
    worker_processes: int


def _batches(entries: Iterable[CatalogEntry], size: int) -> Iterator[list[CatalogEntry]]:
    it = iter(entries)
    while batch := list(itertools.islice(it, size)):
        yield batch


def stage_texts(
    names: list[tuple[str, tuple[str, ...]]], phrase_aware: bool, keys_path: str
) -> list[IndexedText]:
    """A worker's task: ``indexed_texts`` of a batch, their keys written to a new SQLite
    file ``keys_path`` (table ``key_row (entry, key, tier)``) instead of returned."""
    texts = indexed_texts(names, phrase_aware)
    conn = sqlite3.connect(keys_path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute(
            "CREATE TABLE key_row "
            "(entry INTEGER NOT NULL, key TEXT NOT NULL, tier INTEGER NOT NULL)"
        )
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO key_row VALUES (?, ?, ?)",
            itertools.chain.from_iterable(
                zip(itertools.repeat(entry), text.keys, text.tiers, strict=False)
                for entry, text in enumerate(texts)
            ),
        )
        conn.execute("COMMIT")
    finally:
        conn.close()
    return [text._replace(keys=(), tiers=()) for text in texts]


def import_entries(
    catalog: Catalog,
    entries: Iterable[CatalogEntry],
    *,
    batch_songs: int = settings.bulk_batch_songs,
    workers: int = settings.bulk_worker_processes,
    progress: Progress | None = None,
) -> ImportReport:
    """Add or update songs in batches (each batch one transaction, as ``put_entries``)."""
    if batch_songs < 1 or workers < 0:
        raise InvalidArgument(
            f"batch_songs must be >= 1 and workers >= 0, got {batch_songs}, {workers}"
        )
    done = 0
    if workers == 0:
        for batch in _batches(entries, batch_songs):
            catalog.put_entries(batch)
            done += len(batch)
            if progress:
                progress(done)
        return ImportReport(done, 0)
    phrase_aware = catalog.pinyin_phrases
    pending: deque[tuple[list[CatalogEntry], Future[list[IndexedText]], Path]] = deque()
    # spawn, not fork: the caller may hold threads and locks (the scanner's probe pool)
    context = multiprocessing.get_context("spawn")
    with (
        tempfile.TemporaryDirectory(prefix="ktv-import-") as staging,
        ProcessPoolExecutor(workers, mp_context=context) as pool,
    ):

        def write_oldest() -> None:
            nonlocal done
            batch, texts, keys_path = pending.popleft()
            try:
                catalog.put_prepared(batch, texts.result(), staged_keys=keys_path)
            finally:
                keys_path.unlink(missing_ok=True)
            done += len(batch)
            if progress:
                progress(done)

        for n, batch in enumerate(_batches(entries, batch_songs)):
            names = [(e.song.title, e.song.artists) for e in batch]
            keys_path = Path(staging) / f"keys-{n}.sqlite"
            task = pool.submit(stage_texts, names, phrase_aware, str(keys_path))
            pending.append((batch, task, keys_path))
            if len(pending) > workers:  # keep every worker one batch ahead of the writer
                write_oldest()
        while pending:
            write_oldest()
    return ImportReport(done, workers)


def build_catalog(
    dest: str | os.PathLike,
    entries: Iterable[CatalogEntry],
    *,
    pinyin_phrases: bool = False,
    batch_songs: int = settings.bulk_batch_songs,
    workers: int = settings.bulk_worker_processes,
    progress: Progress | None = None,
) -> ImportReport:
    """A new catalog at ``dest`` from ``entries`` (replacing any file there, atomically).

    Written with the journal and syncs off into a temporary file next to ``dest``; the file
    is fsynced and renamed over ``dest`` only when complete."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.build")
    _unlink_db(tmp)
    try:
        with Catalog(tmp, pinyin_phrases=pinyin_phrases) as catalog:
            catalog.bulk_mode(True)
            report = import_entries(
                catalog, entries, batch_songs=batch_songs, workers=workers, progress=progress
            )
            catalog.bulk_mode(False)
        replace_durably(tmp, dest)
    finally:
        _unlink_db(tmp)
    return report


def _unlink_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
