"""Playback benchmark of the room's libVLC player, measured from the audio itself.

    .venv/bin/python benchmarks/playback_bench.py [--runs 7] [--switches 20] [--no-pulse]
        [--cost-seconds 20]

Every latency is taken from PCM, never from a "done" callback:

- amem: the player's capture output hands each buffer with its presentation time (when a
  speaker would play it), so "heard at" = a buffer's pts; the call time is ``time.monotonic()``
  (the same clock as libVLC's).
- pulse: a private PulseAudio null sink recorded from its monitor (tests/support/pulse.py);
  "heard at" = the recorded sample's instant.

Rows: play -> first audio, skip -> next song's audio, vocal switch (silence at the switch and
time until the vocal is gone) for the seamless shadow deck and for libVLC's own switch, key
change -> new pitch heard. Then CPU and memory of the shadow deck (a song with video played
with and without it, each in a fresh process).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from media_index.model import Song, VocalMode  # noqa: E402
from room_agent.core.ports import VocalSwitch  # noqa: E402
from room_agent.player import AudioOutput, OutputKind, PlayerConfig, VlcPlayer  # noqa: E402
from tests.support import media  # noqa: E402
from tests.support.pcm import (  # noqa: E402
    PcmRecorder,
    longest_silence_ms,
    tick_onsets_s,
    tone_level,
)
from tests.support.pulse import RATE_HZ, PulseServer  # noqa: E402

STEP_MS = 5
LISTEN_LEAD_S = 0.7


def _first_window(
    samples: np.ndarray, test: Callable[[np.ndarray], bool], window_ms: int = 10
) -> float | None:
    """ms from the start of ``samples`` to the first window passing ``test`` (5 ms steps)."""
    win = RATE_HZ * window_ms // 1000
    step = RATE_HZ * STEP_MS // 1000
    for i in range(0, len(samples) - win, step):
        if test(samples[i : i + win]):
            return i * 1000 / RATE_HZ
    return None


def _audible(x: np.ndarray) -> bool:
    return float(np.abs(x).max()) > 0.02


def _has(freq: float, level: float = 0.05) -> Callable[[np.ndarray], bool]:
    return lambda x: tone_level(x, freq) > level


def _lacks(freq: float, level: float = 0.01) -> Callable[[np.ndarray], bool]:
    return lambda x: tone_level(x, freq) < level


def _peak_nearer(freq: float, other: float) -> Callable[[np.ndarray], bool]:
    """Audible and its spectral peak (zero-padded FFT) is nearer ``freq`` than ``other``:
    short windows cannot separate close tones by level, their peaks they can."""

    def test(x: np.ndarray) -> bool:
        if float(np.abs(x).max()) < 0.02:
            return False
        spectrum = np.abs(np.fft.rfft(x.mean(axis=1) * np.hanning(len(x)), 16384))
        peak = float(np.argmax(spectrum)) * RATE_HZ / 16384
        return abs(peak - freq) < abs(peak - other)

    return test


class Listener:
    """Same questions, two ears: amem capture or a PulseAudio monitor."""

    def __init__(self, kind: str, pulse: PulseServer | None = None) -> None:
        self.kind = kind
        self.pulse = pulse
        self.pcm = PcmRecorder()
        self._recording = None

    def player(self, **config: object) -> VlcPlayer:
        if self.kind == "amem":
            audio = AudioOutput(OutputKind.CAPTURE, capture=self.pcm)
        else:
            audio = AudioOutput(OutputKind.PULSE)
        return VlcPlayer(PlayerConfig(audio=audio, **config))  # type: ignore[arg-type]

    def start(self) -> None:
        """Begin listening. amem delivers ~0.1-0.2 s ahead of presentation, so whatever is
        measured starts at least ``LISTEN_LEAD_S`` after this."""
        self.pcm.clear()
        if self.pulse is not None:
            self._recording = self.pulse.record()
            self._recording.__enter__()

    def after(self, instant: float, seconds: float) -> np.ndarray:
        """What was heard from ``instant`` on, for ``seconds`` (call after it was heard)."""
        if self._recording is None:
            return self.pcm.heard(instant, instant + seconds)
        self._recording.__exit__()
        samples = self._recording.samples()
        i = self._recording.sample_at(instant)
        self._recording = None
        return samples[max(0, i) : i + int(seconds * RATE_HZ)]


def bench_start_and_skip(ear: Listener, lib: dict[str, Song], runs: int) -> dict[str, list]:
    out: dict[str, list] = {"play -> first audio": [], "skip -> next song audio": []}
    player = ear.player()
    try:
        for _ in range(runs):
            player.stop()
            ear.start()
            time.sleep(LISTEN_LEAD_S)
            t0 = time.monotonic()
            player.play(lib["a440"])
            time.sleep(1.0)
            first = _first_window(ear.after(t0, 1.0), _audible)
            out["play -> first audio"].append(first)
            time.sleep(0.5)
            ear.start()
            time.sleep(LISTEN_LEAD_S)
            t1 = time.monotonic()
            player.play(lib["b660"])  # skip: the core plays the next song
            time.sleep(1.0)
            heard = ear.after(t1, 1.0)
            found = _first_window(heard, _peak_nearer(660, 440), window_ms=20)
            out["skip -> next song audio"].append(found)
    finally:
        player.close()
    return out


def _beat_error_ms(samples: np.ndarray) -> float | None:
    """How far the 250 ms metronome moved (ms) within ``samples``: a switch that jumps the
    position by N ms makes one interval N ms long or short."""
    intervals = np.diff(tick_onsets_s(samples))
    if len(intervals) < 3:
        return None
    return float(np.abs(intervals - media.TICK_PERIOD_S).max() * 1000)


def bench_vocal_switch(ear: Listener, song: Song, switches: int, shadow: bool) -> dict[str, list]:
    label = "shadow deck" if shadow else "libVLC switch"
    gap, gone = f"switch silence, {label}", f"switch -> vocal gone, {label}"
    moved = f"switch -> position moved, {label}"
    out: dict[str, list] = {gap: [], gone: [], moved: []}
    player = ear.player(shadow_enabled=shadow)
    try:
        player.play(song)
        time.sleep(2.0)
        for k in range(switches):
            ear.start()
            time.sleep(LISTEN_LEAD_S + 0.1)
            vocal = VocalSwitch.ACCOMPANIMENT if k % 2 == 0 else VocalSwitch.ORIGINAL
            t = time.monotonic()
            player.set_vocal(vocal)
            time.sleep(1.0)
            heard = ear.after(t - 0.8, 1.8)
            around = heard[int(0.5 * RATE_HZ) :]
            out[gap].append(longest_silence_ms(around))
            test = _lacks(media.VOCAL_HZ) if vocal is VocalSwitch.ACCOMPANIMENT else _has(1000)
            out[gone].append(_first_window(around[int(0.3 * RATE_HZ) :], test))
            out[moved].append(_beat_error_ms(heard[: int(1.6 * RATE_HZ)]))
            if player.status().position_ms > player.status().duration_ms - 3000:
                player.seek(1000)
                time.sleep(1.5)
    finally:
        player.close()
    return out


def bench_key(ear: Listener, song: Song, runs: int) -> dict[str, list]:
    out: dict[str, list] = {"key change -> new pitch heard": [], "key change silence": []}
    player = ear.player()
    try:
        for k in range(runs):
            player.play(song)
            time.sleep(0.5)
            ear.start()
            time.sleep(LISTEN_LEAD_S)
            key = 2 if k % 2 == 0 else -2
            t = time.monotonic()
            player.set_key(key)
            time.sleep(1.0)
            shifted = 440 * 2 ** (key / 12)

            # 40 ms windows (zero-padded FFT) tell 440 Hz from the shifted tone; the
            # window's start is reported, so the latency is accurate to about one window.
            heard = ear.after(t - 0.2, 1.2)
            new_key = _peak_nearer(shifted, 440)
            found = _first_window(heard[int(0.2 * RATE_HZ) :], new_key, window_ms=40)
            out["key change -> new pitch heard"].append(found)
            out["key change silence"].append(longest_silence_ms(heard))
            player.set_key(0)
    finally:
        player.close()
    return out


def _cost_child(song_path: str, seconds: float, shadow: bool) -> None:
    song = media.song_for(Path(song_path), mode=VocalMode.TRACKS, has_video=True)
    player = VlcPlayer(PlayerConfig(shadow_enabled=shadow))
    player.play(song)
    time.sleep(1.0)
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if player.status().position_ms > 14000:
            player.seek(500)
        time.sleep(0.2)
    after = resource.getrusage(resource.RUSAGE_SELF)
    wall = time.monotonic() - start
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) / wall
    status = Path("/proc/self/status").read_text().splitlines()
    rss_kb = int(next(line for line in status if line.startswith("VmRSS")).split()[1])
    player.close()
    print(json.dumps({"cpu_percent": cpu * 100, "rss_mb": rss_kb / 1024}))


def bench_cost(song: Song, seconds: float) -> dict[str, dict[str, float]]:
    result = {}
    for shadow in (False, True):
        proc = subprocess.run(
            [sys.executable, __file__, "--cost-child", song.path, str(seconds), str(int(shadow))],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ},
        )
        label = "shadow + picture decks" if shadow else "one deck (plain switch)"
        result[label] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _stats(values: list) -> str:
    clean = [v for v in values if v is not None]
    missed = len(values) - len(clean)
    if not clean:
        return f"{'-':>8} {'-':>8}  (none of {len(values)})"
    med, p95 = np.median(clean), np.percentile(clean, 95)
    note = f"  ({missed} missed)" if missed else ""
    return f"{med:8.1f} {p95:8.1f}{note}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--switches", type=int, default=20, help="vocal switches per song")
    parser.add_argument("--no-pulse", action="store_true")
    parser.add_argument("--cost-seconds", type=float, default=20.0)
    parser.add_argument("--cost-child", nargs=3)
    args = parser.parse_args()
    if args.cost_child:
        path, seconds, shadow = args.cost_child
        _cost_child(path, float(seconds), shadow == "1")
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        lib = {
            "a440": media.song_for(media.tone_song(root / "a440.mp3", freq_hz=440, duration_s=8)),
            "b660": media.song_for(media.tone_song(root / "b660.mp3", freq_hz=660, duration_s=8)),
        }
        tracks = media.song_for(
            media.dual_track_mkv(root / "tracks.mkv", duration_s=8), mode=VocalMode.TRACKS
        )
        video = media.song_for(
            media.dual_track_mkv(root / "video.mkv", duration_s=16, video=True),
            mode=VocalMode.TRACKS,
            has_video=True,
        )
        channels = media.song_for(media.channels_mp3(root / "lr.mp3"), mode=VocalMode.CHANNELS)
        ears: list[tuple[str, Listener, PulseServer | None]] = [("amem", Listener("amem"), None)]
        pulse = None
        if not args.no_pulse:
            pulse = PulseServer(root / "pulse").__enter__()
            ears.append(("pulse", Listener("pulse", pulse), pulse))
        rows: dict[str, dict[str, list]] = {}
        try:
            for name, ear, _ in ears:
                results: dict[str, list] = {}
                results.update(bench_start_and_skip(ear, lib, args.runs))
                songs = ((tracks, "tracks"), (channels, "channels"), (video, "video"))
                for song, what in songs:
                    part = bench_vocal_switch(ear, song, args.switches, shadow=True)
                    results.update({f"{k} ({what})": v for k, v in part.items()})
                for song, what in songs[:2]:
                    part = bench_vocal_switch(ear, song, args.runs, shadow=False)
                    results.update({f"{k} ({what})": v for k, v in part.items()})
                results.update(bench_key(ear, lib["a440"], args.runs))
                rows[name] = results
        finally:
            if pulse is not None:
                pulse.__exit__()
        cost = bench_cost(video, args.cost_seconds)
    print(
        f"\nplayback benchmark: {args.switches} shadow-deck switches per song, {args.runs} runs"
        " of everything else; ms (median / p95), measured from PCM"
    )
    print("(switch -> vocal gone: 10 ms windows in 5 ms steps, 0 = gone in the first window;")
    print(" position moved: largest error of the 250 ms metronome across the switch)\n")
    print(f"{'measure':58} {'amem':>17}   {'pulse':>17}")
    print(f"{'':58} {'median':>8} {'p95':>8}   {'median':>8} {'p95':>8}")
    for key in rows["amem"]:
        pulse_cell = _stats(rows["pulse"][key]) if "pulse" in rows else "-"
        print(f"{key:58} {_stats(rows['amem'][key])}   {pulse_cell}")
    print(f"\nshadow deck cost (H.264 320x240 + 2 AAC tracks, {args.cost_seconds:.0f} s)")
    for label, value in cost.items():
        print(f"  {label:24} CPU {value['cpu_percent']:5.1f} %   RSS {value['rss_mb']:6.1f} MB")


if __name__ == "__main__":
    main()
