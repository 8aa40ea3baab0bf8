"""Search benchmark: a synthetic catalog (default 1,000,000 songs), then query latency per
query form. Prints build time, file size and p50/p99 per form; and a 100k metadata import.

    .venv/bin/python benchmarks/search_bench.py                 # 1M songs (several minutes)
    .venv/bin/python benchmarks/search_bench.py --songs 100000  # smaller

Titles and singers are drawn from GB2312 level-1 characters with a Zipf-like frequency and a
realistic length distribution, plus English titles/bands from a word list; pinyin readings
come from the per-character cache (phrase_aware=False) so generation stays fast.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from media_index import Catalog, CatalogEntry, FileStamp, Song
from media_index.search_keys import readings

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
WORDS = [
    "love",
    "heart",
    "night",
    "day",
    "time",
    "life",
    "world",
    "dream",
    "rain",
    "fire",
    "light",
    "star",
    "sky",
    "sun",
    "moon",
    "home",
    "road",
    "baby",
    "girl",
    "boy",
    "man",
    "woman",
    "song",
    "dance",
    "party",
    "summer",
    "winter",
    "spring",
    "blue",
    "red",
    "gold",
    "silver",
    "forever",
    "never",
    "always",
    "only",
    "one",
    "two",
    "three",
    "tonight",
    "tomorrow",
    "yesterday",
    "again",
    "alone",
    "together",
    "crazy",
    "wild",
    "free",
    "young",
    "old",
    "new",
    "last",
    "first",
    "little",
    "big",
    "sweet",
    "bitter",
    "broken",
    "golden",
    "hello",
    "goodbye",
    "remember",
    "forget",
    "believe",
    "feel",
    "want",
    "need",
    "know",
    "stay",
    "go",
    "run",
    "fly",
    "fall",
    "rise",
    "shine",
    "kiss",
    "touch",
    "hold",
    "cry",
    "smile",
    "happy",
    "sad",
    "lonely",
    "beautiful",
    "perfect",
    "river",
    "ocean",
    "sea",
    "mountain",
    "city",
    "street",
    "door",
    "window",
    "fight",
    "hope",
    "angel",
    "devil",
    "heaven",
    "hell",
    "paradise",
    "memory",
    "story",
    "secret",
    "magic",
    "wonder",
    "thunder",
    "storm",
    "wind",
    "snow",
    "ice",
    "flower",
    "rose",
    "garden",
    "king",
    "queen",
]
BAND_SUFFIX = ("Band", "Boys", "Girls", "Project", "Brothers", "Sisters", "Club", "Crew")


def han_pool() -> list[str]:
    pool = []
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                ch = bytes([hi, lo]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            pool.append(ch)
    return pool


class Generator:
    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.chars = han_pool()
        self.rng.shuffle(self.chars)
        # Zipf-ish: character k drawn with weight 1/(k+10)
        self.weights = [1.0 / (k + 10) for k in range(len(self.chars))]
        self.cum = list(_accumulate(self.weights))

    def han(self, n: int) -> str:
        return "".join(self.rng.choices(self.chars, cum_weights=self.cum, k=n))

    def artists(self, count: int) -> list[str]:
        out = []
        for _ in range(count):
            r = self.rng.random()
            if r < 0.72:
                out.append(self.rng.choice(SURNAMES) + self.han(self.rng.choice((1, 2, 2, 2))))
            elif r < 0.80:
                out.append(self.han(self.rng.choice((2, 3, 4))) + "乐队")
            elif r < 0.92:
                first, last = self.rng.sample(WORDS, 2)
                out.append(f"{first.title()} {last.title()}")
            else:
                out.append(f"The {self.rng.choice(WORDS).title()} {self.rng.choice(BAND_SUFFIX)}")
        return list(dict.fromkeys(out))

    def title(self) -> str:
        if self.rng.random() < 0.7:
            n = self.rng.choices(range(1, 13), weights=(2, 12, 14, 20, 16, 12, 9, 6, 4, 2, 2, 1))[0]
            return self.han(n)
        n = self.rng.choices(range(1, 7), weights=(15, 30, 25, 15, 10, 5))[0]
        return " ".join(w.title() for w in self.rng.choices(WORDS, k=n))


def _accumulate(ws):
    total = 0.0
    for w in ws:
        total += w
        yield total


def entries(gen: Generator, count: int, artists: list[str], start: int = 0):
    rng = gen.rng
    for i in range(start, start + count):
        title = gen.title()
        singer = artists[min(int(rng.paretovariate(0.9)) - 1, len(artists) - 1) % len(artists)]
        singer = artists[rng.randrange(len(artists))] if rng.random() < 0.5 else singer
        lang = "english" if title.isascii() else rng.choice(("mandarin",) * 6 + ("cantonese",))
        yield CatalogEntry(
            Song(f"s{i:08d}", title, (singer,), f"/songs/{i:08d}.mkv", language=lang),
            FileStamp(1, 1),
            base_popularity=int(rng.paretovariate(1.2) * 3),
        )


def build(path: Path, count: int, *, phrase_aware: bool, batch: int = 5000) -> tuple[float, float]:
    """Import ``count`` synthetic songs; returns (wall seconds, CPU seconds of this process)."""
    gen = Generator()
    artists = gen.artists(max(100, count // 20))
    started = time.perf_counter()
    cpu = time.process_time()
    with Catalog(path, pinyin_phrases=phrase_aware) as cat:
        done = 0
        while done < count:
            n = min(batch, count - done)
            cat.put_entries(list(entries(gen, n, artists, done)))
            done += n
            if done % 100_000 == 0 or done == count:
                rate = done / (time.perf_counter() - started)
                print(f"  {done:>9,} songs  {rate:,.0f}/s", file=sys.stderr)
    return time.perf_counter() - started, time.process_time() - cpu


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
    han_titles = [t for t, _ in rows if not t.isascii() and len(t) >= 3]
    latin_titles = [t for t, _ in rows if t.isascii()]
    forms: dict[str, list[str]] = {"initials": [], "full pinyin": [], "chinese 1 char": [],
                                   "chinese 3 chars": [], "english": []}  # fmt: skip
    for t in han_titles[:per_form]:
        syl = readings(t, phrase_aware=False)[0]
        forms["initials"].append("".join(s[0] for s in syl[: rng.choice((2, 3, 3, 4))]))
        forms["full pinyin"].append("".join(syl[: rng.choice((2, 2, 3))]))
        forms["chinese 1 char"].append(rng.choice(t))
        i = rng.randrange(0, len(t) - 2)
        forms["chinese 3 chars"].append(t[i : i + 3])
    for t in latin_titles[:per_form]:
        words = t.lower().split()
        w = rng.choice(words)
        forms["english"].append(w if rng.random() < 0.6 else " ".join(words[:2]))
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--songs", type=int, default=1_000_000)
    ap.add_argument(
        "--import-songs", type=int, default=100_000, help="songs for the import timing (0 = skip)"
    )
    ap.add_argument(
        "--import-phrases",
        action="store_true",
        help="also time an import that orders title readings by the phrase dictionary",
    )
    ap.add_argument("--queries", type=int, default=300, help="queries per form")
    ap.add_argument("--reuse", action="store_true", help="query an already built catalog")
    ap.add_argument(
        "--replicate-to",
        type=int,
        default=0,
        help="grow the built catalog to this many songs by copying its rows in SQL "
        "(new ids, paths and popularity; same titles): a fast way to 1M for latency",
    )
    ap.add_argument("--dir", default=None, help="where to write (default: a temp dir)")
    args = ap.parse_args()
    workdir = Path(args.dir or tempfile.mkdtemp(prefix="ktv-search-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"# ktv search benchmark: {os.cpu_count()} CPUs, {workdir}")

    if args.import_songs:
        imp = workdir / "import.sqlite"
        rows = []
        print(f"metadata import of {args.import_songs:,} songs ...", file=sys.stderr)
        for phrases in (False, True) if args.import_phrases else (False,):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{imp}{suffix}").unlink(missing_ok=True)
            wall, cpu = build(imp, args.import_songs, phrase_aware=phrases)
            rows.append((phrases, wall, cpu))
        print("\n| metadata import (put_entries) | songs | wall s | CPU s | songs/s (wall) |")
        print("|---|---:|---:|---:|---:|")
        for phrases, wall, cpu in rows:
            mode = "titles by phrase dictionary" if phrases else "default (per-character)"
            print(f"| {mode} | {args.import_songs:,} | {wall:.1f} | {cpu:.1f} | "
                  f"{args.import_songs / wall:,.0f} |")  # fmt: skip
        for suffix in ("", "-wal", "-shm"):
            Path(f"{imp}{suffix}").unlink(missing_ok=True)

    db = workdir / "bench.sqlite"
    if not (args.reuse and db.exists()):
        build_catalog(db, args.songs)
    if args.replicate_to:
        db = replicate(db, args.replicate_to)
    with Catalog(db, readonly=True) as cat:
        total = cat.stats().songs
    forms = queries(db, args.queries)
    print(f"\n{total:,} songs; per query form (limit 20, first page):")
    print("\n| query form | queries | p50 ms | p99 ms | p50 CPU ms | p99 CPU ms | median total |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, n, p50, p99, c50, c99, total in measure(db, forms):
        print(f"| {name} | {n} | {p50:.2f} | {p99:.2f} | {c50:.2f} | {c99:.2f} | {total:,.0f} |")
    print(
        "(wall = what a guest waits on this shared machine; CPU = the query's own work;"
        " totals stop at settings.search_count_cap)"
    )
    print("\nexamples:", {k: v[:4] for k, v in forms.items()})
    return 0


def replicate(db: Path, target: int) -> Path:
    """A copy of ``db`` grown to ``target`` songs by repeating its rows under new ids."""
    out = db.with_name(f"replicated-{target}.sqlite")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{out}{suffix}").unlink(missing_ok=True)
    started, cpu = time.perf_counter(), time.process_time()
    with Catalog(db) as cat:
        cat._conn.execute("VACUUM INTO ?", (str(out),))
    with Catalog(out) as cat:
        conn = cat._conn
        cols = [r[1] for r in conn.execute("PRAGMA table_info(song)")]
        base = conn.execute("SELECT max(id) FROM song").fetchone()[0]
        copy = 0
        while (have := conn.execute("SELECT count(*) FROM song").fetchone()[0]) < target:
            copy += 1
            n = min(base, target - have)
            off, bump = copy * base, copy * 13
            sel = {"id": f"id + {off}", "song_id": f"song_id || '-{copy}'",
                   "path": f"path || '-{copy}'", "popularity": f"popularity + {bump}"}  # fmt: skip
            conn.execute("BEGIN")
            conn.execute(
                f"INSERT INTO song ({', '.join(cols)}) SELECT "
                f"{', '.join(sel.get(c, c) for c in cols)} FROM song WHERE id <= ?",
                (n,),
            )
            conn.execute(
                f"INSERT INTO song_key SELECT key, tier, pop + {bump}, song + {off} "
                "FROM song_key WHERE song <= ?",
                (n,),
            )
            conn.execute(
                f"INSERT INTO song_artist SELECT song + {off}, singer, position "
                "FROM song_artist WHERE song <= ?",
                (n,),
            )
            conn.execute("COMMIT")
            print(f"  replicated to {have + n:,} songs", file=sys.stderr)
        conn.execute(
            "UPDATE singer SET song_count = (SELECT count(*) FROM song_artist WHERE singer = id)"
        )
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("ANALYZE")
    size_mb = out.stat().st_size / 1e6
    print("\n| replicated catalog | songs | wall s | CPU s | file MB |\n|---|---:|---:|---:|---:|")
    print(f"| {db.name} x copies | {target:,} | {time.perf_counter() - started:.1f} | "
          f"{time.process_time() - cpu:.1f} | {size_mb:,.0f} |")  # fmt: skip
    return out


def build_catalog(db: Path, songs: int) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    print(f"building {songs:,} songs ...", file=sys.stderr)
    secs, cpu = build(db, songs, phrase_aware=False)
    with Catalog(db) as cat:
        cat._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cat._conn.execute("ANALYZE")
    size_mb = db.stat().st_size / 1e6
    print("\n| catalog | songs | build wall s | build CPU s | file MB |\n|---|---:|---:|---:|---:|")
    print(f"| synthetic | {songs:,} | {secs:.1f} | {cpu:.1f} | {size_mb:,.0f} |")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    sys.exit(main())
