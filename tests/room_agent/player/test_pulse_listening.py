"""The vocal switch as a guest hears it: through a real PulseAudio server (null sink),
recorded from its monitor, independent of the player's own code."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

from media_index.model import Song
from room_agent.core.ports import VocalSwitch
from room_agent.player import AudioOutput, OutputKind, PlayerConfig, VlcPlayer
from tests.room_agent.player.conftest import Library
from tests.support.media import ACCOMP_HZ, TICK_PERIOD_S, VOCAL_HZ
from tests.support.pcm import level_track, longest_silence_ms, tick_onsets_s, tone_level, wait_for
from tests.support.pulse import RATE_HZ, PulseServer

WINDOW_MS = 10


def _aligned(player: VlcPlayer) -> bool:
    offset = player.last_shadow_offset_ms
    return offset is not None and abs(offset) <= 5


def _switches(pulse: PulseServer, song: Song) -> tuple[np.ndarray, list[int], list[VocalSwitch]]:
    with VlcPlayer(PlayerConfig(audio=AudioOutput(OutputKind.PULSE))) as player:
        with pulse.record() as rec:
            player.play(song)
            # The decks are aligned (sync.py) within the first second or two of a song.
            assert wait_for(lambda: _aligned(player), 10)
            time.sleep(0.5)
            calls, wanted = [], []
            for vocal in [VocalSwitch.ACCOMPANIMENT, VocalSwitch.ORIGINAL] * 2:
                calls.append(time.monotonic())
                player.set_vocal(vocal)
                wanted.append(vocal)
                time.sleep(0.8)
            player.stop()
        return rec.samples(), [rec.sample_at(t) for t in calls], wanted


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["tracks", "tracks_video", "channels"])
def test_through_a_real_audio_server_the_switch_has_no_gap_and_keeps_the_beat(
    pulse: PulseServer, library: Library, kind: str
) -> None:
    song = getattr(library, kind)
    samples, at, wanted = _switches(pulse, song)
    half = RATE_HZ // 2
    beat_errors = []
    for index, vocal in zip(at, wanted, strict=True):
        around = samples[index - half : index + half]
        assert len(around) == 2 * half
        # No silence at the switch, and the accompaniment plays on both sides of it.
        assert longest_silence_ms(around) <= 20
        assert tone_level(around[: half - 2205], ACCOMP_HZ) > 0.05
        assert tone_level(around[half + 2205 :], ACCOMP_HZ) > 0.05
        # The vocal is gone (or back) within 50 ms of the call.
        levels = level_track(samples[index : index + half], VOCAL_HZ, window_ms=WINDOW_MS)
        settled = 50 // WINDOW_MS
        if vocal is VocalSwitch.ACCOMPANIMENT:
            assert levels[settled:].max() < 0.01, levels[: settled + 2]
        else:
            assert levels[settled:].min() > 0.05, levels[: settled + 2]
        # The position did not jump: the metronome keeps its 250 ms beat across the switch.
        wide = samples[index - 3 * half // 2 : index + 3 * half // 2]
        intervals = np.diff(tick_onsets_s(wide))
        assert len(intervals) >= 4
        beat_errors.append(float(np.abs(intervals - TICK_PERIOD_S).max()))
    # The target, for video songs too: the position before and after within 40 ms.
    assert max(beat_errors) <= 0.04, beat_errors


@pytest.mark.slow
def test_through_a_real_audio_server_key_up_two_raises_the_pitch(
    pulse: PulseServer, library: Library
) -> None:
    with VlcPlayer(PlayerConfig(audio=AudioOutput(OutputKind.PULSE))) as player:
        with pulse.record() as rec:
            player.play(library.plain)
            time.sleep(0.8)
            player.set_key(2)
            changed = time.monotonic()
            time.sleep(0.9)
            player.stop()
        samples = rec.samples()
        after = samples[rec.sample_at(changed + 0.3) : rec.sample_at(changed + 0.8)]
        assert tone_level(after, 440 * 2 ** (2 / 12)) > 0.1
        assert tone_level(after, 440) < 0.02
        assert player.status().key_supported


def test_the_private_audio_server_is_gone_after_its_test(tmp_path: Path) -> None:
    server = PulseServer(tmp_path)
    with server:
        daemon = server._proc
        assert daemon is not None and daemon.poll() is None
        assert os.environ["PULSE_SERVER"] == f"unix:{server.socket}"
    assert daemon.poll() is not None
    assert os.environ.get("PULSE_SERVER") != f"unix:{server.socket}"
