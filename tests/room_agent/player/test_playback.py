"""Play, end, errors, pause/seek, volume, loudness levelling and key change, as heard."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from ktv.errors import InvalidArgument, Unsupported
from room_agent.core.ports import PlayerState
from room_agent.player import AudioOutput, OutputKind, PlayerConfig, VlcPlayer
from tests.room_agent.player.conftest import Heard, Library
from tests.support.pcm import dominant_hz, rms_db, tone_level, wait_for


def _at(heard: Heard, ms: int) -> None:
    assert wait_for(lambda: heard.player.status().position_ms >= ms, 10)


def _recent(heard: Heard, seconds: float = 0.5) -> np.ndarray:
    now = time.monotonic()
    return heard.pcm.heard(now - seconds - 0.05, now - 0.05)


def test_a_song_played_to_its_end_reports_the_end(heard: Heard, library: Library) -> None:
    heard.player.play(library.plain, start_ms=1500)
    assert heard.event.wait(10)
    assert heard.ended == [library.plain.song_id]
    assert heard.errors == []
    assert heard.player.status().state is PlayerState.STOPPED


def test_a_broken_file_reports_an_error_and_nothing_hangs(heard: Heard, library: Library) -> None:
    heard.player.play(library.broken)
    assert heard.event.wait(10)
    assert heard.errors and heard.errors[0][0] == library.broken.song_id
    assert "broken.mkv" in heard.errors[0][1]
    assert heard.ended == []
    assert heard.player.status().state is PlayerState.STOPPED
    heard.player.play(library.plain)  # the next song still plays
    _at(heard, 300)


def test_a_missing_file_reports_an_error(heard: Heard, library: Library) -> None:
    heard.player.play(library.missing)
    assert heard.event.wait(5)
    assert "no such file" in heard.errors[0][1]


def test_the_tone_is_what_the_file_holds(heard: Heard, library: Library) -> None:
    heard.player.play(library.plain)
    _at(heard, 800)
    assert dominant_hz(_recent(heard)) == pytest.approx(440, abs=3)


def test_pause_holds_the_position_and_silences_and_resume_goes_on(
    heard: Heard, library: Library
) -> None:
    heard.player.play(library.plain)
    _at(heard, 500)
    heard.player.pause()
    held = heard.player.status().position_ms
    # silent for the last 0.4 s of the wall clock (so at least that long paused)
    assert wait_for(lambda: tone_level(_recent(heard, 0.4), 440) < 0.001, 5)
    status = heard.player.status()
    assert status.state is PlayerState.PAUSED
    assert abs(status.position_ms - held) <= 40
    heard.player.resume()
    assert wait_for(lambda: heard.player.status().position_ms >= held + 300, 5)


def test_seek_moves_the_song_and_replay_starts_over(heard: Heard, library: Library) -> None:
    heard.player.play(library.tracks)
    _at(heard, 300)
    heard.player.seek(5000)
    assert wait_for(lambda: heard.player.status().position_ms >= 5000, 5)
    assert heard.player.status().position_ms < 6500
    heard.player.play(library.tracks)  # replay
    assert wait_for(lambda: 0 < heard.player.status().position_ms < 1500, 5)


def test_a_song_restored_after_a_power_cut_starts_where_it_was(
    heard: Heard, library: Library
) -> None:
    heard.player.play(library.tracks, start_ms=4000)
    assert wait_for(lambda: heard.player.status().position_ms >= 4000, 5)
    assert heard.player.status().position_ms < 5500


def test_stop_silences_and_reports_stopped(heard: Heard, library: Library) -> None:
    heard.player.play(library.plain)
    _at(heard, 400)
    heard.player.stop()
    status = heard.player.status()
    assert status.state is PlayerState.STOPPED
    assert status.song_id is None
    assert wait_for(lambda: tone_level(_recent(heard, 0.2), 440) < 0.001, 5)


def test_volume_follows_libvlcs_cubic_curve_and_mute_silences(
    heard: Heard, library: Library
) -> None:
    heard.player.play(library.plain)
    _at(heard, 1100)
    full = tone_level(_recent(heard, 0.3), 440)
    heard.player.set_volume(50)
    # the last 0.3 s heard at the new volume (amem delivers in bursts: poll, do not guess)
    assert wait_for(
        lambda: tone_level(_recent(heard, 0.3), 440) / full == pytest.approx(0.5**3, rel=0.1), 5
    )
    heard.player.set_mute(True)
    assert wait_for(lambda: tone_level(_recent(heard, 0.3), 440) < 0.001, 5)
    assert heard.player.status().muted
    with pytest.raises(InvalidArgument):
        heard.player.set_volume(150)


def test_two_songs_mastered_10_db_apart_come_out_equally_loud(
    heard: Heard, library: Library
) -> None:
    assert library.loud.loudness_lufs - library.quiet.loudness_lufs == pytest.approx(10, abs=0.5)
    levels = []
    for song in (library.loud, library.quiet):
        heard.player.play(song)
        _at(heard, 1200)
        levels.append(rms_db(_recent(heard, 0.3)))
    assert abs(levels[0] - levels[1]) <= 1.0, levels


def test_key_up_two_raises_the_pitch_by_twelve_percent_and_keeps_the_tempo(
    heard: Heard, library: Library
) -> None:
    heard.player.play(library.plain, key_semitones=2)
    start = time.monotonic()
    assert heard.event.wait(10)
    took = time.monotonic() - start
    assert heard.ended == [library.plain.song_id]
    span = heard.pcm.span_s()
    middle = heard.pcm.heard(span[0] + 0.8, span[0] + 1.6)
    assert dominant_hz(middle) == pytest.approx(440 * 2 ** (2 / 12), rel=0.01)
    assert heard.player.status().key_semitones == 2
    assert 2.7 <= took <= 4.5  # the 3 s song still lasts 3 s


def test_a_live_key_change_shifts_the_song_while_it_plays(heard: Heard, library: Library) -> None:
    heard.player.play(library.plain)
    _at(heard, 300)
    assert heard.player.set_key(-3) == -3
    down = 440 * 2 ** (-3 / 12)
    assert wait_for(lambda: dominant_hz(_recent(heard, 0.5)) == pytest.approx(down, rel=0.025), 5)
    with pytest.raises(InvalidArgument):
        heard.player.set_key(9)


def test_without_the_pitch_filter_key_change_says_unsupported(
    heard_without_key: Heard, library: Library
) -> None:
    player = heard_without_key.player
    player.play(library.plain)
    _at(heard_without_key, 300)
    with pytest.raises(Unsupported):
        player.set_key(2)
    status = player.status()
    assert status.key_supported is False
    assert status.key_semitones == 0


def test_closing_leaves_no_player_thread_behind(library: Library) -> None:
    player = VlcPlayer(PlayerConfig(audio=AudioOutput(OutputKind.DUMMY)))
    player.play(library.tracks)
    time.sleep(0.3)
    player.close()
    player.close()  # idempotent
    assert not [t for t in threading.enumerate() if t.name == "ktv-player"]
    with pytest.raises(Unsupported):
        player.play(library.tracks)
