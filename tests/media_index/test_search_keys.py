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
