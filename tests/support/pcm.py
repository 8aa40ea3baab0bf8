"""What a guest would hear, as numbers: a PCM recorder for the player's amem capture output
and small FFT measurements (tone level, dominant frequency, silent gaps, metronome ticks).

``PcmRecorder`` implements ``room_agent.player.output.PcmCapture``. Each deck's buffers carry
libVLC's presentation time (microseconds on the monotonic clock, the same clock as
``time.monotonic()``), so :meth:`PcmRecorder.heard` lays every deck's samples on one timeline
and sums them: exactly the mix the speakers would play.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np

from tests.support.media import SAMPLE_RATE, TICK_HZ

Samples = np.ndarray  # float64, shape (n, 2), full scale = 1.0


class PcmRecorder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buffers: list[tuple[str, int, np.ndarray]] = []
        self._gains: dict[str, list[tuple[int, float]]] = {}

    # PcmCapture (libVLC's threads) -------------------------------------------------------
    def write(self, deck: str, pts_us: int, pcm: bytes) -> None:
        frames = np.frombuffer(pcm, dtype=np.int16).reshape(-1, 2)
        with self._lock:
            self._buffers.append((deck, pts_us, frames.copy()))

    def flush(self, deck: str, pts_us: int) -> None:
        with self._lock:  # audio from pts on was dropped before being heard
            self._buffers = [b for b in self._buffers if b[0] != deck or b[1] < pts_us]

    def volume(self, deck: str, at_us: int, volume: float, muted: bool) -> None:
        with self._lock:
            self._gains.setdefault(deck, []).append((at_us, 0.0 if muted else volume**3))

    # analysis ----------------------------------------------------------------------------
    def clear(self) -> None:
        with self._lock:
            self._buffers.clear()

    def buffers(
        self, deck: str | None = None, *, gained: bool = False
    ) -> list[tuple[str, int, np.ndarray]]:
        """Buffers as libVLC decoded them (int16 values), or with ``gained`` as heard: each
        sample scaled by its deck's volume at its presentation time (float, int16 scale)."""
        with self._lock:
            raw = [b for b in self._buffers if deck is None or b[0] == deck]
            gains = {d: list(g) for d, g in self._gains.items()} if gained else {}
        return [(d, pts, _gained(frames, pts, gains.get(d, []))) for d, pts, frames in raw]

    def deck_offset_ms(self, deck_a: str, deck_b: str) -> float:
        """How much later ``deck_a`` presents the same music than ``deck_b`` (by the ticks
        each deck decoded, before volume)."""
        a, b = self.decoded(deck_a), self.decoded(deck_b)
        ta, tb = tick_onsets_s(a[1]) + a[0], tick_onsets_s(b[1]) + b[0]
        if not len(ta) or not len(tb):
            raise ValueError("no ticks decoded")
        diffs = [ta[i] - tb[np.argmin(np.abs(tb - ta[i]))] for i in range(len(ta))]
        return float(np.median(diffs) * 1000)

    def decoded_s(self, deck: str) -> float:
        """Seconds of audio ``deck`` has delivered since the last ``clear``."""
        with self._lock:
            return sum(len(f) for d, _pts, f in self._buffers if d == deck) / SAMPLE_RATE

    def decoded(self, deck: str) -> tuple[float, Samples]:
        """(start instant in s, samples) of one deck as decoded, on its own timeline."""
        bufs = self.buffers(deck)
        first = min(pts for _d, pts, _f in bufs)
        last = max(pts + len(f) * 1_000_000 // SAMPLE_RATE for _d, pts, f in bufs)
        out = np.zeros(((last - first) * SAMPLE_RATE // 1_000_000 + 1, 2))
        for _d, pts, frames in bufs:
            at = (pts - first) * SAMPLE_RATE // 1_000_000
            out[at : at + len(frames)] = frames[: len(out) - at] / 32768.0
        return first / 1e6, out

    def first_pts_us(self, *, threshold: float = 0.01) -> int | None:
        """Presentation time of the first audible (non-silent) buffer of any deck."""
        heard = self.buffers(gained=True)
        audible = [pts for _d, pts, f in heard if np.abs(f).max() / 32768 > threshold]
        return min(audible) if audible else None

    def heard(self, start_s: float | None = None, end_s: float | None = None) -> Samples:
        """The mix of every deck between two monotonic instants (default: everything), each
        deck at its volume: what the speakers play."""
        bufs = self.buffers(gained=True)
        if not bufs:
            return np.zeros((0, 2))
        first = min(pts for _d, pts, _f in bufs)
        last = max(pts + len(f) * 1_000_000 // SAMPLE_RATE for _d, pts, f in bufs)
        t0 = first if start_s is None else int(start_s * 1e6)
        t1 = last if end_s is None else int(end_s * 1e6)
        n = max(0, (t1 - t0) * SAMPLE_RATE // 1_000_000)
        mix = np.zeros((n, 2))
        for _deck, pts, frames in bufs:
            at = (pts - t0) * SAMPLE_RATE // 1_000_000
            lo, hi = max(0, at), min(n, at + len(frames))
            if lo < hi:
                mix[lo:hi] += frames[lo - at : hi - at] / 32768.0
        return mix

    def span_s(self) -> tuple[float, float]:
        bufs = self.buffers()
        first = min(pts for _d, pts, _f in bufs)
        last = max(pts + len(f) * 1_000_000 // SAMPLE_RATE for _d, pts, f in bufs)
        return first / 1e6, last / 1e6


def _gained(frames: np.ndarray, pts_us: int, gains: list[tuple[int, float]]) -> np.ndarray:
    out = frames.astype(np.float64)
    if not gains:
        return out
    times = pts_us + np.arange(len(frames)) * 1_000_000 // SAMPLE_RATE
    at = np.array([t for t, _g in gains])
    values = np.array([1.0] + [g for _t, g in gains])
    return out * values[np.searchsorted(at, times, side="right")][:, None]


def tone_level(samples: Samples, freq_hz: float, channel: int | None = None) -> float:
    """Amplitude (peak, full scale 1.0) of a sine at ``freq_hz`` in ``samples``."""
    x = samples.mean(axis=1) if channel is None else samples[:, channel]
    if len(x) < 64:
        return 0.0
    window = np.hanning(len(x))
    spectrum = np.abs(np.fft.rfft(x * window)) * 2 / window.sum()
    k = round(freq_hz * len(x) / SAMPLE_RATE)
    return float(spectrum[max(0, k - 2) : k + 3].max())


def dominant_hz(samples: Samples, lo_hz: float = 50.0, hi_hz: float = 5000.0) -> float:
    x = samples.mean(axis=1)
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    freqs = np.fft.rfftfreq(len(x), 1 / SAMPLE_RATE)
    band = (freqs >= lo_hz) & (freqs <= hi_hz)
    return float(freqs[band][np.argmax(spectrum[band])])


def rms_db(samples: Samples) -> float:
    rms = float(np.sqrt(np.mean(samples**2))) if len(samples) else 0.0
    return 20 * np.log10(max(rms, 1e-9))


def longest_silence_ms(samples: Samples, *, window_ms: float = 2.0, floor: float = 0.02) -> float:
    """Longest run of windows whose peak stays under ``floor`` (full scale 1.0)."""
    win = max(1, int(SAMPLE_RATE * window_ms / 1000))
    n = len(samples) // win
    if n == 0:
        return 0.0
    peaks = np.abs(samples[: n * win]).reshape(n, win * 2).max(axis=1)
    longest = run = 0
    for quiet in peaks < floor:
        run = run + 1 if quiet else 0
        longest = max(longest, run)
    return longest * window_ms


def level_track(samples: Samples, freq_hz: float, *, window_ms: float = 10.0) -> np.ndarray:
    """Level of ``freq_hz`` in consecutive windows (for "gone within N ms")."""
    win = int(SAMPLE_RATE * window_ms / 1000)
    return np.array(
        [tone_level(samples[i : i + win], freq_hz) for i in range(0, len(samples) - win + 1, win)]
    )


def tick_onsets_s(samples: Samples, *, threshold: float = 0.05) -> np.ndarray:
    """Start times (s from the first sample) of the 3 kHz metronome bursts."""
    x = samples.mean(axis=1)
    # Isolate 3 kHz by FFT masking, then envelope in 1 ms steps.
    spectrum = np.fft.rfft(x)
    freqs = np.fft.rfftfreq(len(x), 1 / SAMPLE_RATE)
    spectrum[np.abs(freqs - TICK_HZ) > 300] = 0
    band = np.abs(np.fft.irfft(spectrum, len(x)))
    step = SAMPLE_RATE // 1000
    env = band[: len(band) // step * step].reshape(-1, step).max(axis=1)
    on = env > threshold
    starts = np.flatnonzero(on[1:] & ~on[:-1]) + 1
    kept: list[int] = []
    for start in starts:  # one onset per burst: a dip inside a 20 ms burst is not a new tick
        if not kept or start - kept[-1] > 100:
            kept.append(int(start))
    return np.array(kept) / 1000.0


def wait_for(predicate: Callable[[], bool], timeout_s: float = 10.0, step_s: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step_s)
    return predicate()


def centroid_hz(samples: Samples, lo_hz: float, hi_hz: float) -> float:
    """Power-weighted mean frequency in a band: robust where a pitch shifter smears a tone
    into sidebands (scaletempo's overlap-add does on low pure tones)."""
    x = samples.mean(axis=1)
    power = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / SAMPLE_RATE)
    band = (freqs >= lo_hz) & (freqs <= hi_hz)
    return float((freqs[band] * power[band]).sum() / power[band].sum())
