"""Stream facts by running ffprobe/ffmpeg: duration, audio tracks, video codec, loudness and
whether a single stereo track is channel-split (vocal on one side). Subprocess adapter."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from media_index import settings

_INTEGRATED = re.compile(r"Integrated loudness:\s*\n\s*I:\s*(-?[\d.]+|-inf)\s*LUFS")
_RMS = re.compile(r"RMS level dB:\s*(-?[\d.]+|-inf)")
# mid/side: a stereo-split karaoke file has two unrelated channels, so its side (L-R) signal
# is about as loud as its mid (L+R); in a normal stereo mix the side is far quieter.
SPLIT_SIDE_TO_MID_DB = -6.0
SPLIT_SAMPLE_S = 60


class ProbeError(Exception):
    """The file cannot be used as a song; the message is the reason shown to the operator."""


@dataclass(frozen=True)
class AudioStream:
    index: int  # 0-based among the file's audio streams, ffprobe order
    title: str = ""
    language: str = ""
    channels: int = 2
    codec: str = ""


@dataclass(frozen=True)
class StreamFacts:
    duration_ms: int
    audio: tuple[AudioStream, ...]
    video_codec: str = ""  # "" when there is no video (cover art does not count)
    container_tags: tuple[tuple[str, str], ...] = ()
    loudness_lufs: float | None = None
    stereo_split: bool | None = None  # None: not measured (not a single stereo track)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> StreamFacts:
        d = json.loads(text)
        return cls(
            duration_ms=d["duration_ms"],
            audio=tuple(AudioStream(**a) for a in d["audio"]),
            video_codec=d["video_codec"],
            container_tags=tuple(tuple(t) for t in d["container_tags"]),
            loudness_lufs=d["loudness_lufs"],
            stereo_split=d["stereo_split"],
        )


def _run(args: list[str], timeout_s: float) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(args, capture_output=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired:
        raise ProbeError(f"{args[0]} took longer than {timeout_s:.0f} s") from None


def ffprobe(path: Path) -> dict:
    if path.stat().st_size == 0:
        raise ProbeError("empty file (0 bytes)")
    proc = _run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
         str(path)],
        settings.probe_timeout_s,
    )  # fmt: skip
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = msg[-1] if msg else f"ffprobe exit code {proc.returncode}"
        raise ProbeError(f"not a playable media file: {reason.split(': ', 1)[-1]}")
    return json.loads(proc.stdout.decode("utf-8", "replace"))


def parse_streams(info: dict) -> StreamFacts:
    streams = info.get("streams", [])
    audio: list[AudioStream] = []
    video_codec = ""
    for s in streams:
        tags = {k.lower(): v for k, v in (s.get("tags") or {}).items()}
        if s.get("codec_type") == "audio":
            audio.append(
                AudioStream(
                    index=len(audio),
                    title=tags.get("title", "") or tags.get("handler_name", ""),
                    language=tags.get("language", ""),
                    channels=int(s.get("channels") or 0),
                    codec=s.get("codec_name", ""),
                )
            )
        elif (
            s.get("codec_type") == "video"
            and not video_codec
            and not (s.get("disposition") or {}).get("attached_pic")
        ):
            video_codec = s.get("codec_name", "") or "unknown"
    if not audio:
        raise ProbeError("no audio stream")
    fmt = info.get("format", {})
    try:
        duration_ms = int(float(fmt.get("duration") or 0) * 1000)
    except ValueError:
        duration_ms = 0
    if duration_ms <= 0:
        raise ProbeError("no duration (truncated or not a media file)")
    tags = tuple(sorted((str(k), str(v)) for k, v in (fmt.get("tags") or {}).items()))
    return StreamFacts(duration_ms, tuple(audio), video_codec, tags)


def measure_loudness(path: Path, audio_index: int) -> float | None:
    """EBU R128 integrated loudness (LUFS) of one audio stream; None if silent/unmeasurable."""
    proc = _run(
        ["ffmpeg", "-hide_banner", "-nostats", "-v", "info", "-i", str(path), "-vn", "-sn",
         "-map", f"0:a:{audio_index}", "-af", "ebur128=framelog=verbose", "-f", "null", "-"],
        settings.loudness_timeout_s,
    )  # fmt: skip
    m = _INTEGRATED.search(proc.stderr.decode("utf-8", "replace"))
    if proc.returncode != 0 or not m or m.group(1) == "-inf":
        return None
    value = float(m.group(1))
    return None if value <= -69.0 else value  # -70 LUFS is ebur128's "silence" floor


def measure_stereo_split(path: Path, audio_index: int = 0) -> bool | None:
    """True if the stereo channels carry different material (vocal on one side)."""
    proc = _run(
        ["ffmpeg", "-hide_banner", "-nostats", "-v", "info", "-t", str(SPLIT_SAMPLE_S),
         "-i", str(path), "-vn", "-sn", "-map", f"0:a:{audio_index}", "-af",
         "pan=stereo|c0=0.5*c0+0.5*c1|c1=0.5*c0-0.5*c1,"
         "astats=measure_overall=none:measure_perchannel=RMS_level", "-f", "null", "-"],
        settings.probe_timeout_s,
    )  # fmt: skip
    levels = _RMS.findall(proc.stderr.decode("utf-8", "replace"))
    if proc.returncode != 0 or len(levels) < 2:
        return None
    mid, side = (float("-inf") if v == "-inf" else float(v) for v in levels[:2])
    if mid == float("-inf"):
        return None
    return side - mid >= SPLIT_SIDE_TO_MID_DB


def probe(
    path: Path,
    loudness_track: int | None = None,
    role: Callable[[str], str | None] | None = None,
) -> StreamFacts:
    """All stream facts of one file. Raises ProbeError with the reason it cannot be a song.

    Loudness is measured on ``loudness_track``, else on the first track ``role`` calls
    "accompaniment" (what guests hear most), else on the first audio track."""
    facts = parse_streams(ffprobe(path))
    split = None
    if len(facts.audio) == 1 and facts.audio[0].channels == 2:
        split = measure_stereo_split(path)
    track = loudness_track
    if track is None and role is not None:
        track = next((a.index for a in facts.audio if role(a.title) == "accompaniment"), None)
    if track is None or track >= len(facts.audio):
        track = 0
    return StreamFacts(
        facts.duration_ms,
        facts.audio,
        facts.video_codec,
        facts.container_tags,
        measure_loudness(path, track),
        split,
    )
