"""libVLC takes our ASS karaoke file as the video's subtitle track (libass draws it)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
import vlc

from room_agent.lyrics import parse_lrc
from room_agent.lyrics.files import write_ass


@pytest.mark.slow
def test_libvlc_loads_the_karaoke_ass_as_the_selected_subtitle(tmp_path: Path) -> None:
    video = tmp_path / "mv.mkv"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
         "color=c=navy:s=320x240:r=25:d=3", "-c:v", "libx264", "-preset", "ultrafast", str(video)],
        check=True, timeout=60,
    )  # fmt: skip
    lrc = "[00:00.50]<00:00.50>还<00:01.00>记<00:01.50>得<00:02.00>\n[00:02.00]故事的小黄花\n"
    ass = write_ass(parse_lrc(lrc), tmp_path / "mv.ass")
    instance = vlc.Instance(["--vout=dummy", "--aout=dummy", "--no-xlib", "--quiet"])
    player = instance.media_player_new()
    try:
        media = instance.media_new(str(video))
        player.set_media(media)
        media.release()
        assert player.add_slave(vlc.MediaSlaveType.subtitle, ass.as_uri(), True) == 0
        player.play()
        deadline = time.monotonic() + 10
        while player.video_get_spu() == -1 and time.monotonic() < deadline:
            time.sleep(0.05)
        tracks = player.video_get_spu_description()
        assert len(tracks) == 2, tracks  # "Disable" + our karaoke track
        assert player.video_get_spu() == tracks[1][0]  # selected, so it is drawn
    finally:
        player.stop()
        player.release()
        instance.release()
