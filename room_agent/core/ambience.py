"""The room's ambience: atmosphere sounds (气氛: 掌声, 欢呼, 口哨, 笑声) over the song, and 公播,
the venue's background playlist whenever nothing is queued.

Owned by ``RoomCore`` and called under its lock. The sounds themselves go through the
``Ambience`` port (``room_agent/player/ambience.py``: libVLC streams of their own, mixed by the
audio server, so the song's stream is never touched). What this controller decides:

- an effect plays only in an open room (not in an emergency, at 到钟 or between sessions) and
  no faster than the :class:`EffectLimiter` allows (a guest hammering 掌声 gets a clear
  refusal, the room keeps its song);
- 公播 plays exactly when the room could play a song and has none: it is stopped *before* a
  guest's song starts (:meth:`AmbienceController.before_song`), and whenever the room stops
  being playable (emergency, 到钟, checkout, cleaning): :meth:`AmbienceController.update`
  runs after every command and tick.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ktv.errors import FailedPrecondition, InvalidArgument
from room_agent.core.events import AmbienceChanged, EffectPlayed
from room_agent.core.ports import Ambience

if TYPE_CHECKING:
    from room_agent.core.room import RoomCore

#: The atmosphere buttons every commercial KTV touchscreen has, in the order shown. A venue
#: replaces the samples (``[ambience] effects_dir``); these names are the buttons.
EFFECTS = ("applause", "cheers", "whistle", "laughter")
EFFECT_LABELS = {"applause": "掌声", "cheers": "欢呼", "whistle": "口哨", "laughter": "笑声"}


@dataclass(frozen=True)
class AmbienceSettings:
    """Venue-set; validated at the agent's start (``room_agent/config.py``)."""

    #: 公播 level on the same scale as the guest's volume (libVLC/PulseAudio percent, a cubic
    #: curve): 45 is ~8 dB under a song at the default 60.
    background_volume_percent: int = 45
    #: Effects: at least this long between two, and at most ``effect_burst`` in any
    #: ``effect_window_s`` (a sample is ~1-3 s; more would bury the singer).
    effect_min_gap_s: float = 0.8
    effect_burst: int = 5
    effect_window_s: float = 10.0


class EffectLimiter:
    """Pure rate limit on atmosphere sounds: a minimum gap plus a sliding-window budget."""

    def __init__(self, min_gap_s: float, burst: int, window_s: float) -> None:
        if min_gap_s < 0 or burst < 1 or window_s <= 0:
            raise ValueError("effect limits: gap >= 0, burst >= 1, window > 0")
        self.min_gap_s = min_gap_s
        self.burst = burst
        self.window_s = window_s
        self._recent: deque[float] = deque()

    def wait_s(self, now_s: float) -> float:
        """0 if an effect may play at ``now_s``, else how long until one may."""
        while self._recent and now_s - self._recent[0] >= self.window_s:
            self._recent.popleft()
        waits = [0.0]
        if self._recent:
            waits.append(self._recent[-1] + self.min_gap_s - now_s)
        if len(self._recent) >= self.burst:
            waits.append(self._recent[0] + self.window_s - now_s)
        return max(waits)

    def take(self, now_s: float) -> None:
        self._recent.append(now_s)


class AmbienceController:
    """Owns: whether 公播 is on, the effect limiter."""

    def __init__(
        self, core: RoomCore, port: Ambience | None, settings: AmbienceSettings | None = None
    ) -> None:
        self._core = core
        self._port = port
        self.settings = settings or AmbienceSettings()
        s = self.settings
        self._limiter = EffectLimiter(s.effect_min_gap_s, s.effect_burst, s.effect_window_s)
        self.background_on = False

    # --- atmosphere sounds ---------------------------------------------------------------
    def effects(self) -> tuple[str, ...]:
        """The effects this room can play (the port has a sample for each), in button order."""
        if self._port is None:
            return ()
        have = set(self._port.effect_names())
        return tuple(name for name in EFFECTS if name in have) + tuple(
            sorted(have.difference(EFFECTS))
        )

    def play_effect(self, name: str) -> None:
        core = self._core
        core.room.require_open()
        if name not in self.effects():
            raise InvalidArgument(
                f"no atmosphere sound {name[:40]!r} here", reason="UNKNOWN_EFFECT"
            )
        now = core.now_s()
        wait = self._limiter.wait_s(now)
        if wait > 0:
            raise FailedPrecondition(
                f"one moment: the next sound in {wait:.1f} s", reason="EFFECT_RATE_LIMITED"
            )
        self._limiter.take(now)
        assert self._port is not None  # effects() is empty without a port
        self._port.play_effect(name)
        core.send(EffectPlayed(name))

    # --- 公播 -----------------------------------------------------------------------------
    def wanted(self) -> bool:
        core = self._core
        return (
            self._port is not None
            and self._port.has_background()
            and core.room.can_play
            and core.playback.current is None
            and not core.queue.entries
        )

    def update(self) -> None:
        """Start or stop 公播 to match the room (idempotent; after every command and tick)."""
        want = self.wanted()
        if want == self.background_on:
            return
        assert self._port is not None
        if want:
            self._port.start_background(self.settings.background_volume_percent)
        else:
            self._port.stop_background()
        self.background_on = want
        self._core.send(AmbienceChanged(want))

    def before_song(self) -> None:
        """A song is about to start: 公播 stops first (the song takes over at once)."""
        if self.background_on:
            assert self._port is not None
            self._port.stop_background()
            self.background_on = False
            self._core.send(AmbienceChanged(False))

    def silence(self) -> None:
        """Emergency: every sound stops now (effects mid-sample included)."""
        if self._port is None:
            return
        self._port.stop_effects()
        self.before_song()
