"""Scanning a real generated library: metadata sources, vocal layouts, lyrics, bad files,
incremental rescans, moves and deletions."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from media_index import Catalog, Channel, PlayOutcome, VocalMode
from media_index.scan import scan

from .conftest import ScannedLibrary


def by_title(cat: Catalog) -> dict:
    return {s.title: s for s in cat.search("", limit=100).songs}


def test_every_good_file_is_indexed_and_bad_ones_are_skipped_with_a_reason(
    scanned: ScannedLibrary,
) -> None:
    cat, report = scanned.catalog, scanned.report
    assert report.added == 9 and report.probed == 10  # the garbage file was tried too
    reasons = {Path(p.path).name: p.reason for p in report.skipped}
    assert set(reasons) == {"empty.mp3", "garbage.mp3"}
    assert "empty" in reasons["empty.mp3"]
    assert "not a playable media file" in reasons["garbage.mp3"]
    assert cat.stats().songs == 9


def test_sidecar_metadata_wins(scanned: ScannedLibrary) -> None:
    cat = scanned.catalog
    song = by_title(cat)["稻香"]
    assert song.artists == ("周杰伦",)
    assert song.language == "mandarin" and song.genre == "pop"
    assert Path(song.path).name == "daoxiang.mkv"
    assert cat.singers("zjl")[0].kind.value == "male"


def test_file_name_convention_gives_singer_title_and_version(scanned: ScannedLibrary) -> None:
    cat = scanned.catalog
    song = by_title(cat)["月亮代表我的心"]
    assert song.artists == ("邓丽君",)
    assert song.tags == ("Live",)
    assert song.language == "mandarin"  # guessed from the Han title


def test_embedded_tags_name_an_anonymous_file(scanned: ScannedLibrary) -> None:
    cat = scanned.catalog
    song = by_title(cat)["甜蜜蜜"]
    assert Path(song.path).name == "track-tianmimi.mp3"
    assert song.artists == ("邓丽君",)


def test_dual_track_mkv_is_a_tracks_song_by_its_track_titles(scanned: ScannedLibrary) -> None:
    cat = scanned.catalog
    song = by_title(cat)["稻香"]
    assert song.has_video
    assert song.vocal_mode is VocalMode.TRACKS
    assert (song.vocal_track, song.accompaniment_track) == (0, 1)


def test_untitled_mpg_tracks_follow_the_sidecar(scanned: ScannedLibrary) -> None:
    cat = scanned.catalog
    song = by_title(cat)["突然好想你"]
    assert song.has_video and song.vocal_mode is VocalMode.TRACKS
    assert (song.vocal_track, song.accompaniment_track) == (1, 0)


def test_stereo_split_mp3_is_measured_as_channels_with_vocal_right(scanned: ScannedLibrary) -> None:
    cat = scanned.catalog
    song = by_title(cat)["后来"]
    assert not song.has_video
    assert song.vocal_mode is VocalMode.CHANNELS
    assert song.vocal_channel is Channel.RIGHT


def test_one_mix_mp3_has_no_vocal_switch(scanned: ScannedLibrary) -> None:
    cat = scanned.catalog
    assert by_title(cat)["甜蜜蜜"].vocal_mode is VocalMode.NONE


def test_duration_and_loudness_are_measured(scanned: ScannedLibrary) -> None:
    cat = scanned.catalog
    for song in by_title(cat).values():
        assert 5_000 < song.duration_ms < 60_000, song.title
        assert song.loudness_lufs is not None and -60 < song.loudness_lufs < 0, song.title


def test_lyrics_presence_word_timings_and_gbk_files(scanned: ScannedLibrary) -> None:
    cat = scanned.catalog
    songs = by_title(cat)
    assert songs["稻香"].lyrics_word_timed
    assert songs["后来"].lyrics_path and not songs["后来"].lyrics_word_timed
    gbk = songs["月亮代表我的心"]
    assert gbk.lyrics_path and Path(gbk.lyrics_path).read_bytes().decode("gbk")
    assert songs["恋曲1990"].lyrics_path is None
    assert [s.title for s in cat.search("", has_lyrics=True, limit=100).songs].count(
        "恋曲1990"
    ) == 0


def test_traditional_sidecar_and_polyphonic_and_japanese_titles_are_searchable(
    scanned: ScannedLibrary,
) -> None:
    cat = scanned.catalog
    assert [s.title for s in cat.search("爱的代价").songs] == ["愛的代價"]
    assert [s.title for s in cat.search("zhonglai").songs] == ["重来"]
    assert [s.title for s in cat.search("chonglai").songs] == ["重来"]
    kitaguni = cat.search("北国").songs[0]
    assert kitaguni.language == "japanese"


def test_rescan_of_an_unchanged_library_probes_nothing(scanned: ScannedLibrary) -> None:
    library, cat = scanned.root, scanned.catalog
    version = cat.version
    again = scan(library, cat)
    assert (again.unchanged, again.probed, again.added, again.removed) == (9, 0, 0, 0)
    assert len(again.skipped) == 2  # the broken files, remembered and not probed again
    assert cat.version == version


def test_a_moved_file_keeps_its_identity_and_plays(scanned: ScannedLibrary) -> None:
    library, cat = scanned.root, scanned.catalog
    song = by_title(cat)["后来"]
    cat.record_play(song.song_id, room="A01", session="s1", played_at=datetime.now(UTC),
                    outcome=PlayOutcome.COMPLETED, played_ms=200_000)  # fmt: skip
    (library / "moved").mkdir()
    for name in ("刘若英 - 后来.mp3", "刘若英 - 后来.lrc"):
        shutil.move(library / name, library / "moved" / name)
    report = scan(library, cat)
    assert (report.moved, report.probed, report.removed) == (1, 0, 0)
    moved = cat.get(song.song_id)
    assert Path(moved.path).parent.name == "moved"
    assert [s.song_id for s in cat.hot(days=None)] == [song.song_id]


def test_a_deleted_file_leaves_the_catalog(scanned: ScannedLibrary) -> None:
    library, cat = scanned.root, scanned.catalog
    song = by_title(cat)["稻香"]
    (library / "daoxiang.mkv").unlink()
    report = scan(library, cat, allow_removals=True)  # 1 of 9 songs is more than 10 %
    assert report.removed == 1 and cat.stats().removed == 1
    assert cat.search("dx").songs == []
    assert "周杰伦" not in [s.name for s in cat.singers("z")]
    with pytest.raises(Exception, match="no song"):
        cat.get(song.song_id)


def test_an_edited_sidecar_updates_metadata_without_probing(scanned: ScannedLibrary) -> None:
    library, cat = scanned.root, scanned.catalog
    sidecar = library / "daoxiang.ktv.toml"
    sidecar.write_text(sidecar.read_text(encoding="utf-8").replace('"pop"', '"folk"'), "utf-8")
    os.utime(sidecar, ns=(1, 1))  # make sure the stamp differs even on coarse clocks
    report = scan(library, cat)
    assert (report.updated, report.probed) == (1, 0)
    assert by_title(cat)["稻香"].genre == "folk"


def test_a_bad_sidecar_is_reported_and_the_song_still_indexed(scanned: ScannedLibrary) -> None:
    library, cat = scanned.root, scanned.catalog
    (library / "chonglai.ktv.toml").write_text('vocal_mode = "sideways"\n', "utf-8")
    report = scan(library, cat)
    assert any("vocal_mode" in w.reason for w in report.warnings)
    # without its sidecar the song is still there, named after its file
    assert [Path(s.path).name for s in cat.search("chonglai").songs] == ["chonglai.mp3"]


def test_a_copied_file_is_reported_as_a_duplicate(scanned: ScannedLibrary) -> None:
    library, cat = scanned.root, scanned.catalog
    shutil.copy(library / "daoxiang.mkv", library / "daoxiang-copy.mkv")
    report = scan(library, cat)
    assert any("same content" in p.reason for p in report.skipped)
    assert len(cat.search("dx").songs) == 1


def test_a_file_replaced_by_other_content_gets_a_new_identity(scanned: ScannedLibrary) -> None:
    library, cat = scanned.root, scanned.catalog
    old = by_title(cat)["甜蜜蜜"].song_id
    shutil.copy(library / "刘若英 - 后来.mp3", library / "track-tianmimi.mp3")
    report = scan(library, cat, allow_removals=True)
    # same content as 后来 now: reported as a duplicate, the old song leaves the catalog
    assert any("same content" in p.reason for p in report.skipped)
    assert old not in {s.song_id for s in cat.search("", limit=100).songs}


def test_the_singer_book_gives_singer_types_to_file_name_songs(scanned: ScannedLibrary) -> None:
    cat = scanned.catalog
    assert [s.name for s in cat.singers("dlj", kind="female")] == ["邓丽君"]
    assert [s.name for s in cat.singers("", kind="band")] == ["五月天"]


def test_editing_the_singer_book_updates_singers_without_probing(scanned: ScannedLibrary) -> None:
    library, cat = scanned.root, scanned.catalog
    book = library / "singers.ktv.toml"
    book.write_text('[singers]\n"刘若英" = "female"\n"群星" = "group"\n', encoding="utf-8")
    os.utime(book, ns=(2, 2))
    report = scan(library, cat)
    assert report.probed == 0 and report.updated == 9
    assert [s.name for s in cat.singers("lry", kind="female")] == ["刘若英"]
