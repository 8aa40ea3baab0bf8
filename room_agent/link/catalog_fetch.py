"""Fetch the catalog versions the controller offers, over the room's link.

An offer (``ConnectResponse.catalog_offer``) names the newest version this room can take and
the deltas to it. The room takes the delta from the version it runs when there is one, the
whole file otherwise, reading ``ReadCatalogChunk`` piece by piece into
``catalog.db.download``; the piece list is its own resume point: after a cut (LAN, controller
restart, agent restart) the next offer of the same file continues at the bytes already on disk.
The finished file's SHA-256 must match the offer; then the keeper builds and swaps the new
version in a worker thread. Writes are sequential appends, synced once at the end (SD cards).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ktv.errors import FailedPrecondition, KtvError, Unavailable
from ktv.v1 import link_pb2, link_pb2_grpc
from room_agent.library.catalog_keeper import CatalogKeeper

log = logging.getLogger(__name__)

CHUNK_BYTES = 256 * 1024  # per ReadCatalogChunk call (the controller caps it at 1 MiB)
CHUNK_TIMEOUT_S = 30.0
RETRY_AFTER_S = (5.0, 30.0, 120.0)  # a failed download is tried again while the stream lives


@dataclass(frozen=True)
class Wanted:
    number: int
    base: int  # 0: the whole file
    size: int
    sha256: str


class CatalogFetcher:
    def __init__(
        self, room_id: str, keeper: CatalogKeeper, *, chunk_bytes: int = CHUNK_BYTES
    ) -> None:
        self.room_id = room_id
        self.keeper = keeper
        # one partial file per room: rooms of one process (--rooms) may share a catalog
        self.download = keeper.download.with_name(f"{keeper.download.name}.{room_id}")
        self.chunk_bytes = chunk_bytes
        self.bytes_fetched = 0  # over the link, since start (tests, benchmarks)
        self.resumed_at: list[int] = []  # offsets downloads resumed from
        self.installed: list[str] = []  # labels swapped in, in order

    def choose(self, offer: link_pb2.CatalogOffer) -> Wanted | None:
        """What to download for ``offer``: None when the room runs it (or refused it)."""
        if not self.keeper.wants(offer.number, offer.schema):
            return None
        have = self.keeper.number()
        if have and self.keeper.schema() == offer.schema:
            for delta in offer.deltas:
                if delta.base_number == have:
                    return Wanted(offer.number, have, delta.size_bytes, delta.sha256)
        return Wanted(offer.number, 0, offer.size_bytes, offer.sha256)

    async def take(
        self,
        offer: link_pb2.CatalogOffer,
        stub: link_pb2_grpc.RoomLinkServiceStub,
        metadata: Sequence[tuple[str, str]] = (),
    ) -> str:
        """Download and install ``offer``; returns the label now live ('' if not taken)."""
        wanted = self.choose(offer)
        if wanted is None:
            return ""
        path = await self._download(wanted, stub, metadata)
        log.info(
            "room %s fetched catalog v%d: %s, %d bytes",
            self.room_id,
            wanted.number,
            f"delta from v{wanted.base}" if wanted.base else "whole file",
            wanted.size,
        )
        try:
            if wanted.base:
                try:
                    label = await asyncio.to_thread(self.keeper.install_delta, path, wanted.number)
                except FailedPrecondition as exc:  # not the base it says: take the file
                    log.warning("room %s: catalog delta refused (%s)", self.room_id, exc.message)
                    whole = Wanted(offer.number, 0, offer.size_bytes, offer.sha256)
                    path.unlink(missing_ok=True)
                    path = await self._download(whole, stub, metadata)
                    label = await asyncio.to_thread(self.keeper.install_file, path, offer.number)
            else:
                label = await asyncio.to_thread(self.keeper.install_file, path, offer.number)
        finally:
            path.unlink(missing_ok=True)
            self._meta_path().unlink(missing_ok=True)
        self.installed.append(label)
        log.info("room %s runs catalog %s", self.room_id, label)
        return label

    def _meta_path(self) -> Path:
        return self.download.with_name(self.download.name + ".json")

    async def _download(
        self, wanted: Wanted, stub: link_pb2_grpc.RoomLinkServiceStub, metadata
    ) -> Path:
        path, meta_path = self.download, self._meta_path()
        mine = {"number": wanted.number, "base": wanted.base, "sha256": wanted.sha256}
        try:
            same = json.loads(meta_path.read_text()) == mine
        except (FileNotFoundError, ValueError):
            same = False
        if not same:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.unlink(missing_ok=True)
            meta_path.write_text(json.dumps(mine))
        offset = path.stat().st_size if path.exists() else 0
        if offset > wanted.size:
            path.unlink()
            offset = 0
        if offset:
            self.resumed_at.append(offset)
            log.info("room %s resumes catalog download at byte %d", self.room_id, offset)
        with open(path, "ab") as out:
            while offset < wanted.size:
                request = link_pb2.ReadCatalogChunkRequest(
                    room=f"rooms/{self.room_id}",
                    number=wanted.number,
                    base_number=wanted.base,
                    offset=offset,
                    max_bytes=self.chunk_bytes,
                )
                reply = await stub.ReadCatalogChunk(
                    request, metadata=metadata, timeout=CHUNK_TIMEOUT_S
                )
                if reply.sha256 != wanted.sha256 or reply.size_bytes != wanted.size:
                    raise FailedPrecondition("the offered catalog file changed; wait for another")
                if not reply.data:
                    raise Unavailable(f"catalog file ended at {offset} of {wanted.size} bytes")
                out.write(reply.data)
                out.flush()
                offset += len(reply.data)
                self.bytes_fetched += len(reply.data)
            os.fsync(out.fileno())
        digest = await asyncio.to_thread(_sha256, path)
        if digest != wanted.sha256:
            path.unlink(missing_ok=True)
            meta_path.unlink(missing_ok=True)
            raise FailedPrecondition(
                f"catalog download v{wanted.number} has SHA-256 {digest[:12]}…, the offer said "
                f"{wanted.sha256[:12]}…; discarded"
            )
        return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


class CatalogSync:
    """One stream's side of catalog offers: at most one download at a time; a newer offer
    that arrives meanwhile is taken after it. Failures are logged; the next offer retries."""

    def __init__(
        self,
        fetcher: CatalogFetcher,
        stub: link_pb2_grpc.RoomLinkServiceStub,
        metadata: Sequence[tuple[str, str]],
        on_installed,  # type: ignore[no-untyped-def]
        retry_after_s: Sequence[float] = RETRY_AFTER_S,
    ) -> None:
        self.retry_after_s = tuple(retry_after_s)
        self.fetcher = fetcher
        self.stub = stub
        self.metadata = metadata
        self._on_installed = on_installed
        self._task: asyncio.Task[None] | None = None
        self._pending: link_pb2.CatalogOffer | None = None

    def offered(self, offer: link_pb2.CatalogOffer) -> None:
        self._pending = offer
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="catalog-fetch")

    async def _run(self) -> None:
        failures = 0
        while self._pending is not None:
            offer, self._pending = self._pending, None
            try:
                if await self.fetcher.take(offer, self.stub, self.metadata):
                    self._on_installed()
                failures = 0
                continue
            except asyncio.CancelledError:
                raise
            except KtvError as exc:
                why = exc.message
            except Exception as exc:  # grpc errors, disk errors: the download resumes later
                why = str(exc)
            log.warning(
                "room %s: catalog v%d not taken (%s)", self.fetcher.room_id, offer.number, why
            )
            if failures < len(self.retry_after_s) and self._pending is None:
                await asyncio.sleep(self.retry_after_s[failures])
                failures += 1
                if self._pending is None:  # no newer offer meanwhile: the same again
                    self._pending = offer

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
