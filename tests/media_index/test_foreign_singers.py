"""Singer browse's "foreign" category (外语歌星): singers who mostly sing in non-Chinese
languages, decided from their songs' languages (the catalog has no artist region)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from media_index import Catalog
from media_index.singer_region import CHINESE_LANGUAGES, is_foreign
from tests.media_index.conftest import entry


def test_a_singer_is_foreign_when_most_known_songs_are_not_in_a_chinese_language():
    assert is_foreign({"english": 2})
    assert is_foreign({"japanese": 2, "mandarin": 1})
    assert not is_foreign({"english": 1, "cantonese": 1})  # half is not most
    assert not is_foreign({"mandarin": 3, "english": 1})
    assert not is_foreign({"": 4})  # nothing known: not foreign
    assert is_foreign({"": 9, "korean": 1})  # unknown songs do not count


@given(
    st.dictionaries(
        st.sampled_from(["", *CHINESE_LANGUAGES, "english", "korean"]), st.integers(0, 5)
    )
)
def test_chinese_songs_never_make_a_singer_foreign(counts):
    chinese_only = {lang: n for lang, n in counts.items() if lang in CHINESE_LANGUAGES or not lang}
    assert not is_foreign(chinese_only)


def test_foreign_singer_browse_on_a_real_catalog(catalog: Catalog) -> None:
    catalog.put_entries(
        [
            entry("c1", "Yesterday Once More", "Carpenters", language="english"),
            entry("c2", "Top of the World", "Carpenters", language="english"),
            entry("u1", "First Love", "宇多田光", language="japanese"),
            entry("u2", "Automatic", "宇多田光", language="japanese"),
            entry("u3", "光", "宇多田光", language="mandarin"),
            entry("w1", "唯一", "王力宏", language="mandarin"),
            entry("w2", "落叶归根", "王力宏", language="mandarin"),
            entry("w3", "Last Dance", "王力宏", language="english"),
            entry("l1", "忘情水", "刘德华", language="cantonese"),
            entry("l2", "Everyone Is No.1", "刘德华", language="english"),
            entry("n1", "无名曲", "无名氏"),  # language unknown
            entry("j1", "晴天", "周杰伦", language="mandarin"),
        ]
    )
    foreign = [s.name for s in catalog.singers("", foreign=True)]
    assert foreign == ["宇多田光", "Carpenters"]  # most songs first
    assert [s.name for s in catalog.singers("y", foreign=True)] == ["宇多田光"]  # initials
    everyone = {s.name for s in catalog.singers("")}
    assert {"王力宏", "刘德华", "无名氏", "周杰伦"} <= everyone  # foreign only narrows
