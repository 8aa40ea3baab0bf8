"""Properties of search over arbitrary titles: whatever a guest types that is part of a
song's name (its initials, its pinyin, any stretch of its characters) finds that song."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from media_index import Catalog
from media_index.search_keys import fold, readings

from .conftest import entry

HAN = "稻香晴天后来重来长城行乐爱的代价月亮我心中国朋友海阔空千里外会赢"
titles = st.text(alphabet=HAN, min_size=1, max_size=8)
words = st.lists(st.sampled_from(["love", "heart", "night", "go", "on", "baby"]), min_size=1,
                 max_size=4).map(" ".join)  # fmt: skip
SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip


def found(title: str, query: str) -> bool:
    with tempfile.TemporaryDirectory() as d, Catalog(Path(d) / "c.sqlite") as cat:
        cat.put_entries([entry("x", title, "某歌手"), entry("y", "无关", "别人")])
        page = cat.search(query, limit=50)
        return "x" in {s.song_id for s in page.songs}


@SETTINGS
@given(titles, st.data())
def test_any_stretch_of_a_chinese_title_finds_it(title: str, data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(title) - 1))
    j = data.draw(st.integers(i + 1, len(title)))
    assert found(title, title[i:j])


@SETTINGS
@given(titles, st.data())
def test_every_reading_initials_prefix_finds_the_title(title: str, data: st.DataObject) -> None:
    reading = data.draw(st.sampled_from(readings(title, phrase_aware=False)))
    initials = "".join(s[0] for s in reading)
    n = data.draw(st.integers(1, len(initials)))
    assert found(title, initials[:n])


@SETTINGS
@given(titles, st.data())
def test_every_reading_full_pinyin_prefix_finds_the_title(title: str, data: st.DataObject) -> None:
    reading = data.draw(st.sampled_from(readings(title, phrase_aware=False)))
    full = "".join(reading)
    n = data.draw(st.integers(1, len(full)))
    assert found(title, full[:n])


@SETTINGS
@given(words, st.data())
def test_any_words_in_a_row_or_a_fragment_of_one_word_find_an_english_title(
    title: str, data
) -> None:
    folded = fold(title).split()
    word = data.draw(st.sampled_from(folded))
    assert found(title, word)  # a whole word, however short
    i = data.draw(st.integers(0, len(folded) - 1))
    j = data.draw(st.integers(i + 1, len(folded)))
    typed = " ".join(folded[i:j])
    typed = typed[: data.draw(st.integers(len(typed) - len(folded[j - 1]) + 1, len(typed)))]
    assert found(title, typed)  # words in a row, the last one maybe unfinished
    assume(len(word) >= 3)
    a = data.draw(st.integers(0, len(word) - 3))
    b = data.draw(st.integers(a + 3, len(word)))
    assert found(title, word[a:b])  # 3+ characters from inside one word ("eart")
