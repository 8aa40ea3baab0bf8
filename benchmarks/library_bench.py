"""The song library as a venue runs it (issue 23): one sub-command per part of the table.

    .venv/bin/python benchmarks/library_bench.py scan                 # the scanner's rows
    .venv/bin/python benchmarks/library_bench.py scan --files 2000 --runs 3 --analyse 60

``scan`` (the scanner: media_index/scan.py, analysis.py):
  * a generated library of real files (ffmpeg) of mixed formats, as a venue has them: MPEG-PS
    ``.mpg``/``.vob`` (MPEG-2 video + two MP2 tracks, ffmpeg's default mux), MKV (H.264 + two
    titled AAC tracks), MP4, AVI (MPEG-4 + MP3) and stereo MP3s. Real durations, but short
    (--seconds, default 30 s a song, not a 4-minute song) so that generating it stays fast:
    a few dozen seed songs are encoded, every other file is a stream copy of a seed cut to
    its own length (distinct content, distinct identity). Cached under
    $TMPDIR/ktv-library-bench between runs.
  * first scan to searchable (fresh catalog, every run): files/s, and 100,000 songs
    EXTRAPOLATED from that rate (the rate per file does not depend on the song's length:
    nothing is decoded);
  * the same first pass as it was before (ffprobe + the whole-file loudness and channel-split
    decode in the scan), on a sample, EXTRAPOLATED the same way;
  * analysis (the background pass, nice 19 / ionice idle): CPU seconds per minute of audio,
    and the time for 100,000 4-minute songs on 2 cores EXTRAPOLATED from it;
  * incremental rescan of the unchanged library (stat-only), measured at --files; and
    MEASURED at --incremental-files (default 100,000): that many 1-byte files named .mp3
    with a catalog whose rows match their size and mtime (built through the bulk import),
    so the rescan walks, stats and compares 100,000 real directory entries.
Medians of --runs runs. The machine's page cache holds the generated files: a NAS adds its
own reading time, shown as "read per file" (bytes the scan read, /proc/self/io).

Other parts of the issue add their own sub-command here (catalog deltas to the rooms:
``delta``; playback per container: ``playback``), each printing its own table.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import container_playback  # benchmarks/, the script's own directory
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from media_index import Catalog
from media_index.analysis import analyse
from media_index.bulk_import import build_catalog
from media_index.model import Song
from media_index.probe import (
    StreamFacts,
    ffprobe,
    measure_loudness,
    measure_stereo_split,
    parse_streams,
)
from media_index.records import CatalogEntry, FileStamp
from media_index.scan import scan, walk

GENERATOR_VERSION = 1
FORMATS = (  # (extension, share of the library): mostly MPEG-PS, like a venue's library
    ("mpg", 40), ("vob", 15), ("mkv", 15), ("mp3", 15), ("mp4", 10), ("avi", 5),
)  # fmt: skip
SEEDS_PER_FORMAT = 8
CUT_STEP_S = 0.12  # each copy of a seed is this much shorter than the one before
TARGET_FIRST_SCAN_S = 15 * 60  # 100,000 songs searchable
TARGET_RESCAN_S = 60  # 100,000 unchanged files
VENUE_SONG_S = 240  # a typical song, for the analysis extrapolation


def bar(verb: str) -> Progress:
    return Progress(
        TextColumn(f"[bold]{verb}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )  # fmt: skip


def cache_root() -> Path:
    return Path(tempfile.gettempdir()) / "ktv-library-bench"


def ffmpeg(*args: str) -> None:
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True, capture_output=True
    )


def _tone(hz: float, seconds: float) -> list[str]:
    return ["-f", "lavfi", "-i", f"sine=frequency={hz}:duration={seconds}:sample_rate=48000"]


def _picture(seconds: float) -> list[str]:
    return ["-f", "lavfi", "-i", f"testsrc=size=352x240:rate=25:duration={seconds}"]


def encode_seed(ext: str, n: int, seconds: float, path: Path) -> None:
    """One real song: a picture and two audio tracks (vocal / accompaniment) where the
    container has them, a stereo pair otherwise."""
    vocal, accomp = 300 + 37 * n, 500 + 23 * n
    two = ["-map", "0:v", "-map", "1:a", "-map", "2:a"]
    if ext in ("mpg", "vob"):
        ffmpeg(*_picture(seconds), *_tone(vocal, seconds), *_tone(accomp, seconds), *two,
               "-c:v", "mpeg2video", "-b:v", "1M", "-c:a", "mp2", "-ac", "2",
               "-f", "vob" if ext == "vob" else "mpeg", str(path))  # fmt: skip
    elif ext == "mkv":
        ffmpeg(*_picture(seconds), *_tone(vocal, seconds), *_tone(accomp, seconds), *two,
               "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-ac", "2",
               "-metadata:s:a:0", "title=原唱", "-metadata:s:a:1", "title=伴唱",
               str(path))  # fmt: skip
    elif ext == "mp4":
        ffmpeg(*_picture(seconds), *_tone(accomp, seconds), "-map", "0:v", "-map", "1:a",
               "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-ac", "2",
               str(path))  # fmt: skip
    elif ext == "avi":
        ffmpeg(*_picture(seconds), *_tone(accomp, seconds), "-map", "0:v", "-map", "1:a",
               "-c:v", "mpeg4", "-c:a", "libmp3lame", "-ac", "2", str(path))  # fmt: skip
    else:  # mp3: accompaniment left, vocal right (左伴右唱)
        ffmpeg(*_tone(accomp, seconds), *_tone(vocal, seconds), "-filter_complex",
               "[0:a][1:a]join=inputs=2:channel_layout=stereo", "-c:a", "libmp3lame",
               "-b:a", "128k", str(path))  # fmt: skip


def cut_copies(seed: Path, cuts: list[tuple[Path, float]]) -> None:
    """Stream copies of ``seed``, each cut to its own length: one ffmpeg run, many outputs."""
    outputs: list[str] = []
    for dest, seconds in cuts:
        muxer = {".vob": ["-f", "vob"], ".mpg": ["-f", "mpeg"]}.get(dest.suffix, [])
        outputs += ["-map", "0", "-c", "copy", "-t", f"{seconds:.2f}", *muxer, str(dest)]
    ffmpeg("-i", str(seed), *outputs)


def generate_library(files: int, seconds: float, workers: int) -> Path:
    """The cached library of ``files`` real songs (built once per size and length)."""
    root = cache_root() / f"library-v{GENERATOR_VERSION}-{files}-{seconds:g}s"
    done = root / ".complete"
    if done.exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    seeds_dir = root.with_name(root.name + "-seeds")
    seeds_dir.mkdir(parents=True, exist_ok=True)
    seeds = {(ext, n): seeds_dir / f"seed{n}.{ext}" for ext, _ in FORMATS
             for n in range(SEEDS_PER_FORMAT)}  # fmt: skip
    total_share = sum(share for _, share in FORMATS)
    plan: list[tuple[Path, Path, float]] = []
    index = 0
    for ext, share in FORMATS:
        count = round(files * share / total_share)
        for i in range(count):
            n, copy = i % SEEDS_PER_FORMAT, i // SEEDS_PER_FORMAT
            folder = root / f"歌手{index % 50:02d}"
            name = f"歌手{index % 50:02d} - 第{index}首歌 ({ext}).{ext}"
            plan.append((seeds[(ext, n)], folder / name, seconds - copy * CUT_STEP_S))
            index += 1
    with bar("encoding seeds") as progress:
        task = progress.add_task("", total=len(seeds))
        with ThreadPoolExecutor(workers) as pool:
            todo = [(ext, n, path) for (ext, n), path in seeds.items() if not path.exists()]
            for _ in pool.map(lambda job: encode_seed(job[0], job[1], seconds, job[2]), todo):
                progress.advance(task)
            progress.update(task, completed=len(seeds))
    by_seed: dict[Path, list[tuple[Path, float]]] = {}
    for seed, dest, length in plan:
        dest.parent.mkdir(parents=True, exist_ok=True)
        by_seed.setdefault(seed, []).append((dest, length))
    with bar("cutting songs") as progress:
        task = progress.add_task("", total=len(plan))
        with ThreadPoolExecutor(workers) as pool:
            jobs = list(by_seed.items())
            done_jobs = pool.map(lambda job: cut_copies(*job) or len(job[1]), jobs)
            for count in done_jobs:
                progress.advance(task, count)
    done.write_text(f"{len(plan)} files\n")
    return root


def stat_only_library(files: int) -> tuple[Path, Path]:
    """``files`` 1-byte ``.mp3`` entries and a catalog whose rows match their stamps: what an
    incremental rescan of an unchanged library has to walk, stat and compare."""
    base = cache_root() / f"stat-only-v{GENERATOR_VERSION}-{files}"
    root, db, done = base / "library", base / "catalog.sqlite", base / ".complete"
    if done.exists():
        return root, db
    shutil.rmtree(base, ignore_errors=True)
    with bar("stat-only files") as progress:
        task = progress.add_task("", total=files)
        for i in range(files):
            folder = root / f"歌手{i // 200:04d}"
            if i % 200 == 0:
                folder.mkdir(parents=True)
            (folder / f"歌手{i // 200:04d} - 第{i}首歌.mp3").write_bytes(b"\0")
            if i % 1000 == 0:
                progress.update(task, completed=i)
        progress.update(task, completed=files)

    def entries() -> Iterator[CatalogEntry]:
        for n, media in enumerate(walk(root)):
            assert not hasattr(media, "reason"), media
            song = Song(f"s{n:020x}", media.path.stem, ("歌手",), str(media.path), duration_ms=1)
            yield CatalogEntry(song, FileStamp(media.size, media.mtime_ns, media.meta_stamp))

    with bar("stat-only catalog") as progress:
        task = progress.add_task("", total=files)
        build_catalog(db, entries(), progress=lambda done: progress.update(task, completed=done))
    done.write_text(f"{files}\n")
    return root, db


@dataclass
class Measured:
    wall_s: float
    cpu_s: float  # this process and its children
    read_bytes: int  # what this process read (rchar): the library's bytes plus the catalog's


def _rchar() -> int:
    with open("/proc/self/io") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("rchar:"))


def measure(run: Callable[[], object]) -> Measured:
    me, kids = resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN

    def cpu() -> float:
        return sum(
            getattr(resource.getrusage(who), f)
            for who in (me, kids)
            for f in ("ru_utime", "ru_stime")
        )

    cpu0, read0, wall0 = cpu(), _rchar(), time.perf_counter()
    run()
    wall = time.perf_counter() - wall0
    return Measured(wall, cpu() - cpu0, _rchar() - read0)


def med(values: list[float]) -> float:
    return statistics.median(values)


def minutes(seconds: float) -> str:
    if seconds >= 3 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 60:.1f} min" if seconds >= 90 else f"{seconds:.1f} s"


Row = tuple[str, str, str, str, str]


def _verdict(seconds: float, target_s: float, target: str) -> str:
    return f"{target}: {'met' if seconds <= target_s else 'MISSED'}"


def first_scans(lib: Path, files: int, db: Path, args: argparse.Namespace) -> list[Row]:
    """First scan of a fresh catalog, then a rescan of the unchanged library, --runs times."""
    firsts, rescans = [], []
    for run in range(args.runs):
        for leftover in (db, Path(f"{db}-wal"), Path(f"{db}-shm"), lib / ".ktv-library.toml"):
            leftover.unlink(missing_ok=True)
        with Catalog(db) as cat, bar(f"first scan {run + 1}/{args.runs}") as progress:
            task = progress.add_task("", total=files)
            reports = []

            def first(cat=cat, progress=progress, task=task, reports=reports) -> None:
                def moved(done: int, total: int, _path: str) -> None:
                    progress.update(task, completed=done, total=total)

                reports.append(scan(lib, cat, workers=args.workers, progress=moved))

            firsts.append(measure(first))
            assert reports[0].added >= files * 0.99, reports[0]
            rescans.append(measure(lambda cat=cat: scan(lib, cat, workers=args.workers)))
    wall = med([m.wall_s for m in firsts])
    rate = files / wall
    at_100k = 100_000 / rate
    cpu_ms = med([m.cpu_s for m in firsts]) / files * 1000
    cpu_100k = 100_000 * cpu_ms / 1000 / 2  # both cores, nothing else running
    load = os.getloadavg()[0]
    read_mb = med([m.read_bytes for m in firsts]) / files / 1e6
    again = med([m.wall_s for m in rescans])
    return [
        (
            f"first scan to searchable, {files:,} real files",
            f"{wall:.1f} s",
            f"{rate:.0f} files/s at load {load:.0f}, {cpu_ms:.1f} ms CPU a file",
            f"{minutes(at_100k)} at this load; {minutes(cpu_100k)} of CPU on 2 cores"
            " (extrapolated)",
            _verdict(min(at_100k, cpu_100k), TARGET_FIRST_SCAN_S, "<= 15 min")
            + ("" if at_100k <= TARGET_FIRST_SCAN_S else " on idle cores"),
        ),
        ("  read per file (from the page cache here; a NAS sends it over the LAN)",
         f"{read_mb:.2f} MB", "", f"{read_mb * 100_000 / 1000:.0f} GB", ""),
        (
            f"incremental rescan, {files:,} unchanged",
            f"{again:.2f} s",
            f"{files / again:,.0f} files/s",
            f"{minutes(100_000 / files * again)} (extrapolated)",
            "",
        ),
    ]  # fmt: skip


def old_probe(path: Path) -> StreamFacts:
    """What the scan did per file before: ffprobe, the split measurement of a single stereo
    track (its first minute), then the whole-file loudness decode."""
    facts = parse_streams(ffprobe(path))
    if len(facts.audio) == 1 and facts.audio[0].channels == 2:
        measure_stereo_split(path)
    measure_loudness(path, 1 if len(facts.audio) > 1 else 0)
    return facts


def before(lib: Path, args: argparse.Namespace) -> list[Row]:
    """The first pass as it was: ffprobe, then the whole-file decode, in the scan."""
    every = sorted(p for p in lib.rglob("*.*") if not p.name.startswith("."))
    sample = every[:: max(1, len(every) // args.before_sample)][: args.before_sample]
    with ThreadPoolExecutor(args.workers) as pool:
        old = measure(lambda: list(pool.map(old_probe, sample)))
    rate = len(sample) / old.wall_s
    return [
        (
            f"before: ffprobe + whole decode in the scan, {len(sample)}-file sample",
            f"{old.wall_s:.1f} s",
            f"{rate:.1f} files/s",
            f"{minutes(100_000 / rate)} for {args.seconds:g} s songs (extrapolated)",
            "",
        )
    ]


def analysis(db: Path, args: argparse.Namespace) -> list[Row]:
    """The second pass on a slice of the catalog, as the background analyser runs it."""
    with Catalog(db) as cat:
        chosen = cat.pending_analysis(args.analyse)  # what analyse() takes next
        audio_s = sum(cat.get(p.song_id).duration_ms for p in chosen) / 1000
        with bar("analysing") as progress:
            task = progress.add_task("", total=len(chosen))
            reports = []

            def second() -> None:
                reports.append(
                    analyse(
                        cat,
                        workers=args.analysis_workers,
                        limit=args.analyse,
                        low_priority=not args.full_priority,
                        progress=lambda done, _t, _p: progress.update(task, completed=done),
                    )
                )

            m = measure(second)
    assert reports[0].analysed == len(chosen), reports[0]
    per_audio_min = m.cpu_s / (audio_s / 60)
    at_100k = 100_000 * VENUE_SONG_S / 60 * per_audio_min / 2  # both cores, nothing else
    nice = "" if args.full_priority else ", nice 19"
    return [
        (
            f"analysis, {len(chosen)} songs ({audio_s / 60:.0f} min of audio), "
            f"{args.analysis_workers} workers{nice}",
            f"{m.wall_s:.1f} s",
            f"{per_audio_min:.2f} s CPU per minute of audio",
            f"{minutes(at_100k)} for 4-min songs, 2 idle cores (extrapolated)",
            "",
        )
    ]


def stat_only_rescans(work: Path, args: argparse.Namespace) -> list[Row]:
    n = args.incremental_files
    root, template = stat_only_library(n)
    times, unchanged = [], 0
    for run in range(args.runs):
        mine = work / f"stat-only-{run}.sqlite"
        shutil.copy(template, mine)
        with Catalog(mine) as cat:
            times.append(measure(lambda cat=cat: scan(root, cat)))
            unchanged = scan(root, cat).unchanged
    wall = med([t.wall_s for t in times])
    at_100k = 100_000 / n * wall
    how = "measured" if n == 100_000 else "extrapolated"
    return [
        (
            f"incremental rescan, {n:,} unchanged (stat-only entries, {unchanged:,} unchanged)",
            f"{wall:.1f} s",
            f"{n / wall:,.0f} files/s",
            f"{minutes(at_100k)} ({how})",
            _verdict(at_100k, TARGET_RESCAN_S, "<= 60 s"),
        )
    ]


def cmd_scan(args: argparse.Namespace) -> int:
    lib = generate_library(args.files, args.seconds, args.workers)
    files = sum(1 for p in lib.rglob("*") if p.is_file() and not p.name.startswith("."))
    work = Path(tempfile.mkdtemp(prefix="ktv-library-bench-"))
    try:
        db = work / "catalog.sqlite"
        rows = first_scans(lib, files, db, args)
        rows += before(lib, args)
        rows += analysis(db, args)
        if args.incremental_files:
            rows += stat_only_rescans(work, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load = os.getloadavg()[0]
    print(
        f"\nlibrary_bench scan: {files:,} files ({args.seconds:g} s songs, mixed formats), "
        f"{args.workers} probe workers, median of {args.runs} runs, load {load:.1f}\n"
    )
    print("| measure | median | rate | 100,000 songs | target |")
    print("|---|---:|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="part", required=True)
    sp = sub.add_parser("scan", help="the scanner: first scan, analysis, incremental rescans")
    sp.add_argument("--files", type=int, default=2000, help="real files in the library")
    sp.add_argument("--seconds", type=float, default=30.0, help="length of a song")
    sp.add_argument("--runs", type=int, default=3)
    sp.add_argument("--workers", type=int, default=2, help="probe workers (and generation)")
    sp.add_argument("--analyse", type=int, default=40, help="songs analysed for the rate")
    sp.add_argument("--analysis-workers", type=int, default=2)
    sp.add_argument("--full-priority", action="store_true", help="analysis without nice")
    sp.add_argument("--before-sample", type=int, default=30, help="files probed the old way")
    sp.add_argument("--incremental-files", type=int, default=100_000, help="0: skip")
    sp.set_defaults(run=cmd_scan)
    container_playback.add_parser(sub)
    # catalog deltas to the rooms add their sub-command here
    args = ap.parse_args()
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
