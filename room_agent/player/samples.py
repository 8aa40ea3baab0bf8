"""Default atmosphere samples (掌声 applause, 欢呼 cheers, 口哨 whistle, 笑声 laughter),
synthesised so the agent ships no third-party recordings. A venue replaces them with its own
files of the same names in ``[ambience] effects_dir`` (any format libVLC plays).

    write_default_samples(Path("/var/lib/ktv-agent/effects"))   # only missing names

Plain Python (``array``, ``math``, ``random``): the agent stays free of numpy
(tests/room_agent/ui/test_imports.py); it runs once per agent, ~1 s on a Pi.
"""

from __future__ import annotations

import math
import random
import wave
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path

RATE_HZ = 44100
Signal = list[float]


def _bandpass(xs: Sequence[float], centre_hz: float, q: float) -> Signal:
    """RBJ biquad band-pass (0 dB peak gain), direct form I."""
    w0 = 2 * math.pi * centre_hz / RATE_HZ
    alpha = math.sin(w0) / (2 * q)
    a0 = 1 + alpha
    b0, b2 = alpha / a0, -alpha / a0
    a1, a2 = -2 * math.cos(w0) / a0, (1 - alpha) / a0
    out: Signal = []
    x1 = x2 = y1 = y2 = 0.0
    for x in xs:
        y = b0 * x + b2 * x2 - a1 * y1 - a2 * y2
        out.append(y)
        x2, x1, y2, y1 = x1, x, y1, y
    return out


def _noise(rng: random.Random, n: int) -> Signal:
    return [rng.gauss(0.0, 1.0) for _ in range(n)]


def _envelope(n: int, attack_s: float, release_s: float) -> Signal:
    a, r = max(1, int(attack_s * RATE_HZ)), max(1, int(release_s * RATE_HZ))
    return [min(1.0, i / a, (n - i) / r) for i in range(n)]


def _times(xs: Sequence[float], ys: Sequence[float]) -> Signal:
    return [x * y for x, y in zip(xs, ys, strict=True)]


def applause(rng: random.Random, seconds: float = 2.5) -> Signal:
    n = int(seconds * RATE_HZ)
    out = [0.0] * n
    length = int(0.03 * RATE_HZ)
    raw = _bandpass(_bandpass(_noise(rng, length), 2200, 0.8), 2200, 0.8)  # 12 dB/octave
    clap = [v * math.exp(-i / (0.006 * RATE_HZ)) for i, v in enumerate(raw)]
    for _ in range(int(30 * seconds)):
        at, gain = rng.randrange(0, n - length), rng.uniform(0.4, 1.0)
        for i, v in enumerate(clap):
            out[at + i] += v * gain
    return _times(out, _envelope(n, 0.15, 0.8))


def cheers(rng: random.Random, seconds: float = 2.2) -> Signal:
    n = int(seconds * RATE_HZ)
    crowd = _bandpass(_bandpass(_noise(rng, n), 1200, 0.7), 1200, 0.7)
    phases = [0.0, 0.0, 0.0]
    voices: Signal = []
    for i in range(n):
        t, total = i / RATE_HZ, 0.0
        for k, (f0, lag) in enumerate(((820, 0.0), (1030, 1.3), (1210, 2.1))):
            phases[k] += (
                2 * math.pi * f0 * (1 + 0.2 * math.sin(2 * math.pi * 0.7 * t + lag)) / RATE_HZ
            )
            total += math.sin(phases[k])
        voices.append(total)
    peak = max(abs(v) for v in crowd) or 1.0
    mixed = [c / peak + 0.15 * v for c, v in zip(crowd, voices, strict=True)]
    return _times(mixed, _envelope(n, 0.3, 0.9))


def whistle(rng: random.Random, seconds: float = 1.2) -> Signal:
    n = int(seconds * RATE_HZ)
    rise, hold = n // 3, n // 9
    phase, out = 0.0, []
    for i in range(n):
        if i < rise:
            freq = 1600 + 1100 * i / rise
        elif i < rise + hold:
            freq = 2700.0
        else:
            freq = 2700 - 1300 * (i - rise - hold) / (n - rise - hold)
        phase += 2 * math.pi * freq * (1 + 0.01 * math.sin(2 * math.pi * 6 * i / RATE_HZ)) / RATE_HZ
        out.append(math.sin(phase) + 0.02 * rng.gauss(0.0, 1.0))
    return _times(out, _envelope(n, 0.04, 0.3))


def laughter(rng: random.Random, seconds: float = 1.6) -> Signal:
    n = int(seconds * RATE_HZ)
    out = [0.0] * n
    syllable, step = int(0.12 * RATE_HZ), int(0.2 * RATE_HZ)
    at, f0 = 0, 260.0 * rng.uniform(0.97, 1.03)
    while at + syllable < n:
        for i in range(syllable):
            t = i / RATE_HZ
            ha = sum(math.sin(2 * math.pi * f0 * k * t) / k for k in range(1, 8))
            out[at + i] += ha * (0.5 - 0.5 * math.cos(2 * math.pi * i / (syllable - 1)))
        at += step
        f0 *= 0.96
    return out


DEFAULT_SAMPLES: dict[str, Callable[[random.Random], Signal]] = {
    "applause": applause,
    "cheers": cheers,
    "whistle": whistle,
    "laughter": laughter,
}


def write_wav(path: Path, mono: Sequence[float], *, peak: float = 0.5) -> None:
    """16-bit stereo WAV at ``peak`` of full scale, written atomically."""
    scale = peak / (max(abs(v) for v in mono) or 1.0)
    pcm = array("h")
    for v in mono:
        s = max(-32767, min(32767, round(v * scale * 32767)))
        pcm.extend((s, s))
    tmp = path.with_suffix(".tmp")
    with wave.open(str(tmp), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(RATE_HZ)
        out.writeframes(pcm.tobytes())
    tmp.replace(path)


def write_default_samples(directory: Path, *, seed: int = 7) -> list[Path]:
    """Write each default sample the directory does not have (by name, any suffix)."""
    directory.mkdir(parents=True, exist_ok=True)
    have = {p.stem for p in directory.iterdir() if p.is_file() and p.suffix != ".tmp"}
    rng = random.Random(seed)
    written = []
    for name, make in DEFAULT_SAMPLES.items():
        if name in have:
            continue
        path = directory / f"{name}.wav"
        write_wav(path, make(rng))
        written.append(path)
    return written
