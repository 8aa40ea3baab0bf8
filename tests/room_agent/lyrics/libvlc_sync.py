"""Measuring lyric sync against what libVLC actually plays (shared by the sync test and
``benchmarks/lyrics_sync.py``).

The media is silence with a 1 kHz burst starting exactly on each LRC timestamp. libVLC plays
it through amem (``audio_set_callbacks``): each PCM buffer comes with the presentation date
(``pts``, libVLC's monotonic clock in microseconds) at which it is to be heard, so the instant
each burst is heard is known exactly. Meanwhile a loop polls ``get_time()`` every couple of
ms into a ``PlaybackClock`` and notes the instant (same clock, ``libvlc_clock()``) each lyric
line becomes current. The difference is the sync error (negative = lyrics early).
"""

from __future__ import annotations

import ctypes
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import vlc

from room_agent.lyrics import LyricTimeline, PlaybackClock, parse_lrc

RATE_HZ = 44100
LINE_TIMES_S = (1.0, 1.75, 2.5, 3.25, 4.0, 4.6, 5.5, 6.25)
BURST_S = 0.2


def lrc_text() -> str:
    return "".join(
        f"[{int(t // 60):02d}:{t % 60:05.2f}]第{n}句\n" for n, t in enumerate(LINE_TIMES_S, 1)
    )


def make_media(path: Path, duration_s: float = 7.5) -> Path:
    """Silence with a burst at each line time; the codec follows the file extension."""
    gate = "+".join(f"between(t,{t},{t + BURST_S})" for t in LINE_TIMES_S)
    expr = f"({gate})*0.5*sin(2*PI*1000*t)"
    cmd = ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi"]
    cmd += ["-i", f"aevalsrc='{expr}|{expr}':s={RATE_HZ}:d={duration_s}"]
    if path.suffix in (".mkv", ".mpg", ".mp4"):
        cmd += ["-f", "lavfi", "-i", f"color=c=navy:s=320x240:r=25:d={duration_s}"]
        cmd += ["-c:v", "libx264" if path.suffix != ".mpg" else "mpeg2video", "-shortest"]
    subprocess.run([*cmd, str(path)], check=True, timeout=60)
    return path


@dataclass(frozen=True)
class SyncResult:
    errors_ms: tuple[float, ...]  # line change minus heard burst, per line

    @property
    def median_abs_ms(self) -> float:
        return statistics.median(abs(e) for e in self.errors_ms)

    @property
    def max_abs_ms(self) -> float:
        return max(abs(e) for e in self.errors_ms)


class _BurstDetector:
    def __init__(self) -> None:
        self.onsets_us: list[float] = []
        self._loud = False
        self._lock = threading.Lock()

    def feed(self, samples: int, count: int, pts: int) -> None:
        pcm = np.frombuffer(ctypes.string_at(samples, count * 4), dtype=np.int16)
        loud = np.abs(pcm.reshape(-1, 2)[:, 0]) > 3000
        with self._lock:
            if not self._loud and loud.any():
                self.onsets_us.append(pts + int(np.argmax(loud)) * 1e6 / RATE_HZ)
                self._loud = True
            elif self._loud and not loud.any():
                self._loud = False


def measure(media: Path, poll_s: float = 0.002) -> SyncResult:
    """Play ``media`` with real libVLC (no sound card, no screen) and time the lyric lines."""
    timeline = LyricTimeline(parse_lrc(lrc_text()))
    detector = _BurstDetector()
    instance = vlc.Instance(["--vout=dummy", "--no-xlib", "--quiet", "--no-video"])
    player = instance.media_player_new()

    @vlc.CallbackDecorators.AudioPlayCb
    def on_pcm(opaque, samples, count, pts):  # libVLC's audio thread
        detector.feed(samples, count, pts)

    try:
        player.audio_set_callbacks(on_pcm, None, None, None, None, None)
        player.audio_set_format("S16N", RATE_HZ, 2)
        media_obj = instance.media_new(str(media))
        player.set_media(media_obj)
        media_obj.release()
        clock = PlaybackClock()
        changes_us: list[float] = []
        last_index = -1
        player.play()
        deadline = time.monotonic() + LINE_TIMES_S[-1] + 3.0
        while time.monotonic() < deadline and len(changes_us) < len(LINE_TIMES_S):
            now_us = vlc.libvlc_clock()
            playing = player.get_state() == vlc.State.Playing
            clock.sample(max(0, player.get_time()), now_us / 1e6, playing=playing)
            index = timeline.at(clock.position_ms(now_us / 1e6)).index
            if index > last_index:
                changes_us.append(now_us)
                last_index = index
            time.sleep(poll_s)
        # the last burst reaches amem a little after its line changed: wait for its onset
        end = time.monotonic() + BURST_S + 5.0
        while len(detector.onsets_us) < len(changes_us) and time.monotonic() < end:
            time.sleep(0.01)
        player.stop()
    finally:
        player.release()
        instance.release()
    onsets = detector.onsets_us[: len(changes_us)]
    assert len(onsets) == len(changes_us) == len(LINE_TIMES_S), (onsets, changes_us)
    return SyncResult(tuple((c - o) / 1000 for c, o in zip(changes_us, onsets, strict=True)))
