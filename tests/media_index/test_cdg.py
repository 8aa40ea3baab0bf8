"""CD+G karaoke pairs (歌手 - 歌名.mp3 + 歌手 - 歌名.cdg): one song, the MP3 as its media and
the .cdg as its graphics, which libVLC plays as the video of the MP3."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
import vlc

from media_index import Catalog
from media_index.cdg_file import PACKET_BYTES, is_cdg, write_cdg
from media_index.scan import scan

STEM = "邓丽君 - 甜蜜蜜"


def mp3(path: Path, seconds: float = 4.0) -> Path:
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
         f"sine=frequency=330:duration={seconds}", "-ac", "2", "-b:a", "64k", str(path)],
        check=True, timeout=60,
    )  # fmt: skip
    return path


@pytest.fixture
def pair_library(tmp_path: Path) -> Path:
    root = tmp_path / "library"
    root.mkdir()
    mp3(root / f"{STEM}.mp3")
    write_cdg(root / f"{STEM}.cdg", 4.0)
    return root


def test_a_generated_cdg_is_real_cd_graphics_that_ffmpeg_decodes(tmp_path: Path) -> None:
    cdg = write_cdg(tmp_path / "wipe.cdg", 3.0)
    assert cdg.stat().st_size == 3 * 300 * PACKET_BYTES and is_cdg(cdg)
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-of", "json", str(cdg)],
        capture_output=True, text=True, check=True, timeout=30,
    )  # fmt: skip
    (stream,) = json.loads(out.stdout)["streams"]
    assert (stream["codec_name"], stream["width"], stream["height"]) == ("cdgraphics", 300, 216)
    assert float(stream["duration"]) == pytest.approx(3.0, abs=0.05)
    assert not is_cdg(mp3(tmp_path / "not-graphics.mp3", 1.0))


def test_an_mp3_and_its_cdg_are_one_song_with_graphics(pair_library: Path, tmp_path) -> None:
    with Catalog(tmp_path / "catalog.sqlite") as cat:
        report = scan(pair_library, cat)
        assert (report.added, report.skipped) == (1, [])
        (song,) = cat.search("", limit=10).songs
    assert (song.title, song.artists) == ("甜蜜蜜", ("邓丽君",))
    assert song.path.endswith(f"{STEM}.mp3")
    assert song.graphics_path == str(pair_library.resolve() / f"{STEM}.cdg")
    assert song.has_video


def test_libvlc_plays_the_mp3_with_its_cdg_as_the_video(pair_library: Path) -> None:
    instance = vlc.Instance(["--aout=dummy", "--vout=dummy", "--no-xlib", "--quiet"])
    media = instance.media_new_path(str(pair_library / f"{STEM}.mp3"))
    player = instance.media_player_new()
    player.set_media(media)
    try:
        player.play()
        deadline = time.monotonic() + 20
        kinds: set = set()
        while time.monotonic() < deadline and not {"audio", "video"} <= kinds:
            time.sleep(0.2)
            kinds = {
                "video" if t.type == vlc.TrackType.video else "audio"
                for t in media.tracks_get() or ()
                if t.type in (vlc.TrackType.video, vlc.TrackType.audio)
            }
            codecs = {t.codec.to_bytes(4, "little") for t in media.tracks_get() or ()}
        assert kinds == {"audio", "video"}
        assert b"CDG " in codecs
    finally:
        player.stop()
        player.release()
        media.release()
        instance.release()


def test_without_its_cdg_the_mp3_is_an_audio_only_song(pair_library: Path, tmp_path) -> None:
    (pair_library / f"{STEM}.cdg").unlink()
    with Catalog(tmp_path / "catalog.sqlite") as cat:
        scan(pair_library, cat)
        (song,) = cat.search("", limit=10).songs
    assert song.graphics_path is None and not song.has_video


def test_a_broken_cdg_is_reported_and_the_song_indexed_as_audio(pair_library, tmp_path) -> None:
    (pair_library / f"{STEM}.cdg").write_bytes(b"not graphics")
    with Catalog(tmp_path / "catalog.sqlite") as cat:
        report = scan(pair_library, cat)
        (song,) = cat.search("", limit=10).songs
    assert song.graphics_path is None
    assert any("not a CD+G file" in w.reason for w in report.warnings)


def test_a_cdg_added_later_gives_the_song_graphics_without_probing(pair_library, tmp_path):
    cdg = pair_library / f"{STEM}.cdg"
    kept = cdg.read_bytes()
    cdg.unlink()
    with Catalog(tmp_path / "catalog.sqlite") as cat:
        scan(pair_library, cat)
        cdg.write_bytes(kept)
        report = scan(pair_library, cat)
        assert (report.updated, report.probed) == (1, 0)
        (song,) = cat.search("", limit=10).songs
    assert song.graphics_path is not None and song.has_video


def test_the_demo_library_has_a_cdg_song(tmp_path: Path) -> None:
    from media_index.demo_library import generate
    from media_index.demo_songs import by_stem

    generate(tmp_path, [by_stem("zhangchengchang")], lines=1, workers=1)
    with Catalog(tmp_path / "catalog.sqlite") as cat:
        scan(tmp_path, cat)
        (song,) = cat.search("ccc").songs  # 长城长
    assert song.graphics_path and is_cdg(Path(song.graphics_path)) and song.has_video
