"""The room's player's own ``ktv-player`` thread: what it reacts to and when.

libVLC reports on its own threads; ``Deck`` hands each event over as (generation, deck,
event) through a queue, and only this thread reacts. ``PlayerThread`` owns the timing of
those reactions: starting a two-deck song's decks together (the start gate), re-setting the
outputs' volumes until the audio flows, when to look at the audio server's lag and when to
align the decks (alignment.py), the last offsets measured, and the core's end/error
callbacks. What a deck event means for the song (playing, ended, failed, shadow lost) is the
player's to decide (:class:`PlayerHost`, implemented by ``VlcPlayer``); both sides share the
player's lock.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Protocol

from room_agent.core.ports import PlayerState, VocalSwitch
from room_agent.player import settings
from room_agent.player.alignment import Roles, hold_muted_by_server_lag
from room_agent.player.deck import Deck, DeckEvent
from room_agent.player.pulse_latency import ServerLatency
from room_agent.player.rack import DeckRack
from room_agent.player.shadow import VocalPlan

log = logging.getLogger(__name__)

STOP = object()  # put on the event queue: the thread ends
_WAKE = (0, "", None)  # put on the event queue: re-plan the wait


class PlayerHost(Protocol):
    """The player as its thread sees it; every call is made with ``lock`` held."""

    lock: threading.RLock
    decks: DeckRack
    server: ServerLatency

    @property
    def generation(self) -> int: ...
    @property
    def state(self) -> PlayerState: ...
    @property
    def plan(self) -> VocalPlan: ...
    def vocal_now(self) -> VocalSwitch: ...
    def shadow_audible(self) -> bool: ...
    def in_start_order(self) -> tuple[Deck, ...]: ...
    def apply_volumes(self) -> None: ...
    def plain_switch(self, vocal: VocalSwitch) -> None: ...
    def audio_flowing(self) -> None:
        """Every deck's audio is decoding: the last checks of a start."""

    def settle(self, gen: int, deck: str, event: DeckEvent | str) -> tuple[str, str, str]:
        """What a deck event means for song ``gen``: (song id ended, song id failed, why)."""


class PlayerThread:
    """Owns: the event queue and the thread, the start gate, the volume re-checks, the
    alignment and lag-check schedule, the last measured offsets, the end/error callbacks."""

    def __init__(self, host: PlayerHost) -> None:
        self._host = host
        self._events: queue.Queue[object] = queue.Queue()
        self._end_callbacks: list[Callable[[str], None]] = []
        self._error_callbacks: list[Callable[[str, str], None]] = []
        self._volumes_pending = False
        self._started_at = 0.0
        self._align_due = float("inf")
        self._lag_check_due = float("inf")
        # A two-deck song opens paused and starts when every deck is ready (monotonic s of
        # play(), 0 = not waiting): see _release_start.
        self._start_held_at = 0.0
        self._started: set[str] = set()
        # The last alignment (alignment.py): how much later the muted / picture deck plays
        # than the audible one, ms (None: not measured since the last start/seek/resume).
        self.last_shadow_offset_ms: float | None = None
        self.last_picture_offset_ms: float | None = None
        self._thread = threading.Thread(target=self._run, name="ktv-player", daemon=True)

    # --- the player's side (lock held) -------------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._events.put(STOP)
        self._thread.join(timeout=5)

    def on_end(self, callback: Callable[[str], None]) -> None:
        self._end_callbacks.append(callback)

    def on_error(self, callback: Callable[[str, str], None]) -> None:
        self._error_callbacks.append(callback)

    def on_deck(self, deck: Deck, generation: int, event: DeckEvent) -> None:
        self._events.put((generation, deck.name, event))  # libVLC thread: hand off only

    def fail(self, generation: int, deck: str, message: str) -> None:
        """Song ``generation`` cannot play: say so from this thread, as libVLC would."""
        self._events.put((generation, deck, message))

    def song_starting(self, *, together: bool) -> None:
        """The decks were just told to play; with ``together`` they are held until every
        one is ready."""
        self._volumes_pending = True
        self._started_at = time.monotonic()
        self.align_soon()
        self._start_held_at = time.monotonic() if together else 0.0
        self._started = set()
        self._events.put(_WAKE)  # watch the start

    def may_start(self, deck: Deck) -> bool:
        """A resume may unpause ``deck`` (one still opening starts when ready)."""
        return not self._start_held_at or deck.name in self._started

    def align_soon(self) -> None:
        """After a start, seek or resume: measure the decks' offset shortly."""
        now = time.monotonic()
        self._align_due = now + settings.shadow_align_delay_s
        if self._host.server.available and self._host.plan.method.uses_shadow:
            self._lag_check_due = now + settings.server_lag_check_delay_s
        self._events.put(_WAKE)  # re-plan the wait

    # --- the thread --------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            due = min(self._align_due, self._lag_check_due)
            wait_s = max(0.0, min(due - time.monotonic(), 60.0))
            if self._volumes_pending:
                wait_s = min(wait_s, settings.volume_recheck_interval_s)
            if self._start_held_at:
                wait_s = min(wait_s, settings.start_poll_interval_s)
            try:
                item = self._events.get(timeout=wait_s)
            except queue.Empty:
                self._release_start()
                self._recheck_volumes()
                if time.monotonic() >= self._lag_check_due:
                    self._check_server_lag()
                if time.monotonic() >= self._align_due:
                    self._align()
                continue
            if item is STOP:
                return
            self._release_start()
            assert isinstance(item, tuple)
            gen, deck, event = item
            decks = self._host.decks
            if deck == decks.picture.name and event is DeckEvent.ERROR:
                log.warning("the song's video cannot play (its audio goes on)")
            if deck not in (decks.main.name, decks.shadow.name):
                continue
            try:
                self._react(gen, deck, event)
            except Exception:
                log.exception("player event %s from %s deck failed", event, deck)

    def _react(self, gen: int, deck: str, event: DeckEvent | str) -> None:
        with self._host.lock:
            ended, failed, why = self._host.settle(gen, deck, event)
        if failed:
            for callback in self._error_callbacks:
                callback(failed, why)
        if ended:
            for callback in self._end_callbacks:
                callback(ended)

    def _release_start(self) -> None:
        """Start a two-deck song's decks together once each has opened (paused at its first
        frame): separately started decks begin 0-90 ms apart (input threads open the file at
        their own pace, more under load); resumed together they begin within ~0-4 ms, and
        each audio stream starts the same way (uncorked), so their sound agrees too. A deck
        still opening after ``start_hold_max_s`` does not hold the others back: it starts
        when it is ready and alignment (alignment.py) moves it into step."""
        host = self._host
        with host.lock:
            if not self._start_held_at or host.state is PlayerState.STOPPED:
                self._start_held_at = 0.0
                return
            if host.state is PlayerState.PAUSED:
                return  # the guest paused while it opened: resume() starts every deck
            waiting = [d for d in host.in_start_order() if d.name not in self._started]
            overdue = time.monotonic() - self._start_held_at >= settings.start_hold_max_s
            ready = [d for d in waiting if d.ready(overdue=overdue)]
            if len(ready) < len(waiting) and not (overdue and ready):
                return
            for deck in ready:
                deck.set_pause(False)
                self._started.add(deck.name)
            if len(ready) < len(waiting):
                log.warning("deck(s) %s slow to open: starting the others", waiting)
            else:
                self._start_held_at = 0.0

    def _recheck_volumes(self) -> None:
        """Until the decks' audio is really flowing, keep setting their volumes: an output
        that starts may take its own default (amem's first stream reports 1.0)."""
        host = self._host
        with host.lock:
            if not self._volumes_pending or host.state is PlayerState.STOPPED:
                return
            host.apply_volumes()
            started = time.monotonic() - self._started_at >= settings.volume_recheck_for_s
            decks = host.decks
            shadow = host.plan.method.uses_shadow
            audio = (decks.main, decks.shadow) if shadow else (decks.main,)
            if started and all(d.time_ms() > 0 for d in audio):
                self._volumes_pending = False
                host.audio_flowing()

    def _roles_while(self, gen: int) -> Callable[[], Roles | None]:
        """Who is audible, muted and showing video, for as long as song ``gen`` plays."""
        host = self._host

        def roles_now() -> Roles | None:
            plan = host.plan
            if gen != host.generation or host.state is not PlayerState.PLAYING:
                return None
            if self._start_held_at or not (plan.method.uses_shadow or plan.picture_deck):
                return None
            return host.decks.roles(plan, shadow_audible=host.shadow_audible())

        return roles_now

    def _check_server_lag(self) -> None:
        """The quick first look after a start/seek (alignment.hold_muted_by_server_lag)."""
        host = self._host
        with host.lock:
            if self._start_held_at:  # not started yet: look again shortly
                self._lag_check_due = time.monotonic() + settings.server_lag_check_delay_s
                return
            self._lag_check_due = float("inf")
            roles_now = self._roles_while(host.generation)
        lag = host.decks.server_lag(host.server)
        if lag is not None:
            hold_muted_by_server_lag(roles_now, host.lock, lag)

    def _align(self) -> None:
        """Measure how far apart the decks play and hold the early one back (sync.py).
        Polls libVLC without holding the lock; holds it only while nudging a deck."""
        host = self._host
        with host.lock:
            if self._volumes_pending:  # volumes first: they decide what is heard
                self._align_due = time.monotonic() + settings.volume_recheck_interval_s
                return
            self._align_due = time.monotonic() + settings.shadow_check_interval_s
            roles_now = self._roles_while(host.generation)
        result = host.decks.align(roles_now, host.lock, host.server)
        if result.audio_offset_ms is not None:
            self.last_shadow_offset_ms = result.audio_offset_ms
        if result.picture_offset_ms is not None:
            self.last_picture_offset_ms = result.picture_offset_ms
