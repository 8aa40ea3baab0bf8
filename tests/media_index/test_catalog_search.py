"""Searching the way KTV guests type, against a real catalog file (entries without media)."""

from __future__ import annotations

import pytest

from ktv.errors import InvalidArgument, NotFound
from media_index import ArtistKind, Catalog, CatalogEntry, VocalMode
from media_index.model import Channel

from .conftest import entry


def titles(page) -> list[str]:
    return [s.title for s in page.songs]


@pytest.fixture
def book(catalog: Catalog) -> Catalog:
    catalog.put_entries(
        [
            entry("daoxiang", "稻香", "周杰伦", popularity=90, language="mandarin",
                  vocal_mode=VocalMode.TRACKS, vocal_track=0, accompaniment_track=1,
                  lyrics_path="/songs/daoxiang.lrc"),
            entry("qingtian", "晴天", "周杰伦", popularity=85, language="mandarin"),
            entry("daxia", "大侠", "某歌手", popularity=10, language="mandarin"),
            entry("dxjs", "稻香江山", "某歌手", popularity=1, language="mandarin"),
            entry("houlai", "后来", "刘若英", popularity=80, language="mandarin",
                  vocal_mode=VocalMode.CHANNELS, vocal_channel=Channel.RIGHT,
                  lyrics_path="/songs/houlai.lrc"),
            entry("chonglai", "重来", "群星", popularity=20, language="mandarin"),
            entry("aidedaijia", "愛的代價", "張學友", popularity=35, language="mandarin"),
            entry("yueliang", "月亮代表我的心", "邓丽君", popularity=75, language="mandarin"),
            entry("xiangxiang", "香香的歌", "某歌手", popularity=5, language="mandarin"),
            entry("myheart", "My Heart Will Go On", "Celine Dion", popularity=52,
                  language="english"),
            entry("letitbe", "Let It Be", "The Beatles", popularity=44, language="english"),
            entry("kitaguni", "北国の春", "千昌夫", popularity=22, language="japanese"),
            entry("haikuo", "海阔天空", "Beyond", popularity=70, language="cantonese"),
        ]
    )  # fmt: skip
    return catalog


def test_pinyin_initials_find_the_singer(book: Catalog) -> None:
    assert titles(book.search("zjl")) == ["稻香", "晴天"]


def test_pinyin_initials_find_the_title_exact_before_prefix(book: Catalog) -> None:
    # 稻香 (dx exactly) and 大侠 (dx exactly) before 稻香江山 (dxjs starts with dx)
    assert titles(book.search("dx")) == ["稻香", "大侠", "稻香江山"]


def test_full_pinyin_finds_the_title(book: Catalog) -> None:
    assert titles(book.search("daoxiang"))[:2] == ["稻香", "稻香江山"]
    assert titles(book.search("dao xiang"))[0] == "稻香"


def test_partial_full_pinyin_finds_songs_by_prefix(book: Catalog) -> None:
    assert set(titles(book.search("daox"))) == {"稻香", "稻香江山"}
    assert titles(book.search("zhouj")) == ["稻香", "晴天"]


def test_one_chinese_character_finds_prefix_then_contains(book: Catalog) -> None:
    # 香香的歌 starts with 香 (prefix), 稻香 and 稻香江山 contain it
    assert titles(book.search("香")) == ["香香的歌", "稻香", "稻香江山"]


def test_two_chinese_characters_find_exact_prefix_and_contains(book: Catalog) -> None:
    assert titles(book.search("稻香")) == ["稻香", "稻香江山"]
    assert titles(book.search("代表")) == ["月亮代表我的心"]


def test_three_or_more_chinese_characters_find_substrings(book: Catalog) -> None:
    assert titles(book.search("代表我的")) == ["月亮代表我的心"]
    assert titles(book.search("月亮代表我的心")) == ["月亮代表我的心"]


def test_traditional_query_finds_simplified_song(book: Catalog) -> None:
    assert titles(book.search("周杰倫")) == ["稻香", "晴天"]


def test_simplified_query_finds_song_indexed_in_traditional(book: Catalog) -> None:
    assert titles(book.search("爱的代价")) == ["愛的代價"]
    assert titles(book.search("张学友")) == ["愛的代價"]
    assert titles(book.search("addj")) == ["愛的代價"]


def test_both_readings_of_chong_find_chonglai(book: Catalog) -> None:
    assert titles(book.search("chonglai")) == ["重来"]
    assert titles(book.search("zhonglai")) == ["重来"]
    assert "重来" in titles(book.search("cl"))
    assert "重来" in titles(book.search("zl"))


def test_english_words_find_titles_and_singers(book: Catalog) -> None:
    assert titles(book.search("heart")) == ["My Heart Will Go On"]
    assert titles(book.search("let it")) == ["Let It Be"]
    assert titles(book.search("LET IT BE")) == ["Let It Be"]
    assert titles(book.search("beatles")) == ["Let It Be"]
    assert titles(book.search("celine")) == ["My Heart Will Go On"]
    assert titles(book.search("beyond")) == ["海阔天空"]


def test_english_words_in_a_row_anywhere_in_a_title_find_it(book: Catalog) -> None:
    assert titles(book.search("will go")) == ["My Heart Will Go On"]
    assert titles(book.search("heart wi")) == ["My Heart Will Go On"]  # still typing
    assert titles(book.search("it be")) == ["Let It Be"]
    assert titles(book.search("go will")) == []  # words out of order are another song


def test_english_title_start_ranks_above_words_inside_a_title(catalog: Catalog) -> None:
    catalog.put_entries(
        [
            entry("a", "Sweet Home Alabama", "Lynyrd Skynyrd", popularity=90),
            entry("b", "Home Sweet Home", "Motley Crue", popularity=10),
            entry("c", "Sweet Home", "Someone", popularity=1),
        ]
    )
    # exact title, then the title that starts with it, then the one that holds it
    assert titles(catalog.search("sweet home")) == [
        "Sweet Home", "Sweet Home Alabama", "Home Sweet Home",
    ]  # fmt: skip


def test_substring_inside_an_english_word(book: Catalog) -> None:
    assert titles(book.search("eart")) == ["My Heart Will Go On"]


def test_a_very_common_fragment_ranks_a_bounded_number_of_matches(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog.put_entries(
        [entry(f"s{i}", title, "Someone", popularity=i)
         for i, title in enumerate(["Night", "Light", "Tight", "Right", "Fight"])]
    )  # fmt: skip
    assert titles(catalog.search("ight")) == ["Fight", "Right", "Tight", "Light", "Night"]
    monkeypatch.setattr("media_index.settings.substring_scan_cap", 3)
    page = catalog.search("ight")
    assert titles(page) == ["Tight", "Light", "Night"]  # the first 3 found, by popularity


def test_a_very_broad_prefix_ranks_a_bounded_number_of_matches(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog.put_entries(
        [entry(f"s{i}", f"Song {i}", band, popularity=i)
         for i, band in enumerate(["The Bad Band", "The Best Boys", "The Blue Club",
                                   "The Brothers", "The Bright Crew"])]
    )  # fmt: skip
    assert [s.artists[0] for s in catalog.search("the b").songs] == [
        "The Bright Crew", "The Brothers", "The Blue Club", "The Best Boys", "The Bad Band",
    ]  # fmt: skip
    monkeypatch.setattr("media_index.settings.range_scan_cap", 3)
    # prefix matches: the songs of the first 3 keys in key order, by popularity; the page
    # not being full, the word index then finds the rest ("the b..." words anywhere)
    assert [s.artists[0] for s in catalog.search("the b").songs] == [
        "The Blue Club", "The Best Boys", "The Bad Band", "The Bright Crew", "The Brothers",
    ]  # fmt: skip


def test_japanese_title_is_found_by_its_own_characters_not_by_pinyin(book: Catalog) -> None:
    assert titles(book.search("北国の春")) == ["北国の春"]
    assert titles(book.search("の春")) == ["北国の春"]
    assert titles(book.search("bgdc")) == []


def test_ties_are_broken_by_popularity(book: Catalog) -> None:
    # both exact singer matches; 稻香 is more popular than 晴天
    assert titles(book.search("zhoujielun")) == ["稻香", "晴天"]


def test_filters_narrow_the_search(book: Catalog) -> None:
    assert titles(book.search("", language="english")) == ["My Heart Will Go On", "Let It Be"]
    assert titles(book.search("", char_count=7)) == ["月亮代表我的心"]
    assert titles(book.search("", artist="周杰倫")) == ["稻香", "晴天"]
    assert titles(book.search("", has_lyrics=True)) == ["稻香", "后来"]
    assert titles(book.search("", vocal_mode="channels")) == ["后来"]
    assert titles(book.search("dx", char_count=4)) == ["稻香江山"]
    assert titles(book.search("d", language="mandarin", vocal_mode=VocalMode.TRACKS)) == ["稻香"]


def test_pages_walk_through_all_results_without_repeats(book: Catalog) -> None:
    everything = titles(book.search("", limit=100))
    pages = [titles(book.search("", limit=4, offset=o)) for o in range(0, 16, 4)]
    assert [t for page in pages for t in page] == everything
    assert book.search("", limit=4).total == len(everything) == 13
    first, second = book.search("d", limit=2), book.search("d", limit=2, offset=2)
    assert first.total == second.total
    assert not set(titles(first)) & set(titles(second))


def test_empty_query_lists_songs_by_popularity(book: Catalog) -> None:
    assert titles(book.search("", limit=3)) == ["稻香", "晴天", "后来"]


def test_nothing_found_is_an_empty_page(book: Catalog) -> None:
    page = book.search("qqqqxyz")
    assert page.songs == [] and page.total == 0


def test_bad_search_arguments_are_refused_clearly(book: Catalog) -> None:
    with pytest.raises(InvalidArgument, match="limit"):
        book.search("dx", limit=0)
    with pytest.raises(InvalidArgument, match="offset"):
        book.search("dx", offset=-1)
    with pytest.raises(InvalidArgument, match="vocal mode"):
        book.search("dx", vocal_mode="karaoke")
    with pytest.raises(InvalidArgument, match="char_count"):
        book.search("dx", char_count=0)


def test_quotes_and_operators_in_a_query_are_just_text(book: Catalog) -> None:
    for q in ['"', "a OR b", "*", "NEAR(x y)", '稻香"', "'; DROP TABLE song; --"]:
        book.search(q)  # no exception
    assert len(book.search("", limit=100).songs) == 13


def test_get_returns_the_song_or_not_found(book: Catalog) -> None:
    song = book.get("daoxiang")
    assert song.title == "稻香" and song.vocal_mode is VocalMode.TRACKS
    assert (song.vocal_track, song.accompaniment_track) == (0, 1)
    with pytest.raises(NotFound):
        book.get("nope")


def test_singer_browse_by_initials_and_type(catalog: Catalog) -> None:
    kinds = {"周杰伦": ArtistKind.MALE, "周华健": ArtistKind.MALE, "张惠妹": ArtistKind.FEMALE}
    catalog.put_entries(
        [
            CatalogEntry(e.song, e.stamp, artist_kinds=(kinds[e.song.artists[0]],))
            for e in (
                entry("a", "稻香", "周杰伦"),
                entry("b", "晴天", "周杰伦"),
                entry("c", "朋友", "周华健"),
                entry("d", "听海", "张惠妹"),
            )
        ]
    )
    names = [s.name for s in catalog.singers("z")]
    assert names == ["周杰伦", "周华健", "张惠妹"]  # most songs first
    assert [s.name for s in catalog.singers("zh")] == ["周华健", "张惠妹"]
    assert [s.name for s in catalog.singers("", kind="female")] == ["张惠妹"]
    jay = catalog.singers("zjl")[0]
    assert (jay.song_count, jay.kind, jay.initials) == (2, ArtistKind.MALE, "zjl")


def test_songs_by_artist_lists_a_singers_songs(book: Catalog) -> None:
    assert titles(book.songs_by_artist("周杰伦")) == ["稻香", "晴天"]
    assert book.songs_by_artist("nobody").total == 0


def test_updating_a_song_replaces_its_search_keys(book: Catalog) -> None:
    book.put_entries([entry("daxia", "小侠", "某歌手", popularity=10)])
    assert "大侠" not in titles(book.search("dx"))
    assert titles(book.search("xx")) == ["小侠", "香香的歌"]  # exact before prefix (xxdg)
