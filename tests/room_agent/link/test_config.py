from __future__ import annotations

from pathlib import Path

import pytest

from ktv.errors import InvalidArgument
from room_agent.config import AgentConfig, GpioConfig, load_config

FULL = """
room = "A08"
controller = "192.168.10.2:50051"
venue_id = "venue-sh-01"
data_dir = "/var/lib/ktv-agent"
media_root = "/srv/ktv/songs"
catalog_path = "/var/lib/ktv-agent/catalog.db"
audio_device = "alsa/hw:CARD=Headphones"
screen_rotation = 180
mock_gpio = true
heartbeat_interval_s = 3
mdns_interfaces = ["192.168.10.31"]

[gpio]
door_pin = 5
door_open_level = "low"
door_debounce_ms = 80
presence_pin = 6
presence_sample_rate_hz = 200
presence_hold_s = 600
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "agent.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_full_config_file_is_read_into_typed_settings(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FULL))
    assert config.room == "A08"
    assert config.controller is not None and config.controller.target == "192.168.10.2:50051"
    assert (config.venue_id, config.audio_device) == ("venue-sh-01", "alsa/hw:CARD=Headphones")
    assert config.media_root == Path("/srv/ktv/songs")
    assert config.resolved_catalog_path == Path("/var/lib/ktv-agent/catalog.db")
    assert (config.screen_rotation, config.mock_gpio, config.heartbeat_interval_s) == (180, True, 3)
    assert config.mdns_interfaces == ("192.168.10.31",)
    assert config.gpio == GpioConfig(
        door_pin=5,
        door_open_level="low",
        door_debounce_ms=80,
        presence_pin=6,
        presence_sample_rate_hz=200,
        presence_hold_s=600,
    )


def test_command_line_flags_win_over_the_file(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, FULL),
        overrides={"room": "B02", "controller": "127.0.0.1:7000", "data_dir": str(tmp_path)},
    )
    assert (config.room, config.controller.target, config.data_dir) == (
        "B02",
        "127.0.0.1:7000",
        tmp_path,
    )
    assert config.venue_id == "venue-sh-01"  # untouched keys keep the file's value


def test_a_room_given_only_on_the_command_line_is_enough(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""), overrides={"room": "rooms/C12", "headless": True})
    assert config == AgentConfig(room="C12", headless=True)
    assert config.controller is None  # zeroconf then


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('room = "A08"\ncolour = "red"', "unknown key 'colour'"),
        ('room = "A 08"', "not a room id"),
        ('room = "A08"\ncontroller = "ctrl"', "controller: controller address 'ctrl'"),
        ('room = "A08"\nscreen_rotation = 45', "0, 90, 180 or 270"),
        ('room = "A08"\nmock_gpio = "yes"', "true or false"),
        ('room = "A08"\nheartbeat_interval_s = 0', "1-60 seconds"),
        ('room = "A08"\n[gpio]\ndoor_pin = 40', "BCM pin must be 0-27"),
        ('room = "A08"\n[gpio]\ndoor_pin = true', "whole number"),
        ('room = "A08"\n[gpio]\ndoor_pin = 6\npresence_pin = 6', "both 6"),
        ('room = "A08"\n[gpio]\ndoor_open_level = "up"', '"high" or "low"'),
        ('room = "A08"\n[gpio]\nbuzzer_pin = 4', "unknown key gpio.buzzer_pin"),
        ('room = "A08"\n[gpio]\ndoor_debounce_ms = -5', "must be positive"),
        ('room = "A08"\ndata_dir = ""', "must not be empty"),
        ("room = A08", "not valid TOML"),
        ("", "no room given"),
    ],
)
def test_a_bad_config_is_refused_in_one_line_that_names_the_key(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(InvalidArgument) as err:
        load_config(write(tmp_path, text))
    assert message in err.value.message
    assert "\n" not in err.value.message


def test_a_missing_config_file_named_on_the_command_line_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match="does not exist"):
        load_config(tmp_path / "nope.toml", overrides={"room": "A08"})


def test_a_bad_flag_is_reported_as_coming_from_the_command_line(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match=r"^command line: controller"):
        load_config(write(tmp_path, FULL), overrides={"controller": "nowhere"})
