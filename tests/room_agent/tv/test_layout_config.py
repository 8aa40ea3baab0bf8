"""agent.toml chooses the room's screens; bad values are one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from ktv.errors import InvalidArgument
from room_agent.config import AgentConfig, ScreenLayout, load_config
from room_agent.player import AudioOutput
from room_agent.room_screens import RoomScreens


def _load(tmp_path: Path, body: str) -> AgentConfig:
    path = tmp_path / "agent.toml"
    path.write_text('room = "A08"\n' + body, encoding="utf-8")
    return load_config(path)


def test_a_room_has_two_screens_unless_told_otherwise(tmp_path: Path) -> None:
    config = _load(tmp_path, "")
    assert config.layout is ScreenLayout.TWO_SCREENS
    args = RoomScreens(config).player_config(AudioOutput(), "/srv").instance_args()
    assert "--vout=any" in args and "--fullscreen" in args
    assert "--freetype-font=Noto Sans CJK SC" in args


def test_the_tv_output_and_display_come_from_the_config(tmp_path: Path) -> None:
    config = _load(tmp_path, 'tv_video_output = "xcb_x11"\ntv_display = ":0.1"\n')
    args = RoomScreens(config, windowed=True).player_config(AudioOutput(), "").instance_args()
    assert "--vout=xcb_x11" in args and "--x11-display=:0.1" in args
    assert "--fullscreen" not in args  # a desktop demo: the TV is a window


def test_a_single_screen_room_opens_no_tv_window(tmp_path: Path) -> None:
    config = _load(tmp_path, 'layout = "single_screen"\n')
    assert config.layout is ScreenLayout.SINGLE_SCREEN
    args = RoomScreens(config).player_config(AudioOutput(), "").instance_args()
    assert "--vout=dummy" in args and "--fullscreen" not in args


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ('layout = "three_screens"\n', "layout: must be one of two_screens, single_screen"),
        ("layout = 2\n", "layout: must be one of"),
        ('tv_video_output = "x11; rm -rf /"\n', "tv_video_output: must be a libVLC video output"),
        ("tv_display = 1\n", "tv_display: must be a string"),
    ],
)
def test_a_bad_screen_setting_is_refused_in_one_line(tmp_path: Path, body: str, says: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        _load(tmp_path, body)
    assert says in err.value.message and "\n" not in err.value.message
