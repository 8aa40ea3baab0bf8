"""Metadata sources and the vocal layout decision, as pure functions."""

from __future__ import annotations

from pathlib import Path

import pytest

from media_index.lyrics_file import LyricsError, inspect
from media_index.metadata import (
    SidecarError,
    SongMeta,
    from_file_name,
    from_sidecar,
    merge,
    split_artists,
)
from media_index.model import Channel, VocalMode
from media_index.records import ArtistKind
from media_index.vocal import Declared, infer_layout, track_role


def test_file_name_singer_title_and_version() -> None:
    meta = from_file_name(Path("邓丽君 - 月亮代表我的心 (Live).mp3"))
    assert (meta.title, meta.artists, meta.tags) == ("月亮代表我的心", ("邓丽君",), ("Live",))


def test_file_name_with_several_singers() -> None:
    meta = from_file_name(Path("周杰伦、费玉清 - 千里之外.mkv"))
    assert meta.artists == ("周杰伦", "费玉清")
    assert split_artists("Shakira feat. Wyclef Jean") == ("Shakira", "Wyclef Jean")
    assert split_artists("A & B / C") == ("A", "B", "C")


def test_file_name_without_a_singer_is_all_title() -> None:
    assert from_file_name(Path("稻香.mp3")) == SongMeta(title="稻香")


def test_sidecar_trust_order_is_field_by_field() -> None:
    sidecar = SongMeta(title="稻香", language="mandarin")
    tags = SongMeta(title="Dao Xiang", artists=("Jay Chou",), genre="pop")
    name = SongMeta(title="daoxiang", artists=("周杰伦",))
    merged = merge(sidecar, tags, name)
    assert (merged.title, merged.artists, merged.genre) == ("稻香", ("Jay Chou",), "pop")


def test_full_sidecar_is_read(tmp_path: Path) -> None:
    p = tmp_path / "x.ktv.toml"
    p.write_text(
        'title = "稻香"\nartists = ["周杰伦"]\nlanguage = "Mandarin"\nartist_kind = "male"\n'
        'vocal_mode = "tracks"\nvocal_track = 1\naccompaniment_track = 0\n'
        'vocal_channel = "left"\nlyrics = "lrc/x.lrc"\ntags = ["经典"]\npopularity = 5\n',
        encoding="utf-8",
    )
    meta = from_sidecar(p)
    assert meta.title == "稻香" and meta.artists == ("周杰伦",) and meta.language == "mandarin"
    assert meta.artist_kind is ArtistKind.MALE and meta.vocal_mode is VocalMode.TRACKS
    assert (meta.vocal_track, meta.accompaniment_track) == (1, 0)
    assert meta.vocal_channel is Channel.LEFT and meta.lyrics == "lrc/x.lrc"
    assert meta.tags == ("经典",) and meta.popularity == 5


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ('title = "x"\nsinger = "y"\n', "unknown keys: singer"),
        ('vocal_mode = "both"\n', "vocal_mode"),
        ("vocal_track = -1\n", "vocal_track"),
        ("artists = 3\n", "artists"),
        ("title = [\n", "TOML"),
    ],
)
def test_bad_sidecars_say_what_is_wrong(tmp_path: Path, text: str, complaint: str) -> None:
    p = tmp_path / "x.ktv.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(SidecarError, match=complaint):
        from_sidecar(p)


def test_track_titles_tell_vocal_from_accompaniment() -> None:
    assert track_role("原唱") == "vocal"
    assert track_role("Original Vocal") == "vocal"
    assert track_role("伴唱 Instrumental") == "accompaniment"
    assert track_role("Off Vocal") == "accompaniment"  # "vocal" inside does not fool it
    assert track_role("Karaoke") == "accompaniment"
    assert track_role("Stereo") is None


def test_two_titled_tracks_in_any_order() -> None:
    layout = infer_layout(["伴奏", "原唱"], None)
    assert (layout.mode, layout.vocal_track, layout.accompaniment_track) == (
        VocalMode.TRACKS, 1, 0,
    )  # fmt: skip
    assert not layout.assumed


def test_two_untitled_tracks_follow_the_convention_and_say_so() -> None:
    layout = infer_layout(["", ""], None)
    assert (layout.vocal_track, layout.accompaniment_track, layout.assumed) == (0, 1, True)


def test_the_sidecar_overrides_track_titles() -> None:
    layout = infer_layout(["原唱", "伴奏"], None, Declared(vocal_track=1, accompaniment_track=0))
    assert (layout.vocal_track, layout.accompaniment_track) == (1, 0)


def test_measured_split_stereo_defaults_to_vocal_on_the_right() -> None:
    layout = infer_layout(["stereo"], stereo_split=True)
    assert (layout.mode, layout.vocal_channel, layout.assumed) == (
        VocalMode.CHANNELS, Channel.RIGHT, True,
    )  # fmt: skip


def test_a_file_name_can_say_which_channel_sings() -> None:
    layout = infer_layout([""], stereo_split=None, hints="后来 左唱右伴.mp3")
    assert (layout.mode, layout.vocal_channel) == (VocalMode.CHANNELS, Channel.LEFT)


def test_plain_stereo_and_declared_none_have_no_vocal_switch() -> None:
    assert infer_layout([""], stereo_split=False).mode is VocalMode.NONE
    assert infer_layout(["原唱", "伴奏"], None, Declared(mode=VocalMode.NONE)).mode is (
        VocalMode.NONE
    )


def test_declared_tracks_that_do_not_exist_are_not_trusted() -> None:
    layout = infer_layout(["a", "b"], None, Declared(vocal_track=5, accompaniment_track=0))
    assert layout.mode is VocalMode.NONE


def test_lyrics_encodings_and_word_timings(tmp_path: Path) -> None:
    gbk = tmp_path / "a.lrc"
    gbk.write_bytes("[00:01.00]月亮代表我的心\n[00:05.00]你问我爱你有多深\n".encode("gbk"))
    facts = inspect(gbk)
    assert facts.encoding == "gb18030" and facts.timed_lines == 2 and not facts.word_timed
    words = tmp_path / "b.lrc"
    words.write_text("[00:01.00]<00:01.00>稻<00:01.50>香<00:02.00>\n", encoding="utf-8")
    assert inspect(words).word_timed
    untimed = tmp_path / "c.lrc"
    untimed.write_text("just words\n", encoding="utf-8")
    with pytest.raises(LyricsError, match="no timed lines"):
        inspect(untimed)
