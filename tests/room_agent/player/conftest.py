"""Fixtures for the libVLC player: generated media (once per session), a capturing player
(amem: every PCM buffer, what the guest would hear), and a private PulseAudio server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from media_index.model import Song, VocalMode
from room_agent.player import AudioOutput, OutputKind, PlayerConfig, VlcPlayer
from tests.support import media
from tests.support.pcm import PcmRecorder
from tests.support.pulse import PulseServer


@dataclass(frozen=True)
class Library:
    tracks: Song  # dual-track MKV, audio only
    tracks_video: Song  # dual-track MKV with H.264 video
    channels: Song  # L/R MP3, vocal on the right
    plain: Song  # one mix, 440 Hz
    loud: Song  # one mix, 10 dB louder than quiet, loudness measured
    quiet: Song
    broken: Song
    missing: Song


@pytest.fixture(scope="session")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    root = tmp_path_factory.mktemp("songs")
    loud = media.tone_song(root / "loud.mp3", freq_hz=500, level_db=-6, duration_s=4)
    quiet = media.tone_song(root / "quiet.mp3", freq_hz=500, level_db=-16, duration_s=4)
    return Library(
        tracks=media.song_for(media.dual_track_mkv(root / "tracks.mkv"), mode=VocalMode.TRACKS),
        tracks_video=media.song_for(
            media.dual_track_mkv(root / "tracks-video.mkv", video=True),
            mode=VocalMode.TRACKS,
            has_video=True,
        ),
        channels=media.song_for(media.channels_mp3(root / "channels.mp3"), mode=VocalMode.CHANNELS),
        # A Chinese file name, as a KTV library has them.
        plain=media.song_for(
            media.tone_song(root / "甜蜜蜜 邓丽君.wav", freq_hz=440, duration_s=3), song_id="plain"
        ),
        loud=media.song_for(loud, loudness_lufs=media.measure_lufs(loud)),
        quiet=media.song_for(quiet, loudness_lufs=media.measure_lufs(quiet)),
        broken=media.song_for(media.broken_file(root / "broken.mkv")),
        missing=media.song_for(root / "not-there.mkv"),
    )


@dataclass
class Heard:
    player: VlcPlayer
    pcm: PcmRecorder
    ended: list[str]
    errors: list[tuple[str, str]]
    event: threading.Event


def _capturing(**config: object) -> Iterator[Heard]:
    pcm = PcmRecorder()
    player = VlcPlayer(
        PlayerConfig(audio=AudioOutput(OutputKind.CAPTURE, capture=pcm), **config)  # type: ignore[arg-type]
    )
    heard = Heard(player, pcm, [], [], threading.Event())

    def ended(song_id: str) -> None:
        heard.ended.append(song_id)
        heard.event.set()

    def failed(song_id: str, message: str) -> None:
        heard.errors.append((song_id, message))
        heard.event.set()

    player.on_end(ended)
    player.on_error(failed)
    try:
        yield heard
    finally:
        player.close()


@pytest.fixture
def heard() -> Iterator[Heard]:
    yield from _capturing()


@pytest.fixture
def heard_without_shadow() -> Iterator[Heard]:
    yield from _capturing(shadow_enabled=False)


@pytest.fixture
def heard_without_key() -> Iterator[Heard]:
    yield from _capturing(key_enabled=False)


@pytest.fixture(autouse=True)
def no_player_left_behind() -> Iterator[None]:
    """Every test closes what it opened: no player thread survives it."""
    yield
    alive = [t.name for t in threading.enumerate() if t.name == "ktv-player"]
    assert alive == [], f"player threads left running: {alive}"


@pytest.fixture(scope="module")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseServer]:
    with PulseServer(tmp_path_factory.mktemp("pulse")) as server:
        yield server
