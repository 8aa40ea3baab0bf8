"""Published catalog versions and deltas on real SQLite files: a delta applied to the older
version gives the newer one row for row, and searches answer the same."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ktv.errors import FailedPrecondition, NotFound
from media_index import Catalog
from media_index.catalog_delta import apply_delta, delta_info, make_delta
from media_index.catalog_versions import CatalogVersions, file_number, sha256_of

from .conftest import entry

TITLES = ["稻香", "晴天", "红豆", "后来", "月亮代表我的心", "My Heart Will Go On", "重来", "泡沫"]


def _songs(start: int, count: int) -> list:
    return [
        entry(
            f"s{i:05d}",
            f"{TITLES[i % len(TITLES)]} {i}",
            ["周杰伦", "王菲", "邓紫棋", "Celine Dion"][i % 4],
            popularity=i % 7,
            language="mandarin",
        )
        for i in range(start, start + count)
    ]


def _dump(path: Path) -> dict[str, list[tuple]]:
    """Every logical row of a catalog file, table by table (FTS by its content)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE "
                "VIRTUAL%' AND name NOT LIKE 'song_fts_%' AND name NOT LIKE 'song_words_%' "
                "AND name NOT LIKE 'sqlite_%'"
            )
        ]
        out = {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}
        out["song_words"] = sorted(conn.execute("SELECT rowid, * FROM song_words").fetchall())
        out["fts_hits"] = sorted(
            conn.execute("SELECT rowid FROM song_fts WHERE song_fts MATCH '月亮代'").fetchall()
        )
        return out
    finally:
        conn.close()


def _searches(path: Path) -> list[list[str]]:
    with Catalog(path, readonly=True) as cat:
        return [
            [s.song_id for s in cat.search(q, limit=50).songs]
            for q in ("dx", "月亮", "heart will", "zjl", "重", "eart", "hongdou")
        ]


def _play(cat: Catalog, song_id: str, event_id: str) -> None:
    cat.record_play(
        song_id,
        room="A01",
        session="sess-1",
        played_at=datetime.now(UTC),
        outcome="completed",
        played_ms=200_000,
        event_id=event_id,
    )


def test_a_delta_turns_the_older_version_into_the_newer_row_for_row(
    catalog: Catalog, tmp_path: Path
) -> None:
    versions = CatalogVersions(tmp_path / "versions", keep=4, delta_span=2)
    catalog.put_entries(_songs(0, 300))
    v1 = versions.publish(catalog)
    catalog.put_entries(_songs(300, 50))  # 50 new songs
    catalog.put_entries(
        [entry("s00007", "月亮代表我的心 新版", "邓丽君", language="mandarin")]  # renamed
    )
    catalog.remove_songs(["s00010", "s00011"])
    _play(catalog, "s00003", "ev-1")
    _play(catalog, "s00003", "ev-2")
    v2 = versions.publish(catalog)

    delta = versions.delta(v1.number, v2.number)
    assert delta.size < v2.size / 3, (delta.size, v2.size)  # 50 of 348 songs new
    info = delta_info(versions.path(delta.file))
    assert (info["base_number"], info["target_number"]) == ("1", "2")

    room = tmp_path / "room.sqlite"
    shutil.copy(versions.path(v1.file), room)
    out = tmp_path / "room.next.sqlite"
    assert apply_delta(room, versions.path(delta.file), out) == v2.version
    assert _dump(out) == _dump(versions.path(v2.file))
    assert _searches(out) == _searches(versions.path(v2.file))
    assert file_number(out) == 2
    with sqlite3.connect(out) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        conn.execute("INSERT INTO song_fts (song_fts, rank) VALUES ('integrity-check', 1)")
        conn.execute("INSERT INTO song_words (song_words, rank) VALUES ('integrity-check', 1)")


def test_deltas_chain_and_old_versions_are_pruned(catalog: Catalog, tmp_path: Path) -> None:
    versions = CatalogVersions(tmp_path / "versions", keep=3, delta_span=2)
    catalog.put_entries(_songs(0, 40))
    published = [versions.publish(catalog)]
    for n in range(4):
        catalog.put_entries(_songs(40 + 10 * n, 10))
        published.append(versions.publish(catalog))
    assert [v.number for v in versions.versions()] == [3, 4, 5]
    assert not versions.path(published[0].file).exists()
    assert sorted((d.base, d.target) for d in versions.deltas_to(5)) == [(3, 5), (4, 5)]
    with pytest.raises(NotFound):
        versions.get(1)
    # two versions behind: one delta; applying it gives v5
    room = tmp_path / "room.sqlite"
    shutil.copy(versions.path(versions.get(3).file), room)
    apply_delta(room, versions.path(versions.delta(3, 5).file), tmp_path / "out.sqlite")
    assert _dump(tmp_path / "out.sqlite") == _dump(versions.path(versions.get(5).file))
    # a reopened folder knows its versions and goes on numbering
    again = CatalogVersions(tmp_path / "versions", keep=3, delta_span=2)
    assert again.latest().number == 5
    catalog.put_entries(_songs(200, 1))
    assert again.publish(catalog).number == 6
    assert sha256_of(again.path(again.get(6).file)) == again.get(6).sha256


def test_a_delta_for_another_base_is_refused_and_leaves_no_file(
    catalog: Catalog, tmp_path: Path
) -> None:
    versions = CatalogVersions(tmp_path / "versions", keep=5, delta_span=1)
    catalog.put_entries(_songs(0, 20))
    v1 = versions.publish(catalog)
    catalog.put_entries(_songs(20, 5))
    versions.publish(catalog)
    catalog.put_entries(_songs(25, 5))
    v3 = versions.publish(catalog)
    delta = versions.delta(2, 3)
    out = tmp_path / "out.sqlite"
    with pytest.raises(FailedPrecondition) as refused:
        apply_delta(versions.path(v1.file), versions.path(delta.file), out)
    assert refused.value.reason == "CATALOG_DELTA_BASE"
    assert not out.exists()
    assert v3.number == 3


def test_no_delta_between_schemas(catalog: Catalog, tmp_path: Path) -> None:
    catalog.put_entries(_songs(0, 5))
    a, b = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    catalog.publish(a)
    catalog.publish(b)
    with sqlite3.connect(a) as conn:
        conn.execute("PRAGMA user_version = 1")
    with pytest.raises(FailedPrecondition):
        make_delta(a, b, tmp_path / "d.sqlite")
    assert not (tmp_path / "d.sqlite").exists()
