"""Synthetic song catalogs for benchmarks: distinct songs with a realistic shape, built through
the real import path (``media_index.bulk_import.build_catalog``) and cached on disk.

Shape: 70% Chinese titles of 1-12 characters (GB2312 level-1 characters with Zipf-like
frequencies, one title in ten forced to carry a polyphonic character such as 重/长/行/乐),
25% English titles of 1-6 words, 5% mixed (爱 Love 重逢); one in twenty gets a version note
"(Live)"/"(DJ版)". A few thousand singers (Chinese names, bands, English names), songs per
singer heavy-tailed. Every (title, singer) pair is distinct. Same seed, same catalog.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from media_index import CatalogEntry, FileStamp, Song
from media_index.bulk_import import build_catalog
from media_index.schema import SCHEMA_VERSION

GENERATOR_VERSION = 2  # bump when the songs generated for a seed change

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
POLYPHONES = "重长行乐还得了着地都和差发好看少为调数传倒空便相落"
_WORDS_TEXT = """
love heart night day time life world dream rain fire light star sky sun
moon home road baby girl boy man woman song dance party summer winter spring
blue red gold silver forever never always only one two three tonight tomorrow yesterday
again alone together crazy wild free young old new last first little big sweet
bitter broken golden hello goodbye remember forget believe feel want need know stay go
run fly fall rise shine kiss touch hold cry smile happy sad lonely beautiful
perfect river ocean sea mountain city street door window fight hope angel devil heaven
hell paradise memory story secret magic wonder thunder storm wind snow ice flower rose
garden king queen
"""
WORDS = _WORDS_TEXT.split()
BAND_SUFFIX = ("Band", "Boys", "Girls", "Project", "Brothers", "Sisters", "Club", "Crew")
VERSIONS = ("(Live)", "(DJ版)", "(Remix)", "(伴奏版)")


def han_pool() -> list[str]:
    """GB2312 level-1 characters (the 3,755 common ones)."""
    pool = []
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                pool.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return pool


class SongMaker:
    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.chars = han_pool()
        self.rng.shuffle(self.chars)
        self.cum = list(accumulate(1.0 / (k + 10) for k in range(len(self.chars))))

    def han(self, n: int) -> str:
        return "".join(self.rng.choices(self.chars, cum_weights=self.cum, k=n))

    def singers(self, count: int) -> list[str]:
        rng, out = self.rng, set()
        while len(out) < count:
            r = rng.random()
            if r < 0.72:
                out.add(rng.choice(SURNAMES) + self.han(rng.choice((1, 2, 2, 2))))
            elif r < 0.80:
                out.add(self.han(rng.choice((2, 3, 4))) + "乐队")
            elif r < 0.92:
                first, last = rng.sample(WORDS, 2)
                out.add(f"{first.title()} {last.title()}")
            else:
                out.add(f"The {rng.choice(WORDS).title()} {rng.choice(BAND_SUFFIX)}")
        ordered = sorted(out)
        rng.shuffle(ordered)  # the popular singers are any kind of singer
        return ordered

    def title(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.70:
            n = rng.choices(range(1, 13), weights=(2, 12, 14, 20, 16, 12, 9, 6, 4, 2, 2, 1))[0]
            title = self.han(n)
            if rng.random() < 0.1:  # a polyphonic character somewhere
                i = rng.randrange(len(title))
                title = title[:i] + rng.choice(POLYPHONES) + title[i + 1 :]
        elif r < 0.95:
            n = rng.choices(range(1, 7), weights=(15, 30, 25, 15, 10, 5))[0]
            title = " ".join(w.title() for w in rng.choices(WORDS, k=n))
        else:
            title = f"{self.han(rng.choice((1, 2)))} {rng.choice(WORDS).title()} {self.han(2)}"
        if rng.random() < 0.05:
            title += " " + rng.choice(VERSIONS)
        return title


def songs(count: int, seed: int = 7) -> Iterator[CatalogEntry]:
    """``count`` distinct synthetic songs (a few thousand singers)."""
    maker = SongMaker(seed)
    rng = maker.rng
    singers = maker.singers(max(100, min(8000, 2000 + count // 250)))
    # Zipf-like: the top singer has ~1% of the songs, most singers a handful
    cum = list(accumulate(1.0 / (k + 20) for k in range(len(singers))))
    seen: set[int] = set()
    made = 0
    while made < count:
        title = maker.title()
        singer = rng.choices(singers, cum_weights=cum)[0]
        pair = hash((title, singer))
        if pair in seen:
            continue
        seen.add(pair)
        lang = "english" if title.isascii() else rng.choice(("mandarin",) * 6 + ("cantonese",))
        yield CatalogEntry(
            Song(f"s{made:08d}", title, (singer,), f"/songs/{made:08d}.mkv", language=lang),
            FileStamp(1, 1),
            base_popularity=int(rng.paretovariate(1.2) * 3),
        )
        made += 1


@dataclass(frozen=True)
class BuiltCatalog:
    path: Path
    songs: int
    wall_s: float  # 0 when it came from the cache
    cpu_s: float  # this process (the writer)
    worker_cpu_s: float  # the key-building worker process
    cached: bool


def cache_dir() -> Path:
    return Path(tempfile.gettempdir()) / "ktv-bench-cache"


def cached_catalog(count: int, *, seed: int = 7, workers: int = 1, fresh: bool = False):
    """The synthetic catalog of ``count`` songs, built once per generator/schema version."""
    import resource

    path = (
        cache_dir()
        / f"songs-{count}-seed{seed}-gen{GENERATOR_VERSION}-schema{SCHEMA_VERSION}.sqlite"
    )
    if path.exists() and not fresh:
        return BuiltCatalog(path, count, 0.0, 0.0, 0.0, True)
    path.parent.mkdir(parents=True, exist_ok=True)
    t0, c0 = time.perf_counter(), time.process_time()
    k0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    step = max(count // 20, 1)

    def progress(done: int) -> None:
        if done % step < 5000 or done == count:
            rate = done / (time.perf_counter() - t0)
            print(f"  {done:>9,} / {count:,} songs  {rate:,.0f}/s", file=sys.stderr, flush=True)

    build_catalog(path, songs(count, seed), workers=workers, progress=progress)
    k1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu = (k1.ru_utime + k1.ru_stime) - (k0.ru_utime + k0.ru_stime)
    return BuiltCatalog(
        path, count, time.perf_counter() - t0, time.process_time() - c0, worker_cpu, False
    )
