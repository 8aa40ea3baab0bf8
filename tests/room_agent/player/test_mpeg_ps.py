"""MPEG-PS, the format most KTV libraries are in, heard through a real audio server: made the
way commercial libraries are (MPEG-2 video, two MP2 or AC-3 tracks, ffmpeg's default mux),
played from the room's song cache (remuxed to MKV on the way in) and straight from the NAS
(the player remuxes it before its decks open). For a whole song: a 原唱/伴唱 switch every
0.8 s without a gap, the vocal gone/back within 50 ms, the 250 ms metronome never moved by
more than 40 ms, and the player's position (what the lyrics follow) on what is heard.
Timing targets (first audio <= 100 ms ...) belong to benchmarks/library_bench.py playback;
the bounds on time here are generous, and each still fails on the MPEG-PS file as libVLC
plays it (first sound ~0.9 s, decks drifting 200-600 ms apart, the clock ~0.7 s early)."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from media_index.model import Song, VocalMode
from room_agent.core.ports import VocalSwitch
from room_agent.library.song_cache import SongCache, SongCacheSettings
from room_agent.player import AudioOutput, OutputKind, PlayerConfig, VlcPlayer
from tests.room_agent.player.test_pulse_listening import (
    CAPTURE_LOST_MAX_MS,
    _aligned,
    _check_switch,
)
from tests.support import media
from tests.support.pcm import tick_onsets_s
from tests.support.pulse import RATE_HZ, PulseServer

SONG_S = 10.0


@pytest.fixture(scope="module")
def songs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Song]:
    root = tmp_path_factory.mktemp("mpeg-ps")
    nas = root / "nas"
    nas.mkdir()
    media.dual_track_mpeg(nas / "nas.mpg", duration_s=SONG_S)
    media.dual_track_mpeg(nas / "cached.vob", duration_s=SONG_S, audio_codec="ac3")
    made = {
        name: media.song_for(nas / f"{name}.{ext}", mode=VocalMode.TRACKS, has_video=True)
        for name, ext in (("nas", "mpg"), ("cached", "vob"))
    }
    cache = SongCache(SongCacheSettings(root / "cache", max_bytes=1 << 30), nas, made.__getitem__)
    try:
        cache.precache(["cached"])
        assert cache.wait_idle(60)
        made["cached"] = cache.lookup("cached")
    finally:
        cache.close()
    assert made["cached"].path.endswith("cached.vob.mkv")
    made["nas-shelf"] = replace(made["nas"], song_id="nas-shelf")
    return made


def _listen(pulse: PulseServer, song: Song, remux_dir: Path) -> dict:
    config = PlayerConfig(audio=AudioOutput(OutputKind.PULSE), remux_dir=str(remux_dir))
    with VlcPlayer(config) as player:
        with pulse.record() as rec:
            time.sleep(0.4)
            started = time.monotonic()
            player.play(song)
            positions, calls = [], []
            next_call = float("inf")
            end = started + SONG_S - 1.0
            while (now := time.monotonic()) < end:
                positions.append((now, player.status().position_ms))
                if next_call == float("inf") and _aligned(player):  # as the MKV tests do
                    next_call = now + 0.3
                if now >= next_call:
                    vocal = (VocalSwitch.ACCOMPANIMENT, VocalSwitch.ORIGINAL)[len(calls) % 2]
                    calls.append((time.monotonic(), vocal))
                    player.set_vocal(vocal)
                    next_call += 0.8
                time.sleep(0.02)
            player.stop()
        samples = rec.samples()
        return {
            "samples": samples,
            "start": rec.sample_at(started),
            "end": rec.sample_at(end),
            "calls": [(rec.sample_at(t), v) for t, v in calls],
            "positions": [(rec.sample_at(t), p) for t, p in positions],
            "underran": rec.lost_ms(started, end) > CAPTURE_LOST_MAX_MS,
        }


@pytest.mark.slow
@pytest.mark.parametrize("which", ["cached", "nas"])
def test_mpeg_ps_with_two_tracks_plays_a_whole_song_like_mkv(
    pulse: PulseServer, songs: dict[str, Song], which: str, tmp_path: Path
) -> None:
    heard = _listen(pulse, songs[which], tmp_path / "shelf")
    if heard["underran"]:  # parec lost audio, not the player: record once more, once only
        heard = _listen(pulse, songs[which], tmp_path / "shelf")
    x, start = heard["samples"], heard["start"]
    first = start + int(np.argmax(np.abs(x[start:]).max(axis=1) > 0.05))
    first_ms = (first - start) * 1000 / RATE_HZ
    # the song starts (cached: ~80 ms in the benchmark, up to ~0.5 s seen at load 15; from
    # the NAS the remux comes first: ~0.3-2 s, mostly process start-up on a loaded box). The
    # bound is loose; the whole-song checks below are what MPEG-PS used to fail.
    assert first_ms <= (1500 if which == "cached" else 5000), first_ms
    assert len(heard["calls"]) >= 6
    failed = []
    for index, vocal in heard["calls"]:
        try:
            _check_switch(x, index, vocal)
        except AssertionError as exc:
            failed.append((round((index - start) / RATE_HZ, 2), str(exc).splitlines()[0]))
    # One switch in the song may land just after the periodic alignment moved the deck it
    # switches to (every 5 s): a known limit of the shadow deck, for every container
    # (room_agent/player/alignment.py moves it); the others pass the switch targets.
    assert len(failed) <= 1, failed
    # the whole song: the music keeps its beat. MPEG-PS as libVLC plays it drifts 200-600 ms
    # between decks, so most switches jump; here at most two of ~36 beats may be off by
    # more than 40 ms (seen only with the box at load 20+, MKV alike: the benchmark's
    # "largest jump over the song" row is where the 40 ms target is measured)
    onsets = tick_onsets_s(x[first : heard["end"]])
    intervals = np.diff(onsets)
    assert len(intervals) >= 4 * (SONG_S - 3)
    off = np.abs(intervals - media.TICK_PERIOD_S)
    assert int((off > 0.04).sum()) <= 2, intervals
    # the lyric clock: the player's position against the position heard at that instant
    # (the song's first sample is position 0: tick k, counted from there, is at k * 250 ms)
    ticks_ms = np.round(onsets / media.TICK_PERIOD_S) * 250
    offsets = []
    for index, position in heard["positions"]:
        s = (index - first) / RATE_HZ
        k = int(np.searchsorted(onsets, s)) - 1
        if k >= 0 and s > 1.0:
            offsets.append(position - (ticks_ms[k] + (s - onsets[k]) * 1000))
    assert len(offsets) > 50
    assert abs(float(np.median(offsets))) <= 60, np.percentile(offsets, [5, 50, 95])


def test_a_song_played_from_the_nas_twice_is_remuxed_once(
    songs: dict[str, Song], tmp_path: Path
) -> None:
    """The player's shelf keeps the remux: the second play opens at once (amem, no server)."""
    from tests.support.pcm import PcmRecorder, wait_for

    pcm = PcmRecorder()
    shelf = tmp_path / "shelf"
    config = PlayerConfig(audio=AudioOutput(OutputKind.CAPTURE, capture=pcm), remux_dir=str(shelf))
    with VlcPlayer(config) as player:
        player.play(songs["nas-shelf"])
        assert wait_for(lambda: player.status().position_ms > 300, 15)
        made = list(shelf.glob("*.mkv"))
        assert len(made) == 1
        stamp = made[0].stat().st_mtime_ns
        player.play(songs["nas-shelf"])
        assert wait_for(lambda: player.status().position_ms > 300, 15)
        assert list(shelf.glob("*.mkv")) == made
        assert made[0].stat().st_mtime_ns >= stamp
        assert player.status().vocal is VocalSwitch.ORIGINAL


def test_a_two_track_mp4_keeps_its_seamless_switch_and_key(tmp_path: Path) -> None:
    """libVLC plays nothing from an MP4's second audio track on a ``:no-video`` deck (the
    track is not flagged enabled, ffmpeg's default): remuxed, the shadow deck plays it."""
    from room_agent.player.shadow import VocalMethod
    from tests.support.pcm import PcmRecorder, wait_for

    path = media.dual_track_mkv(tmp_path / "two.mp4", duration_s=4.0, video=True)
    song = media.song_for(path, mode=VocalMode.TRACKS, has_video=True)
    pcm = PcmRecorder()
    shelf = tmp_path / "shelf"
    config = PlayerConfig(audio=AudioOutput(OutputKind.CAPTURE, capture=pcm), remux_dir=str(shelf))
    with VlcPlayer(config) as player:
        player.play(song)
        assert wait_for(lambda: player.status().position_ms > 1200, 15)
        assert player.vocal_method is VocalMethod.SHADOW_TRACKS
        assert player.set_vocal(VocalSwitch.ACCOMPANIMENT) is VocalSwitch.ACCOMPANIMENT
        assert player.set_key(2) == 2
        assert pcm.decoded_s("shadow") > 0.5
