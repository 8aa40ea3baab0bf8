"""agent.toml [ambience]: defaults, bad values in one line, and what the agent opens."""

from __future__ import annotations

from pathlib import Path

import pytest

from ktv.errors import InvalidArgument
from room_agent.config import AmbienceConfig, load_config
from room_agent.player import AudioOutput, OutputKind
from room_agent.screen_agent import open_ambience
from tests.support import media


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "agent.toml"
    path.write_text(f'room = "A08"\ndata_dir = "{tmp_path / "data"}"\n' + text, encoding="utf-8")
    return path


def test_without_a_table_effects_are_on_and_there_is_no_background(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "")).ambience == AmbienceConfig()


def test_a_venue_sets_its_playlist_level_and_limits(tmp_path: Path) -> None:
    bgm = tmp_path / "bgm"
    bgm.mkdir()
    text = (
        f'[ambience]\nbackground_dir = "{bgm}"\nbackground_volume_percent = 30\n'
        "effect_min_gap_s = 2\neffect_burst = 3\neffect_window_s = 30\n"
    )
    amb = load_config(write(tmp_path, text)).ambience
    assert (amb.background_dir, amb.background_volume_percent) == (bgm, 30)
    assert (amb.effect_min_gap_s, amb.effect_burst, amb.effect_window_s) == (2.0, 3, 30.0)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[ambience]\nbackground_volume_percent = 140\n", "0-100"),
        ("[ambience]\nbackground_volume_percent = true\n", "whole percent"),
        ("[ambience]\neffect_burst = 0\n", "1-100"),
        ("[ambience]\neffect_min_gap_s = -1\n", "0-600"),
        ('[ambience]\nbackground_dir = ""\n', "must not be empty"),
        ("[ambience]\nloud = 1\n", "ambience.loud"),
        ('ambience = "on"\n', "[ambience] table"),
    ],
)
def test_bad_ambience_settings_are_one_clear_line(tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        load_config(write(tmp_path, text))
    assert says in refused.value.message and "agent.toml" in refused.value.message


def test_the_agent_writes_the_default_samples_once_and_keeps_the_venues(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""))
    effects = tmp_path / "data" / "effects"
    effects.mkdir(parents=True)
    media.tone_song(effects / "applause.mp3", duration_s=1)  # the venue's own applause
    ambience, settings = open_ambience(config, AudioOutput(OutputKind.PULSE))
    try:
        assert ambience is not None and not ambience.has_background()
        assert set(ambience.effect_names()) == {"applause", "cheers", "whistle", "laughter"}
        assert not (effects / "applause.wav").exists()  # the venue's file was kept
        assert settings.background_volume_percent == 45
    finally:
        assert ambience is not None
        ambience.close()


def test_a_bare_alsa_device_or_a_missing_directory(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""))
    hw = AudioOutput(OutputKind.ALSA, device="hw:CARD=Headphones")
    assert open_ambience(config, hw)[0] is None  # one stream only: off, with a warning
    missing = load_config(write(tmp_path, f'[ambience]\nbackground_dir = "{tmp_path}/nope"\n'))
    with pytest.raises(InvalidArgument) as refused:
        open_ambience(missing, AudioOutput(OutputKind.PULSE))
    assert "no such directory" in refused.value.message
