"""The library scanner as a pipeline: walk -> read (sidecar, tags, name, lyrics) -> probe (a
worker pool) -> normalise -> index. Each stage is a function; ``scan`` strings them together,
incrementally: unchanged files are not re-probed, moved files keep their identity and plays.

The scan is the first, cheap pass (container facts, no decoding): every song is searchable
and playable when it ends. Loudness and channel-split analysis follow (``analysis.py``).
A scan never destroys: the library root is checked first (``guard.py``), a scan that would
remove too much stops before writing, and removed songs are kept as tombstones.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
import tomllib
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from media_index import settings
from media_index.catalog import Catalog
from media_index.cdg_file import cdg_next_to, is_cdg
from media_index.guard import (
    MARKER_NAME,
    RootFacts,
    check_not_empty,
    check_removals,
    check_root,
    marker_text,
    parse_marker,
)
from media_index.lyrics_file import LyricsError, LyricsFacts, find_for, inspect
from media_index.metadata import (
    SidecarError,
    SongMeta,
    from_container_tags,
    from_embedded_tags,
    from_file_name,
    from_sidecar,
    merge,
    sidecar_path,
)
from media_index.model import Song
from media_index.probe import ProbeError, StreamFacts, probe_streams
from media_index.records import Analysis, ArtistKind, CatalogEntry, FileStamp
from media_index.search_keys import guess_language
from media_index.vocal import Declared, infer_layout

MEDIA_EXTENSIONS = frozenset(
    {".mp4", ".mkv", ".mpg", ".mpeg", ".vob", ".avi", ".ts", ".webm", ".m4a",
     ".mp3", ".flac", ".ogg", ".opus", ".wav"}
)  # fmt: skip


SINGER_BOOK = "singers.ktv.toml"


@dataclass(frozen=True)
class MediaFile:
    path: Path
    size: int
    mtime_ns: int
    meta_stamp: str  # changes when the sidecar or the lyrics change


@dataclass(frozen=True)
class ScanProblem:
    path: str
    reason: str


@dataclass(frozen=True)
class ReadResult:
    meta: SongMeta
    lyrics: LyricsFacts | None
    warnings: tuple[str, ...] = ()
    graphics: Path | None = None  # CD+G graphics of an MP3


@dataclass
class ScanReport:
    added: int = 0
    updated: int = 0
    moved: int = 0
    restored: int = 0  # tombstoned songs whose files came back (same identity, same plays)
    unchanged: int = 0
    removed: int = 0  # left the catalog as tombstones
    probed: int = 0
    skipped: list[ScanProblem] = field(default_factory=list)
    warnings: list[ScanProblem] = field(default_factory=list)
    # files that failed to probe: not retried while their size and mtime stay the same
    still_rejected: dict[str, tuple[FileStamp, str]] = field(default_factory=dict)

    @property
    def indexed(self) -> int:
        return self.added + self.updated + self.moved + self.restored + self.unchanged


# ---- stage 1: walk ---------------------------------------------------------------------------
def _mtime(p: Path) -> str:
    try:
        return str(p.stat().st_mtime_ns)
    except OSError:
        return "-"


def meta_stamp(media: Path) -> str:
    stamp = f"{_mtime(sidecar_path(media))}:{_mtime(media.with_suffix('.lrc'))}"
    graphics = cdg_next_to(media)
    return f"{stamp}:cdg{_mtime(graphics)}" if graphics else stamp


def walk(root: Path) -> Iterator[MediaFile | ScanProblem]:
    """Media files under ``root`` (hidden folders skipped), in a stable order. Each file's
    metadata stamp includes the library's singer book, so editing it re-reads metadata."""
    book = _mtime(root / SINGER_BOOK)
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(folder) / name
            if name.startswith(".") or path.suffix.lower() not in MEDIA_EXTENSIONS:
                continue
            try:
                st = path.stat()
            except OSError as e:
                yield ScanProblem(str(path), f"cannot read: {e.strerror}")
                continue
            stamp = f"{meta_stamp(path)}:{book}"
            yield MediaFile(path.resolve(), st.st_size, st.st_mtime_ns, stamp)


def identity(path: Path, size: int) -> str:
    """Stable song id from the content: size + first and last MiB (survives moves/renames)."""
    h = hashlib.blake2b(digest_size=10)
    h.update(size.to_bytes(8, "little"))
    chunk = settings.identity_chunk_bytes
    with open(path, "rb") as fh:
        h.update(fh.read(chunk))
        if size > chunk:
            fh.seek(max(chunk, size - chunk))
            h.update(fh.read(chunk))
    return "s" + h.hexdigest()


# ---- stage 2: read descriptive metadata -------------------------------------------------------
def read_metadata(media: MediaFile) -> ReadResult:
    warnings: list[str] = []
    side = SongMeta()
    sp = sidecar_path(media.path)
    if sp.exists():
        try:
            side = from_sidecar(sp)
        except SidecarError as e:
            warnings.append(f"sidecar {sp.name} ignored: {e}")
    meta = merge(side, from_embedded_tags(media.path), from_file_name(media.path))
    lyrics = None
    lrc = find_for(media.path, meta.lyrics)
    if lrc is not None:
        try:
            lyrics = inspect(lrc)
        except LyricsError as e:
            warnings.append(f"lyrics {lrc.name} ignored: {e}")
    graphics = cdg_next_to(media.path)
    if graphics is not None and not is_cdg(graphics):
        warnings.append(f"graphics {graphics.name} ignored: not a CD+G file")
        graphics = None
    return ReadResult(meta, lyrics, tuple(warnings), graphics)


# ---- stage 3: probe --------------------------------------------------------------------------
def probe_media(media: MediaFile) -> StreamFacts:
    """Container facts, no decoding (loudness and channel split come later: analysis.py)."""
    return probe_streams(media.path)


# ---- stage 4: normalise ----------------------------------------------------------------------
def normalise(
    media: MediaFile,
    song_id: str,
    read: ReadResult,
    facts: StreamFacts,
    singer_kinds: Mapping[str, ArtistKind] | None = None,
) -> CatalogEntry:
    meta = merge(read.meta, from_container_tags(dict(facts.container_tags)))
    title = meta.title or media.path.stem
    artists = meta.artists or ()
    layout = infer_layout(
        [a.title for a in facts.audio],
        facts.stereo_split,
        Declared(meta.vocal_mode, meta.vocal_track, meta.accompaniment_track, meta.vocal_channel),
        hints=media.path.name + " " + " ".join(meta.tags or ()),
    )
    song = Song(
        song_id=song_id,
        title=title,
        artists=tuple(artists),
        path=str(media.path),
        language=meta.language or guess_language(title, artists),
        genre=meta.genre or "",
        duration_ms=facts.duration_ms,
        has_video=bool(facts.video_codec) or read.graphics is not None,
        vocal_mode=layout.mode,
        vocal_track=layout.vocal_track,
        accompaniment_track=layout.accompaniment_track,
        vocal_channel=layout.vocal_channel,
        loudness_lufs=facts.loudness_lufs,
        lyrics_path=str(read.lyrics.path.resolve()) if read.lyrics else None,
        lyrics_word_timed=bool(read.lyrics and read.lyrics.word_timed),
        tags=tuple(meta.tags or ()),
        graphics_path=str(read.graphics) if read.graphics else None,
    )
    book = singer_kinds or {}
    kinds = tuple(meta.artist_kind or book.get(a, ArtistKind.UNKNOWN) for a in artists)
    return CatalogEntry(
        song=song,
        stamp=FileStamp(media.size, media.mtime_ns, media.meta_stamp),
        artist_kinds=kinds,
        audio_track_titles=tuple(a.title for a in facts.audio),
        video_codec=facts.video_codec or ("cdgraphics" if read.graphics else ""),
        base_popularity=meta.popularity or 0,
        probe_facts_json=facts.to_json(),
        analysis=Analysis.DONE if facts.analysed else Analysis.PENDING,
    )


# ---- the pipeline ----------------------------------------------------------------------------
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class _Job:
    media: MediaFile
    song_id: str
    facts: StreamFacts | None  # None: must be probed
    kind: str  # "added" | "updated" | "moved" | "restored"


@dataclass
class _Plan:
    jobs: list[_Job]
    gone: set[str]  # song ids whose files are no longer in the library
    known: int  # songs in the catalog before the scan
    media_files: int  # media files found under the root (good, bad and duplicate)


def _plan(root: Path, catalog: Catalog, report: ScanReport, workers: int = 1) -> _Plan:
    """Decide per file: unchanged, metadata-only update, moved, new, back from a tombstone,
    duplicate or rejected. Writes nothing.

    Unchanged files are settled first, so a copy or a replacement elsewhere never steals
    the identity of a file that is still in place. A file back at a tombstone's path with the
    tombstone's size and mtime takes its identity without hashing (by path); any other file
    is hashed, and a hash that names a tombstone brings that song back (by content)."""
    known = catalog.known_files()
    rejected = catalog.rejected_files()
    tombstones = catalog.tombstones()
    tomb_ids = {t.song_id for t in tombstones}
    tomb_at = {t.path: t for t in tombstones}
    owner: dict[str, str] = {}  # song_id -> path that holds it in this scan
    jobs: list[_Job] = []
    changed: list[MediaFile] = []
    media_files = 0
    for item in walk(root):
        if isinstance(item, ScanProblem):
            report.skipped.append(item)
            continue
        media_files += 1
        path = str(item.path)
        if item.size == 0:
            report.skipped.append(ScanProblem(path, "empty file (0 bytes)"))
            continue
        before = rejected.get(path)
        if before and (before[0].size, before[0].mtime_ns) == (item.size, item.mtime_ns):
            report.skipped.append(ScanProblem(path, before[1]))  # unchanged: not retried
            report.still_rejected[path] = before
            continue
        k = known.get(path)
        if not k or (k.stamp.size, k.stamp.mtime_ns) != (item.size, item.mtime_ns):
            changed.append(item)
            continue
        owner[k.song_id] = path
        if k.stamp.meta_stamp == item.meta_stamp:
            report.unchanged += 1
        else:
            jobs.append(_Job(item, k.song_id, _stored(catalog, k.song_id), "updated"))
    by_id = {k.song_id: p for p, k in known.items()}

    def song_id_of(item: MediaFile) -> str | OSError:
        tomb = tomb_at.get(str(item.path))
        if tomb and (tomb.stamp.size, tomb.stamp.mtime_ns) == (item.size, item.mtime_ns):
            return tomb.song_id  # back where it was, untouched
        try:
            return identity(item.path, item.size)
        except OSError as e:
            return e

    # hashing reads 2 MiB a file and hashlib lets go of the GIL: in parallel, in order
    with ThreadPoolExecutor(max(1, workers), thread_name_prefix="ktv-hash") as pool:
        ids = list(pool.map(song_id_of, changed))
    for item, song_id in zip(changed, ids, strict=True):
        path = str(item.path)
        if isinstance(song_id, OSError):
            report.skipped.append(ScanProblem(path, f"cannot read: {song_id.strerror}"))
            continue
        if song_id in owner:
            report.skipped.append(ScanProblem(path, f"same content as {owner[song_id]}"))
            continue
        owner[song_id] = path
        old_path = by_id.get(song_id)
        if old_path is None and song_id in tomb_ids:
            jobs.append(_Job(item, song_id, _stored(catalog, song_id), "restored"))
            continue
        facts = _stored(catalog, song_id) if old_path else None
        kind = "added" if old_path is None else "updated" if old_path == path else "moved"
        jobs.append(_Job(item, song_id, facts, kind))
    gone = {k.song_id for k in known.values()} - set(owner)
    return _Plan(jobs, gone, len({k.song_id for k in known.values()}), media_files)


def _stored(catalog: Catalog, song_id: str) -> StreamFacts | None:
    text = catalog.stored_facts(song_id)
    try:
        return StreamFacts.from_json(text) if text else None
    except (ValueError, KeyError, TypeError):
        return None


def read_singer_book(root: Path) -> tuple[dict[str, ArtistKind], list[ScanProblem]]:
    """``<library>/singers.ktv.toml``: ``[singers]`` name = "male" | "female" | "group" | "band"."""
    path = root / SINGER_BOOK
    if not path.exists():
        return {}, []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        return {}, [ScanProblem(str(path), f"singer book ignored: {e}")]
    table = data.get("singers", {})
    book = (
        {str(k): ArtistKind.parse(str(v)) for k, v in table.items()}
        if isinstance(table, dict)
        else {}
    )
    bad = [k for k, v in book.items() if v is ArtistKind.UNKNOWN]
    problems = [ScanProblem(str(path), f"unknown singer type for {', '.join(bad)}")] if bad else []
    return book, problems


def _process(
    job: _Job, singer_kinds: Mapping[str, ArtistKind]
) -> tuple[_Job, CatalogEntry | None, list[str], str | None]:
    read = read_metadata(job.media)
    warnings = list(read.warnings)
    facts = job.facts
    try:
        if facts is None:
            facts = probe_media(job.media)
        entry = normalise(job.media, job.song_id, read, facts, singer_kinds)
        return job, entry, warnings, None
    except ProbeError as e:
        return job, None, warnings, str(e)
    except OSError as e:
        return job, None, warnings, f"cannot read: {e.strerror or e}"


# ---- the library root: checked before anything is read, marked after the checks pass -------
def root_facts(
    root: Path, catalog: Catalog, *, mount: str | os.PathLike | None = None, adopt: bool = False
) -> RootFacts:
    """What ``guard.check_root`` needs about ``root``; ``mount`` defaults to the one the
    catalog remembers (``--mount`` given once applies to every later scan)."""
    mount_s = str(mount) if mount is not None else catalog.meta("library_mount") or None
    mounted = True
    if mount_s is not None:
        point = Path(mount_s)
        mounted = os.path.ismount(point) and root.resolve().is_relative_to(point.resolve())
    return RootFacts(
        root=str(root),
        exists=root.exists(),
        is_dir=root.is_dir(),
        marker_id=read_marker(root),
        catalog_id=catalog.meta("library_id") or None,
        mount=mount_s,
        mounted=mounted,
        adopt=adopt,
    )


def read_marker(root: Path) -> str | None:
    try:
        return parse_marker((root / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def write_marker(root: Path, library_id: str) -> None:
    """Write the root's marker atomically (temp file + rename). Raises OSError."""
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    tmp = root / f"{MARKER_NAME}.{os.getpid()}.tmp"
    try:
        tmp.write_text(marker_text(library_id, when), encoding="utf-8")
        os.replace(tmp, root / MARKER_NAME)
    finally:
        tmp.unlink(missing_ok=True)


def _mark(root: Path, catalog: Catalog, facts: RootFacts, report: ScanReport) -> None:
    """After the checks passed: make sure root and catalog name the same library."""
    meta = {"library_root": str(root)}
    if facts.mount is not None:
        meta["library_mount"] = facts.mount
    library_id = facts.catalog_id
    if facts.marker_id and (library_id is None or facts.adopt):
        library_id = facts.marker_id  # another catalog of the same library, or adopted
    elif facts.marker_id is None:
        library_id = library_id or f"lib-{secrets.token_hex(8)}"
        try:
            write_marker(root, library_id)
        except OSError as e:
            report.warnings.append(
                ScanProblem(
                    str(root / MARKER_NAME),
                    f"cannot write the library marker ({e.strerror or e}): rescans cannot "
                    "tell this library from an empty folder (the empty-folder and removal "
                    "checks still apply)",
                )
            )
            if facts.catalog_id is None:
                library_id = None
    if library_id is not None:
        meta["library_id"] = library_id
    current = {k: catalog.meta(k) for k in meta}
    if current != meta:
        catalog.set_meta(meta)


def scan(
    root: str | os.PathLike,
    catalog: Catalog,
    *,
    workers: int = settings.probe_workers,
    progress: Progress | None = None,
    allow_removals: bool = False,
    max_removal_share: float = settings.max_removal_share,
    mount: str | os.PathLike | None = None,
    adopt: bool = False,
) -> ScanReport:
    """Bring ``catalog`` in line with the library under ``root`` (first pass: every song
    searchable and playable; ``analysis.analyse`` measures loudness and channel split after).
    Bad files are reported in ``ScanReport.skipped`` with their reason and never stop the scan.

    Refuses (``guard.LibraryRefused``, nothing written) a root that is missing, holds no
    media file, is unmarked or another library's while the catalog came from a marked one
    (``adopt``: accept it), or is not on ``mount``; refuses (``guard.RemovalsRefused``) a scan
    that would remove more than ``max_removal_share`` of the songs unless ``allow_removals``."""
    root = Path(root)
    facts = root_facts(root, catalog, mount=mount, adopt=adopt)
    check_root(facts)
    root = root.resolve()
    report = ScanReport()
    singer_kinds, problems = read_singer_book(root)
    report.warnings.extend(problems)
    plan = _plan(root, catalog, report, workers)
    check_not_empty(str(root), plan.media_files)
    check_removals(plan.known, len(plan.gone), max_removal_share, allow_removals)
    _mark(root, catalog, facts, report)
    jobs, gone = plan.jobs, plan.gone
    batch: list[CatalogEntry] = []
    total = len(jobs)
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="ktv-probe") as pool:
        for done, (job, entry, warnings, problem) in enumerate(
            pool.map(lambda j: _process(j, singer_kinds), jobs), 1
        ):
            path = str(job.media.path)
            report.warnings.extend(ScanProblem(path, w) for w in warnings)
            if job.facts is None:
                report.probed += 1
            if entry is None:
                reason = problem or "unknown problem"
                report.skipped.append(ScanProblem(path, reason))
                stamp = FileStamp(job.media.size, job.media.mtime_ns)
                report.still_rejected[path] = (stamp, reason)
                if job.kind != "added":
                    gone.add(job.song_id)
            else:
                setattr(report, job.kind, getattr(report, job.kind) + 1)
                batch.append(entry)
                if len(batch) >= settings.scan_batch_songs:
                    catalog.put_entries(batch)
                    batch = []
            if progress:
                progress(done, total, path)
    if batch:
        catalog.put_entries(batch)
    catalog.set_rejected(report.still_rejected)
    if gone:
        report.removed = catalog.remove_songs(sorted(gone))
    return report
