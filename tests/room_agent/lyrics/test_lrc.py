"""LRC and enhanced LRC as they come from the wild."""

from __future__ import annotations

import logging

from room_agent.lyrics import parse_lrc

QINGTIAN = """\
[ti:晴天]
[ar:周杰伦]
[al:叶惠美]
[by:ktv-test]
[00:12.00]故事的小黄花
[00:15.50]从出生那年就飘着
[00:19.20]童年的荡秋千
"""


def test_metadata_tags_are_read_and_not_shown_as_lines() -> None:
    lyrics = parse_lrc(QINGTIAN)
    meta = lyrics.metadata
    assert (meta.title, meta.artist, meta.album, meta.author) == (
        "晴天",
        "周杰伦",
        "叶惠美",
        "ktv-test",
    )
    assert [line.text for line in lyrics.lines] == [
        "故事的小黄花",
        "从出生那年就飘着",
        "童年的荡秋千",
    ]
    assert lyrics.warnings == ()


def test_each_line_lasts_until_the_next_one_starts() -> None:
    lines = parse_lrc(QINGTIAN).lines
    assert [(line.start_ms, line.end_ms) for line in lines[:2]] == [(12000, 15500), (15500, 19200)]


def test_last_plain_line_gets_a_default_duration() -> None:
    last = parse_lrc(QINGTIAN).lines[-1]
    assert last.end_ms == 19200 + 5000


def test_a_line_with_several_timestamps_is_sung_each_time() -> None:
    lyrics = parse_lrc(
        "[00:10.00]主歌\n[00:20.00][01:30.50][02:40.05]副歌 chorus\n[00:25.00]过门\n"
    )
    starts = [(line.start_ms, line.text) for line in lyrics.lines]
    assert starts == [
        (10000, "主歌"),
        (20000, "副歌 chorus"),
        (25000, "过门"),
        (90500, "副歌 chorus"),
        (160050, "副歌 chorus"),
    ]


def test_timestamp_fraction_digits_mean_tenths_hundredths_or_thousandths() -> None:
    lyrics = parse_lrc("[00:01.5]a\n[00:02.25]b\n[00:03.125]c\n[00:04]d\n[00:05:50]e\n")
    assert [line.start_ms for line in lyrics.lines] == [1500, 2250, 3125, 4000, 5500]


def test_positive_offset_shows_lyrics_earlier() -> None:
    lyrics = parse_lrc("[offset:+300]\n[00:10.00]早一点\n[00:00.10]不会变成负数\n")
    assert [line.start_ms for line in lyrics.lines] == [0, 9700]
    assert lyrics.metadata.offset_ms == 300


def test_negative_offset_shows_lyrics_later() -> None:
    lyrics = parse_lrc("[offset:-250]\n[00:10.00]晚一点\n")
    assert lyrics.lines[0].start_ms == 10250


def test_bad_offset_is_a_warning_and_ignored() -> None:
    lyrics = parse_lrc("[offset:soon]\n[00:10.00]x\n")
    assert lyrics.lines[0].start_ms == 10000
    assert "offset" in lyrics.warnings[0].reason


def test_enhanced_lrc_gives_word_timings_and_the_line_ends_with_the_last_word() -> None:
    lyrics = parse_lrc(
        "[00:10.00]<00:10.00>还<00:10.40>记<00:10.80>得<00:11.60>\n[00:15.00]下一句\n"
    )
    line = lyrics.lines[0]
    assert line.text == "还记得"
    assert [(w.start_ms, w.end_ms, w.text) for w in line.words] == [
        (10000, 10400, "还"),
        (10400, 10800, "记"),
        (10800, 11600, "得"),
    ]
    assert line.end_ms == 11600
    assert lyrics.word_timed


def test_enhanced_lrc_english_words_keep_their_spaces() -> None:
    lyrics = parse_lrc(
        "[00:01.00] <00:01.00> Fly <00:01.50> me <00:02.00> to <00:02.40> the <00:03.00>\n"
    )
    line = lyrics.lines[0]
    assert line.text == "Fly me to the"
    assert [w.text for w in line.words] == ["Fly ", "me ", "to ", "the"]
    assert line.words[-1].end_ms == 3000


def test_enhanced_line_without_closing_stamp_ends_at_the_next_line() -> None:
    lyrics = parse_lrc("[00:01.00]<00:01.00>一<00:01.50>二\n[00:04.00]三\n")
    assert lyrics.lines[0].words[-1].end_ms == 4000


def test_enhanced_words_repeat_with_a_repeated_line() -> None:
    lyrics = parse_lrc("[00:10.00][00:30.00]<00:10.00>啦<00:10.50>啦<00:11.00>\n")
    second = lyrics.lines[1]
    assert [(w.start_ms, w.end_ms) for w in second.words] == [(30000, 30500), (30500, 31000)]


def test_word_timestamps_that_go_backwards_fall_back_to_a_plain_line() -> None:
    lyrics = parse_lrc("[00:10.00]<00:10.00>前<00:09.00>后\n")
    assert lyrics.lines[0].words == ()
    assert lyrics.lines[0].text == "前后"
    assert "backwards" in lyrics.warnings[0].reason


def test_malformed_and_untimed_lines_are_skipped_with_a_warning(caplog) -> None:
    text = (
        "[00:01.00]好的\n这行没有时间\n[0a:02.00]坏的时间\n[00:75.00]秒数超过六十\n[00:03.00]也好\n"
    )
    with caplog.at_level(logging.WARNING):
        lyrics = parse_lrc(text)
    assert [line.text for line in lyrics.lines] == ["好的", "也好"]
    assert [w.line_no for w in lyrics.warnings] == [2, 3, 4]
    assert "这行没有时间" in caplog.text


def test_blank_lines_and_windows_line_endings_are_fine() -> None:
    lyrics = parse_lrc("\r\n[00:01.00]一\r\n\r\n   \r\n[00:02.00]二\r\n")
    assert [line.text for line in lyrics.lines] == ["一", "二"]
    assert lyrics.warnings == ()


def test_empty_stamped_line_is_a_pause_that_ends_the_line_before() -> None:
    lyrics = parse_lrc("[00:01.00]唱\n[00:03.00]\n[00:20.00]再唱\n")
    assert [(line.start_ms, line.end_ms, line.text) for line in lyrics.lines] == [
        (1000, 3000, "唱"),
        (20000, 25000, "再唱"),
    ]


def test_plain_line_before_a_long_break_is_not_wiped_for_a_minute() -> None:
    lyrics = parse_lrc("[00:01.00]唱\n[01:30.00]再唱\n")
    assert lyrics.lines[0].end_ms == 11000


def test_same_stamp_twice_is_a_translation() -> None:
    lyrics = parse_lrc("[00:01.00]Yesterday once more\n[00:01.00]昨日重现\n[00:04.00]next\n")
    assert len(lyrics.lines) == 2
    assert lyrics.lines[0].translation == "昨日重现"


def test_lines_out_of_order_in_the_file_are_sorted() -> None:
    lyrics = parse_lrc("[00:05.00]二\n[00:01.00]一\n")
    assert [line.text for line in lyrics.lines] == ["一", "二"]


def test_unknown_tags_are_kept_and_length_bounds_the_last_line() -> None:
    lyrics = parse_lrc("[re:tool]\n[length:00:12.00]\n[00:10.00]尾\n")
    assert ("re", "tool") in lyrics.metadata.other
    assert lyrics.lines[0].end_ms == 12000


def test_text_with_brackets_after_the_stamp_is_kept() -> None:
    lyrics = parse_lrc("[00:01.00][合]一起唱\n")
    assert lyrics.warnings == ()
    assert lyrics.lines[0].text == "[合]一起唱"


def test_empty_file_gives_no_lines_and_no_crash() -> None:
    assert parse_lrc("").lines == ()
