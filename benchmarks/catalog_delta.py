"""Catalog versions to a room, measured: publish, delta build, and what a room fetches over
real gRPC on loopback (the controller's link servicer, the agent's fetcher and keeper).

    .venv/bin/python benchmarks/catalog_delta.py                 # 100,000 songs, 500 new
    .venv/bin/python benchmarks/catalog_delta.py --songs 20000 --new 500

Rows: the whole file to a room that has none (download + SHA-256 + swap), and the delta of
the new songs to a room one version behind (download + apply to a copy + swap). The 100k
catalog comes from ``synthetic_songs.cached_catalog`` (built once, cached in
$TMPDIR/ktv-bench-cache); the new songs are distinct synthetic songs of another seed. Seconds
are wall time on this machine (2 cores, shared), medians of ``--runs``.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import grpc
from synthetic_songs import cached_catalog, songs

from controller.api.link import RoomLinkServicer, catalog_offer_pb
from controller.catalog_publish import CatalogOfferView, CatalogPublisher
from ktv.v1 import link_pb2_grpc
from media_index import Catalog, CatalogEntry
from media_index.model import Song
from media_index.schema import SCHEMA_VERSION
from room_agent.library.catalog_keeper import CatalogKeeper
from room_agent.link.catalog_fetch import CatalogFetcher


def _say(text: str) -> None:
    print(f"[catalog_delta] {text}", file=sys.stderr, flush=True)


def _new_songs(count: int) -> list[CatalogEntry]:
    out = []
    for n, entry in enumerate(songs(count, seed=90_001)):
        song = entry.song
        fresh = Song(f"new-{n:06d}", song.title, song.artists, f"new/{n}.mkv", song.language)
        out.append(CatalogEntry(fresh, entry.stamp))
    return out


async def _fetch(
    publisher: CatalogPublisher, keeper: CatalogKeeper, offer: CatalogOfferView
) -> tuple[int, float, str]:
    server = grpc.aio.server()
    link_pb2_grpc.add_RoomLinkServiceServicer_to_server(
        RoomLinkServicer(None, "bench", publisher),  # type: ignore[arg-type]
        server,
    )
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = link_pb2_grpc.RoomLinkServiceStub(channel)
            fetcher = CatalogFetcher("B01", keeper)
            started = time.perf_counter()
            label = await fetcher.take(catalog_offer_pb(offer), stub)
            return fetcher.bytes_fetched, time.perf_counter() - started, label
    finally:
        await server.stop(None)


class Searcher:
    """A guest typing on the room's touchscreen: a search every 50 ms on the live copy."""

    QUERIES = ("zjl", "ai", "love", "wo de", "心", "xin", "the b", "ight")

    def __init__(self, path: Path) -> None:
        self.catalog = Catalog(path, readonly=True)
        self.ms: list[float] = []
        self.versions: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        n = 0
        while not self._stop.is_set():
            started = time.perf_counter()
            self.catalog.search(self.QUERIES[n % len(self.QUERIES)], limit=20)
            self.ms.append((time.perf_counter() - started) * 1000)
            self.versions.add(self.catalog.version)
            n += 1
            self._stop.wait(0.05)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)
        self.catalog.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--songs", type=int, default=100_000)
    ap.add_argument("--new", type=int, default=500)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    built = cached_catalog(args.songs)
    _say(f"{args.songs:,}-song catalog: {built.path} ({'cached' if built.cached else 'built'})")
    work = Path(tempfile.mkdtemp(prefix="ktv-catalog-delta-"))
    try:
        master_path = work / "master.sqlite"
        shutil.copy(built.path, master_path)
        master = Catalog(master_path)
        publisher = CatalogPublisher(master, work / "ctl")
        _say("publishing v1 (VACUUM INTO, SHA-256)")
        t = time.perf_counter()
        v1 = publisher.publish()
        publish_s = time.perf_counter() - t
        _say(f"adding {args.new} new songs, publishing v2 (with the delta from v1)")
        master.put_entries(_new_songs(args.new))
        t = time.perf_counter()
        v2 = publisher.publish()
        publish_delta_s = time.perf_counter() - t
        delta = publisher.versions.delta(v1.number, v2.number)

        full_runs, delta_runs = [], []
        search_ms: list[float] = []
        for run in range(args.runs):
            _say(f"run {run + 1}/{args.runs}: whole file to an empty room")
            room = work / f"room-{run}"
            keeper = CatalogKeeper(room / "catalog.db")
            # the room gets v1 whole (as a room with no catalog would), then v2 as a delta
            full_runs.append(asyncio.run(_fetch(publisher, keeper, CatalogOfferView(v1, ()))))
            _say(f"run {run + 1}/{args.runs}: delta v1 -> v2")
            latest = publisher.offer_for(SCHEMA_VERSION)
            searcher = Searcher(keeper.path)
            try:
                delta_runs.append(asyncio.run(_fetch(publisher, keeper, latest)))
                time.sleep(0.5)  # a few searches on the new version
            finally:
                searcher.stop()
            assert len(searcher.versions) == 2, searcher.versions
            search_ms.extend(searcher.ms)
            assert delta_runs[-1][2] == "v2", delta_runs[-1]
            with Catalog(keeper.path, readonly=True) as cat:
                assert cat.get("new-000000").song_id == "new-000000"
            shutil.rmtree(room)
        master.close()

        def row(name: str, runs: list[tuple[int, float, str]]) -> str:
            sent = runs[0][0]
            secs = statistics.median(r[1] for r in runs)
            return f"| {name} | {sent:,} | {sent / 2**20:.1f} | {secs:.2f} |"

        print()
        print(f"catalog of {args.songs:,} songs; v2 adds {args.new} songs")
        print()
        print("| to a room | bytes sent | MiB | seconds (median) |")
        print("|---|---:|---:|---:|")
        print(row(f"whole file, {v1.songs:,} songs (download + SHA-256 + swap)", full_runs))
        print(row(f"delta of {args.new} new songs (download + apply + swap)", delta_runs))
        ordered = sorted(search_ms)
        print()
        print(
            f"searches on the room's live copy every 50 ms during the delta's download, apply "
            f"and swap: {len(ordered)}, p50 {ordered[len(ordered) // 2]:.1f} ms, "
            f"p99 {ordered[int(len(ordered) * 0.99)]:.1f} ms, max {ordered[-1]:.1f} ms"
        )
        print()
        print("| controller side | seconds |")
        print("|---|---:|")
        print(f"| publish v1 ({v1.size / 2**20:.0f} MiB file, SHA-256) | {publish_s:.1f} |")
        print(
            f"| publish v2 + delta from v1 ({delta.rows:,} rows, {delta.size:,} bytes) "
            f"| {publish_delta_s:.1f} |"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
