"""The two decks of a song play the same instant of the music (video files included)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from room_agent.core.ports import PlayerState, VocalSwitch
from room_agent.player.sync import ClockReading, measure_origins_ms, origin_ms
from tests.room_agent.player.conftest import Heard, Library
from tests.support.media import TICK_PERIOD_S, VOCAL_HZ
from tests.support.pcm import centroid_hz, dominant_hz, tick_onsets_s, wait_for


def test_a_decks_origin_is_the_earliest_reading_minus_its_time() -> None:
    readings = [ClockReading(1250.0, 250), ClockReading(1503.0, 500), ClockReading(1752.0, 750)]
    assert origin_ms(readings) == 1000.0
    assert origin_ms([]) is None


def _aligned(heard: Heard) -> bool:
    return heard.player.last_shadow_offset_ms is not None


def _recent_once(heard: Heard, check, timeout_s: float = 5.0):  # type: ignore[no-untyped-def]
    """The last 0.5 s heard, once ``check`` holds for it (polled), or the last one looked at."""
    deadline = time.monotonic() + timeout_s
    while True:
        now = time.monotonic()
        window = heard.pcm.heard(now - 0.55, now - 0.05)
        if check(window) or now > deadline:
            return window
        time.sleep(0.02)


def _listen(heard: Heard, seconds: float) -> None:
    """Record afresh until both decks have delivered ``seconds`` of audio (not a wall-clock
    sleep: on a loaded machine libVLC may deliver less in the same time)."""
    heard.pcm.clear()
    assert wait_for(
        lambda: min(heard.pcm.decoded_s("main"), heard.pcm.decoded_s("shadow")) >= seconds,
        10 + seconds,
    )


def test_with_video_the_shadow_deck_is_aligned_to_the_main_deck(
    heard: Heard, library: Library
) -> None:
    heard.player.play(library.tracks_video)
    assert wait_for(lambda: _aligned(heard), 10)
    _listen(heard, 0.4)  # settled
    _listen(heard, 1.2)
    assert abs(heard.pcm.deck_offset_ms("main", "shadow")) <= 10


def test_after_a_seek_the_decks_are_aligned_again(heard: Heard, library: Library) -> None:
    heard.player.play(library.tracks_video)
    assert wait_for(lambda: _aligned(heard), 10)
    heard.player.last_shadow_offset_ms = None
    heard.player.seek(3000)
    assert wait_for(lambda: _aligned(heard), 10)
    _listen(heard, 0.4)  # settled
    _listen(heard, 1.2)
    assert abs(heard.pcm.deck_offset_ms("main", "shadow")) <= 10


def test_switching_a_video_song_keeps_the_beat(heard: Heard, library: Library) -> None:
    heard.player.play(library.tracks_video)
    assert wait_for(lambda: _aligned(heard), 10)
    _listen(heard, 0.3)  # settled
    start = time.monotonic()
    for k in range(6):
        heard.player.set_vocal(VocalSwitch.ACCOMPANIMENT if k % 2 == 0 else VocalSwitch.ORIGINAL)
        time.sleep(0.4)
    mix = heard.pcm.heard(start - 0.1, time.monotonic() - 0.1)
    intervals = np.diff(tick_onsets_s(mix))
    assert len(intervals) >= 8
    assert np.abs(intervals - TICK_PERIOD_S).max() <= 0.02


def test_a_key_change_moves_both_decks_so_a_switch_keeps_the_key(
    heard: Heard, library: Library
) -> None:
    heard.player.play(library.tracks)
    assert wait_for(lambda: heard.player.status().position_ms > 300, 10)
    heard.player.set_key(2)
    up = VOCAL_HZ * 2 ** (2 / 12)
    original = _recent_once(heard, lambda w: abs(dominant_hz(w, 900, 1300) - up) < 25)
    assert abs(dominant_hz(original, 900, 1300) - up) < 25
    heard.player.set_vocal(VocalSwitch.ACCOMPANIMENT)
    shifted = 330 * 2 ** (2 / 12)
    accomp = _recent_once(heard, lambda w: abs(centroid_hz(w, 250, 500) / shifted - 1) < 0.03)
    # Accompaniment 330 Hz, two semitones up: ~370 Hz on the shadow deck too.
    assert centroid_hz(accomp, 250, 500) == pytest.approx(330 * 2 ** (2 / 12), rel=0.03)
    assert heard.player.status().key_semitones == 2


def test_pause_and_resume_keep_both_decks_together(heard: Heard, library: Library) -> None:
    heard.player.play(library.tracks_video)
    assert wait_for(lambda: _aligned(heard), 10)
    heard.player.pause()
    time.sleep(0.7)
    heard.player.last_shadow_offset_ms = None
    heard.player.resume()
    assert wait_for(lambda: _aligned(heard), 10)
    _listen(heard, 0.4)  # settled
    _listen(heard, 1.2)
    assert abs(heard.pcm.deck_offset_ms("main", "shadow")) <= 10
    assert heard.player.status().state is PlayerState.PLAYING


def test_the_song_video_is_on_a_player_offered_for_video_and_only_there(
    heard: Heard, library: Library
) -> None:
    heard.player.play(library.tracks_video)
    assert wait_for(lambda: heard.player.status().position_ms > 500, 10)
    offered = heard.player.video_players()
    showing = [mp for mp in offered if mp.has_vout() > 0]
    assert len(showing) == 1
    assert heard.player._shadow.mp not in offered
    assert heard.player._shadow.mp.has_vout() == 0  # the shadow deck decodes no video


def test_a_video_song_shows_its_picture_on_a_deck_of_its_own_and_both_audio_decks_are_alike(
    heard: Heard, library: Library
) -> None:
    heard.player.play(library.tracks_video)
    assert wait_for(lambda: heard.player.status().position_ms > 500, 10)
    picture = heard.player._decks.picture
    assert picture.mp.has_vout() > 0
    assert heard.player._main.mp.has_vout() == 0
    assert heard.player._shadow.mp.has_vout() == 0
    # The picture deck plays no sound: every PCM buffer comes from the two audio decks.
    assert {deck for deck, _pts, _f in heard.pcm.buffers()} == {"main", "shadow"}


def test_the_picture_follows_the_audible_deck_clock(heard: Heard, library: Library) -> None:
    heard.player.play(library.tracks_video)
    assert wait_for(lambda: heard.player.last_picture_offset_ms is not None, 10)
    offset = heard.player.last_picture_offset_ms
    assert offset is not None and abs(offset) <= 10
    decks = heard.player._decks
    origins = measure_origins_ms(
        (decks.main, decks.picture), still_wanted=lambda: True, budget_s=2, changes_wanted=2
    )
    assert abs(origins["picture"] - origins["main"]) <= 15


def test_a_song_without_video_opens_no_picture_deck(heard: Heard, library: Library) -> None:
    heard.player.play(library.tracks)
    assert wait_for(lambda: heard.player.last_shadow_offset_ms is not None, 10)
    assert heard.player._decks.picture.mp.get_media() is None
    assert heard.player.last_picture_offset_ms is None


def test_the_decks_of_a_video_song_start_together_before_any_alignment(
    heard: Heard, library: Library
) -> None:
    heard.player.play(library.tracks_video)
    assert wait_for(
        lambda: min(heard.pcm.decoded_s("main"), heard.pcm.decoded_s("shadow")) >= 0.4, 10
    )
    assert heard.player.last_shadow_offset_ms is None  # no alignment has run yet
    assert abs(heard.pcm.deck_offset_ms("main", "shadow")) <= 10


def test_pausing_while_a_song_opens_then_resuming_plays_every_deck(
    heard: Heard, library: Library
) -> None:
    heard.player.play(library.tracks_video)
    heard.player.pause()
    time.sleep(0.3)
    assert heard.player.status().state is PlayerState.PAUSED
    heard.player.resume()
    assert wait_for(lambda: heard.player.status().position_ms > 800, 10)
    decks = heard.player._decks
    for deck in (decks.main, decks.shadow, decks.picture):
        assert deck.mp.is_playing(), deck.name
    assert wait_for(lambda: heard.player.last_shadow_offset_ms is not None, 10)
