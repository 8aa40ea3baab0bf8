"""Publish the venue's master catalog to the rooms: numbered, checksummed versions in
``DATA_DIR/catalog-versions/`` (``media_index.catalog_versions``), what to offer each room, and
the bytes a room reads.

``ktv-controller serve --catalog PATH`` builds one ``CatalogPublisher`` over the catalog the
play feed writes to (``CatalogFeed.catalog``: one writer per file). ``publish()`` runs in a
worker thread (VACUUM INTO, hashing and deltas take seconds at 100k songs); the link servicer
hears of each new version through ``subscribe`` and offers it to every connected room.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ktv.errors import InvalidArgument, NotFound
from media_index.catalog import Catalog
from media_index.catalog_versions import CatalogVersions, PublishedDelta, PublishedVersion
from media_index.schema import SCHEMA_VERSION

log = logging.getLogger(__name__)

VERSIONS_DIR = "catalog-versions"
KEEP_VERSIONS = 5  # whole files kept (rollback, rooms several versions behind)
DELTA_SPAN = 3  # a room 1..3 versions behind gets a delta; further behind, the whole file
CHUNK_MAX_BYTES = 1024 * 1024  # one ReadCatalogChunk answer at most (gRPC's limit is 4 MiB)


@dataclass(frozen=True)
class CatalogOfferView:
    """What one room is offered: a version and the deltas to it."""

    version: PublishedVersion
    deltas: tuple[PublishedDelta, ...]


class CatalogPublisher:
    def __init__(
        self,
        catalog: Catalog,
        data_dir: Path,
        *,
        keep: int = KEEP_VERSIONS,
        delta_span: int = DELTA_SPAN,
    ) -> None:
        self.catalog = catalog
        self.versions = CatalogVersions(data_dir / VERSIONS_DIR, keep=keep, delta_span=delta_span)
        self._publishing = threading.Lock()
        self._listeners: list[Callable[[PublishedVersion], None]] = []

    def publish(self) -> PublishedVersion:
        """The master catalog as the next version (call from a worker thread)."""
        with self._publishing:
            return self.versions.publish(self.catalog)

    def subscribe(self, listener: Callable[[PublishedVersion], None]) -> None:
        self._listeners.append(listener)

    def announce(self, version: PublishedVersion) -> None:
        """Tell the listeners (the link servicer, on its event loop) of a new version."""
        for listener in list(self._listeners):
            try:
                listener(version)
            except Exception:
                log.exception("catalog listener failed")

    def offer_for(self, agent_schema: int) -> CatalogOfferView | None:
        """The newest version a room reading ``agent_schema`` can open (an agent that does
        not say reads this controller's schema: it predates catalog versions and the two were
        upgraded together); None when none is published."""
        schema = agent_schema or SCHEMA_VERSION
        version = self.versions.latest(max_schema=schema)
        if version is None:
            return None
        return CatalogOfferView(version, tuple(self.versions.deltas_to(version.number)))

    def read_chunk(
        self, number: int, base_number: int, offset: int, max_bytes: int
    ) -> tuple[bytes, int, str]:
        """Bytes of a version's file (``base_number`` 0) or of its delta from
        ``base_number``: (data, whole size, sha256). Raises NotFound for a pruned version."""
        if number < 1 or base_number < 0 or base_number >= number:
            raise NotFound(
                f"no catalog file for version {number} from {base_number}",
                reason="CATALOG_VERSION_GONE",
            )
        if offset < 0:
            raise InvalidArgument(f"offset must be >= 0, got {offset}", reason="BAD_CATALOG_OFFSET")
        size_cap = min(max(max_bytes, 1), CHUNK_MAX_BYTES)
        if base_number:
            delta = self.versions.delta(base_number, number)
            name, size, sha = delta.file, delta.size, delta.sha256
        else:
            version = self.versions.get(number)
            name, size, sha = version.file, version.size, version.sha256
        if offset > size:
            raise InvalidArgument(
                f"offset {offset} is past the end of the file ({size} bytes)",
                reason="BAD_CATALOG_OFFSET",
            )
        try:
            with open(self.versions.path(name), "rb") as fh:
                fh.seek(offset)
                data = fh.read(size_cap)
        except FileNotFoundError:  # pruned between the look-up and the read
            raise NotFound(
                f"catalog version {number} was just pruned; ask for the latest offer",
                reason="CATALOG_VERSION_GONE",
            ) from None
        return data, size, sha
