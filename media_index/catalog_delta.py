"""Catalog deltas: the rows one published catalog version adds, changes and removes against an
older one, in a small SQLite file, and how a room applies it to its copy of the older version.

A delta file holds, for every table of the catalog, ``add_<table>`` (rows new or changed in the
target, whole) and ``del_<table>`` (the keys of rows the target no longer has), plus
``delta_meta`` (base and target version, schema, the target's row counts). Tables are found
from the schema, so a table a later migration adds travels too. Three kinds need care:

* ``song_key`` (millions of rows at 100k songs, a WITHOUT ROWID B-tree with no index by song)
  travels by song: every key row of a song that was added, changed or removed is replaced
  (the old rows travel whole, so the room deletes them by primary key, not by a scan). A
  play changes a song's popularity, which is part of its keys' primary key;
* the word index ``song_words`` (FTS5 with its own content) by rowid;
* the trigram index ``song_fts`` (FTS5 over the ``song`` table's content) is not shipped: the
  room deletes the old text of every touched song from it and indexes the new text, as the
  scanner's writer does.

Applying never touches the live file: the room copies its current version beside it, applies
the delta in one transaction on the copy, checks the target's row counts, and swaps the copy in
(``room_agent.library``). Only files of the same schema have a delta; otherwise the whole file
is sent.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ktv.errors import FailedPrecondition, InvalidArgument
from media_index import catalog_file

DELTA_FORMAT = "1"
APPLY_CACHE_KIB = 64 * 1024  # page cache of the connection applying a delta (a room's copy)
_KEYED_BY_SONG = "song_key"  # travels by song id (its ``song`` column)
_SONG_TEXT_INDEX = "song_fts"  # rebuilt for touched songs, never shipped
_FTS_WITH_CONTENT = ("song_words",)  # FTS5 tables with their own content: diffed by rowid


@dataclass(frozen=True)
class DeltaSummary:
    """What a delta carries: rows added or changed, keys removed, per table."""

    base_version: str
    target_version: str
    schema: int
    added: dict[str, int]
    removed: dict[str, int]
    touched_songs: int

    @property
    def rows(self) -> int:
        return sum(self.added.values()) + sum(self.removed.values())


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _schema(conn: sqlite3.Connection, db: str) -> int:
    return conn.execute(f"PRAGMA {db}.user_version").fetchone()[0]


def _meta(conn: sqlite3.Connection, db: str, key: str) -> str:
    row = conn.execute(f"SELECT value FROM {db}.meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else ""


def _tables(conn: sqlite3.Connection, db: str) -> list[str]:
    """Ordinary tables to diff by their keys (not FTS shadow tables, not sqlite_*)."""
    rows = conn.execute(
        f"SELECT name, sql FROM {db}.sqlite_master WHERE type = 'table' ORDER BY name"
    ).fetchall()
    virtual = [n for n, sql in rows if sql and sql.upper().startswith("CREATE VIRTUAL TABLE")]
    out = []
    for name, _sql in rows:
        if name.startswith("sqlite_") or name in virtual or name == _KEYED_BY_SONG:
            continue
        if any(name.startswith(f"{v}_") for v in virtual):  # FTS5 shadow tables
            continue
        out.append(name)
    return out


def _key_columns(conn: sqlite3.Connection, db: str, table: str) -> list[str]:
    info = conn.execute(f"PRAGMA {db}.table_info({_q(table)})").fetchall()
    keyed = sorted((r[5], r[1]) for r in info if r[5])
    return [name for _, name in keyed] or [r[1] for r in info]


def _columns(conn: sqlite3.Connection, db: str, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA {db}.table_info({_q(table)})").fetchall()]


def _count(conn: sqlite3.Connection, db: str, table: str) -> int:
    return conn.execute(f"SELECT count(*) FROM {db}.{_q(table)}").fetchone()[0]


def make_delta(base: Path, target: Path, out: Path) -> DeltaSummary:
    """Write the delta that turns ``base`` into ``target`` to ``out`` (atomically)."""
    out = Path(out)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("ATTACH DATABASE ? AS o", (f"file:{base}?mode=ro",))
        conn.execute("ATTACH DATABASE ? AS n", (f"file:{target}?mode=ro",))
        schema = _schema(conn, "n")
        if _schema(conn, "o") != schema:
            raise FailedPrecondition(
                f"no delta between catalog schemas {_schema(conn, 'o')} and {schema}: "
                "send the whole file",
                reason="CATALOG_SCHEMA_MISMATCH",
            )
        conn.execute("BEGIN")
        added: dict[str, int] = {}
        removed: dict[str, int] = {}
        counts: dict[str, int] = {}
        tables = _tables(conn, "n")
        for table in tables:
            cols = ", ".join(_q(c) for c in _columns(conn, "n", table))
            key = ", ".join(_q(c) for c in _key_columns(conn, "n", table))
            conn.execute(
                f"CREATE TABLE {_q('add_' + table)} AS SELECT {cols} FROM n.{_q(table)} "
                f"EXCEPT SELECT {cols} FROM o.{_q(table)}"
            )
            conn.execute(
                f"CREATE TABLE {_q('del_' + table)} AS SELECT {key} FROM o.{_q(table)} "
                f"EXCEPT SELECT {key} FROM n.{_q(table)}"
            )
            added[table] = _count(conn, "main", "add_" + table)
            removed[table] = _count(conn, "main", "del_" + table)
            counts[table] = _count(conn, "n", table)
        for table in _FTS_WITH_CONTENT:
            cols = ", ".join(_q(c) for c in _columns(conn, "n", table))
            conn.execute(
                f"CREATE TABLE {_q('add_' + table)} AS SELECT rowid AS rowid_, {cols} "
                f"FROM n.{_q(table)} EXCEPT SELECT rowid, {cols} FROM o.{_q(table)}"
            )
            conn.execute(
                f"CREATE TABLE {_q('del_' + table)} AS SELECT rowid AS rowid_ FROM o.{_q(table)}"
                f" EXCEPT SELECT rowid FROM n.{_q(table)}"
            )
            added[table] = _count(conn, "main", "add_" + table)
            removed[table] = _count(conn, "main", "del_" + table)
            counts[table] = _count(conn, "n", table)
        # every song whose row changed, appeared or went: its keys and its text are redone
        conn.execute(
            "CREATE TABLE touched_song AS SELECT id FROM add_song UNION SELECT id FROM del_song"
        )
        conn.execute(
            f"CREATE TABLE add_{_KEYED_BY_SONG} AS SELECT * FROM n.{_KEYED_BY_SONG} "
            "WHERE song IN (SELECT id FROM touched_song)"
        )
        # the old key rows of those songs, whole: the room deletes them by primary key
        # (a delete by song scans the whole B-tree: 1.8 s at 100k songs)
        conn.execute(
            f"CREATE TABLE del_{_KEYED_BY_SONG} AS SELECT * FROM o.{_KEYED_BY_SONG} "
            "WHERE song IN (SELECT id FROM touched_song)"
        )
        added[_KEYED_BY_SONG] = _count(conn, "main", f"add_{_KEYED_BY_SONG}")
        removed[_KEYED_BY_SONG] = _count(conn, "main", f"del_{_KEYED_BY_SONG}")
        counts[_KEYED_BY_SONG] = _count(conn, "n", _KEYED_BY_SONG)
        stats = conn.execute("SELECT 1 FROM n.sqlite_master WHERE name = 'sqlite_stat1'").fetchone()
        if stats:  # planner statistics: small, replaced whole
            conn.execute("CREATE TABLE stat1 AS SELECT tbl, idx, stat FROM n.sqlite_stat1")
        summary = DeltaSummary(
            base_version=_meta(conn, "o", "version"),
            target_version=_meta(conn, "n", "version"),
            schema=schema,
            added=added,
            removed=removed,
            touched_songs=_count(conn, "main", "touched_song"),
        )
        conn.execute("CREATE TABLE delta_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.executemany(
            "INSERT INTO delta_meta VALUES (?, ?)",
            [
                ("format", DELTA_FORMAT),
                ("schema", str(schema)),
                ("base_version", summary.base_version),
                ("base_number", _meta(conn, "o", "published_number")),
                ("target_version", summary.target_version),
                ("target_number", _meta(conn, "n", "published_number")),
                ("tables", json.dumps(tables)),
                ("target_counts", json.dumps(counts)),
            ],
        )
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE o")
        conn.execute("DETACH DATABASE n")
        conn.execute("VACUUM")
    except BaseException:
        conn.close()
        tmp.unlink(missing_ok=True)
        raise
    conn.close()
    catalog_file.replace_durably(tmp, out)
    return summary


def apply_delta(base: Path, delta: Path, out: Path) -> str:
    """Write ``base`` + ``delta`` to ``out`` (a new file; ``base`` is only read). Returns the
    target version. Raises ``FailedPrecondition`` when the delta is for another base or the
    result does not have the target's row counts (``out`` is then removed)."""
    out = Path(out)
    out.unlink(missing_ok=True)
    shutil.copyfile(base, out)  # one sequential read and write
    try:
        version = _apply_in_place(out, delta)
    except BaseException:
        out.unlink(missing_ok=True)
        Path(f"{out}-journal").unlink(missing_ok=True)
        raise
    return version


def delta_info(delta: Path) -> dict[str, str]:
    """The ``delta_meta`` of a delta file (base/target version and number, schema...)."""
    try:
        conn = sqlite3.connect(f"file:{delta}?mode=ro", uri=True)
        try:
            return dict(conn.execute("SELECT key, value FROM delta_meta").fetchall())
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        raise InvalidArgument(f"{delta} is not a catalog delta: {e}") from None


def _apply_in_place(path: Path, delta: Path) -> str:
    info = delta_info(delta)
    if info.get("format") != DELTA_FORMAT:
        raise FailedPrecondition(f"unknown delta format {info.get('format')!r}")
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")
        # the touched B-tree pages stay in memory until the commit (no spill mid-transaction)
        conn.execute(f"PRAGMA cache_size = -{APPLY_CACHE_KIB}")
        conn.execute("ATTACH DATABASE ? AS d", (f"file:{delta}?mode=ro",))
        if str(_schema(conn, "main")) != info["schema"]:
            raise FailedPrecondition(
                f"the delta is for catalog schema {info['schema']}, this copy is "
                f"{_schema(conn, 'main')}",
                reason="CATALOG_SCHEMA_MISMATCH",
            )
        number = info.get("base_number", "")
        if number and _meta(conn, "main", "published_number") != number:
            raise FailedPrecondition(
                f"the delta is for catalog v{number}, this copy is "
                f"v{_meta(conn, 'main', 'published_number') or '?'}",
                reason="CATALOG_DELTA_BASE",
            )
        if _meta(conn, "main", "version") != info["base_version"]:
            raise FailedPrecondition(
                f"the delta is for catalog version {info['base_version']}, this copy is "
                f"{_meta(conn, 'main', 'version')}",
                reason="CATALOG_DELTA_BASE",
            )
        conn.execute("BEGIN IMMEDIATE")
        # the old text of every touched song leaves the trigram index before its row goes
        conn.execute(
            f"INSERT INTO {_SONG_TEXT_INDEX} ({_SONG_TEXT_INDEX}, rowid, title_folded, "
            f"artists_folded) SELECT 'delete', id, title_folded, artists_folded FROM song "
            "WHERE id IN (SELECT id FROM d.touched_song)"
        )
        key_cols = "key, tier, pop, song"
        conn.execute(
            f"DELETE FROM {_KEYED_BY_SONG} WHERE ({key_cols}) IN "
            f"(SELECT {key_cols} FROM d.del_{_KEYED_BY_SONG})"
        )
        conn.execute(  # in key order: one pass down the B-tree
            f"INSERT INTO {_KEYED_BY_SONG} ({key_cols}) SELECT {key_cols} FROM "
            f"d.add_{_KEYED_BY_SONG} ORDER BY key, tier DESC, pop DESC, song"
        )
        for table in json.loads(info["tables"]):
            key = ", ".join(_q(c) for c in _key_columns(conn, "main", table))
            conn.execute(
                f"DELETE FROM {_q(table)} WHERE ({key}) IN (SELECT {key} FROM "
                f"d.{_q('add_' + table)} UNION ALL SELECT {key} FROM d.{_q('del_' + table)})"
            )
            conn.execute(f"INSERT INTO {_q(table)} SELECT * FROM d.{_q('add_' + table)}")
        for table in _FTS_WITH_CONTENT:
            cols = ", ".join(_q(c) for c in _columns(conn, "main", table))
            conn.execute(
                f"DELETE FROM {_q(table)} WHERE rowid IN (SELECT rowid_ FROM "
                f"d.{_q('add_' + table)} UNION ALL SELECT rowid_ FROM d.{_q('del_' + table)})"
            )
            conn.execute(
                f"INSERT INTO {_q(table)} (rowid, {cols}) SELECT rowid_, {cols} "
                f"FROM d.{_q('add_' + table)}"
            )
        conn.execute(
            f"INSERT INTO {_SONG_TEXT_INDEX} (rowid, title_folded, artists_folded) "
            "SELECT id, title_folded, artists_folded FROM song "
            "WHERE id IN (SELECT id FROM d.touched_song)"
        )
        if conn.execute("SELECT 1 FROM d.sqlite_master WHERE name = 'stat1'").fetchone():
            has_stats = "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"
            if not conn.execute(has_stats).fetchone():
                conn.execute("ANALYZE meta")  # creates sqlite_stat1
            conn.execute("DELETE FROM sqlite_stat1")
            conn.execute("INSERT INTO sqlite_stat1 (tbl, idx, stat) SELECT * FROM d.stat1")
        expected = json.loads(info["target_counts"])
        for table, count in expected.items():
            have = _count(conn, "main", table)
            if have != count:
                raise FailedPrecondition(
                    f"catalog delta left {table} with {have} rows, the target has {count}",
                    reason="CATALOG_DELTA_BASE",
                )
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE d")
        version = _meta(conn, "main", "version")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()
    if version != info["target_version"]:
        raise FailedPrecondition(
            f"catalog delta produced version {version}, expected {info['target_version']}",
            reason="CATALOG_DELTA_BASE",
        )
    return version
