"""Published catalog versions: numbered, checksummed, self-contained catalog files in one
folder, the deltas between recent ones, and a manifest (``versions.json``).

    versions = CatalogVersions(data_dir / "catalog-versions", keep=5, delta_span=3)
    v = versions.publish(master)          # catalog-000012.sqlite + delta-000011-000012.sqlite ...
    versions.latest(), versions.get(11), versions.delta(11, 12)

Each version file is written beside the others under a temporary name, stamped with its number
(``meta.published_number``, so a room's copy says which version it is), fsynced and renamed;
its SHA-256 is taken from the final bytes. The manifest is replaced atomically after the files
exist, so a reader of the manifest never names a file that is not whole. The last ``keep``
versions are kept, and a delta from each of the ``delta_span`` versions before a new one with
the same schema (a room one to ``delta_span`` versions behind gets a delta; others the file).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from ktv.errors import NotFound
from media_index import catalog_file
from media_index.catalog import Catalog
from media_index.catalog_delta import make_delta

log = logging.getLogger(__name__)

MANIFEST = "versions.json"
HASH_CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class PublishedDelta:
    base: int
    target: int
    file: str
    size: int
    sha256: str
    rows: int


@dataclass(frozen=True)
class PublishedVersion:
    number: int
    version: str  # the catalog's own version (meta.version) when it was published
    file: str
    size: int
    sha256: str
    schema: int
    songs: int
    published_at: str  # ISO 8601, UTC

    @property
    def label(self) -> str:
        """What a room reports and the board shows: ``v12``."""
        return f"v{self.number}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(HASH_CHUNK_BYTES):
            digest.update(block)
    return digest.hexdigest()


def file_number(path: Path) -> int:
    """The ``published_number`` a catalog file carries (0 when it was never published)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'published_number'").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return 0
    return int(row[0]) if row and str(row[0]).isdigit() else 0


class CatalogVersions:
    """The folder of published versions; one writer (the controller), any number of readers."""

    def __init__(self, root: Path, *, keep: int = 5, delta_span: int = 3) -> None:
        if keep < 2 or delta_span < 1:
            raise ValueError("keep at least 2 versions and a delta span of at least 1")
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.keep = keep
        self.delta_span = delta_span
        self._lock = threading.Lock()
        self._versions, self._deltas, self._next = self._load()

    # --- reading ---------------------------------------------------------------------------
    def versions(self) -> list[PublishedVersion]:
        with self._lock:
            return list(self._versions)

    def latest(self, max_schema: int | None = None) -> PublishedVersion | None:
        """The newest version, or the newest a reader of ``max_schema`` can open."""
        with self._lock:
            for v in reversed(self._versions):
                if max_schema is None or v.schema <= max_schema:
                    return v
        return None

    def get(self, number: int) -> PublishedVersion:
        with self._lock:
            for v in self._versions:
                if v.number == number:
                    return v
        raise NotFound(f"catalog version {number} is not kept", reason="CATALOG_VERSION_GONE")

    def deltas_to(self, number: int) -> list[PublishedDelta]:
        with self._lock:
            return [d for d in self._deltas if d.target == number]

    def delta(self, base: int, target: int) -> PublishedDelta:
        with self._lock:
            for d in self._deltas:
                if (d.base, d.target) == (base, target):
                    return d
        raise NotFound(
            f"no delta from catalog version {base} to {target}", reason="CATALOG_VERSION_GONE"
        )

    def path(self, name: str) -> Path:
        return self.root / name

    # --- publishing ------------------------------------------------------------------------
    def publish(self, catalog: Catalog) -> PublishedVersion:
        """Publish ``catalog`` as the next version (and its deltas); returns it."""
        with self._lock:
            number = self._next
            name = f"catalog-{number:06d}.sqlite"
            staging = self.root / f".{name}.staging"
            staging.unlink(missing_ok=True)
            try:
                version = catalog.publish(staging)
                conn = sqlite3.connect(staging, isolation_level=None)
                try:
                    conn.execute("PRAGMA journal_mode = DELETE")
                    now = datetime.now(UTC).isoformat(timespec="seconds")
                    conn.executemany(
                        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                        [("published_number", str(number)), ("published_at", now)],
                    )
                    schema = conn.execute("PRAGMA user_version").fetchone()[0]
                    songs = conn.execute("SELECT count(*) FROM song").fetchone()[0]
                finally:
                    conn.close()
                catalog_file.replace_durably(staging, self.root / name)
            finally:
                staging.unlink(missing_ok=True)
            final = self.root / name
            published = PublishedVersion(
                number=number,
                version=version,
                file=name,
                size=final.stat().st_size,
                sha256=sha256_of(final),
                schema=schema,
                songs=songs,
                published_at=now,
            )
            deltas = []
            for base in [v for v in self._versions if v.schema == schema][-self.delta_span :]:
                delta_name = f"delta-{base.number:06d}-{number:06d}.sqlite"
                summary = make_delta(self.root / base.file, final, self.root / delta_name)
                path = self.root / delta_name
                deltas.append(
                    PublishedDelta(
                        base.number,
                        number,
                        delta_name,
                        path.stat().st_size,
                        sha256_of(path),
                        summary.rows,
                    )
                )
            self._versions.append(published)
            self._deltas.extend(deltas)
            self._next = number + 1
            self._prune()
            self._save()
            log.info(
                "published catalog %s (%d songs, %d bytes, %d delta(s))",
                published.label,
                songs,
                published.size,
                len(deltas),
            )
            return published

    def _prune(self) -> None:
        drop = self._versions[: -self.keep]
        if not drop:
            return
        self._versions = self._versions[-self.keep :]
        kept = {v.number for v in self._versions}
        gone_deltas = [d for d in self._deltas if d.base not in kept or d.target not in kept]
        self._deltas = [d for d in self._deltas if d not in gone_deltas]
        self._save()  # the manifest stops naming them before the files go
        for name in [v.file for v in drop] + [d.file for d in gone_deltas]:
            (self.root / name).unlink(missing_ok=True)

    # --- the manifest ----------------------------------------------------------------------
    def _load(self) -> tuple[list[PublishedVersion], list[PublishedDelta], int]:
        path = self.root / MANIFEST
        if not path.exists():
            return [], [], 1
        data = json.loads(path.read_text(encoding="utf-8"))
        versions = [PublishedVersion(**v) for v in data["versions"]]
        deltas = [PublishedDelta(**d) for d in data["deltas"]]
        return versions, deltas, int(data["next"])

    def _save(self) -> None:
        data = {
            "next": self._next,
            "versions": [asdict(v) for v in self._versions],
            "deltas": [asdict(d) for d in self._deltas],
        }
        tmp = self.root / f".{MANIFEST}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        catalog_file.replace_durably(tmp, self.root / MANIFEST)
