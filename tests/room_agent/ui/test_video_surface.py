"""Single-screen rooms: the room's player decodes the music video into memory and the
now-playing view shows it in a texture behind the lyrics (real libVLC, real Kivy offscreen).
Screenshots at 800x480 and 1920x1080 go to artifacts/ui/ (docs/screenshots/ with
KTV_UPDATE_SCREENSHOTS=1)."""

from __future__ import annotations

import dataclasses
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from media_index.model import Song
from room_agent.config import AgentConfig, ScreenLayout
from room_agent.player import AudioOutput
from room_agent.player.vlc_player import VlcPlayer
from room_agent.room_screens import RoomScreens
from room_agent.ui.widgets.video_surface import cover_crop
from tests.room_agent.ui.conftest import ARTIFACTS, SHOTS


@pytest.fixture(scope="module")
def music_video(tmp_path_factory: pytest.TempPathFactory) -> Song:
    """A colour-bar 720p H.264 video with sound, 12 s."""
    path = tmp_path_factory.mktemp("mv") / "mv-720p.mp4"
    subprocess.run(
        [
            *("ffmpeg", "-nostdin", "-v", "error", "-y"),
            *("-f", "lavfi", "-i", "smptehdbars=size=1280x720:rate=25:duration=12"),
            *("-f", "lavfi", "-i", "sine=frequency=440:duration=12"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"),
            *("-c:a", "aac", "-shortest", str(path)),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return Song("s-mv", "七里香", ("周杰伦",), str(path), has_video=True)


@pytest.fixture
def single_screen(ktv_app, tmp_path: Path) -> Iterator[tuple[VlcPlayer, RoomScreens]]:
    config = AgentConfig(room="A08", data_dir=tmp_path, layout=ScreenLayout.SINGLE_SCREEN)
    screens = RoomScreens(config, windowed=True)
    player = VlcPlayer(screens.player_config(AudioOutput(), ""))
    screens.attach(player, core=None, lyrics=lambda song: None)  # type: ignore[arg-type]
    before = ktv_app.touch_config
    ktv_app.touch_config = dataclasses.replace(before, video=screens.video)
    try:
        yield player, screens
    finally:
        player.close()
        screens.close()
        ktv_app.touch_config = before
        now = ktv_app.root.session.screens["now_playing"]
        if now.video is not None:  # later tests' now playing has no video again
            now.video.detach()
            now.video.parent.remove_widget(now.video)
            now.video = None


def _centre_pixels(path: Path) -> np.ndarray:
    import matplotlib.image

    image = matplotlib.image.imread(str(path))
    h, w = image.shape[:2]
    return image[int(h * 0.35) : int(h * 0.65), int(w * 0.1) : int(w * 0.9), :3]


def test_now_playing_shows_the_video_behind_the_lyrics(
    guest, room, single_screen, music_video
) -> None:
    from kivy.core.window import Window

    player, screens = single_screen
    room.enqueue("s-qlx")  # the touchscreen's song and lyrics (the room double)
    room.advance(2000)  # into the first line
    player.play(music_video)  # the room's real player: its video lands in screens.video
    guest.tap(guest.session.ids.tab_now_playing)
    now = guest.session.screens["now_playing"]
    guest.until(lambda: now.line != "")
    surface = now.video
    assert surface is not None and surface.frames is screens.video
    guest.until(lambda: surface.frames_shown >= 10, timeout_s=30)
    assert screens.video is not None and screens.video.frames_in >= surface.frames_shown
    size = screens.video.size
    assert size is not None and (size.width, size.height) == (640, 360)  # 720p scaled down
    area = now.ids.karaoke.parent
    assert area.children.index(surface) > area.children.index(now.ids.karaoke)  # underneath
    assert surface._texture is not None and surface._texture.size == (640, 360)
    shown = surface.frames_shown
    guest.until(lambda: surface.frames_shown > shown + 5)  # the texture keeps changing

    for width, height in ((800, 480), (1920, 1080)):
        Window.size = (width, height)
        guest.pump(4)
        before = surface.frames_shown
        guest.until(lambda b=before: surface.frames_shown > b + 3)  # type: ignore[misc]
        artifact = guest.shot(f"single-screen-{width}x{height}")
        colours = _centre_pixels(artifact)
        saturated = (colours.max(axis=2) - colours.min(axis=2)) > 0.4
        assert saturated.mean() > 0.3, "the colour bars are not behind the lyrics"
        if os.environ.get("KTV_UPDATE_SCREENSHOTS") == "1":
            target = SHOTS / f"{width}x{height}" / "now-playing-single-screen.png"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(artifact.read_bytes())
    assert ARTIFACTS.is_dir()


def test_leaving_now_playing_stops_the_uploads_and_coming_back_resumes_them(
    guest, room, single_screen, music_video
) -> None:
    player, screens = single_screen
    room.enqueue("s-qlx")
    player.play(music_video)
    guest.tap(guest.session.ids.tab_now_playing)
    surface = guest.session.screens["now_playing"].video
    guest.until(lambda: surface.frames_shown >= 5, timeout_s=30)
    guest.tap(guest.session.ids.tab_queue)
    guest.pump(3)
    stopped_at = surface.frames_shown
    decoded = screens.video.frames_in
    guest.until(lambda: screens.video.frames_in > decoded + 10, timeout_s=30)
    assert surface.frames_shown == stopped_at  # decoding goes on (the song), uploads do not
    guest.tap(guest.session.ids.tab_now_playing)
    guest.until(lambda: surface.frames_shown > stopped_at + 5, timeout_s=30)


def test_a_two_screen_room_keeps_the_video_off_the_touchscreen(guest, room, ktv_app) -> None:
    assert ktv_app.touch_config.video is None
    room.enqueue("s-qlx")
    guest.tap(guest.session.ids.tab_now_playing)
    assert guest.session.screens["now_playing"].video is None


def test_the_backdrop_crops_the_video_to_the_lyrics_area_never_squeezes_it() -> None:
    u0, v1, u1, _, _, v0, _, _ = cover_crop(640, 360, 1280, 360)  # area twice as wide
    assert (u0, u1) == (0.0, 1.0) and abs((v1 - v0) - 0.5) < 1e-9  # half the height shown
    u0, v1, u1, _, _, v0, _, _ = cover_crop(640, 360, 360, 360)  # a square area
    assert (v0, v1) == (0.0, 1.0) and abs((u1 - u0) - 360 / 640) < 1e-9
