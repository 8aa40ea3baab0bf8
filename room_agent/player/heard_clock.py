"""The song position the guest hears now, from libVLC's coarse clock (pure timing).

libVLC's ``get_time()`` moves in ~250 ms steps, and each new value is exact for the instant
it was computed (sync.py). The player used to anchor its interpolation at the moment it
*noticed* a new value, so its position ran late by however long that value had waited for a
``status()`` call: 0-100 ms with a caller polling every 100 ms (measured through PulseAudio,
benchmarks/container_playback.py: MKV lyrics ~47 ms late at the median, 114 ms at worst).

``HeardClock`` keeps the clock origin instead (the monotonic instant position 0 is heard):
every new value ``v`` seen at ``t`` gives ``t - v``, never earlier than the truth, so the
smallest over the recent changes is the origin within the callers' best polling delay. Recent
only (``window`` changes): a clock that runs a little slow or fast (VLC resamples to follow
its output) moves the origin, and the window follows it. A value more than ``jump_ms`` off
the origin's prediction is a seek or a stall: the window starts again from it. Between
values the position is ``now - origin``, never more than ``max_ahead_ms`` past the last
value (a stalled input must not run away) -- or, where libVLC's values come further apart
than that, ``ahead_steps`` of the largest recent step. Ogg's demuxer dates its audio by page,
so its time moves in ~1 s steps, not 250 ms: a fixed 400 ms cap froze the position for 600 ms
of every second (lyrics ~100 ms late at the median, and a lag correction could not move a
position pinned to the cap).

``lag_ms``: how much later the guest hears a sample than libVLC's clock says it plays
(the audio output's own latency beyond what VLC accounts for), measured from PCM per output
(``benchmarks/library_bench.py playback``, "lyric offset") and subtracted while running.
"""

from __future__ import annotations

from collections import deque


class HeardClock:
    """Not thread-safe: the player calls it under its lock."""

    def __init__(
        self,
        *,
        window: int = 8,
        jump_ms: float = 400.0,
        max_ahead_ms: float = 400.0,
        ahead_steps: float = 1.6,
        lag_ms: float = 0.0,
    ) -> None:
        self._lag_ms = lag_ms
        self._origins: deque[float] = deque(maxlen=window)
        self._jump_ms = jump_ms
        self._max_ahead_ms = max_ahead_ms
        self._ahead_steps = ahead_steps
        self._steps: deque[int] = deque(maxlen=window)  # recent moves of libVLC's value
        self._last_value: int | None = None
        self._held_ms = 0.0  # the position while not running
        self._held_s: float | None = None  # when it was last set while running
        self._running = False

    def set_lag(self, lag_ms: float) -> None:
        self._lag_ms = lag_ms

    def reset(self, position_ms: int) -> None:
        """A new song, a seek: forget every origin; ``position_ms`` until values arrive
        (held until :meth:`run`)."""
        self._origins.clear()
        self._steps.clear()
        self._last_value = None
        self._held_ms = float(max(0, position_ms))
        self._held_s = None
        self._running = False

    def hold(self, now_s: float) -> None:
        """Paused: the position stays where it is heard now."""
        self._held_ms = self.position_ms(now_s)
        self._running = False
        self._held_s = None
        self._origins.clear()

    def run(self, now_s: float) -> None:
        """Running (again) from the held position."""
        self._running = True
        self._held_s = now_s

    def observe(self, value_ms: int, now_s: float) -> None:
        """libVLC's time ``value_ms`` read at monotonic ``now_s``."""
        if value_ms <= 0 or value_ms == self._last_value:
            return
        first = self._last_value is None
        previous = self._last_value
        self._last_value = value_ms
        self._held_ms, self._held_s = float(value_ms), now_s
        if first:  # the first value seen may be stale: no origin from it
            return
        candidate = now_s * 1000 - value_ms
        if self._origins:
            predicted = now_s * 1000 - min(self._origins)
            if abs(predicted - value_ms) > self._jump_ms:
                self._origins.clear()
        if previous is not None and 0 < value_ms - previous <= self._jump_ms * 4:
            self._steps.append(value_ms - previous)
        self._origins.append(candidate)

    def _ahead_ms(self) -> float:
        """How far past libVLC's last value the position may run: its own cadence allows."""
        if not self._steps:
            return self._max_ahead_ms
        return max(self._max_ahead_ms, self._ahead_steps * max(self._steps))

    def position_ms(self, now_s: float) -> int:
        if not self._running:
            return int(self._held_ms)
        if not self._origins:  # not two values yet: on from the last one, as seen
            since_ms = 0.0 if self._held_s is None else (now_s - self._held_s) * 1000
            ahead = min(max(0.0, since_ms), self._max_ahead_ms)
            return int(max(0.0, self._held_ms + ahead - self._lag_ms))
        heard = now_s * 1000 - min(self._origins) - self._lag_ms
        last = float(self._last_value or 0)
        return int(max(0.0, min(heard, last + self._ahead_ms())))
