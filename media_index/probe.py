"""Stream facts of a media file, in two steps: container facts (duration, audio tracks,
video codec, tags) read in-process with PyAV, ~1 ms a file (``probe_streams``: the scan's first
pass), and the analysis that decodes audio with ffmpeg, ~1 s of CPU per 4-minute song:
loudness and whether a single stereo track is channel-split (``analyse_streams``: run later,
at low priority). Adapter: libav through PyAV, ffmpeg subprocesses."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from functools import cache
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
    analysed: bool = False  # loudness and split measured (False: container facts only)

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
            # facts stored before the scan had two passes were measured in full
            analysed=d.get("analysed", True),
        )


@cache
def low_priority_prefix() -> tuple[str, ...]:
    """Command prefix that runs a decode at the lowest CPU and I/O priority (``nice -n 19``,
    ``ionice -c 3``: idle class), so analysis never competes with search or playback."""
    prefix: tuple[str, ...] = ()
    if shutil.which("nice"):
        prefix += ("nice", "-n", "19")
    if shutil.which("ionice") and os.name == "posix":
        probe = subprocess.run(["ionice", "-c", "3", "true"], capture_output=True, check=False)
        if probe.returncode == 0:  # some containers forbid ioprio_set
            prefix += ("ionice", "-c", "3")
    return prefix


def _run(
    args: list[str], timeout_s: float, *, low_priority: bool = False
) -> subprocess.CompletedProcess:
    if low_priority:
        args = [*low_priority_prefix(), *args]
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


def probe_streams(path: Path) -> StreamFacts:
    """Container facts without decoding: the same facts as ``parse_streams(ffprobe(path))``,
    read in-process by libav (PyAV). Raises ProbeError with the reason it cannot be a song."""
    import av  # the scanner's dependency only: room agents never import it

    try:
        size = path.stat().st_size
    except OSError as e:
        raise ProbeError(f"cannot read: {e.strerror}") from None
    if size == 0:
        raise ProbeError("empty file (0 bytes)")
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            return _facts_of(container, av.stream.Disposition.attached_pic)
    except av.FFmpegError as e:
        raise ProbeError(f"not a playable media file: {e.strerror or e}") from None
    except OSError as e:
        raise ProbeError(f"cannot read: {e.strerror or e}") from None


def _facts_of(container, attached_pic) -> StreamFacts:
    audio: list[AudioStream] = []
    video_codec = ""
    for s in container.streams:
        tags = {str(k).lower(): str(v) for k, v in (s.metadata or {}).items()}
        codec = s.codec_context.codec.canonical_name if s.codec_context else ""
        if s.type == "audio":
            audio.append(
                AudioStream(
                    index=len(audio),
                    title=tags.get("title", "") or tags.get("handler_name", ""),
                    language=tags.get("language", ""),
                    channels=int(s.codec_context.channels or 0),
                    codec=codec,
                )
            )
        elif s.type == "video" and not video_codec and not s.disposition & attached_pic:
            video_codec = codec or "unknown"
    if not audio:
        raise ProbeError("no audio stream")
    duration_ms = int((container.duration or 0) // 1000)
    if duration_ms <= 0:
        raise ProbeError("no duration (truncated or not a media file)")
    tags = tuple(sorted((str(k), str(v)) for k, v in (container.metadata or {}).items()))
    return StreamFacts(duration_ms, tuple(audio), video_codec, tags)


def analyse_streams(
    path: Path, facts: StreamFacts, loudness_track: int = 0, *, low_priority: bool = False
) -> StreamFacts:
    """``facts`` with loudness (of ``loudness_track``) and, for a single stereo track, the
    channel-split measurement: decodes the audio (~1 s of CPU per 4-minute song)."""
    if len(facts.audio) == 1 and facts.audio[0].channels == 2:
        lufs, split = measure_loudness_and_split(path, low_priority=low_priority)
        return replace(facts, loudness_lufs=lufs, stereo_split=split, analysed=True)
    track = loudness_track if 0 <= loudness_track < len(facts.audio) else 0
    lufs = measure_loudness(path, track, low_priority=low_priority)
    return replace(facts, loudness_lufs=lufs, stereo_split=None, analysed=True)


def measure_loudness(path: Path, audio_index: int, *, low_priority: bool = False) -> float | None:
    """EBU R128 integrated loudness (LUFS) of one audio stream; None if silent/unmeasurable."""
    proc = _run(
        ["ffmpeg", "-hide_banner", "-nostats", "-v", "info", "-i", str(path), "-vn", "-sn",
         "-map", f"0:a:{audio_index}", "-af", "ebur128=framelog=verbose", "-f", "null", "-"],
        settings.loudness_timeout_s, low_priority=low_priority,
    )  # fmt: skip
    return _integrated(proc)


def _integrated(proc: subprocess.CompletedProcess) -> float | None:
    # the last summary: a filter graph configured twice (two outputs) prints an empty one first
    found = _INTEGRATED.findall(proc.stderr.decode("utf-8", "replace"))
    if proc.returncode != 0 or not found or found[-1] == "-inf":
        return None
    value = float(found[-1])
    return None if value <= -69.0 else value  # -70 LUFS is ebur128's "silence" floor


def _split_from(proc: subprocess.CompletedProcess) -> bool | None:
    levels = _RMS.findall(proc.stderr.decode("utf-8", "replace"))
    if proc.returncode != 0 or len(levels) < 2:
        return None
    mid, side = (float("-inf") if v == "-inf" else float(v) for v in levels[:2])
    if mid == float("-inf"):
        return None
    return side - mid >= SPLIT_SIDE_TO_MID_DB


_MID_SIDE = "pan=stereo|c0=0.5*c0+0.5*c1|c1=0.5*c0-0.5*c1"
_RMS_STATS = "astats=measure_overall=none:measure_perchannel=RMS_level"


def measure_loudness_and_split(
    path: Path, *, low_priority: bool = False
) -> tuple[float | None, bool | None]:
    """Loudness of a single stereo track and whether its channels are split, from one decode
    (one ffmpeg start, the first ``SPLIT_SAMPLE_S`` seconds not decoded twice)."""
    graph = (
        f"[0:a:0]asplit[loud][split];[loud]ebur128=framelog=verbose[l];"
        f"[split]atrim=0:{SPLIT_SAMPLE_S},{_MID_SIDE},{_RMS_STATS}[s]"
    )
    proc = _run(
        ["ffmpeg", "-hide_banner", "-nostats", "-v", "info", "-i", str(path), "-vn", "-sn",
         "-filter_complex", graph, "-map", "[l]", "-f", "null", "-", "-map", "[s]", "-f", "null",
         "-"],
        settings.loudness_timeout_s, low_priority=low_priority,
    )  # fmt: skip
    return _integrated(proc), _split_from(proc)


def measure_stereo_split(
    path: Path, audio_index: int = 0, *, low_priority: bool = False
) -> bool | None:
    """True if the stereo channels carry different material (vocal on one side)."""
    proc = _run(
        ["ffmpeg", "-hide_banner", "-nostats", "-v", "info", "-t", str(SPLIT_SAMPLE_S),
         "-i", str(path), "-vn", "-sn", "-map", f"0:a:{audio_index}", "-af",
         f"{_MID_SIDE},{_RMS_STATS}", "-f", "null", "-"],
        settings.probe_timeout_s, low_priority=low_priority,
    )  # fmt: skip
    return _split_from(proc)


def probe(
    path: Path,
    loudness_track: int | None = None,
    role: Callable[[str], str | None] | None = None,
) -> StreamFacts:
    """All stream facts of one file, both steps at once (ffprobe, then the analysis).
    Raises ProbeError with the reason it cannot be a song.

    Loudness is measured on ``loudness_track``, else on the first track ``role`` calls
    "accompaniment" (what guests hear most), else on the first audio track."""
    facts = parse_streams(ffprobe(path))
    track = loudness_track
    if track is None and role is not None:
        track = next((a.index for a in facts.audio if role(a.title) == "accompaniment"), None)
    return analyse_streams(path, facts, 0 if track is None else track)
