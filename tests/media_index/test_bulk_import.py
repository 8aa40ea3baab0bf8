"""The fast import path (keys computed in a worker process, journal off, text indexes built a
batch at a time) gives the very same catalog as adding songs one batch at a time."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ktv.errors import InvalidArgument, KtvError
from media_index import Catalog
from media_index.bulk_import import build_catalog

from .conftest import entry

SAMPLE = [
    entry("chonglai", "重来", "群星", popularity=20),  # 重: chong / zhong
    entry("changcheng", "长城", "唐朝乐队", popularity=5),  # 长: chang / zhang
    entry("hangbuhang", "行不行", "某歌手"),  # 行: xing / hang
    entry("aidedaijia", "愛的代價", "張學友", popularity=35),  # traditional
    entry("daoxiang", "稻香", "周杰倫", popularity=90),
    entry("kitaguni", "北国の春", "千昌夫", popularity=22),  # kana: no pinyin
    entry("myheart", "My Heart Will Go On", "Celine Dion", popularity=52),
    entry("letitbe", "Let It Be", "The Beatles", popularity=44),
    entry("lianqu", "恋曲1990", "罗大佑"),  # Han and digits
    entry("arirang", "아리랑", "민요"),
    entry("love", "爱 Love 重逢", "Beyond", "周华健"),  # mixed scripts, two singers
    entry("daoxiang-live", "稻香 (Live)", "周杰伦", popularity=91),
]

TABLES = {
    "song": "SELECT id, song_id, path, title, artists, language, char_count, title_folded, "
    "artists_folded, popularity FROM song ORDER BY id",
    "song_key": "SELECT * FROM song_key ORDER BY key, tier, pop, song",
    "song_words": "SELECT rowid, title_words, artist_words FROM song_words ORDER BY rowid",
    "song_artist": "SELECT * FROM song_artist ORDER BY song, singer",
    "singer": "SELECT id, name, folded, kind, initials, song_count FROM singer ORDER BY id",
    "singer_initials": "SELECT * FROM singer_initials ORDER BY initials, singer",
    "substring index": "SELECT rowid FROM song_fts WHERE song_fts MATCH '\"代价\"' "
    "OR song_fts MATCH '\"eart\"' OR song_fts MATCH '\"国の春\"' ORDER BY rowid",
}


def dump(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        return {name: conn.execute(sql).fetchall() for name, sql in TABLES.items()}
    finally:
        conn.close()


@pytest.mark.parametrize("phrases", [False, True], ids=["per-character", "phrase-dictionary"])
def test_bulk_build_with_a_worker_gives_the_same_catalog_as_plain_batches(
    tmp_path: Path, phrases: bool
) -> None:
    plain = tmp_path / "plain.sqlite"
    with Catalog(plain, pinyin_phrases=phrases) as cat:
        cat.put_entries(SAMPLE)
    fast = tmp_path / "fast.sqlite"
    build_catalog(fast, SAMPLE, pinyin_phrases=phrases, batch_songs=4, workers=1)
    want, got = dump(plain), dump(fast)
    assert want["song_key"]  # not two empty catalogs
    for table in TABLES:
        assert got[table] == want[table], table


def test_a_bulk_built_catalog_searches_like_any_other(tmp_path: Path) -> None:
    db = tmp_path / "catalog.sqlite"
    build_catalog(db, SAMPLE, batch_songs=5, workers=1)
    assert not Path(f"{db}-wal").exists()  # self-contained: ready to publish or copy
    with Catalog(db, readonly=True) as cat:
        assert [s.title for s in cat.search("zhonglai").songs] == ["重来"]
        assert [s.title for s in cat.search("爱的代价").songs] == ["愛的代價"]
        assert [s.title for s in cat.search("dx").songs] == ["稻香", "稻香 (Live)"]
        assert cat.stats().songs == len(SAMPLE)


def test_import_entries_without_a_worker_adds_to_an_open_catalog(catalog: Catalog) -> None:
    seen: list[int] = []
    assert catalog.import_entries(SAMPLE[:5], workers=0, progress=seen.append) == 5
    assert catalog.import_entries(SAMPLE[5:] + SAMPLE[:1], workers=0) == len(SAMPLE) - 4
    assert seen == [5]
    assert catalog.stats().songs == len(SAMPLE)  # the repeated song was updated, not added
    with pytest.raises(InvalidArgument, match="workers"):
        catalog.import_entries(SAMPLE, workers=-1)


def test_a_failed_build_leaves_the_previous_catalog_in_place(tmp_path: Path) -> None:
    db = tmp_path / "catalog.sqlite"
    build_catalog(db, SAMPLE[:3], workers=0)

    def broken():
        yield from SAMPLE[3:6]
        raise KtvError("the library disk went away")

    with pytest.raises(KtvError, match="disk went away"):
        build_catalog(db, broken(), batch_songs=2, workers=0)
    with Catalog(db, readonly=True) as cat:
        assert cat.stats().songs == 3
    assert [p.name for p in tmp_path.iterdir()] == ["catalog.sqlite"]  # no temp files left
