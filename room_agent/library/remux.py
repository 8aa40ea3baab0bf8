"""MPEG-PS (``.mpg``/``.vob``) rewritten losslessly as Matroska when a song enters the room's
cache: the same video and audio packets, a container libVLC starts, seeks and keeps in step.

Why (issue 23; ``benchmarks/library_bench.py playback`` measures it): libVLC waits out an
MPEG-PS file's mux preload before the first sound (~0.9 s with ffmpeg's default mux), its
clock runs ~0.6-0.9 s ahead of what is heard (lyrics early), and a song's decks drift
200-600 ms apart within seconds; the same packets in MKV play like any MKV. The remux is a
stream copy (no decoding: ~0.15 s of CPU and one sequential read + write for a 4-minute
song), so it rides the cache's copy:

    made = remux_to_mkv(nas_file, staging / "song.mkv")   # raises RemuxFailed

A song played before the cache has it (or with the cache off) is remuxed by the player
itself before its decks open (``RemuxShelf``, a few recent ones kept in a temporary folder):
~0.4-0.8 s for a 4-minute song on a loaded 2-core box, still sooner than libVLC's own first
sound from the MPEG-PS file (~0.9 s), and the song then meets every other target.

Timestamps start at 0 (ffmpeg's default shift), missing ones are generated (``+genpts``:
MPEG-2 B-frames carry none in MPEG-PS), audio streams keep their order (the catalog's
``vocal_track`` indexes stay right), DVD navigation/data streams are dropped. The result is
checked (audio stream count, length within ``MAX_LENGTH_DIFF_S``) before it is used.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import subprocess
import threading
from pathlib import Path

REMUXED_SUFFIXES = frozenset({".mpg", ".mpeg", ".vob", ".m2p", ".ps"})
# MP4 whose vocal switch uses two audio tracks: libVLC's MP4 demuxer plays nothing on a deck
# opened with ``:no-video`` and ``:audio-track=1`` when that track is not flagged enabled
# (ffmpeg's default for every track but the first): the shadow deck "ends" at once and the
# song falls back to libVLC's own switch (~160 ms of silence, ~500 ms jumps, measured).
# Matroska has no such flag: the same packets remuxed play on the shadow deck.
MP4_SUFFIXES = frozenset({".mp4", ".m4v", ".mov"})
TIMEOUT_S = 300.0
MAX_LENGTH_DIFF_S = 1.0


class RemuxFailed(RuntimeError):
    """The file could not be rewritten (ffmpeg missing or failing, or a result that does not
    match its source): the caller keeps the original."""


def wants_remux(path: Path | str, *, two_tracks: bool = False) -> bool:
    """MPEG-PS always; MP4 when its song switches the vocal between two audio tracks."""
    suffix = Path(path).suffix.lower()
    return suffix in REMUXED_SUFFIXES or (two_tracks and suffix in MP4_SUFFIXES)


def remuxed_name(name: str) -> str:
    """The cached file's name for a source name: ``song.vob`` -> ``song.vob.mkv`` (the old
    suffix kept, so two sources differing only in suffix never collide)."""
    return f"{name}.mkv"


def remux_to_mkv(source: Path, dest: Path, *, timeout_s: float = TIMEOUT_S) -> Path:
    """Stream-copy ``source`` into Matroska at ``dest`` (written in place: give a staging
    path). Raises :class:`RemuxFailed` and removes ``dest`` when it cannot be trusted.

    One ffmpeg run and no probe (a probe process costs as much wall time as the remux on a
    loaded box): ffmpeg's own report says how many audio streams went in and out and how
    long the input was, its progress how far the output got."""
    cmd = [
        *("ffmpeg", "-nostdin", "-hide_banner", "-v", "info", "-nostats", "-progress", "pipe:1"),
        *("-y", "-fflags", "+genpts", "-i", str(source)),
        *("-map", "0:v?", "-map", "0:a", *_subtitles(source), "-c", "copy", "-f", "matroska"),
        str(dest),
    ]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=timeout_s, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        dest.unlink(missing_ok=True)
        raise RemuxFailed(f"ffmpeg could not remux {source.name}: {exc}") from exc
    report = done.stderr.decode(errors="replace")
    if done.returncode != 0:
        dest.unlink(missing_ok=True)
        why = [line for line in report.strip().splitlines() if line.strip()][-1:] or ["?"]
        raise RemuxFailed(f"ffmpeg could not remux {source.name}: {why[0].strip()}")
    checked = _check(report, done.stdout.decode(errors="replace"))
    if checked:
        dest.unlink(missing_ok=True)
        raise RemuxFailed(f"remux of {source.name} does not match it: {checked}")
    return dest


def _subtitles(source: Path) -> tuple[str, ...]:
    """DVD subtitles go along; MP4's mov_text cannot be copied into Matroska (dropped)."""
    return () if source.suffix.lower() in MP4_SUFFIXES else ("-map", "0:s?")


_DURATION = re.compile(r"^\s*Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)", re.M)
_OUT_TIME = re.compile(r"^out_time_us=(\d+)", re.M)


def _check(report: str, progress: str) -> str:
    """What is wrong with a finished remux ("" = nothing), from ffmpeg's report."""
    inputs, _, rest = report.partition("\nOutput #0")
    outputs = rest.partition("\nStream mapping:")[0]
    audio_in = len(re.findall(r"Stream #0:\d+.*: Audio:", inputs))
    audio_out = len(re.findall(r"Stream #0:\d+.*: Audio:", outputs))
    if not audio_in or audio_in != audio_out:
        return f"{audio_out} audio streams written of {audio_in}"
    length = _DURATION.search(inputs)
    times = _OUT_TIME.findall(progress)
    if length is None or not times:
        return "ffmpeg reported no length"
    h, m, sec = length.groups()
    source_s = int(h) * 3600 + int(m) * 60 + float(sec)
    written_s = int(times[-1]) / 1e6
    if abs(written_s - source_s) > MAX_LENGTH_DIFF_S:
        return f"{written_s:.2f} s written of {source_s:.2f} s"
    return ""


def _writer_alive(partial_name: str) -> bool:
    """Whether the process that named this partial (``.<name>.<pid>.<thread>.partial``) runs."""
    parts = partial_name.split(".")
    if len(parts) != 5 or not parts[2].isdigit():
        return False  # not ours, or from before partials carried a pid
    pid = int(parts[2])
    if pid == os.getpid():
        return True  # another shelf of this process may be writing it now
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # alive, someone else's
        return True
    return True


class RemuxShelf:
    """Remuxes of MPEG-PS songs played straight from the NAS (no song cache, or queued and
    started before the cache copied them): made once, the newest ``keep`` kept in ``root``
    (a temporary folder of the player's), keyed by the source's path, size and mtime.

    ``make`` blocks for the remux (~0.4-0.8 s for a 4-minute song on a loaded 2-core box):
    the player calls it from a thread of its own and opens the song when it is done.

    A remux is written to ``.<name>.<pid>.<thread>.partial`` and renamed when complete; a
    player killed mid-remux leaves its partial behind, and the trim only sees ``*.mkv``: a
    new shelf removes the partials of processes no longer running (the folder is shared by
    every player of the user, so a live one's are left alone)."""

    def __init__(self, root: Path, *, keep: int = 4) -> None:
        self.root = Path(root)
        self.keep = keep
        self._drop_stale_partials()

    def _drop_stale_partials(self) -> None:
        try:
            partials = list(self.root.glob(".*.partial"))
        except OSError:
            return
        for partial in partials:
            if not _writer_alive(partial.name):
                with contextlib.suppress(OSError):
                    partial.unlink()

    def _name(self, source: Path) -> Path:
        st = source.stat()
        key = hashlib.sha1(f"{source}\0{st.st_size}\0{st.st_mtime_ns}".encode()).hexdigest()
        return self.root / f"{key[:20]}.mkv"

    def ready(self, source: Path) -> Path | None:
        try:
            made = self._name(source)
        except OSError:
            return None
        if made.is_file():
            with contextlib.suppress(OSError):
                os.utime(made)
            return made
        return None

    def make(self, source: Path) -> Path:
        """The remux of ``source`` (made now if not already there). Raises RemuxFailed."""
        try:
            made = self._name(source)
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RemuxFailed(f"cannot remux {source.name}: {exc}") from exc
        if made.is_file():
            return made
        partial = made.with_name(f".{made.stem}.{os.getpid()}.{threading.get_ident()}.partial")
        remux_to_mkv(source, partial)
        os.replace(partial, made)
        self._trim()
        return made

    def _trim(self) -> None:
        shelf = sorted(
            (p for p in self.root.glob("*.mkv") if p.is_file()),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for old in shelf[self.keep :]:
            old.unlink(missing_ok=True)
