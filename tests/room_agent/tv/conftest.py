"""The TV as libVLC draws it, without a screen: the player's video is decoded into memory
(``VideoFrames``, libVLC's vmem) with the subtitles and the marquee blended in, as the TV
would show them. A generated karaoke MV: black picture, two audio tracks (原唱/伴唱), an
enhanced LRC whose first line is sung left, second right (the ASS styles alternate)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from media_index.model import Song, VocalMode
from room_agent.lyrics.files import LyricsFiles
from room_agent.player import PlayerConfig, VlcPlayer
from room_agent.player.frames import VideoFrames
from room_agent.player.tv import TvBackdrop, TvLyrics, TvPicture

W, H = 640, 360
MV_S = 14
# Line 1 "还记得你" 1.0-5.0 s, one second per character; line 2 "故事的小黄花" 7.0-11.0 s.
LRC = (
    "[ti:小黄花]\n"
    "[00:01.00]<00:01.00>还<00:02.00>记<00:03.00>得<00:04.00>你<00:05.00>\n"
    "[00:07.00]<00:07.00>故事<00:09.00>的小黄花<00:11.00>\n"
)
LINE1 = (1000, 5000)
LINE2 = (7000, 11000)


def karaoke_mv(path: Path, *, size: str = f"{W}x{H}", duration_s: int = MV_S) -> Path:
    """H.264 black picture + track 0 (original: 330 Hz + 1 kHz) + track 1 (330 Hz)."""
    subprocess.run(
        [
            *("ffmpeg", "-nostdin", "-v", "error", "-y"),
            *("-f", "lavfi", "-i", f"color=c=black:s={size}:r=25:d={duration_s}"),
            *(
                "-f",
                "lavfi",
                "-i",
                f"aevalsrc=0.2*sin(2*PI*330*t)+0.2*sin(2*PI*1000*t):d={duration_s}",
            ),
            *("-f", "lavfi", "-i", f"aevalsrc=0.2*sin(2*PI*330*t):d={duration_s}"),
            *("-map", "0:v", "-map", "1:a", "-map", "2:a"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"),
            *("-c:a", "aac", "-b:a", "96k", str(path)),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return path


@dataclass(frozen=True)
class Songs:
    root: Path
    with_lyrics: Song
    without_lyrics: Song
    audio_only: Song  # an MP3 with an LRC: played over the backdrop on the TV
    backdrop: TvBackdrop


def audio_only_song(path: Path, *, duration_s: int = 7) -> Path:
    subprocess.run(
        [
            *("ffmpeg", "-nostdin", "-v", "error", "-y"),
            *("-f", "lavfi", "-i", f"sine=frequency=440:duration={duration_s}"),
            *("-c:a", "libmp3lame", "-b:a", "96k", str(path)),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return path


@pytest.fixture(scope="session")
def songs(tmp_path_factory: pytest.TempPathFactory) -> Songs:
    root = tmp_path_factory.mktemp("tv-songs")
    karaoke_mv(root / "小黄花.mkv")
    (root / "小黄花.lrc").write_text(LRC, encoding="utf-8")
    karaoke_mv(root / "no-lyrics.mkv", duration_s=6)
    audio_only_song(root / "甜蜜蜜.mp3")
    (root / "甜蜜蜜.lrc").write_text(LRC, encoding="utf-8")
    backdrop = root / "backdrop.mkv"
    subprocess.run(
        [
            *("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi"),
            *("-i", "color=c=0x101028:s=640x360:r=10:d=30", "-c:v", "libx264"),
            *("-preset", "ultrafast", str(backdrop)),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    common = dict(
        artists=("测试歌手",), has_video=True, vocal_mode=VocalMode.TRACKS,
        vocal_track=0, accompaniment_track=1,
    )  # fmt: skip
    return Songs(
        root,
        Song("s-flower", "小黄花", path="小黄花.mkv", lyrics_path="小黄花.lrc", **common),  # type: ignore[arg-type]
        Song("s-silent", "no lyrics", path="no-lyrics.mkv", **common),  # type: ignore[arg-type]
        Song("s-tmm", "甜蜜蜜", ("邓丽君",), path="甜蜜蜜.mp3", duration_ms=7000),
        TvBackdrop(backdrop, make=False),
    )


@dataclass
class Tv:
    """A room's player whose TV picture lands in ``frames``."""

    player: VlcPlayer
    frames: VideoFrames

    def picture(self, timeout_s: float = 10.0) -> np.ndarray:
        """The next frame libVLC finishes, as RGB (H, W, 3)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self.frames.newest() as frame:
                if frame is not None:
                    bgrx = np.frombuffer(frame.pixels, np.uint8)
                    bgrx = bgrx.reshape(frame.size.height, frame.size.width, 4)
                    return bgrx[:, :, [2, 1, 0]].copy()
            time.sleep(0.01)
        raise AssertionError("no video frame from libVLC")

    def at(self, position_ms: int, timeout_s: float = 20.0) -> np.ndarray:
        """The picture once the song has played to ``position_ms`` (a frame or two after)."""
        deadline = time.monotonic() + timeout_s
        while self.player.status().position_ms < position_ms:
            assert time.monotonic() < deadline, f"song never reached {position_ms} ms"
            time.sleep(0.01)
        shown = self.frames.frames_in  # two more frames: none of them predates the moment
        while self.frames.frames_in < shown + 2:
            assert time.monotonic() < deadline, f"no new frame after {position_ms} ms"
            time.sleep(0.01)
        return self.picture()


@pytest.fixture
def tv(songs: Songs, tmp_path: Path) -> Iterator[Tv]:
    player = VlcPlayer(PlayerConfig(media_root=str(songs.root)))
    frames = VideoFrames(W, H)
    for mp in player.video_players():
        frames.install(mp)
    player.tv = TvPicture(TvLyrics(LyricsFiles(songs.root), tmp_path / "tv-lyrics"), songs.backdrop)
    try:
        yield Tv(player, frames)
    finally:
        player.close()


# --- reading the picture ---------------------------------------------------------------------


def sung(rgb: np.ndarray) -> np.ndarray:
    """The wipe colour, ASS &H00FF9900 = RGB(0, 153, 255)."""
    r, g, b = (rgb[:, :, i].astype(int) for i in range(3))
    return (r < 80) & (g > 110) & (g < 200) & (b > 200)


def unsung(rgb: np.ndarray) -> np.ndarray:
    return (rgb > 220).all(axis=2)


def lyric_pixels(rgb: np.ndarray) -> np.ndarray:
    return sung(rgb) | unsung(rgb)


def wiped_share(rgb: np.ndarray) -> float:
    """How far (0..1) the wipe has gone through the text on screen."""
    text_cols = np.nonzero(lyric_pixels(rgb).any(axis=0))[0]
    sung_cols = np.nonzero(sung(rgb).any(axis=0))[0]
    if len(text_cols) == 0:
        raise AssertionError("no lyrics on the picture")
    if len(sung_cols) == 0:
        return 0.0
    return float((sung_cols.max() - text_cols.min()) / max(1, text_cols.max() - text_cols.min()))


def colour(rgb: np.ndarray, rgb_hex: int, tolerance: int = 50) -> np.ndarray:
    want = np.array([(rgb_hex >> 16) & 255, (rgb_hex >> 8) & 255, rgb_hex & 255])
    return (np.abs(rgb.astype(int) - want) <= tolerance).all(axis=2)
