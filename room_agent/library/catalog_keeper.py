"""The room's catalog files: the live copy the touchscreen searches, the previous version kept
for rollback, and the swap between them.

    DATA_DIR/catalog.db            the live copy (media_index.Catalog reads it read-only)
    DATA_DIR/catalog.db.prev       the version before it (ktv-agent catalog rollback)
    DATA_DIR/catalog.db.next       a new version being built (delta applied to a copy)
    DATA_DIR/catalog.db.download   a download in progress (+ .json: which file it is)
    DATA_DIR/catalog.db.state.json versions refused after a rollback
    DATA_DIR/catalog.db.lock       flock held while files are swapped (agent and CLI)

A new version is built beside the live file and renamed over it: a ``Catalog`` reading the
live path stats it before every call and reopens under its own lock when the inode changed, so
a search answers from the old file or the new one, never from half of either. The old file is
hard-linked to ``.prev`` first, so rollback is one more rename.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from ktv.errors import FailedPrecondition
from media_index import catalog_file
from media_index.catalog import Catalog
from media_index.catalog_delta import apply_delta
from media_index.catalog_versions import file_number
from media_index.schema import SCHEMA_VERSION

log = logging.getLogger(__name__)


class CatalogKeeper:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.prev = self._sibling(".prev")
        self.next = self._sibling(".next")
        self.download = self._sibling(".download")
        self.state_file = self._sibling(".state.json")
        self.lock_file = self._sibling(".lock")
        self._lock = threading.Lock()
        self._cached: tuple[tuple[int, int, int] | None, int] = (None, 0)

    def _sibling(self, suffix: str) -> Path:
        return self.path.with_name(self.path.name + suffix)

    # --- what the room runs ----------------------------------------------------------------
    def number(self) -> int:
        """The published version number of the live copy (0: none, or never published)."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return 0
        ident = (st.st_ino, st.st_mtime_ns, st.st_size)
        with self._lock:
            if self._cached[0] != ident:
                self._cached = (ident, file_number(self.path))
            return self._cached[1]

    def label(self) -> str:
        """What the room reports on its link and the board shows: ``v12`` ('' for none)."""
        number = self.number()
        return f"v{number}" if number else ""

    def schema(self) -> int:
        try:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            try:
                return conn.execute("PRAGMA user_version").fetchone()[0]
            finally:
                conn.close()
        except sqlite3.DatabaseError:
            return 0

    def refused_up_to(self) -> int:
        """Versions at or below this were rolled back here: not taken again."""
        try:
            return int(json.loads(self.state_file.read_text())["refused_up_to"])
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            return 0

    def wants(self, number: int, schema: int) -> bool:
        return schema <= SCHEMA_VERSION and number > self.number() and number > self.refused_up_to()

    # --- installing ------------------------------------------------------------------------
    def install_file(self, downloaded: Path, number: int = 0) -> str:
        """A whole downloaded catalog becomes the live copy. One of an older schema is
        migrated here first (the room upgrades what it is sent; a controller never offers
        a schema newer than the room reads). Nothing changes if version ``number`` is
        already live (another room of this process sharing the file got there first)."""
        with self._locked():
            if number and self.number() >= number:
                return self.label()
            os.replace(downloaded, self.next)
            try:
                _upgrade_if_older(self.next)
                self._swap_in(self.next)
            finally:
                self.next.unlink(missing_ok=True)
        return self.label()

    def install_delta(self, delta: Path, number: int = 0) -> str:
        """Apply a downloaded delta to a copy of the live file and swap the copy in."""
        with self._locked():
            if number and self.number() >= number:
                return self.label()
            try:
                apply_delta(self.path, delta, self.next)
                self._swap_in(self.next)
            finally:
                self.next.unlink(missing_ok=True)
        return self.label()

    def rollback(self) -> str:
        """Back to the previous version; the one rolled back is not taken again (a newer
        publish is). Returns the label now live."""
        with self._locked():
            if not self.prev.exists():
                raise FailedPrecondition(
                    f"no previous catalog version next to {self.path}", reason="NO_PREVIOUS_CATALOG"
                )
            bad = self.number()
            _write_json(self.state_file, {"refused_up_to": max(bad, self.refused_up_to())})
            catalog_file.replace_durably(self.prev, self.path)
        log.warning("catalog rolled back from v%d to %s", bad, self.label() or "unpublished")
        return self.label()

    def _swap_in(self, new: Path) -> None:
        if self.path.exists():
            keep = self._sibling(".prev.tmp")
            keep.unlink(missing_ok=True)
            os.link(self.path, keep)
            os.replace(keep, self.prev)
        catalog_file.replace_durably(new, self.path)
        log.info("catalog %s is live", self.label())

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.lock_file, "a") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _upgrade_if_older(path: Path) -> None:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        schema = conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()
    if schema == SCHEMA_VERSION:
        return
    if schema > SCHEMA_VERSION:
        raise FailedPrecondition(
            f"catalog schema {schema} is newer than this agent reads ({SCHEMA_VERSION})",
            reason="CATALOG_TOO_NEW",
        )
    Catalog(path).close()  # a writable open runs the numbered migrations
    catalog_file.self_contained(path)
    log.info("catalog upgraded from schema %d to %d", schema, SCHEMA_VERSION)


def _write_json(path: Path, data: dict[str, object]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
