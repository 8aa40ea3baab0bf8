"""The song cache on real files: whole folders or none, least recently sung out first, songs
queued now never evicted, the disk never filled past its floor, a NAS error leaves the song on
the NAS."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ktv.errors import NotFound
from media_index.model import Song
from room_agent.core.events import QueueChanged
from room_agent.core.queue import QueuedSong
from room_agent.library.song_cache import SongCache, SongCacheSettings
from tests.support import media

KIB = 1024


def _nas(tmp_path: Path, sizes: dict[str, int]) -> tuple[Path, dict[str, Song]]:
    nas = tmp_path / "nas"
    nas.mkdir()
    songs = {}
    for song_id, size in sizes.items():
        (nas / f"{song_id}.mp3").write_bytes(os.urandom(size))
        (nas / f"{song_id}.lrc").write_text("[00:01.00]啦啦啦\n", encoding="utf-8")
        songs[song_id] = Song(
            song_id, song_id, ("歌手",), f"{song_id}.mp3", lyrics_path=f"{song_id}.lrc"
        )
    return nas, songs


def _queued(*song_ids: str) -> tuple[QueuedSong, ...]:
    now = datetime.now(UTC)
    return tuple(QueuedSong(f"e{n}", s, s, "歌手", now) for n, s in enumerate(song_ids))


def _lookup(songs: dict[str, Song]):  # type: ignore[no-untyped-def]
    def get(song_id: str) -> Song:
        if song_id not in songs:
            raise NotFound(song_id)
        return songs[song_id]

    return get


@pytest.fixture
def make_cache(tmp_path: Path):
    made: list[SongCache] = []

    def make(songs, nas, max_bytes, free=10**12):  # type: ignore[no-untyped-def]
        cache = SongCache(
            SongCacheSettings(tmp_path / "cache", max_bytes=max_bytes, min_free_bytes=100 * KIB),
            nas,
            _lookup(songs),
            disk_free=lambda p: free,
        )
        made.append(cache)
        return cache

    yield make
    for cache in made:
        cache.close()


def test_a_queued_song_is_copied_whole_and_played_from_the_copy(tmp_path, make_cache) -> None:
    nas, songs = _nas(tmp_path, {"a": 300 * KIB, "b": 200 * KIB})
    cache = make_cache(songs, nas, 10 * 1024 * KIB)
    cache.on_core_event(QueueChanged(_queued("a", "b"), ()))
    assert cache.wait_idle(10)
    assert cache.copied == ["a", "b"]
    local = cache.lookup("a")
    assert local.path == str(tmp_path / "cache" / "a" / "a.mp3")
    assert Path(local.path).read_bytes() == (nas / "a.mp3").read_bytes()
    assert Path(local.lyrics_path).read_text(encoding="utf-8").startswith("[00:01.00]")
    assert not list((tmp_path / "cache").glob(".staging-*"))
    os.rename(nas, tmp_path / "nas-gone")  # the NAS goes away: the copy still answers
    assert Path(cache.lookup("b").path).is_file()


def test_mpeg_ps_enters_the_cache_as_a_lossless_mkv_and_a_broken_one_as_it_is(
    tmp_path, make_cache
) -> None:
    """MPEG-PS is remuxed on the way in (remux.py): same packets, both audio tracks in their
    order (the catalog's vocal_track stays right), starting at 0; a file ffmpeg cannot read
    is copied unchanged and still plays from the room's disk."""
    nas = tmp_path / "nas"
    nas.mkdir()
    media.dual_track_mpeg(nas / "ps.vob", duration_s=2.0, audio_codec="ac3")
    (nas / "bad.mpg").write_bytes(b"\x00\x00\x01\xba" + os.urandom(20 * KIB))
    songs = {
        "ps": Song("ps", "ps", ("歌手",), "ps.vob", vocal_track=0, accompaniment_track=1),
        "bad": Song("bad", "bad", ("歌手",), "bad.mpg"),
    }
    cache = make_cache(songs, nas, 10 * 1024 * KIB)
    cache.precache(["ps", "bad"])
    assert cache.wait_idle(30)
    assert cache.copied == ["ps", "bad"]
    local = Path(cache.lookup("ps").path)
    assert local == tmp_path / "cache" / "ps" / "ps.vob.mkv"
    probe = _probe(local)
    assert probe["format"]["format_name"] == "matroska,webm"
    assert [s["codec_name"] for s in probe["streams"]] == ["mpeg2video", "ac3", "ac3"]
    assert float(probe["format"]["start_time"]) < 0.05  # the mux preload is gone
    assert abs(float(probe["format"]["duration"]) - 2.0) < 0.2
    assert sorted(p.name for p in local.parent.iterdir()) == ["ps.vob.mkv"]
    bad = Path(cache.lookup("bad").path)
    assert bad == tmp_path / "cache" / "bad" / "bad.mpg"
    assert bad.read_bytes() == (nas / "bad.mpg").read_bytes()


def _probe(path: Path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return json.loads(out.stdout)


def test_least_recently_sung_go_first_and_queued_songs_stay(tmp_path, make_cache) -> None:
    nas, songs = _nas(tmp_path, {"a": 400 * KIB, "b": 400 * KIB, "c": 400 * KIB, "d": 400 * KIB})
    cache = make_cache(songs, nas, 1300 * KIB)  # three songs (and their lyrics) fit
    cache.precache(["a", "b", "c"])
    assert cache.wait_idle(10)
    past = 1_000_000_000
    for n, song_id in enumerate(["a", "b", "c"]):
        os.utime(tmp_path / "cache" / song_id, (past + n, past + n))
    cache.lookup("a")  # sung now: the most recent
    # "b" is queued (protected): "c" is the least recently sung that may go
    cache.on_core_event(QueueChanged(_queued("b", "d"), ()))
    assert cache.wait_idle(10)
    assert sorted(s.song_id for s in cache.songs()) == ["a", "b", "d"]
    assert cache.used_bytes() <= 1300 * KIB


def test_a_song_that_does_not_fit_stays_on_the_nas(tmp_path, make_cache) -> None:
    nas, songs = _nas(tmp_path, {"big": 600 * KIB, "small": 50 * KIB})
    cache = make_cache(songs, nas, 10 * 1024 * KIB, free=500 * KIB)  # the disk is nearly full
    cache.precache(["big", "small"])
    assert cache.wait_idle(10)
    assert "big" in cache.skipped and cache.copied == ["small"]
    assert cache.lookup("big").path == "big.mp3"  # played from the NAS as before


def test_a_nas_error_while_copying_leaves_no_half_song(tmp_path, make_cache) -> None:
    nas, songs = _nas(tmp_path, {"a": 100 * KIB})
    songs["gone"] = Song("gone", "gone", ("x",), "gone.mp3")
    cache = make_cache(songs, nas, 10 * 1024 * KIB)
    cache.precache(["gone", "a"])
    assert cache.wait_idle(10)
    assert "gone" in cache.skipped and cache.copied == ["a"]
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [".lock", "a"]


def test_ktv_agent_cache_hot_copies_the_chart(tmp_path: Path, capsys) -> None:
    from media_index import Catalog, CatalogEntry, FileStamp
    from room_agent.cli import main

    nas, songs = _nas(tmp_path, {"hot1": 50 * KIB, "hot2": 50 * KIB, "cold": 50 * KIB})
    catalog_path = tmp_path / "catalog.sqlite"
    with Catalog(catalog_path) as cat:
        cat.put_entries([CatalogEntry(s, FileStamp(1, 1)) for s in songs.values()])
        for n, song_id in enumerate(["hot1", "hot1", "hot2"]):
            cat.record_play(
                song_id,
                room="A01",
                session="s",
                played_at=datetime.now(UTC),
                outcome="completed",
                played_ms=200_000,
                event_id=f"ev{n}",
            )
    config = tmp_path / "agent.toml"
    config.write_text("[song_cache]\nmax_mb = 16\nmin_free_mb = 1\n", encoding="utf-8")
    argv = ["cache", "hot", "--limit", "2", "--config", str(config), "--room", "A01"]
    argv += ["--data-dir", str(tmp_path / "data"), "--catalog", str(catalog_path)]
    argv += ["--media-root", str(nas)]
    assert main(argv) == 0
    assert "2 copied" in capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "data" / "song-cache").iterdir()) == [
        ".lock",
        "hot1",
        "hot2",
    ]
