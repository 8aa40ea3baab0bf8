"""libVLC takes our ASS karaoke file as the video's subtitle track, and libass draws the wipe
on the picture in step with the song (frames rendered to memory, no screen needed)."""

from __future__ import annotations

import ctypes
import subprocess
import threading
import time
from pathlib import Path

import matplotlib.image
import numpy as np
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


W, H = 640, 360


class _Frames:
    """libVLC renders into memory (vmem); subtitles are blended into the picture."""

    def __init__(self, player: vlc.MediaPlayer) -> None:
        self._buf = (ctypes.c_ubyte * (W * H * 4))()
        self._lock = threading.Lock()
        self.last: np.ndarray | None = None
        self.count = 0  # frames displayed

        @vlc.CallbackDecorators.VideoLockCb
        def lock(opaque, planes):
            planes[0] = ctypes.cast(self._buf, ctypes.c_void_p)

        @vlc.CallbackDecorators.VideoUnlockCb
        def unlock(opaque, picture, planes):
            pass

        @vlc.CallbackDecorators.VideoDisplayCb
        def display(opaque, picture):
            frame = np.frombuffer(self._buf, np.uint8).reshape(H, W, 4)[:, :, [2, 1, 0]].copy()
            with self._lock:
                self.last = frame
                self.count += 1

        self._callbacks = (lock, unlock, display)  # keep them alive while libVLC calls them
        player.video_set_callbacks(lock, unlock, display, None)
        player.video_set_format("RV32", W, H, W * 4)

    def grab(self) -> np.ndarray:
        with self._lock:
            assert self.last is not None, "no frame yet"
            return self.last


def _sung(rgb: np.ndarray) -> np.ndarray:  # the wipe colour &H00FF9900 = RGB(0, 153, 255)
    r, g, b = (rgb[:, :, i].astype(int) for i in range(3))
    return (r < 80) & (g > 110) & (g < 200) & (b > 200)


def _unsung(rgb: np.ndarray) -> np.ndarray:  # white
    return (rgb > 220).all(axis=2)


@pytest.mark.slow
def test_the_karaoke_wipe_is_drawn_on_the_video_in_step_with_the_song(tmp_path: Path) -> None:
    video = tmp_path / "mv.mkv"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
         f"color=c=navy:s={W}x{H}:r=25:d=8", "-c:v", "libx264", "-preset", "ultrafast", str(video)],
        check=True, timeout=60,
    )  # fmt: skip
    lrc = "[00:01.00]<00:01.00>还<00:02.00>记<00:03.00>得<00:04.00>你<00:05.00>\n"
    ass = write_ass(parse_lrc(lrc), tmp_path / "mv.ass")
    instance = vlc.Instance(["--aout=dummy", "--no-xlib", "--quiet"])
    player = instance.media_player_new()
    frames = _Frames(player)
    seen: dict[float, np.ndarray] = {}
    try:
        media = instance.media_new(str(video))
        player.set_media(media)
        media.release()
        player.add_slave(vlc.MediaSlaveType.subtitle, ass.as_uri(), True)
        player.play()
        for at_s in (0.7, 2.5, 4.4, 6.5):
            deadline = time.monotonic() + 15
            while player.get_time() < at_s * 1000 and time.monotonic() < deadline:
                time.sleep(0.01)
            shown = frames.count  # two frames later: none of them predates the moment
            while frames.count < shown + 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            seen[at_s] = frames.grab()
            matplotlib.image.imsave(tmp_path / f"tv-{at_s}.png", seen[at_s])
    finally:
        player.stop()
        player.release()
        instance.release()

    before, middle, late, after = (seen[t] for t in (0.7, 2.5, 4.4, 6.5))
    assert _unsung(before).sum() > 100 and _sung(before).sum() == 0  # preview: not yet sung
    assert _sung(middle).sum() > 50 and _unsung(middle).sum() > 50  # wiping mid-line
    text_cols = np.nonzero((_sung(middle) | _unsung(middle)).any(axis=0))[0]
    wiped_to = np.nonzero(_sung(middle).any(axis=0))[0].max()
    share = (wiped_to - text_cols.min()) / (text_cols.max() - text_cols.min())
    assert 0.2 <= share <= 0.6, share  # 1.5 s into a 4 s line: 37.5 %, give or take a frame
    assert _sung(late).sum() > 2 * _unsung(late).sum()  # 85 % sung
    assert _sung(after).sum() == 0 and _unsung(after).sum() == 0  # the line has gone
