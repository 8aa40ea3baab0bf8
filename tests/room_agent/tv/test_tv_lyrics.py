"""The TV shows the music video with the lyrics wiping in step with the song, from the moment
a song starts, through 原唱/伴唱, key changes, seeks and 重唱 (frames as libVLC renders them
for the TV, subtitles blended in)."""

from __future__ import annotations

import numpy as np

from room_agent.core.ports import VocalSwitch
from room_agent.lyrics.files import LyricsFiles
from tests.room_agent.tv.conftest import (
    LINE1,
    LINE2,
    Songs,
    Tv,
    W,
    lyric_pixels,
    sung,
    unsung,
    wiped_share,
)

MID = W // 2


def _expected_share(position_ms: int, line: tuple[int, int]) -> float:
    start, end = line
    return min(1.0, max(0.0, (position_ms - start) / (end - start)))


def _wipe_matches_the_song(tv: Tv, at_ms: int, line: tuple[int, int]) -> np.ndarray:
    picture = tv.at(at_ms)
    position = tv.player.status().position_ms
    share = wiped_share(picture)
    expected = _expected_share(position, line)
    # the frame is up to ~0.2 s older than the position read after it; characters wipe in 1 s
    assert abs(share - expected) <= 0.25, (share, expected, position)
    return picture


def test_a_song_starts_with_its_lyrics_on_the_tv_and_the_wipe_follows_the_singing(
    tv: Tv, songs: Songs
) -> None:
    tv.player.play(songs.with_lyrics)
    before = tv.at(600)  # line 1 is previewed before it is sung: white, nothing wiped
    assert unsung(before).sum() > 200 and sung(before).sum() == 0
    assert lyric_pixels(before)[:, :MID].sum() > lyric_pixels(before)[:, MID:].sum()  # left
    middle = _wipe_matches_the_song(tv, 3000, LINE1)
    assert sung(middle).sum() > 100 and unsung(middle).sum() > 100
    second = _wipe_matches_the_song(tv, 8500, LINE2)
    assert lyric_pixels(second)[:, MID:].sum() > 5 * lyric_pixels(second)[:, :MID].sum()


def test_the_lyrics_jump_with_a_seek(tv: Tv, songs: Songs) -> None:
    tv.player.play(songs.with_lyrics)
    tv.at(1500)
    tv.player.seek(9000)  # into line 2, half sung
    picture = tv.at(9300)
    assert lyric_pixels(picture)[:, MID:].sum() > 5 * lyric_pixels(picture)[:, :MID].sum()
    share = wiped_share(picture)
    expected = _expected_share(tv.player.status().position_ms, LINE2)
    assert abs(share - expected) <= 0.25, (share, expected)


def test_the_vocal_switch_and_a_key_change_keep_the_lyrics_in_step(tv: Tv, songs: Songs) -> None:
    tv.player.play(songs.with_lyrics)
    tv.at(1800)
    assert tv.player.set_vocal(VocalSwitch.ACCOMPANIMENT) is VocalSwitch.ACCOMPANIMENT
    _wipe_matches_the_song(tv, 2600, LINE1)
    if tv.player.status().key_supported:
        tv.player.set_key(2)
    _wipe_matches_the_song(tv, 3600, LINE1)
    assert tv.player.set_vocal(VocalSwitch.ORIGINAL) is VocalSwitch.ORIGINAL
    _wipe_matches_the_song(tv, 4400, LINE1)


def test_replay_brings_the_first_line_back(tv: Tv, songs: Songs) -> None:
    tv.player.play(songs.with_lyrics)
    tv.at(8000)
    tv.player.play(songs.with_lyrics)  # 重唱: the core replays by playing the same song
    picture = tv.at(1500)
    assert lyric_pixels(picture)[:, :MID].sum() > 5 * lyric_pixels(picture)[:, MID:].sum()
    assert tv.player.status().position_ms < 4000


def test_a_song_resumed_after_a_restart_shows_the_line_due_at_its_place(
    tv: Tv, songs: Songs
) -> None:
    tv.player.play(songs.with_lyrics, start_ms=8000)
    picture = tv.at(8600)
    assert lyric_pixels(picture)[:, MID:].sum() > 5 * lyric_pixels(picture)[:, :MID].sum()


def test_a_song_without_lyrics_shows_only_the_video(tv: Tv, songs: Songs) -> None:
    tv.player.play(songs.without_lyrics)
    picture = tv.at(2000)
    assert lyric_pixels(picture).sum() == 0
    assert tv.player.video_players()[0].video_get_spu_count() == 0


def test_the_tv_lyrics_come_from_the_same_lyrics_as_the_core(songs: Songs, tmp_path) -> None:
    from room_agent.player.tv import TvLyrics

    loads: list[str] = []
    files = LyricsFiles(songs.root)

    def loader(song):  # type: ignore[no-untyped-def]
        loads.append(song.song_id)
        return files(song)

    tv_lyrics = TvLyrics(loader, tmp_path / "tv")
    first = tv_lyrics(songs.with_lyrics)
    assert first is not None and "Noto Sans CJK SC" in first.read_text(encoding="utf-8")
    assert "{\\kf100}还" in first.read_text(encoding="utf-8")
    assert tv_lyrics(songs.with_lyrics) == first  # replay: the same file, not rewritten
    assert loads == ["s-flower", "s-flower"]
    assert tv_lyrics(songs.without_lyrics) is None


def test_unreadable_lyrics_never_stop_the_song(songs: Songs, tmp_path) -> None:
    from room_agent.player.tv import TvLyrics

    def broken(song):  # type: ignore[no-untyped-def]
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad")

    assert TvLyrics(broken, tmp_path / "tv")(songs.with_lyrics) is None
    unwritable = tmp_path / "file"
    unwritable.write_text("not a dir")
    assert TvLyrics(LyricsFiles(songs.root), unwritable / "tv")(songs.with_lyrics) is None


def test_a_song_without_video_sings_its_lyrics_over_the_backdrop_and_ends_on_its_own_time(
    tv: Tv, songs: Songs
) -> None:
    import threading

    ended = threading.Event()
    tv.player.on_end(lambda song_id: ended.set())
    tv.player.play(songs.audio_only)
    _wipe_matches_the_song(tv, 3000, LINE1)
    picture = tv.picture()
    background = picture[10:40, 10:40].reshape(-1, 3).mean(axis=0)
    assert 10 < background[2] < 60 and background[0] < 30  # the dark blue backdrop
    assert ended.wait(20)  # the 7 s song ends, not the 30 s backdrop
    assert tv.player.status().position_ms == 0  # stopped


def test_the_backdrop_is_made_once_in_the_background(tmp_path, monkeypatch) -> None:
    import time

    from room_agent.player import settings
    from room_agent.player.tv import TvBackdrop

    monkeypatch.setattr(settings, "tv_backdrop_length_s", 5)
    backdrop = TvBackdrop(tmp_path / "data" / "tv-backdrop.mkv")
    try:
        assert backdrop.ready() is None  # the first song plays without; making starts
        deadline = time.monotonic() + 60
        while backdrop.ready() is None:
            assert time.monotonic() < deadline, "no backdrop after 60 s"
            time.sleep(0.1)
        made = backdrop.ready()
        assert made is not None and made.stat().st_size > 1000
        assert not list(made.parent.glob("*.part*"))  # written aside, then renamed
    finally:
        backdrop.close()
    assert TvBackdrop(tmp_path / "none.mkv", make=False).ready() is None  # a venue's missing clip
