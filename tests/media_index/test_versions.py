"""Catalog versions: atomic publish, room agents' read-only copies following replacements."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import pytest

from ktv.errors import FailedPrecondition, InvalidArgument, NotFound
from media_index import Catalog
from media_index.schema import SCHEMA_VERSION

from .conftest import entry


def test_every_write_makes_a_new_version(catalog: Catalog) -> None:
    first = catalog.version
    catalog.put_entries([entry("a", "稻香", "周杰伦")])
    assert catalog.version != first


def test_an_agent_copy_follows_an_atomic_replacement(catalog: Catalog, tmp_path: Path) -> None:
    room_copy = tmp_path / "room" / "catalog.sqlite"
    catalog.put_entries([entry("a", "稻香", "周杰伦")])
    v1 = catalog.publish(room_copy)
    agent = Catalog(room_copy, readonly=True)
    assert agent.version == v1
    assert [s.title for s in agent.search("dx").songs] == ["稻香"]

    catalog.put_entries([entry("b", "后来", "刘若英")])
    v2 = catalog.publish(room_copy)
    assert v2 != v1
    assert agent.version == v2  # noticed the new file without being told
    assert [s.title for s in agent.search("hl").songs] == ["后来"]
    agent.close()


def test_searches_keep_working_while_versions_are_published(
    catalog: Catalog, tmp_path: Path
) -> None:
    room_copy = tmp_path / "room.sqlite"
    catalog.put_entries([entry("a", "稻香", "周杰伦")])
    catalog.publish(room_copy)
    errors: list[BaseException] = []
    stop = threading.Event()

    def guest_typing() -> None:
        with Catalog(room_copy, readonly=True) as agent:
            while not stop.is_set():
                try:
                    assert agent.search("dx").songs[0].title == "稻香"
                except BaseException as e:  # collected and re-raised in the test thread
                    errors.append(e)
                    return

    t = threading.Thread(target=guest_typing)
    t.start()
    try:
        for i in range(15):
            catalog.put_entries([entry(f"n{i}", f"新歌{i}", "歌手")])
            catalog.publish(room_copy)
    finally:
        stop.set()
        t.join(timeout=30)
    assert not t.is_alive()
    assert errors == []
    assert not list(tmp_path.glob(".*.tmp"))  # no temp files left behind


def test_publishing_over_the_catalog_itself_is_refused(catalog: Catalog) -> None:
    with pytest.raises(InvalidArgument, match="itself"):
        catalog.publish(catalog.path)


def test_published_copy_is_self_contained(catalog: Catalog, tmp_path: Path) -> None:
    catalog.put_entries([entry("a", "稻香", "周杰伦")])
    dest = tmp_path / "copy.sqlite"
    catalog.publish(dest)
    assert not Path(f"{dest}-wal").exists()
    conn = sqlite3.connect(dest)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()


def test_opening_a_missing_catalog_read_only_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        Catalog(tmp_path / "nope.sqlite", readonly=True)


def test_a_file_that_is_not_a_catalog_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(FailedPrecondition):
        Catalog(junk)
    with pytest.raises(FailedPrecondition):
        Catalog(junk, readonly=True)


def test_a_catalog_from_newer_software_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite"
    Catalog(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(FailedPrecondition, match="newer"):
        Catalog(path)
    with pytest.raises(FailedPrecondition, match="does not match"):
        Catalog(path, readonly=True)


def test_migrations_are_applied_once_at_open(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    Catalog(path).close()
    with Catalog(path) as again:
        again.put_entries([entry("a", "稻香", "周杰伦")])
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_a_closed_catalog_says_so(tmp_path: Path) -> None:
    cat = Catalog(tmp_path / "c.sqlite")
    cat.close()
    cat.close()  # idempotent
    with pytest.raises(FailedPrecondition, match="closed"):
        cat.search("dx")


def test_a_broken_replacement_keeps_the_agent_on_its_version(
    catalog: Catalog, tmp_path: Path
) -> None:
    room_copy = tmp_path / "room.sqlite"
    catalog.put_entries([entry("a", "稻香", "周杰伦")])
    v1 = catalog.publish(room_copy)
    with Catalog(room_copy, readonly=True) as agent:
        assert agent.search("dx").songs
        junk = tmp_path / "junk"
        junk.write_bytes(b"half a download" * 1000)
        os.replace(junk, room_copy)
        assert [s.title for s in agent.search("dx").songs] == ["稻香"]
        assert agent.version == v1
        catalog.put_entries([entry("b", "后来", "刘若英")])
        v2 = catalog.publish(room_copy)
        assert agent.version == v2
        assert [s.title for s in agent.search("hl").songs] == ["后来"]


def test_a_schema_1_catalog_is_upgraded_in_place_with_its_words_indexed(tmp_path: Path) -> None:
    from media_index.schema import MIGRATIONS, _statements

    path = tmp_path / "v1.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in _statements(MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.execute(  # a song as schema 1 stored it (its substring row made by the old trigger)
        "INSERT INTO song (id, song_id, path, title, artists, title_folded, artists_folded, "
        "added_at) VALUES (1, 'myheart', '/songs/myheart.mkv', 'My Heart Will Go On', "
        "'[\"Celine Dion\"]', 'my heart will go on', 'celine dion', 0)"
    )
    conn.close()
    with Catalog(path) as cat:
        assert [s.song_id for s in cat.search("will go").songs] == ["myheart"]  # word index
        assert [s.song_id for s in cat.search("eart").songs] == ["myheart"]  # substring index
        cat.put_entries([entry("myheart", "Titanic Theme", "Celine Dion")])  # no triggers now
        assert cat.search("will go").songs == [] and cat.search("eart").songs == []
        assert [s.title for s in cat.search("titanic th").songs] == ["Titanic Theme"]
