"""A room's catalog download over real gRPC on loopback: cut mid-way, it resumes where it
stopped (no byte fetched twice); a corrupted partial file is caught by the checksum; an older
schema file is upgraded by the room; rollback goes back one version and refuses the bad one."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import grpc
import pytest

from controller.api.link import RoomLinkServicer, catalog_offer_pb
from controller.catalog_publish import CatalogPublisher
from ktv.errors import FailedPrecondition
from ktv.v1 import link_pb2_grpc
from media_index.catalog import Catalog
from media_index.catalog_versions import sha256_of
from media_index.model import Song
from media_index.records import CatalogEntry, FileStamp
from media_index.schema import MIGRATIONS, SCHEMA_VERSION
from room_agent.library.catalog_keeper import CatalogKeeper
from room_agent.link.catalog_fetch import CatalogFetcher, CatalogSync

CHUNK = 64 * 1024
CUT_AFTER_CHUNKS = 5


def _entries(count: int, start: int = 0) -> list[CatalogEntry]:
    return [
        CatalogEntry(
            Song(f"s{i:06d}", f"歌曲 {i} Song {i}", (f"歌手{i % 97}",), f"s/{i}.mkv"),
            FileStamp(i + 1, 1),
        )
        for i in range(start, start + count)
    ]


@pytest.fixture
def publisher(tmp_path: Path):
    master = Catalog(tmp_path / "master.sqlite")
    master.put_entries(_entries(1500))
    pub = CatalogPublisher(master, tmp_path / "ctl")
    yield pub
    master.close()


class Server:
    """The controller's link servicer on a loopback port (no auth: the chunk reads only)."""

    def __init__(self, publisher: CatalogPublisher) -> None:
        self.publisher = publisher

    async def __aenter__(self) -> Server:
        self.server = grpc.aio.server()
        link_pb2_grpc.add_RoomLinkServiceServicer_to_server(
            RoomLinkServicer(None, "venue", self.publisher),  # type: ignore[arg-type]
            self.server,
        )
        port = self.server.add_insecure_port("127.0.0.1:0")
        await self.server.start()
        self.channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
        self.stub = link_pb2_grpc.RoomLinkServiceStub(self.channel)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.channel.close()
        await self.server.stop(None)


class CutAfter:
    """The real stub, but the server is stopped after ``n`` chunks: the next read fails."""

    def __init__(self, server: Server, n: int) -> None:
        self.server = server
        self.n = n
        self.calls = 0

    async def ReadCatalogChunk(self, request, **kwargs):  # type: ignore[no-untyped-def]
        self.calls += 1
        if self.calls > self.n:
            await self.server.server.stop(None)  # the LAN goes: a real broken connection
        return await self.server.stub.ReadCatalogChunk(request, **kwargs)


def test_an_interrupted_download_resumes_where_it_stopped(
    publisher: CatalogPublisher, tmp_path: Path
) -> None:
    version = publisher.publish()
    offer = catalog_offer_pb(publisher.offer_for(SCHEMA_VERSION))
    assert version.size > (CUT_AFTER_CHUNKS + 2) * CHUNK, version.size
    keeper = CatalogKeeper(tmp_path / "room" / "catalog.db")
    fetcher = CatalogFetcher("A01", keeper, chunk_bytes=CHUNK)

    async def first_try() -> None:
        async with Server(publisher) as server:
            with pytest.raises(grpc.aio.AioRpcError):
                await fetcher.take(offer, CutAfter(server, CUT_AFTER_CHUNKS))  # type: ignore[arg-type]

    asyncio.run(first_try())
    assert fetcher.download.stat().st_size == CUT_AFTER_CHUNKS * CHUNK
    assert not keeper.path.exists()

    async def second_try() -> str:
        async with Server(publisher) as server:
            return await fetcher.take(offer, server.stub)

    assert asyncio.run(second_try()) == "v1"
    assert fetcher.resumed_at == [CUT_AFTER_CHUNKS * CHUNK]
    assert fetcher.bytes_fetched == version.size  # nothing fetched twice
    assert sha256_of(keeper.path) == version.sha256
    assert not fetcher.download.exists()
    with Catalog(keeper.path, readonly=True) as cat:
        assert cat.search("歌曲 7", limit=5).songs


def test_a_corrupted_partial_download_is_caught_and_fetched_again(
    publisher: CatalogPublisher, tmp_path: Path
) -> None:
    publisher.publish()
    offer = catalog_offer_pb(publisher.offer_for(SCHEMA_VERSION))
    keeper = CatalogKeeper(tmp_path / "room" / "catalog.db")
    fetcher = CatalogFetcher("A01", keeper, chunk_bytes=CHUNK)

    async def run() -> None:
        async with Server(publisher) as server:
            with pytest.raises(grpc.aio.AioRpcError):
                await fetcher.take(offer, CutAfter(server, 2))  # type: ignore[arg-type]
        with open(fetcher.download, "r+b") as fh:  # a bad sector in what was saved
            fh.seek(100)
            fh.write(b"\xff" * 16)
        async with Server(publisher) as server:
            with pytest.raises(FailedPrecondition, match="SHA-256"):
                await fetcher.take(offer, server.stub)
            assert not fetcher.download.exists()
            assert await fetcher.take(offer, server.stub) == "v1"

    asyncio.run(run())


def test_a_room_takes_a_delta_then_rolls_back_and_refuses_the_bad_version(
    publisher: CatalogPublisher, tmp_path: Path
) -> None:
    keeper = CatalogKeeper(tmp_path / "room" / "catalog.db")
    fetcher = CatalogFetcher("A01", keeper, chunk_bytes=CHUNK)
    publisher.publish()

    async def take() -> str:
        offer = catalog_offer_pb(publisher.offer_for(SCHEMA_VERSION))
        async with Server(publisher) as server:
            return await fetcher.take(offer, server.stub)

    assert asyncio.run(take()) == "v1"
    whole = fetcher.bytes_fetched
    publisher.catalog.put_entries(_entries(50, start=5000))
    v2 = publisher.publish()
    assert asyncio.run(take()) == "v2"
    assert fetcher.bytes_fetched - whole < v2.size / 3  # a delta, not the file
    assert keeper.rollback() == "v1"
    assert asyncio.run(take()) == ""  # v2 is refused from now on
    assert keeper.label() == "v1"
    publisher.catalog.put_entries(_entries(5, start=6000))
    publisher.publish()
    assert asyncio.run(take()) == "v3"  # a newer publish is taken (delta from v1)
    with pytest.raises(FailedPrecondition):
        CatalogKeeper(tmp_path / "elsewhere" / "catalog.db").rollback()


def test_a_file_of_an_older_schema_is_upgraded_by_the_room(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite"
    conn = sqlite3.connect(old, isolation_level=None)
    conn.executescript(MIGRATIONS[0])
    conn.execute("INSERT INTO meta VALUES ('version', 'old-1'), ('published_number', '4')")
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    keeper = CatalogKeeper(tmp_path / "room" / "catalog.db")
    assert keeper.install_file(old) == "v4"
    assert keeper.schema() == SCHEMA_VERSION
    with Catalog(keeper.path, readonly=True) as cat:
        assert cat.version == "old-1"
        assert cat.search("x").total == 0


def test_rooms_of_one_process_sharing_a_catalog_swap_it_once(
    publisher: CatalogPublisher, tmp_path: Path
) -> None:
    """``ktv-agent run --rooms A01,A02 --catalog PATH``: both rooms fetch, one swap wins."""
    version = publisher.publish()
    offer = catalog_offer_pb(publisher.offer_for(SCHEMA_VERSION))
    shared = tmp_path / "rooms" / "catalog.db"
    fetchers = [CatalogFetcher(r, CatalogKeeper(shared), chunk_bytes=CHUNK) for r in ("A01", "A02")]

    async def run() -> list[str]:
        async with Server(publisher) as server:
            return await asyncio.gather(*(f.take(offer, server.stub) for f in fetchers))

    assert asyncio.run(run()) == ["v1", "v1"]
    assert sha256_of(shared) == version.sha256
    assert not CatalogKeeper(shared).prev.exists()  # swapped once: nothing before it


class FailsOnce:
    """The real stub, whose first chunk read fails (a deadline, a reset) while the link lives."""

    def __init__(self, stub) -> None:  # type: ignore[no-untyped-def]
        self.stub = stub
        self.calls = 0

    async def ReadCatalogChunk(self, request, **kwargs):  # type: ignore[no-untyped-def]
        self.calls += 1
        if self.calls == 1:
            raise ConnectionResetError("chunk read failed")
        return await self.stub.ReadCatalogChunk(request, **kwargs)


def test_a_failed_download_is_tried_again_while_the_link_stays_up(
    publisher: CatalogPublisher, tmp_path: Path
) -> None:
    publisher.publish()
    offer = catalog_offer_pb(publisher.offer_for(SCHEMA_VERSION))
    keeper = CatalogKeeper(tmp_path / "room" / "catalog.db")
    fetcher = CatalogFetcher("A01", keeper, chunk_bytes=CHUNK)
    installed: list[str] = []

    async def run() -> None:
        async with Server(publisher) as server:
            sync = CatalogSync(
                fetcher,
                FailsOnce(server.stub),  # type: ignore[arg-type]
                (),
                lambda: installed.append(keeper.label()),
                retry_after_s=(0.05,),
            )
            sync.offered(offer)
            for _ in range(200):
                if installed:
                    break
                await asyncio.sleep(0.05)
            await sync.close()

    asyncio.run(run())
    assert installed == ["v1"]
