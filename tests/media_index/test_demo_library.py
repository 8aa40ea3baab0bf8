"""The demo library is real media: the vocal is heard where the LRC says it is sung."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np

from media_index.demo_library import speakable
from media_index.lyrics_file import decode

RATE = 8000


def channel_pcm(path: Path, pan: str, stream: str = "0:a:0") -> np.ndarray:
    out = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-map", stream, "-af", f"pan=mono|c0={pan}",
         "-ar", str(RATE), "-f", "s16le", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(out, dtype=np.int16).astype(np.float64)


def rms(pcm: np.ndarray, start_s: float, dur_s: float) -> float:
    seg = pcm[int(start_s * RATE) : int((start_s + dur_s) * RATE)]
    return float(np.sqrt(np.mean(seg**2))) if len(seg) else 0.0


def line_starts(lrc: Path) -> list[float]:
    text, _ = decode(lrc.read_bytes())
    return [int(m) * 60 + float(s) for m, s in re.findall(r"^\[(\d+):(\d+\.\d+)\]", text, re.M)]


def test_the_vocal_channel_sings_when_the_lyrics_say(generated_library: Path) -> None:
    song = generated_library / "刘若英 - 后来.mp3"
    vocal = channel_pcm(song, "c1")  # right channel: the KTV convention the scanner expects
    starts = line_starts(song.with_suffix(".lrc"))
    assert len(starts) == 2
    silence = rms(vocal, 0.2, starts[0] - 0.4)
    for t in starts:
        assert rms(vocal, t + 0.1, 0.5) > 20 * max(silence, 1.0), f"no vocal at {t}"


def test_the_accompaniment_track_has_no_vocal(generated_library: Path) -> None:
    song = generated_library / "daoxiang.mkv"
    start = line_starts(song.with_suffix(".lrc"))[0]
    original = channel_pcm(song, "c0", "0:a:0")
    accompaniment = channel_pcm(song, "c0", "0:a:1")
    diff = original[: len(accompaniment)] - accompaniment[: len(original)]
    assert rms(diff, 0.2, start - 0.4) < 0.05 * rms(accompaniment, 0.2, start - 0.4)  # intro
    assert rms(diff, start + 0.1, 0.5) > 0.2 * rms(accompaniment, start + 0.1, 0.5)  # singing


def test_word_timed_lyrics_step_through_the_line(generated_library: Path) -> None:
    text = (generated_library / "daoxiang.lrc").read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if "<" in ln)
    stamps = [int(m) * 60 + float(s) for m, s in re.findall(r"<(\d+):(\d+\.\d+)>", line)]
    assert len(stamps) == len("稻香") + 1
    assert stamps == sorted(stamps) and stamps[-1] > stamps[0]


def test_gbk_lyrics_are_really_gbk(generated_library: Path) -> None:
    raw = (generated_library / "邓丽君 - 月亮代表我的心 (Live).lrc").read_bytes()
    assert "月亮" in raw.decode("gbk")
    assert decode(raw)[1] == "gb18030"


def test_mandarin_is_spoken_from_numbered_pinyin() -> None:
    assert speakable("稻香", "cmn") == "dao4 xiang1"
    assert speakable("Let it be", "en") == "Let it be"
