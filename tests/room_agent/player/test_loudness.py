from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from room_agent.player import settings
from room_agent.player.loudness import amplitude_of, levelling_for, vlc_volume


def test_a_loud_master_is_turned_down_to_the_venue_target() -> None:
    level = levelling_for(-8.0, target_lufs=-18.0)
    assert level.gain_db == pytest.approx(-10.0)
    assert not level.clamped


def test_a_very_quiet_master_is_raised_only_up_to_the_clamp() -> None:
    level = levelling_for(-60.0, target_lufs=-18.0)
    assert level.gain_db == settings.levelling_max_gain_db
    assert level.clamped


def test_an_unmeasured_song_is_treated_as_a_typical_master() -> None:
    level = levelling_for(None, target_lufs=-18.0)
    assert level.song_lufs == settings.unmeasured_song_lufs
    assert level.gain_db == pytest.approx(-18.0 - settings.unmeasured_song_lufs)


def test_two_songs_mastered_10_db_apart_get_gains_10_db_apart() -> None:
    loud, quiet = levelling_for(-10.0), levelling_for(-20.0)
    ratio = amplitude_of(vlc_volume(100, loud.gain_db)) / amplitude_of(
        vlc_volume(100, quiet.gain_db)
    )
    assert ratio == pytest.approx(10 ** (-10 / 20), rel=0.05)


def test_volume_zero_is_silence_whatever_the_gain() -> None:
    assert vlc_volume(0, 10.0) == 0


@given(st.integers(0, 100), st.floats(-40, 40))
def test_libvlc_volume_always_stays_in_its_range(percent: int, gain_db: float) -> None:
    assert 0 <= vlc_volume(percent, gain_db) <= settings.vlc_volume_max


@given(st.integers(1, 99), st.floats(-20, 10))
def test_a_higher_volume_is_never_quieter(percent: int, gain_db: float) -> None:
    assert vlc_volume(percent + 1, gain_db) >= vlc_volume(percent, gain_db)
