"""Search benchmark: a synthetic catalog of 1,000,000 distinct songs built through the real
import path (cached between runs), then query latency per query form; and the 100k-song
metadata import timed on its own.

    .venv/bin/python benchmarks/search_bench.py                  # 1M songs (first run builds)
    .venv/bin/python benchmarks/search_bench.py --songs 100000   # smaller
    .venv/bin/python benchmarks/search_bench.py --import-songs 0 --runs 5

The catalog is cached under $TMPDIR/ktv-bench-cache, keyed by song count, seed, generator
version and schema version (see synthetic_songs.py). "wall" is what a guest waits on this
shared machine; "CPU" is the query's own work (time.thread_time). Percentiles are the
median over --runs runs.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_songs import cached_catalog, songs

from media_index import Catalog
from media_index.bulk_import import build_catalog
from media_index.search_keys import readings


def queries(path: Path, per_form: int, seed: int = 11) -> dict[str, list[str]]:
    rng = random.Random(seed)
    with Catalog(path, readonly=True) as cat:
        conn = cat._conn
        n = conn.execute("SELECT max(id) FROM song").fetchone()[0]
        rows = []
        while len(rows) < per_form * 6:
            r = conn.execute(
                "SELECT title, artists FROM song WHERE id = ?", (rng.randrange(1, n + 1),)
            ).fetchone()
            if r:
                rows.append(r)
    han_titles = [t for t, _ in rows if len(t) >= 3 and all("\u4e00" <= c <= "\u9fff" for c in t)]
    latin_titles = [t for t, _ in rows if t.isascii() and "(" not in t]
    forms: dict[str, list[str]] = {"initials": [], "full pinyin": [], "chinese 1 char": [],
                                   "chinese 3 chars": [], "english 1 word": [],
                                   "english 2-3 words": [],
                                   "english word fragment": []}  # fmt: skip
    for t in han_titles[:per_form]:
        syl = readings(t, phrase_aware=False)[0]
        forms["initials"].append("".join(s[0] for s in syl[: rng.choice((2, 3, 3, 4))]))
        forms["full pinyin"].append("".join(syl[: rng.choice((2, 2, 3))]))
        forms["chinese 1 char"].append(rng.choice(t))
        i = rng.randrange(0, len(t) - 2)
        forms["chinese 3 chars"].append(t[i : i + 3])
    for t in latin_titles:
        words = t.lower().split()
        if len(forms["english 1 word"]) < per_form:
            forms["english 1 word"].append(rng.choice(words))
        if len(words) >= 2 and len(forms["english 2-3 words"]) < per_form:
            i = rng.randrange(0, len(words) - 1)
            typed = " ".join(words[i : i + rng.choice((2, 2, 3))])
            if rng.random() < 0.3:  # still typing the last word
                typed = typed[: len(typed) - rng.randrange(0, 3)]
            forms["english 2-3 words"].append(typed)
        long_words = [w for w in words if len(w) >= 5]
        if long_words and len(forms["english word fragment"]) < per_form:
            w = rng.choice(long_words)  # from inside a word: "eart", "ight"
            forms["english word fragment"].append(w[1 : rng.randrange(4, len(w) + 1)])
    return forms


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def measure(path: Path, forms: dict[str, list[str]], limit: int = 20) -> list[tuple]:
    out = []
    with Catalog(path, readonly=True) as cat:
        for name, qs in forms.items():
            for q in qs[:20]:
                cat.search(q, limit=limit)  # warm the page cache
            times, cpu, totals = [], [], []
            for q in qs:
                t0, c0 = time.perf_counter(), time.thread_time()
                page = cat.search(q, limit=limit)
                cpu.append((time.thread_time() - c0) * 1000)
                times.append((time.perf_counter() - t0) * 1000)
                totals.append(page.total)
            out.append((name, len(qs), _pct(times, 0.5), _pct(times, 0.99), _pct(cpu, 0.5),
                        _pct(cpu, 0.99), statistics.median(totals)))  # fmt: skip
    return out


def import_timing(count: int, workers: tuple[int, ...]) -> None:
    """Time a metadata import of ``count`` songs into a new catalog (entries made up front)."""
    entries = list(songs(count, seed=99))
    print(f"\n| metadata import, {count:,} songs | wall s | CPU s (writer) | CPU s (worker) "
          "| songs/s (wall) |\n|---|---:|---:|---:|---:|")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="ktv-import-bench-") as d:
        for w in workers:
            db = Path(d) / f"import-{w}.sqlite"
            k0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0, c0 = time.perf_counter(), time.process_time()
            if w < 0:  # the plain path: put_entries batches into a WAL catalog
                with Catalog(db) as cat:
                    for i in range(0, count, 5000):
                        cat.put_entries(entries[i : i + 5000])
                label = "put_entries batches (WAL, no worker)"
            else:
                build_catalog(db, entries, workers=w)
                label = f"build_catalog, {w} worker process{'es' if w != 1 else ''}"
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            k1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            worker = (k1.ru_utime + k1.ru_stime) - (k0.ru_utime + k0.ru_stime)
            print(f"| {label} | {wall:.1f} | {cpu:.1f} | {worker:.1f} | {count / wall:,.0f} |")
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--songs", type=int, default=1_000_000)
    ap.add_argument("--import-songs", type=int, default=100_000, help="0 = skip the import timing")
    ap.add_argument("--import-plain", action="store_true",
                    help="also time the plain put_entries path (slow)")  # fmt: skip
    ap.add_argument("--queries", type=int, default=300, help="queries per form")
    ap.add_argument("--runs", type=int, default=3, help="query runs (medians are reported)")
    ap.add_argument("--rebuild", action="store_true", help="ignore the cached catalog")
    args = ap.parse_args()
    print(f"# ktv search benchmark: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")

    if args.import_songs:
        import_timing(args.import_songs, ((-1,) if args.import_plain else ()) + (0, 1))

    built = cached_catalog(args.songs, fresh=args.rebuild)
    size_mb = built.path.stat().st_size / 1e6
    print("\n| catalog | songs | build wall s | CPU s (writer) | CPU s (worker) | file MB |")
    print("|---|---:|---:|---:|---:|---:|")
    how = "cached" if built.cached else f"{built.wall_s:.0f}"
    print(f"| synthetic, distinct songs | {built.songs:,} | {how} | {built.cpu_s:.0f} | "
          f"{built.worker_cpu_s:.0f} | {size_mb:,.0f} |")  # fmt: skip
    print(f"({built.path})")

    forms = queries(built.path, args.queries)
    runs = [measure(built.path, forms) for _ in range(args.runs)]
    print(f"\n{built.songs:,} songs; {args.queries} queries per form, first page of 20, "
          f"median of {args.runs} runs:")  # fmt: skip
    print("\n| query form | p50 ms | p99 ms | p50 CPU ms | p99 CPU ms | median total |")
    print("|---|---:|---:|---:|---:|---:|")
    for i, name in enumerate(forms):
        cols = [statistics.median(run[i][k] for run in runs) for k in range(2, 7)]
        p50, p99, c50, c99, total = cols
        print(f"| {name} | {p50:.2f} | {p99:.2f} | {c50:.2f} | {c99:.2f} | {total:,.0f} |")
    print(f"(load average {os.getloadavg()[0]:.1f}; totals stop at settings.search_count_cap)")
    print("\nexamples:", {k: v[:4] for k, v in forms.items()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
