import re

from hypothesis import given, settings
from hypothesis import strategies as st

from media_index.search_keys import (
    MatchTier,
    char_count,
    fold,
    guess_language,
    name_keys,
    primary_initials,
    readings,
    song_keys,
)


def test_traditional_characters_fold_to_simplified() -> None:
    assert fold("周杰倫") == "周杰伦"
    assert fold("愛的代價") == "爱的代价"


def test_full_width_letters_and_case_fold_to_plain_lowercase() -> None:
    assert fold("ＬＯＶＥ  Song") == "love song"


def test_both_readings_of_chong_are_indexed_for_chonglai() -> None:
    spellings = {"".join(r) for r in readings("重来")}
    assert {"zhonglai", "chonglai"} <= spellings
    keys = name_keys("重来")
    assert keys["cl"] is MatchTier.EXACT
    assert keys["zl"] is MatchTier.EXACT


def test_phrase_reading_comes_first_for_polyphonic_words() -> None:
    # 长城: the phrase dictionary knows chang, even though 长 alone is often zhang
    assert readings("长城")[0] == ("chang", "cheng")


def test_reading_combinations_are_bounded() -> None:
    assert len(readings("长长的头发行不行长长的")) <= 8


def test_japanese_titles_get_no_pinyin() -> None:
    assert readings("北国の春") == []
    assert not any(k.isascii() for k in name_keys("北国の春"))
    assert guess_language("北国の春") == "japanese"


def test_language_guesses() -> None:
    assert guess_language("稻香") == "mandarin"
    assert guess_language("아리랑") == "korean"
    assert guess_language("Let It Be") == "english"


def test_char_count_is_han_characters_or_latin_words_without_the_version() -> None:
    assert char_count("月亮代表我的心") == 7
    assert char_count("月亮代表我的心 (Live)") == 7
    assert char_count("Let It Be") == 3
    assert char_count("恋曲1990") == 3


def test_title_keys_cover_initials_pinyin_and_characters() -> None:
    keys = name_keys("稻香")
    assert keys["dx"] is MatchTier.EXACT
    assert keys["daoxiang"] is MatchTier.EXACT
    assert keys["d"] is MatchTier.PREFIX
    assert keys["dao"] is MatchTier.PREFIX
    assert keys["稻"] is MatchTier.PREFIX
    assert keys["香"] is MatchTier.CONTAINS


def test_english_words_inside_a_title_match_as_contains() -> None:
    keys = name_keys("My Heart Will Go On")
    assert keys["my heart will go on"] is MatchTier.EXACT
    assert keys["heart"] is MatchTier.CONTAINS
    assert "hea" not in keys  # fragments of words are found by substring search instead
    assert keys["my "] is MatchTier.PREFIX


def test_a_singer_key_beats_a_title_key_only_when_it_is_better() -> None:
    keys = song_keys("周杰伦的歌", ["周杰伦"])
    assert keys["zjl"] is MatchTier.EXACT  # from the singer
    assert keys["zjldg"] is MatchTier.EXACT  # from the title


def test_primary_initials_of_latin_singers_are_word_initials() -> None:
    assert primary_initials("Celine Dion") == "cd"
    assert primary_initials("周杰伦") == "zjl"


# ---- the optimised key builder against its plain definition --------------------------------
def plain_name_keys(name: str, phrase_aware: bool, inner_grams: bool) -> dict[str, MatchTier]:
    """The definition, one key at a time: every (key, tier) a name contributes, best tier kept."""
    found: list[tuple[str, MatchTier]] = []
    folded = fold(name)

    def prefixes(key: str, upto: int, tier: MatchTier) -> None:
        found.extend((key[:n], tier) for n in range(1, min(upto, len(key) - 1) + 1))

    if folded.isascii():
        words = re.findall(r"[a-z0-9]+(?:'[a-z]+)?", folded)
        found.append((folded, MatchTier.EXACT))
        prefixes(folded, 3, MatchTier.PREFIX)
        if len(words) > 1:
            found.append(("".join(words), MatchTier.EXACT))
        found.extend((w, MatchTier.CONTAINS) for w in words[1:])
    else:
        compact = folded.replace(" ", "")
        found += [(compact, MatchTier.EXACT), (folded, MatchTier.EXACT)]
        prefixes(compact, 2, MatchTier.PREFIX)
        for i in range(1, len(compact) if inner_grams else 0):
            for gram in (compact[i : i + 1], compact[i : i + 2]):
                if not gram.isascii():
                    found.append((gram, MatchTier.CONTAINS))
        for n, syllables in enumerate(readings(folded, phrase_aware=phrase_aware)):
            for key in ("".join(s[0] for s in syllables), "".join(syllables)):
                found.append((key, MatchTier.EXACT))
                prefixes(key, 3, MatchTier.PREFIX)
            if n == 0:
                found.extend(("".join(syllables[:k]), MatchTier.PREFIX)
                             for k in range(1, len(syllables)))  # fmt: skip
    keys: dict[str, MatchTier] = {}
    for key, tier in found:
        if key and keys.get(key, -1) < tier:
            keys[key] = tier
    return keys


NAME_CHARS = "重长行乐的爱稻香周杰倫傑愛代價の春北国아리랑 abcLOVE1990'（）"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=NAME_CHARS, max_size=10), st.booleans(), st.booleans())
def test_fast_name_keys_match_the_plain_definition(name: str, phrases: bool, grams: bool) -> None:
    assert name_keys(name, phrase_aware=phrases, inner_grams=grams) == plain_name_keys(
        name, phrases, grams
    )
