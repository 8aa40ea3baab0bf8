"""LRC files on disk in every encoding the venue's song library contains."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from ktv.errors import NotFound
from room_agent.lyrics import load_lrc

TEXT = "[ti:后来]\n[ar:刘若英]\n[00:01.00]后来我总算学会了如何去爱\n[00:05.00]可惜你早已远去\n"
TRADITIONAL = "[ti:後來]\n[00:01.00]後來我總算學會了如何去愛\n"


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        ("utf-8", TEXT.encode("utf-8")),
        ("utf-8", codecs.BOM_UTF8 + TEXT.encode("utf-8")),
        ("utf-16-le", codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le")),
        ("utf-16-be", codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be")),
        ("utf-16-le", TEXT.encode("utf-16-le")),  # no BOM: told apart by the NUL bytes
        ("gb18030", TEXT.encode("gbk")),
        ("gb18030", TEXT.encode("gb18030")),
        ("utf-32-le", codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le")),
    ],
    ids=[
        "utf8",
        "utf8-bom",
        "utf16le-bom",
        "utf16be-bom",
        "utf16le-nobom",
        "gbk",
        "gb18030",
        "utf32",
    ],
)
def test_lyrics_file_in_any_encoding_reads_the_same(
    tmp_path: Path, encoding: str, data: bytes
) -> None:
    path = tmp_path / "song.lrc"
    path.write_bytes(data)
    lyrics = load_lrc(path)
    assert lyrics.encoding == encoding
    assert lyrics.metadata.title == "后来"
    assert lyrics.metadata.artist == "刘若英"
    assert [line.text for line in lyrics.lines] == ["后来我总算学会了如何去爱", "可惜你早已远去"]
    assert lyrics.warnings == ()


def test_big5_file_from_taiwan_reads_as_traditional_chinese(tmp_path: Path) -> None:
    path = tmp_path / "song.lrc"
    path.write_bytes(TRADITIONAL.encode("big5"))
    lyrics = load_lrc(path)
    assert lyrics.metadata.title == "後來"
    assert lyrics.lines[0].text == "後來我總算學會了如何去愛"


def test_gbk_file_with_a_utf8_bom_label_still_loads_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "song.lrc"
    path.write_bytes(codecs.BOM_UTF8 + TEXT.encode("gbk"))
    lyrics = load_lrc(path)
    assert len(lyrics.lines) == 2
    assert lyrics.warnings[0].line_no == 0


def test_missing_lyrics_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        load_lrc(tmp_path / "nope.lrc")
