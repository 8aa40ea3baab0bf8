"""Lyrics found next to the songs in the media library, and the ASS file for the TV."""

from __future__ import annotations

from pathlib import Path

from media_index.model import Song
from room_agent.lyrics import parse_lrc
from room_agent.lyrics.files import LyricsFiles, write_ass


def _song(**fields: object) -> Song:
    return Song("s1", "晴天", ("周杰伦",), "zh/qingtian.mkv", **fields)


def test_lyrics_path_from_the_catalog_is_read_under_the_media_root(tmp_path: Path) -> None:
    (tmp_path / "lrc").mkdir()
    (tmp_path / "lrc" / "qt.lrc").write_text("[00:01.00]故事的小黄花\n", encoding="utf-8")
    lyrics = LyricsFiles(tmp_path)(_song(lyrics_path="lrc/qt.lrc"))
    assert lyrics is not None and lyrics.lines[0].text == "故事的小黄花"


def test_an_lrc_beside_the_media_file_is_found(tmp_path: Path) -> None:
    (tmp_path / "zh").mkdir()
    (tmp_path / "zh" / "qingtian.lrc").write_bytes("[00:01.00]从出生那年\n".encode("gbk"))
    lyrics = LyricsFiles(tmp_path)(_song())
    assert lyrics is not None and lyrics.encoding == "gb18030"


def test_a_song_without_lyrics_has_none(tmp_path: Path) -> None:
    assert LyricsFiles(tmp_path)(_song(lyrics_path="missing.lrc")) is None


def test_the_ass_file_is_utf8_and_complete(tmp_path: Path) -> None:
    path = write_ass(parse_lrc("[00:01.00]故事的小黄花\n"), tmp_path / "song.ass")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("[Script Info]") and "故" in text
    assert not list(tmp_path.glob("*.tmp"))
