"""原唱/伴唱 as heard: amem PCM of both decks mixed by presentation time, checked by FFT."""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pytest

from ktv.errors import InvalidArgument
from media_index.model import VocalMode
from room_agent.core.ports import PlayerState, VocalSwitch
from room_agent.player.shadow import VocalMethod
from tests.room_agent.player.conftest import Heard, Library
from tests.support.media import ACCOMP_HZ, TICK_PERIOD_S, VOCAL_HZ
from tests.support.pcm import longest_silence_ms, tick_onsets_s, tone_level, wait_for

PRESENT = 0.05  # tone amplitude (full scale 1.0) that counts as audible
GONE = 0.005


def _playing(heard: Heard, at_ms: int = 700) -> None:
    assert wait_for(lambda: heard.player.status().position_ms >= at_ms, 10)


def _last(heard: Heard, seconds: float = 0.4) -> np.ndarray:
    """The most recent ``seconds`` the guest heard (audio is delivered ~0.1-0.2 s ahead)."""
    now = time.monotonic()
    return heard.pcm.heard(now - seconds - 0.05, now - 0.05)


def _once_heard(heard: Heard, check, timeout_s: float = 5.0) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The first recent window for which ``check`` holds (a switch lands within a few hundred
    ms; polled, not slept), or the last one looked at, for the asserts that follow."""
    deadline = time.monotonic() + timeout_s
    while True:
        window = _last(heard)
        if check(window) or time.monotonic() > deadline:
            return window
        time.sleep(0.02)


def _vocal_gone(window: np.ndarray) -> bool:
    return tone_level(window, VOCAL_HZ) < GONE


def _accompaniment_only(window: np.ndarray) -> bool:  # not the silence of a plain switch
    return _vocal_gone(window) and tone_level(window, ACCOMP_HZ) > PRESENT


def _vocal_back(window: np.ndarray) -> bool:
    return tone_level(window, VOCAL_HZ) > PRESENT


def test_switching_a_two_track_song_to_accompaniment_removes_the_vocal(
    heard: Heard, library: Library
) -> None:
    heard.player.play(library.tracks)
    _playing(heard)
    before = _last(heard)
    assert tone_level(before, VOCAL_HZ) > PRESENT
    assert heard.player.set_vocal(VocalSwitch.ACCOMPANIMENT) is VocalSwitch.ACCOMPANIMENT
    after = _once_heard(heard, _accompaniment_only)
    assert tone_level(after, VOCAL_HZ) < GONE
    assert tone_level(after, ACCOMP_HZ) > PRESENT
    assert heard.player.vocal_method is VocalMethod.SHADOW_TRACKS
    assert heard.player.set_vocal(VocalSwitch.ORIGINAL) is VocalSwitch.ORIGINAL
    assert tone_level(_once_heard(heard, _vocal_back), VOCAL_HZ) > PRESENT


def test_switching_a_left_right_song_plays_the_accompaniment_channel(
    heard: Heard, library: Library
) -> None:
    heard.player.play(library.channels)
    _playing(heard)
    original = _last(heard)
    # Original = the vocal (right) channel on both speakers.
    assert tone_level(original, VOCAL_HZ, channel=0) > PRESENT
    assert tone_level(original, VOCAL_HZ, channel=1) > PRESENT
    heard.player.set_vocal(VocalSwitch.ACCOMPANIMENT)
    accomp = _once_heard(heard, _accompaniment_only)
    assert tone_level(accomp, VOCAL_HZ) < GONE
    assert tone_level(accomp, ACCOMP_HZ, channel=0) > PRESENT
    assert tone_level(accomp, ACCOMP_HZ, channel=1) > PRESENT
    assert heard.player.vocal_method is VocalMethod.SHADOW_CHANNELS


def test_ten_switches_in_five_seconds_keep_the_beat_and_never_go_silent(
    heard: Heard, library: Library
) -> None:
    heard.player.play(library.tracks)
    _playing(heard, 500)
    start = time.monotonic()
    for k in range(10):
        heard.player.set_vocal(VocalSwitch.ACCOMPANIMENT if k % 2 == 0 else VocalSwitch.ORIGINAL)
        time.sleep(0.5)
    end = time.monotonic()
    mix = heard.pcm.heard(start - 0.1, end - 0.1)
    assert longest_silence_ms(mix) <= 20
    intervals = np.diff(tick_onsets_s(mix))
    assert len(intervals) >= 15
    # Vocal and accompaniment come from two decks: a desync would shift a tick at a switch.
    assert np.abs(intervals - TICK_PERIOD_S).max() <= 0.04
    status = heard.player.status()
    assert status.state is PlayerState.PLAYING
    assert status.vocal is VocalSwitch.ORIGINAL


def test_a_switch_keeps_the_position(heard: Heard, library: Library) -> None:
    heard.player.play(library.tracks)
    _playing(heard, 1000)
    before = heard.player.status().position_ms
    heard.player.set_vocal(VocalSwitch.ACCOMPANIMENT)
    after = heard.player.status().position_ms
    assert abs(after - before) <= 40


def test_a_song_with_one_mix_says_the_switch_is_unavailable(heard: Heard, library: Library) -> None:
    heard.player.play(library.plain)
    _playing(heard, 300)
    assert heard.player.status().vocal is VocalSwitch.UNAVAILABLE
    assert heard.player.set_vocal(VocalSwitch.ACCOMPANIMENT) is VocalSwitch.UNAVAILABLE
    with pytest.raises(InvalidArgument):
        heard.player.set_vocal(VocalSwitch.UNAVAILABLE)


def test_the_guests_choice_carries_over_to_the_next_song(heard: Heard, library: Library) -> None:
    heard.player.play(library.tracks)
    _playing(heard, 300)
    heard.player.set_vocal(VocalSwitch.ACCOMPANIMENT)
    heard.player.play(library.channels)
    _playing(heard)
    assert heard.player.status().vocal is VocalSwitch.ACCOMPANIMENT
    assert tone_level(_last(heard), VOCAL_HZ) < GONE


def test_without_a_shadow_deck_the_plain_switch_still_selects_the_other_track(
    heard_without_shadow: Heard, library: Library
) -> None:
    heard = heard_without_shadow
    heard.player.play(library.tracks)
    _playing(heard)
    assert heard.player.vocal_method is VocalMethod.PLAIN_TRACKS
    heard.player.set_vocal(VocalSwitch.ACCOMPANIMENT)
    after = _once_heard(heard, _accompaniment_only)
    assert tone_level(after, VOCAL_HZ) < GONE
    assert tone_level(after, ACCOMP_HZ) > PRESENT
    assert heard.player.status().state is PlayerState.PLAYING


def test_without_a_shadow_deck_the_plain_switch_still_selects_the_other_channel(
    heard_without_shadow: Heard, library: Library
) -> None:
    heard = heard_without_shadow
    heard.player.play(library.channels)
    _playing(heard)
    assert heard.player.vocal_method is VocalMethod.PLAIN_CHANNELS
    heard.player.set_vocal(VocalSwitch.ACCOMPANIMENT)
    assert tone_level(_once_heard(heard, _accompaniment_only), VOCAL_HZ) < GONE


def test_a_file_without_the_second_track_keeps_playing_and_disables_the_switch(
    heard: Heard, library: Library
) -> None:
    wrong = dataclasses.replace(
        library.plain, vocal_mode=VocalMode.TRACKS, accompaniment_track=1, vocal_track=0
    )
    heard.player.play(wrong)
    assert wait_for(lambda: heard.player.status().vocal is VocalSwitch.UNAVAILABLE, 5)
    _playing(heard, 800)
    assert heard.player.status().state is PlayerState.PLAYING
    assert tone_level(_last(heard), 440) > PRESENT


def test_without_a_shadow_deck_a_left_right_song_starts_on_the_vocal_channel(
    heard_without_shadow: Heard, library: Library
) -> None:
    heard = heard_without_shadow
    heard.player.play(library.channels)
    _playing(heard, 1200)
    original = _last(heard)
    # The vocal (right) channel on both speakers, not the raw left/right file.
    assert tone_level(original, VOCAL_HZ, channel=0) > PRESENT
    assert tone_level(original, VOCAL_HZ, channel=1) > PRESENT
