"""ASS karaoke text for libVLC/libass to wipe on the TV."""

from __future__ import annotations

import re

from room_agent.lyrics import parse_lrc
from room_agent.lyrics.ass import ASS_FONT, ass_time, lyrics_to_ass


def _dialogues(ass: str) -> list[str]:
    return [line for line in ass.splitlines() if line.startswith("Dialogue:")]


def _k_total_cs(text: str) -> int:
    return sum(int(n) for n in re.findall(r"\\kf?(\d+)", text))


def test_ass_time_format_is_hours_minutes_seconds_centiseconds() -> None:
    assert ass_time(0) == "0:00:00.00"
    assert ass_time(83_456) == "0:01:23.46"
    assert ass_time(3_723_010) == "1:02:03.01"


def test_styles_use_the_simplified_chinese_cjk_font() -> None:
    ass = lyrics_to_ass(parse_lrc("[00:01.00]一\n"))
    styles = [line for line in ass.splitlines() if line.startswith("Style:")]
    assert styles and all(f",{ASS_FONT}," in style for style in styles)
    assert "[Events]" in ass and "ScriptType: v4.00+" in ass


def test_enhanced_words_become_kf_tags_with_their_own_durations() -> None:
    ass = lyrics_to_ass(parse_lrc("[00:10.00]<00:10.00>还<00:10.60>记<00:11.20>得<00:12.40>\n"))
    (dialogue,) = _dialogues(ass)
    assert dialogue.startswith("Dialogue: 0,0:00:08.50,0:00:12.40,")
    assert dialogue.endswith(r"{\k150}{\kf60}还{\kf60}记{\kf120}得")


def test_plain_line_is_shared_out_per_character_and_adds_up_to_the_line() -> None:
    ass = lyrics_to_ass(parse_lrc("[00:00.00]故事的小黄花\n[00:03.10]next\n"))
    first = _dialogues(ass)[0]
    text = first.split(",,", 1)[1].split(",", 4)[-1]
    assert len(re.findall(r"\\kf\d+", text)) == 6
    assert _k_total_cs(text) == 310


def test_english_plain_line_wipes_word_by_word() -> None:
    ass = lyrics_to_ass(parse_lrc("[00:00.00]Fly me to the moon\n[00:05.00]x\n"))
    first = _dialogues(ass)[0]
    assert re.findall(r"\\kf\d+\}([^{]*)", first) == ["Fly ", "me ", "to ", "the ", "moon"]


def test_lines_alternate_left_and_right_and_preview_before_they_are_sung() -> None:
    ass = lyrics_to_ass(parse_lrc("[00:05.00]一\n[00:07.00]二\n[00:09.00]三\n"))
    dialogues = _dialogues(ass)
    assert [d.split(",")[3] for d in dialogues] == ["KaraokeLeft", "KaraokeRight", "KaraokeLeft"]
    assert dialogues[1].split(",")[1] == "0:00:05.50"
    assert r"{\k150}" in dialogues[1]


def test_braces_in_lyrics_cannot_inject_override_tags() -> None:
    ass = lyrics_to_ass(parse_lrc("[00:01.00]{\\fs200}big\n"))
    assert "\\fs200" not in ass
