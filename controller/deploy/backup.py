"""Online backups of the controller's SQLite database, and the way back.

``backup`` uses SQLite's backup API in one step from a read transaction: under WAL the
controller keeps writing while the copy is taken, and the copy is one consistent moment
(a committed transaction is either wholly in it or not at all). Each copy is checked with
``PRAGMA integrity_check``, fsynced, then renamed into place; the oldest beyond ``keep``
are deleted. ``restore`` puts a checked copy back while the controller is stopped, keeping
the replaced database beside it.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from controller.deploy import settings
from controller.deploy.data_dir_lock import DataDirLock
from ktv.durable_files import fsync_directory, fsync_file
from ktv.errors import FailedPrecondition, InvalidArgument, NotFound

_STAMP = "%Y%m%dT%H%M%S%fZ"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int
    taken_at: dt.datetime
    pruned: tuple[Path, ...]


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    database: Path
    previous_kept_as: Path | None


def check_integrity(path: Path) -> None:
    """InvalidArgument unless ``path`` is a SQLite database that passes integrity_check."""
    if not path.is_file():
        raise NotFound(f"no database file at {path}")
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            rows = db.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:
        raise InvalidArgument(f"{path} is not a usable SQLite database: {exc}") from exc
    if rows != [("ok",)]:
        raise InvalidArgument(f"{path} fails integrity_check: {rows[:3]}")


def list_backups(backup_dir: Path) -> list[Path]:
    """Backups in ``backup_dir``, oldest first (names sort by time)."""
    if not backup_dir.is_dir():
        return []
    return sorted(
        p
        for p in backup_dir.iterdir()
        if p.is_file()
        and p.name.startswith(settings.backup_file_prefix)
        and p.name.endswith(settings.backup_file_suffix)
    )


def backup_database(
    database: Path,
    backup_dir: Path,
    *,
    keep: int = settings.backup_keep_count,
    now: dt.datetime | None = None,
) -> BackupResult:
    """Copy the live ``database`` into ``backup_dir`` and keep the newest ``keep`` copies."""
    if keep < 1:
        raise InvalidArgument("keep at least one backup")
    if not database.is_file():
        raise NotFound(f"no controller database at {database}")
    taken_at = now or dt.datetime.now(dt.UTC)
    backup_dir.mkdir(parents=True, exist_ok=True)
    name = f"{settings.backup_file_prefix}{taken_at.strftime(_STAMP)}{settings.backup_file_suffix}"
    final = backup_dir / name
    partial = backup_dir / f".{name}.partial"
    partial.unlink(missing_ok=True)
    try:
        with (
            closing(
                sqlite3.connect(database, timeout=settings.backup_busy_timeout_ms / 1000)
            ) as src,
            closing(sqlite3.connect(partial)) as dst,
        ):
            src.backup(dst)  # pages=-1: one step, one read transaction, one moment
            # a backup is one self-contained file, whatever mode the source runs in
            dst.execute("PRAGMA journal_mode=DELETE")
        check_integrity(partial)
        fsync_file(partial)
        os.replace(partial, final)
        fsync_directory(backup_dir)
    except sqlite3.Error as exc:
        raise FailedPrecondition(f"backup of {database} failed: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    existing = list_backups(backup_dir)
    pruned = tuple(existing[:-keep]) if len(existing) > keep else ()
    for old in pruned:
        old.unlink(missing_ok=True)
    return BackupResult(final, final.stat().st_size, taken_at, pruned)


def restore_database(
    backup: Path, database: Path, *, now: dt.datetime | None = None
) -> RestoreResult:
    """Put ``backup`` in place of ``database``. The controller must be stopped.

    The backup is checked first; the replaced database (with its -wal/-shm) is renamed to
    ``<name>.before-restore-<time>`` so a wrong choice of backup can itself be undone.
    """
    check_integrity(backup)
    with DataDirLock.acquire(database.parent, purpose="restore"):
        return _restore_locked(backup, database, now)


def _restore_locked(backup: Path, database: Path, now: dt.datetime | None) -> RestoreResult:
    stamp = (now or dt.datetime.now(dt.UTC)).strftime(_STAMP)
    kept: Path | None = None
    if database.exists():
        # fold the WAL into the main file so the kept copy is complete on its own
        try:
            with closing(sqlite3.connect(database, timeout=0.5)) as live:
                live.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                live.execute("BEGIN EXCLUSIVE")
                live.execute("ROLLBACK")
        except sqlite3.OperationalError as exc:
            raise FailedPrecondition(
                f"{database} is in use: stop the controller (systemctl stop ktv-controller) "
                f"before restoring ({exc})"
            ) from exc
        kept = database.with_name(f"{database.name}.before-restore-{stamp}")
        os.replace(database, kept)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    partial = database.with_name(f".{database.name}.restoring")
    with closing(sqlite3.connect(backup)) as src, closing(sqlite3.connect(partial)) as dst:
        src.backup(dst)
    fsync_file(partial)
    os.replace(partial, database)
    fsync_directory(database.parent)
    return RestoreResult(backup, database, kept)
