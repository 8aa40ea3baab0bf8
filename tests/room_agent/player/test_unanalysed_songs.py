"""A song the scanner has not analysed yet (issue 23: searchable first, analysed later) plays
at once: the default gain for an unmeasured song, the vocal layout the container shows (two
tracks), no channel switch until the analysis has heard the channels; after the analysis the
same song gets its measured gain and its 原唱/伴唱 switch."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from media_index import Catalog
from media_index.analysis import analyse
from media_index.model import Song, VocalMode
from media_index.scan import scan
from room_agent.core.ports import VocalSwitch
from room_agent.player import settings as player_settings
from tests.room_agent.player.conftest import Heard
from tests.support import media
from tests.support.media import ACCOMP_HZ, VOCAL_HZ
from tests.support.pcm import tone_level, wait_for

PRESENT, GONE = 0.05, 0.005


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalog]:
    root = tmp_path_factory.mktemp("unanalysed")
    media.dual_track_mkv(root / "tracks.mkv")
    # left = accompaniment, right = the original with a vocal as loud as the music (the
    # analysis tells such a file from a stereo mix); nothing in its name says 左伴右唱
    accompaniment = f"{media._ACCOMP}+{media._TICK}"
    media._ffmpeg(
        *media._eval_src(accompaniment, f"{accompaniment}+2*{media._VOCAL}", 8.0),
        "-c:a", "libmp3lame", "-b:a", "192k", "-joint_stereo", "0", str(root / "channels.mp3"),
    )  # fmt: skip
    cat = Catalog(root.parent / f"{root.name}.sqlite")
    assert scan(root, cat).added == 2  # the first pass only
    yield cat
    cat.close()


def _song(cat: Catalog, stem: str) -> Song:
    return next(s for s in cat.search("", limit=10).songs if Path(s.path).stem == stem)


def _last(heard: Heard, seconds: float = 0.4) -> np.ndarray:
    now = time.monotonic()
    return heard.pcm.heard(now - seconds - 0.05, now - 0.05)


def _until(heard: Heard, check, timeout_s: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    return wait_for(lambda: check(_last(heard)), timeout_s)


def test_songs_play_before_and_after_their_analysis(heard: Heard, catalog: Catalog) -> None:
    tracks, channels = _song(catalog, "tracks"), _song(catalog, "channels")
    assert catalog.stats().analysis_pending == 2
    assert tracks.loudness_lufs is None and channels.loudness_lufs is None
    assert tracks.vocal_mode is VocalMode.TRACKS and channels.vocal_mode is VocalMode.NONE

    # not analysed: the two-track song switches, at the default gain
    heard.player.play(tracks)
    assert wait_for(lambda: heard.player.status().position_ms >= 700, 10)
    assert heard.player.levelling.song_lufs == player_settings.unmeasured_song_lufs
    assert _until(heard, lambda w: tone_level(w, VOCAL_HZ) > PRESENT)
    assert heard.player.set_vocal(VocalSwitch.ACCOMPANIMENT) is VocalSwitch.ACCOMPANIMENT
    assert _until(
        heard, lambda w: tone_level(w, VOCAL_HZ) < GONE and tone_level(w, ACCOMP_HZ) > PRESENT
    )
    # not analysed: the L/R song plays as it is, its switch says "unavailable" for now
    heard.player.set_vocal(VocalSwitch.ORIGINAL)
    heard.player.play(channels)
    assert wait_for(lambda: heard.player.status().position_ms >= 700, 10)
    assert heard.player.status().vocal is VocalSwitch.UNAVAILABLE
    assert _until(heard, lambda w: tone_level(w, ACCOMP_HZ, channel=0) > PRESENT)

    assert analyse(catalog).analysed == 2
    channels = catalog.get(channels.song_id)
    assert channels.vocal_mode is VocalMode.CHANNELS and channels.loudness_lufs is not None
    heard.player.play(channels)
    assert wait_for(lambda: heard.player.status().position_ms >= 700, 10)
    assert heard.player.levelling.song_lufs == channels.loudness_lufs
    assert heard.player.set_vocal(VocalSwitch.ACCOMPANIMENT) is VocalSwitch.ACCOMPANIMENT
    assert _until(
        heard, lambda w: tone_level(w, VOCAL_HZ) < GONE and tone_level(w, ACCOMP_HZ) > PRESENT
    )
