"""The catalog as a file: atomic replacement, and the journal settings of a bulk build."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


def replace_durably(tmp: Path, dest: Path) -> None:
    """fsync ``tmp``, rename it over ``dest`` and fsync the folder: readers see the old file
    or the new one, and a power cut after this returns keeps the new one."""
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    for suffix in ("-wal", "-shm"):  # an old catalog's WAL must not meet the new file
        Path(f"{dest}{suffix}").unlink(missing_ok=True)
    os.replace(tmp, dest)
    dir_fd = os.open(dest.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def self_contained(path: Path) -> None:
    """Leave ``path`` in rollback-journal mode (one file, no -wal): ready to copy or serve."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()


def start_bulk(conn: sqlite3.Connection) -> None:
    """Journal and syncs off: only for a file nobody else uses yet, thrown away on failure."""
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")


def finish_bulk(conn: sqlite3.Connection) -> None:
    """Merge the text indexes, gather planner statistics, back to a self-contained file."""
    for table in ("song_fts", "song_words"):
        conn.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA synchronous = FULL")
