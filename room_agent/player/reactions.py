"""What the room's player does on its own ``ktv-player`` thread (see ``vlc_player.py``).

libVLC reports on its own threads; ``Deck`` hands each event over as (generation, deck,
event) through a queue, and only this thread reacts: start a two-deck song's decks together,
keep the outputs' volumes until the audio flows, notice the end of a song, an error, a
shadow deck that failed (-> the plain switch), and keep the decks aligned (alignment.py).
``VlcPlayer`` inherits these reactions; they share its lock and state.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

from media_index.model import Song
from room_agent.core.ports import PlayerState, VocalSwitch
from room_agent.player import settings
from room_agent.player.alignment import Roles, hold_muted_by_server_lag
from room_agent.player.deck import Deck, DeckEvent
from room_agent.player.pulse_latency import ServerLatency
from room_agent.player.rack import DeckRack
from room_agent.player.shadow import VocalMethod, VocalPlan, plain_fallback

log = logging.getLogger(__name__)

STOP = object()  # put on the event queue: the thread ends


class PlayerReactions:
    # Shared with VlcPlayer (set in its __init__).
    _lock: threading.RLock
    _events: queue.Queue[object]
    _decks: DeckRack
    _server: ServerLatency
    _song: Song | None
    _plan: VocalPlan
    _generation: int
    _state: PlayerState
    _audio_seen: set[str]
    _clock: tuple[int, float]
    _volumes_pending: bool
    _started_at: float
    _align_due: float
    _lag_check_due: float
    _start_held_at: float
    _started: set[str]
    _end_callbacks: list[Callable[[str], None]]
    _error_callbacks: list[Callable[[str, str], None]]
    last_shadow_offset_ms: float | None
    last_picture_offset_ms: float | None

    @property
    def _main(self) -> Deck:
        return self._decks.main

    @property
    def _shadow(self) -> Deck:
        return self._decks.shadow

    def _vocal_now(self) -> VocalSwitch:
        raise NotImplementedError

    def _shadow_audible(self) -> bool:
        raise NotImplementedError

    def _apply_volumes(self) -> None:
        raise NotImplementedError

    def _in_start_order(self) -> tuple[Deck, ...]:
        raise NotImplementedError

    def _plain_switch(self, vocal: VocalSwitch) -> None:
        raise NotImplementedError

    # --- the player's own thread ---------------------------------------------------------

    def _on_deck(self, deck: Deck, generation: int, event: DeckEvent) -> None:
        self._events.put((generation, deck.name, event))  # libVLC thread: hand off only

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
                    self._align_shadow()
                continue
            if item is STOP:
                return
            self._release_start()
            assert isinstance(item, tuple)
            gen, deck, event = item
            if deck == self._decks.picture.name and event is DeckEvent.ERROR:
                log.warning("the song's video cannot play (its audio goes on)")
            if deck not in (self._main.name, self._shadow.name):
                continue
            try:
                self._handle(gen, deck, event)
            except Exception:
                log.exception("player event %s from %s deck failed", event, deck)

    def _handle(self, gen: int, deck: str, event: DeckEvent | str) -> None:
        end_of: str | None = None
        error: tuple[str, str] | None = None
        with self._lock:
            if gen != self._generation or self._song is None:
                return
            song = self._song
            if isinstance(event, str):
                self._state, error = PlayerState.STOPPED, (song.song_id, event)
            elif event is DeckEvent.AUDIO_ADDED:
                self._audio_seen.add(deck)
                self._apply_volumes()
                if deck == self._main.name and self._state is PlayerState.LOADING:
                    self._state = PlayerState.PLAYING
                    self._clock = (self._clock[0], time.monotonic())
            elif deck == self._shadow.name:
                if not self._near_end():
                    self._shadow_failed(f"shadow deck {event.value} early")
            elif event is DeckEvent.ERROR:
                self._decks.stop_all()
                self._state = PlayerState.STOPPED
                error = (song.song_id, f"libVLC cannot open or decode {song.path}")
            elif self._main.name not in self._audio_seen:  # ENDED without ever decoding audio
                self._decks.stop_all()
                self._state = PlayerState.STOPPED
                error = (song.song_id, f"no decodable audio in {song.path}")
            else:
                self._decks.stop_all()
                self._state = PlayerState.STOPPED
                end_of = song.song_id
        if error is not None:
            for callback in self._error_callbacks:
                callback(*error)
        if end_of is not None:
            for callback in self._end_callbacks:
                callback(end_of)

    def _release_start(self) -> None:
        """Start a two-deck song's decks together once each has opened (paused at its first
        frame): separately started decks begin 0-90 ms apart (input threads open the file at
        their own pace, more under load); resumed together they begin within ~0-4 ms, and
        each audio stream starts the same way (uncorked), so their sound agrees too. A deck
        still opening after ``start_hold_max_s`` does not hold the others back: it starts
        when it is ready and alignment (alignment.py) moves it into step."""
        with self._lock:
            if not self._start_held_at or self._state is PlayerState.STOPPED:
                self._start_held_at = 0.0
                return
            if self._state is PlayerState.PAUSED:
                return  # the guest paused while it opened: resume() starts every deck
            waiting = [d for d in self._in_start_order() if d.name not in self._started]
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

    def _near_end(self) -> bool:
        length = self._main.length_ms()
        return length > 0 and self._main.time_ms() >= length - settings.shadow_end_margin_ms

    def _shadow_failed(self, reason: str) -> None:
        """Keep the song playing on the main deck with libVLC's own switch (lock held)."""
        if not self._plan.method.uses_shadow or self._state is PlayerState.STOPPED:
            return
        log.warning(
            "song %s: seamless vocal switch off (%s)", self._song and self._song.song_id, reason
        )
        self._shadow.stop()
        self._plan = plain_fallback(self._plan, reason)
        self._apply_volumes()
        if self._vocal_now() is VocalSwitch.ACCOMPANIMENT:
            self._plain_switch(VocalSwitch.ACCOMPANIMENT)

    def _recheck_volumes(self) -> None:
        """Until the decks' audio is really flowing, keep setting their volumes: an output
        that starts may take its own default (amem's first stream reports 1.0)."""
        with self._lock:
            if not self._volumes_pending or self._state is PlayerState.STOPPED:
                return
            self._apply_volumes()
            started = time.monotonic() - self._started_at >= settings.volume_recheck_for_s
            audio = (self._main, self._shadow) if self._plan.method.uses_shadow else (self._main,)
            if started and all(d.time_ms() > 0 for d in audio):
                self._volumes_pending = False
                self._check_file_matches_catalog()
                if self._plan.method is VocalMethod.PLAIN_CHANNELS:
                    # A channel set before the output starts is lost: choose it now (one
                    # restart, the plain method's cost).
                    self._plain_switch(self._vocal_now())

    def _check_file_matches_catalog(self) -> None:
        """A tracks song whose file has fewer audio tracks than the catalog says would make
        both decks play the same track: the switch cannot work, so say so (lock held)."""
        if self._plan.method not in (VocalMethod.SHADOW_TRACKS, VocalMethod.PLAIN_TRACKS):
            return
        found = len(self._main.audio_track_ids())
        wanted = max(self._plan.original_track or 0, self._plan.accompaniment_track or 0) + 1
        if found < wanted:
            log.warning(
                "song %s: catalog says %d audio tracks, file has %d: no vocal switch",
                self._song and self._song.song_id,
                wanted,
                found,
            )
            self._shadow.stop()
            self._plan = VocalPlan(VocalMethod.NONE, why_not_seamless="file lacks the tracks")
            self._apply_volumes()

    def _align_soon(self) -> None:
        """After a start, seek or resume (lock held): measure the decks' offset shortly."""
        now = time.monotonic()
        self._align_due = now + settings.shadow_align_delay_s
        if self._server.available and self._plan.method.uses_shadow:
            self._lag_check_due = now + settings.server_lag_check_delay_s
        self._events.put((0, "", None))  # wake the player thread to re-plan its wait

    def _roles_while(self, gen: int) -> Callable[[], Roles | None]:
        """Who is audible, muted and showing video, for as long as song ``gen`` plays."""

        def roles_now() -> Roles | None:
            plan = self._plan
            if gen != self._generation or self._state is not PlayerState.PLAYING:
                return None
            if self._start_held_at or not (plan.method.uses_shadow or plan.picture_deck):
                return None
            return self._decks.roles(plan, shadow_audible=self._shadow_audible())

        return roles_now

    def _check_server_lag(self) -> None:
        """The quick first look after a start/seek (alignment.hold_muted_by_server_lag)."""
        with self._lock:
            if self._start_held_at:  # not started yet: look again shortly
                self._lag_check_due = time.monotonic() + settings.server_lag_check_delay_s
                return
            self._lag_check_due = float("inf")
            roles_now = self._roles_while(self._generation)
        lag = self._decks.server_lag(self._server)
        if lag is not None:
            hold_muted_by_server_lag(roles_now, self._lock, lag)

    def _align_shadow(self) -> None:
        """Measure how far apart the decks play and hold the early one back (sync.py).
        Polls libVLC without holding the lock; holds it only while nudging a deck."""
        with self._lock:
            if self._volumes_pending:  # volumes first: they decide what is heard
                self._align_due = time.monotonic() + settings.volume_recheck_interval_s
                return
            self._align_due = time.monotonic() + settings.shadow_check_interval_s
            roles_now = self._roles_while(self._generation)
        result = self._decks.align(roles_now, self._lock, self._server)
        if result.audio_offset_ms is not None:
            self.last_shadow_offset_ms = result.audio_offset_ms
        if result.picture_offset_ms is not None:
            self.last_picture_offset_ms = result.picture_offset_ms
