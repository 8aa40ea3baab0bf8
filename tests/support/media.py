"""Generated test media (ffmpeg), shared by every area's tests.

Every file is made by ffmpeg from exact signal expressions, so a test knows which frequency
stands for what and can prove by FFT what a player really output:

================  ==========  ==================================================================
signal            frequency   meaning
================  ==========  ==================================================================
``ACCOMP_HZ``     330 Hz      the accompaniment (伴奏): present in every track / both channels
``VOCAL_HZ``      1000 Hz     the original vocal (原唱): only in the original track / channel
``TICK_HZ``       3000 Hz     a 20 ms "metronome" burst every ``TICK_PERIOD_S`` on top of the
                              accompaniment: its spacing in captured audio proves the position
                              did not jump (a desync or restart shifts one interval)
================  ==========  ==================================================================

Helpers (all return the ``Path`` written; each call takes a target path so tests keep files
in ``tmp_path`` and nothing leaks between tests):

- :func:`dual_track_mkv` - MKV with two audio tracks, track 0 = original (accompaniment +
  vocal), track 1 = accompaniment only; optional H.264 test-pattern video.
- :func:`channels_mp3` - one stereo track: left = accompaniment, right = original mix
  (accompaniment + vocal), the common KTV convention (vocal_channel=RIGHT).
- :func:`tone_song` - a single mixed track ("vocal_mode NONE"), at a chosen level.
- :func:`broken_file` - a real MKV cut to its first bytes: opens as media, cannot decode.
- :func:`measure_lufs` - EBU R128 integrated loudness by ffmpeg's ``ebur128`` filter.
- :func:`audio_stream_count` - number of audio streams by ffprobe.

For songs: ``song_for(path, ...)`` builds a ``media_index.model.Song`` of the right mode.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from media_index.model import Channel, Song, VocalMode

SAMPLE_RATE = 44100
ACCOMP_HZ = 330.0
VOCAL_HZ = 1000.0
TICK_HZ = 3000.0
TICK_PERIOD_S = 0.25
TICK_LEN_S = 0.02

_ACCOMP = f"0.25*sin(2*PI*{ACCOMP_HZ}*t)"
_TICK = f"0.2*sin(2*PI*{TICK_HZ}*t)*lt(mod(t\\,{TICK_PERIOD_S})\\,{TICK_LEN_S})"
_VOCAL = f"0.25*sin(2*PI*{VOCAL_HZ}*t)"


def _ffmpeg(*args: str) -> None:
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", *args],
        check=True,
        capture_output=True,
        timeout=120,
    )


def _eval_src(expr_left: str, expr_right: str, duration_s: float) -> list[str]:
    return [
        "-f",
        "lavfi",
        "-i",
        f"aevalsrc=exprs='{expr_left}|{expr_right}':s={SAMPLE_RATE}:d={duration_s}",
    ]


def dual_track_mkv(path: Path, *, duration_s: float = 8.0, video: bool = False) -> Path:
    """Track 0 (a:0) = original (accompaniment + ticks + vocal), track 1 (a:1) = accompaniment
    + ticks. Both stereo AAC. With ``video`` an H.264 test pattern (320x240, 25 fps) comes first."""
    original = f"{_ACCOMP}+{_TICK}+{_VOCAL}"
    accomp = f"{_ACCOMP}+{_TICK}"
    inputs: list[str] = []
    maps: list[str] = []
    if video:
        inputs += ["-f", "lavfi", "-i", f"testsrc=size=320x240:rate=25:duration={duration_s}"]
    inputs += _eval_src(original, original, duration_s) + _eval_src(accomp, accomp, duration_s)
    first_audio = 1 if video else 0
    if video:
        maps += ["-map", "0:v", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    maps += ["-map", f"{first_audio}:a", "-map", f"{first_audio + 1}:a"]
    meta = [
        "-metadata:s:a:0",
        "title=原唱",
        "-metadata:s:a:1",
        "title=伴唱",
    ]
    _ffmpeg(*inputs, *maps, "-c:a", "aac", "-b:a", "160k", *meta, "-t", str(duration_s), str(path))
    return path


def dual_track_mpeg(path: Path, *, duration_s: float = 8.0, audio_codec: str = "mp2") -> Path:
    """MPEG-PS made the way commercial karaoke libraries are: MPEG-2 video (320x240, 25 fps),
    two stereo audio tracks (``mp2``, or ``ac3``) in the same order as :func:`dual_track_mkv`
    (a:0 original, a:1 accompaniment), ffmpeg's default mux (its 0.5 s preload, hence a first
    timestamp near 0.5 s). ``.vob`` paths get the DVD muxer, anything else ``-f mpeg``."""
    original = f"{_ACCOMP}+{_TICK}+{_VOCAL}"
    accomp = f"{_ACCOMP}+{_TICK}"
    muxer = "vob" if path.suffix == ".vob" else "mpeg"
    _ffmpeg(
        *("-f", "lavfi", "-i", f"testsrc=size=320x240:rate=25:duration={duration_s}"),
        *_eval_src(original, original, duration_s),
        *_eval_src(accomp, accomp, duration_s),
        *("-map", "0:v", "-map", "1:a", "-map", "2:a", "-c:v", "mpeg2video", "-b:v", "1M"),
        *("-c:a", audio_codec, "-b:a", "192k", "-ar", "48000", "-ac", "2"),
        *("-t", str(duration_s), "-f", muxer, str(path)),
    )
    return path


def channels_mp3(path: Path, *, duration_s: float = 8.0) -> Path:
    """One stereo track: left = accompaniment + ticks, right = accompaniment + ticks + vocal."""
    left = f"{_ACCOMP}+{_TICK}"
    right = f"{_ACCOMP}+{_TICK}+{_VOCAL}"
    _ffmpeg(
        *_eval_src(left, right, duration_s),
        "-c:a",
        "libmp3lame",
        "-b:a",
        "192k",
        "-joint_stereo",
        "0",
        str(path),
    )
    return path


def tone_song(
    path: Path, *, freq_hz: float = 440.0, level_db: float = -12.0, duration_s: float = 6.0
) -> Path:
    """A single mixed stereo track: a ``freq_hz`` sine whose peak is ``level_db`` dBFS."""
    amp = 10 ** (level_db / 20)
    expr = f"{amp:.6f}*sin(2*PI*{freq_hz}*t)"
    codec = ["-c:a", "libmp3lame", "-b:a", "192k"] if path.suffix == ".mp3" else []
    _ffmpeg(*_eval_src(expr, expr, duration_s), *codec, str(path))
    return path


def broken_file(path: Path, *, keep_bytes: int = 600) -> Path:
    """A real MKV cut to its first ``keep_bytes``: the header says media, nothing decodes."""
    whole = path.with_name(path.stem + "-whole.mkv")
    dual_track_mkv(whole, duration_s=2.0)
    path.write_bytes(whole.read_bytes()[:keep_bytes])
    whole.unlink()
    return path


def measure_lufs(path: Path) -> float:
    """EBU R128 integrated loudness (LUFS) of ``path``'s first audio stream."""
    proc = subprocess.run(
        [
            *("ffmpeg", "-nostdin", "-hide_banner", "-i", str(path), "-map", "0:a:0"),
            *("-af", "ebur128", "-f", "null", "-"),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    found = re.findall(r"I:\s+(-?[\d.]+) LUFS", proc.stderr)
    if not found:
        raise ValueError(f"no loudness summary for {path}")
    return float(found[-1])


def audio_stream_count(path: Path) -> int:
    proc = subprocess.run(
        [
            *("ffprobe", "-v", "error", "-select_streams", "a", "-show_entries", "stream=index"),
            *("-of", "json", str(path)),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return len(json.loads(proc.stdout).get("streams", []))


def song_for(
    path: Path,
    *,
    song_id: str | None = None,
    mode: VocalMode = VocalMode.NONE,
    loudness_lufs: float | None = None,
    has_video: bool = False,
) -> Song:
    """A catalog ``Song`` for a generated file, with the vocal fields its generator implies."""
    fields: dict[str, object] = {}
    if mode is VocalMode.TRACKS:
        fields = {"vocal_track": 0, "accompaniment_track": 1}
    elif mode is VocalMode.CHANNELS:
        fields = {"vocal_channel": Channel.RIGHT}
    return Song(
        song_id=song_id or path.stem,
        title=path.stem,
        artists=("测试歌手",),
        path=str(path),
        has_video=has_video,
        vocal_mode=mode,
        loudness_lufs=loudness_lufs,
        **fields,  # type: ignore[arg-type]
    )
