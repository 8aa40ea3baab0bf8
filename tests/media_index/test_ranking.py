from media_index.ranking import (
    Candidate,
    QueryKind,
    classify,
    merge_ranked,
    plan_query,
    successor,
)
from media_index.search_keys import MatchTier


def test_what_the_guest_typed_is_recognised() -> None:
    assert classify("zjl") is QueryKind.INITIALS
    assert classify("dx") is QueryKind.INITIALS
    assert classify("daoxiang") is QueryKind.PINYIN
    assert classify("zhoujielun") is QueryKind.PINYIN
    assert classify("稻") is QueryKind.CHINESE
    assert classify("周杰倫") is QueryKind.CHINESE
    assert classify("let it be") is QueryKind.ENGLISH
    assert classify("  ") is QueryKind.EMPTY
    assert classify("ありがとう") is QueryKind.OTHER_SCRIPT


def test_short_queries_are_single_key_lookups() -> None:
    plan = plan_query("zjl")
    assert plan.lookup_keys == ("zjl",)
    assert plan.range_prefixes == ()
    plan = plan_query("稻")
    assert plan.lookup_keys == ("稻",) and plan.contains_texts == ()


def test_longer_queries_add_prefix_ranges_and_substring_search() -> None:
    plan = plan_query("daoxiang")
    assert plan.range_prefixes == ("daoxiang",)
    assert plan.contains_texts == ("daoxiang",)
    plan = plan_query("月亮代表")
    assert plan.range_prefixes == ("月亮代表",)


def test_english_words_use_the_word_index_not_substring_search() -> None:
    plan = plan_query("Hope Red")
    assert plan.words == ("hope", "red")
    assert plan.contains_texts == ()
    plan = plan_query("eart")  # one token: a fragment of a word is still found
    assert plan.words == ("eart",) and plan.contains_texts == ("eart",)
    assert plan_query("月亮代表").words == ()


def test_spaced_pinyin_is_also_tried_without_spaces() -> None:
    assert plan_query("Dao Xiang").lookup_keys == ("dao xiang", "daoxiang")


def test_traditional_query_is_folded() -> None:
    assert plan_query("周杰倫").lookup_keys == ("周杰伦",)


def test_successor_bounds_a_prefix_range() -> None:
    assert successor("zj") == "zk"
    assert successor("zj") > "zjl"


def test_exact_beats_prefix_beats_contains_then_popularity() -> None:
    merged = merge_ranked(
        [
            [Candidate(1, MatchTier.CONTAINS, 999), Candidate(2, MatchTier.PREFIX, 5)],
            [Candidate(3, MatchTier.EXACT, 1), Candidate(4, MatchTier.PREFIX, 50)],
        ]
    )
    assert [c.song for c in merged] == [3, 4, 2, 1]


def test_a_song_found_twice_keeps_its_best_match() -> None:
    merged = merge_ranked(
        [[Candidate(7, MatchTier.CONTAINS, 3)], [Candidate(7, MatchTier.EXACT, 3)]]
    )
    assert merged == [Candidate(7, MatchTier.EXACT, 3)]
