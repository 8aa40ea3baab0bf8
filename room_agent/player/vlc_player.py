"""The room's ``Player`` over libVLC: one song at a time, seen by the core as one player.

Underneath, a song with a vocal mode plays on two audio decks (original vocal, and the
muted accompaniment "shadow"; see ``shadow.py`` for why) plus, if it has video, a picture
deck (video only; see ``alignment.py`` for why the picture has a deck of its own), run as
one unit (``rack.py``). This module is the port's calls; libVLC's events are queued to the
player's own ``ktv-player`` thread, which alone reacts to them (``reactions.py``: start,
end, error, fallback, alignment) and calls the core's callbacks.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path

import vlc

from ktv.errors import InvalidArgument, Unsupported
from media_index.model import Song
from room_agent.core.ports import PlayerState, PlayerStatus, VocalSwitch
from room_agent.player import settings
from room_agent.player.config import PlayerConfig
from room_agent.player.deck import Deck
from room_agent.player.loudness import Levelling, levelling_for, vlc_volume
from room_agent.player.output import OutputKind
from room_agent.player.pitch import KeyShifter, check_key_range
from room_agent.player.pulse_latency import ServerLatency
from room_agent.player.rack import DeckRack
from room_agent.player.reactions import STOP, PlayerReactions
from room_agent.player.shadow import VocalMethod, VocalPlan, plan_for
from room_agent.player.tv import TvMediaFor
from room_agent.player.vlccore import VlcCore

log = logging.getLogger(__name__)


class VlcPlayer(PlayerReactions):
    """Implements ``room_agent.core.ports.Player``."""

    def __init__(self, config: PlayerConfig | None = None) -> None:
        self.config = config or PlayerConfig()
        self._lock = threading.RLock()
        self._events: queue.Queue[object] = queue.Queue()
        self._instance = vlc.Instance(self.config.instance_args())
        if self._instance is None:
            raise Unsupported("libVLC could not start (is VLC 3 installed?)")
        self._core = VlcCore()
        self._shifter = KeyShifter(self._core, enabled=self.config.key_enabled)
        self._server = ServerLatency(enabled=self.config.audio.kind is OutputKind.PULSE)

        self._decks = DeckRack(
            self._instance, self.config.audio, self._core, self._shifter, self._on_deck
        )
        self._end_callbacks: list[Callable[[str], None]] = []
        self._error_callbacks: list[Callable[[str, str], None]] = []
        self._song: Song | None = None
        self._plan = VocalPlan(VocalMethod.NONE)
        self._generation = 0
        self._state = PlayerState.STOPPED
        self._vocal_pref = self.config.start_vocal
        self._key = 0
        self._volume = 100
        self._muted = False
        self._levelling = levelling_for(None, target_lufs=self.config.target_lufs)
        self._audio_seen: set[str] = set()
        self._clock = (0, 0.0)  # (last libVLC time, monotonic when it changed)
        self._closed = False
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
        self.tv: TvMediaFor | None = None  # the TV's lyrics and backdrop: see tv.py
        self._thread = threading.Thread(target=self._run, name="ktv-player", daemon=True)
        self._thread.start()

    # --- Player port ---------------------------------------------------------------------

    def play(self, song: Song, *, start_ms: int = 0, key_semitones: int = 0) -> None:
        with self._lock:
            self._check_open()
            self._generation += 1
            gen = self._generation
            self._decks.stop_all()
            self._song, self._audio_seen, self._clock = song, set(), (max(0, start_ms), 0.0)
            self._levelling = levelling_for(song.loudness_lufs, target_lufs=self.config.target_lufs)
            path = self._resolve(song.path)
            if not path.is_file():
                self._state = PlayerState.STOPPED
                self._events.put((gen, self._main.name, f"cannot open {path}: no such file"))
                return
            self._plan = plan_for(
                song,
                shadow_allowed=self.config.shadow_enabled,
                stereo_presettable=self._core.available,
            )
            self._plan = self._decks.choose(self._plan)
            if self._plan.why_not_seamless and self._plan.method is not VocalMethod.NONE:
                log.info(
                    "song %s: plain vocal switch (%s)", song.song_id, self._plan.why_not_seamless
                )
            self._apply_key_quietly(key_semitones)
            vocal = self._vocal_now()
            # the TV's karaoke subtitle (and backdrop) go on the deck that carries the picture
            tv = self.tv(song) if self.tv else None
            together = self._plan.method.uses_shadow
            opened = {
                "generation": gen,
                "caching_ms": self.config.file_caching_ms,
                "paused": together,
            }
            self._main.open(
                str(path),
                start_ms=start_ms,
                audio_index=self._plan.main_track(vocal),
                video=not self._plan.picture_deck,
                tv=None if self._plan.picture_deck else tv,
                **opened,
            )
            if self._plan.method.uses_shadow:
                self._shadow.open(
                    str(path),
                    start_ms=start_ms,
                    audio_index=self._plan.accompaniment_track,
                    video=False,
                    **opened,
                )
            if self._plan.picture_deck:
                self._decks.picture.open(str(path), start_ms=start_ms, audio=False, tv=tv, **opened)
            self._apply_volumes()
            self._volumes_pending = True
            self._started_at = time.monotonic()
            self._align_soon()
            self._state = PlayerState.LOADING
            for deck in self._in_start_order():
                deck.play()
            self._start_held_at = time.monotonic() if together else 0.0
            self._started = set()
            self._events.put((0, "", None))  # wake the player thread to watch the start
            # libVLC drops a volume set on a stopped player when its output starts (pulse and
            # amem alike): set it again now that the outputs exist, and once more when each
            # deck's audio arrives (see _handle).
            self._apply_volumes()

    def pause(self) -> None:
        with self._lock:
            if self._state in (PlayerState.PLAYING, PlayerState.LOADING):
                self._position_now()  # freeze the interpolated clock
                for deck in self._active_decks():
                    deck.set_pause(True)
                self._state = PlayerState.PAUSED

    def resume(self) -> None:
        with self._lock:
            if self._state is PlayerState.PAUSED:
                for deck in self._in_start_order():
                    if not self._start_held_at or deck.name in self._started:
                        deck.set_pause(False)  # (a deck still opening starts when ready)
                self._clock = (self._clock[0], time.monotonic())
                self._state = PlayerState.PLAYING
                self._align_soon()

    def stop(self) -> None:
        with self._lock:
            self._generation += 1
            self._decks.stop_all()
            self._state = PlayerState.STOPPED

    def seek(self, position_ms: int) -> None:
        with self._lock:
            if self._state is PlayerState.STOPPED or self._song is None:
                return
            target = max(0, int(position_ms))
            for deck in self._in_start_order():
                deck.seek(target)
            self._clock = (target, time.monotonic())
            self._align_soon()

    def set_vocal(self, vocal: VocalSwitch) -> VocalSwitch:
        with self._lock:
            if vocal is VocalSwitch.UNAVAILABLE:
                raise InvalidArgument("choose ORIGINAL or ACCOMPANIMENT")
            if self._song is None or self._plan.method is VocalMethod.NONE:
                return VocalSwitch.UNAVAILABLE
            self._vocal_pref = vocal
            method = self._plan.method
            if method.uses_shadow:
                self._apply_volumes()
            elif self._state is not PlayerState.STOPPED:
                self._plain_switch(vocal)
            return vocal

    def set_key(self, semitones: int) -> int:
        with self._lock:
            check_key_range(semitones)
            if not self._shifter.supported:
                raise Unsupported(f"key change is not available: {self._shifter.support.reason}")
            playing = self._audio_seen if self._state is not PlayerState.STOPPED else set()
            self._decks.set_key(semitones, playing=playing)
            self._key = semitones
            return semitones

    def set_volume(self, percent: int) -> None:
        with self._lock:
            if not 0 <= int(percent) <= 100:
                raise InvalidArgument(f"volume {percent} is outside 0..100 percent")
            self._volume = int(percent)
            self._apply_volumes()

    def set_mute(self, muted: bool) -> None:
        with self._lock:
            self._muted = bool(muted)
            self._apply_volumes()

    def status(self) -> PlayerStatus:
        with self._lock:
            song = self._song
            duration = self._main.length_ms() or (song.duration_ms if song else 0)
            stopped = self._state is PlayerState.STOPPED
            return PlayerStatus(
                state=self._state,
                song_id=None if stopped or song is None else song.song_id,
                position_ms=0 if stopped else self._position_now(),
                duration_ms=0 if stopped else duration,
                vocal=self._vocal_now(),
                key_semitones=self._key,
                key_supported=self._shifter.supported,
                volume_percent=self._volume,
                muted=self._muted,
            )

    def on_end(self, callback: Callable[[str], None]) -> None:
        self._end_callbacks.append(callback)

    def on_error(self, callback: Callable[[str, str], None]) -> None:
        self._error_callbacks.append(callback)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._generation += 1
        self._events.put(STOP)
        self._thread.join(timeout=5)
        with self._lock:
            self._decks.release_all()
            self._instance.release()
            self._state = PlayerState.STOPPED

    def __enter__(self) -> VlcPlayer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- what the player reports beyond the port (diagnostics, tests, benchmarks) ------

    @property
    def vocal_method(self) -> VocalMethod:
        return self._plan.method

    def video_players(self) -> tuple[vlc.MediaPlayer, ...]:
        """The libVLC players that may carry a song's video: the main deck for tracks and
        one-mix songs, the right or left deck for left/right songs. A video surface (e.g.
        ``video_set_callbacks`` into a Kivy texture) attaches to each of them."""
        return self._decks.video_players()

    @property
    def levelling(self) -> Levelling:
        return self._levelling

    # --- internals ---------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise Unsupported("the player is closed")

    def _resolve(self, song_path: str) -> Path:
        path = Path(song_path)
        if not path.is_absolute() and self.config.media_root:
            path = Path(self.config.media_root) / path
        return path

    def _vocal_now(self) -> VocalSwitch:
        if self._song is None or self._plan.method is VocalMethod.NONE:
            return VocalSwitch.UNAVAILABLE
        return self._vocal_pref

    def _active_decks(self) -> tuple[Deck, ...]:
        return self._decks.active(self._plan)

    def _in_start_order(self) -> tuple[Deck, ...]:
        return self._decks.start_order(self._plan, shadow_audible=self._shadow_audible())

    def _shadow_audible(self) -> bool:
        return self._plan.method.uses_shadow and self._vocal_now() is VocalSwitch.ACCOMPANIMENT

    def _apply_volumes(self) -> None:
        level = 0 if self._muted else vlc_volume(self._volume, self._levelling.gain_db)
        self._decks.set_volumes(level, shadow_audible=self._shadow_audible())

    def _plain_switch(self, vocal: VocalSwitch) -> None:
        self._decks.plain_switch(self._plan, vocal)

    def _apply_key_quietly(self, semitones: int) -> None:
        wanted = min(max(int(semitones), settings.key_min_semitones), settings.key_max_semitones)
        if not self._shifter.supported:
            self._key = 0
            return
        try:
            self._decks.set_key(wanted, playing=set())
            self._key = wanted
        except Unsupported as exc:
            log.warning("song starts at its own key: %s", exc)
            self._key = 0

    def _position_now(self) -> int:
        """libVLC's time only moves every ~250 ms: interpolate with the monotonic clock."""
        now = time.monotonic()
        vlc_ms = self._main.time_ms()
        last_ms, since = self._clock
        if vlc_ms != last_ms and vlc_ms > 0:
            self._clock = (vlc_ms, now)
            return vlc_ms
        if self._state is PlayerState.PLAYING and since > 0:
            return last_ms + int(min(now - since, 0.3) * 1000)
        return last_ms
