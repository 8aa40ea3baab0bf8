"""Single-screen rooms: libVLC decodes the music video into memory and the newest frame is
shown in a texture behind the lyrics."""

from __future__ import annotations

import subprocess

import vlc

from room_agent.ui.widgets.video_surface import FrameSlot, VideoSurface


def test_the_newest_frame_is_taken_once():
    slot = FrameSlot(4, 2)
    assert slot.take() is None
    planes = [None]
    slot.lock(None, planes)
    slot.buffer[0] = 7
    slot.unlock(None, None, planes)
    frame = slot.take()
    assert frame is not None and len(frame) == 4 * 4 * 2 and frame[0] == 7
    assert slot.take() is None  # nothing new since


def test_video_frames_from_libvlc_reach_the_screen_behind_the_lyrics(guest, room, tmp_path):
    video = tmp_path / "mv.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=25",
            "-t",
            "3",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            str(video),
        ],
        check=True,
    )
    room.enqueue("s-qlx")
    guest.tap(guest.session.ids.tab_now_playing)
    now = guest.session.screens["now_playing"]
    area = now.ids.karaoke.parent
    surface = VideoSurface()
    area.add_widget(surface, index=len(area.children))  # drawn first: behind the lyrics
    instance = vlc.Instance(["--quiet", "--no-audio", "--no-xlib"])
    player = instance.media_player_new()
    try:
        slot = surface.attach(player, 320, 180)
        player.set_media(instance.media_new(str(video)))
        player.play()
        guest.until(lambda: surface.frames_shown >= 10, timeout_s=30)
        assert slot.frames_in >= surface.frames_shown
        guest.shot("video-behind-lyrics")
    finally:
        player.stop()
        surface.detach()
        player.release()
        instance.release()
        area.remove_widget(surface)
