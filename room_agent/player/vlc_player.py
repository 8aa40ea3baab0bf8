"""The room's ``Player`` over libVLC: one song at a time, seen by the core as one player.

Underneath, a song with a vocal mode plays on two audio decks (original vocal, and the
muted accompaniment "shadow"; see ``shadow.py`` for why) plus, if it has video, a picture
deck (video only; see ``alignment.py`` for why the picture has a deck of its own), run as
one unit (``rack.py``). ``VlcPlayer`` owns the song and what the guest set (vocal, key,
volume) and answers the port's calls; libVLC's events are queued to the player's own
``ktv-player`` thread (``reactions.PlayerThread``, its own object with its own state: the
start gate, volume re-checks, the alignment schedule, the callbacks), which asks the player
what each event means (:meth:`VlcPlayer.settle`) and calls the core's callbacks.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import vlc

from ktv.errors import InvalidArgument, Unsupported
from media_index.model import Song, VocalMode
from room_agent.core.ports import PlayerState, PlayerStatus, VocalSwitch
from room_agent.library.remux import RemuxFailed, RemuxShelf, wants_remux
from room_agent.player import settings
from room_agent.player.config import PlayerConfig
from room_agent.player.deck import Deck, DeckEvent
from room_agent.player.heard_clock import HeardClock
from room_agent.player.loudness import Levelling, levelling_for, vlc_volume
from room_agent.player.output import OutputKind
from room_agent.player.pitch import KeyShifter, check_key_range
from room_agent.player.pulse_latency import ServerLatency
from room_agent.player.rack import DeckRack
from room_agent.player.reactions import PlayerThread
from room_agent.player.shadow import VocalMethod, VocalPlan, plain_fallback, plan_for
from room_agent.player.tv import TvMediaFor
from room_agent.player.vlccore import VlcCore

log = logging.getLogger(__name__)


def _default_remux_dir() -> str:
    return str(Path(tempfile.gettempdir()) / f"ktv-remux-{os.getuid()}")


class VlcPlayer:
    """Implements ``room_agent.core.ports.Player`` (and ``reactions.PlayerHost`` for its
    thread). Owns: the decks, the song and its vocal plan, the generation (a new song or a
    stop makes every older deck event stale), the state and the interpolated clock, the
    decks that have decoded audio, and what the guest set (vocal, key, volume, mute)."""

    def __init__(self, config: PlayerConfig | None = None) -> None:
        self.config = config or PlayerConfig()
        self.lock = threading.RLock()
        self._instance = vlc.Instance(self.config.instance_args())
        if self._instance is None:
            raise Unsupported("libVLC could not start (is VLC 3 installed?)")
        self._core = VlcCore()
        self._shifter = KeyShifter(self._core, enabled=self.config.key_enabled)
        self.server = ServerLatency(enabled=self.config.audio.kind is OutputKind.PULSE)
        self._reactions = PlayerThread(self)
        self.decks = DeckRack(
            self._instance, self.config.audio, self._core, self._shifter, self._reactions.on_deck
        )
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
        # the position heard now, from libVLC's coarse time and the output's own lag
        self._clock = HeardClock()
        self._closed = False
        self.tv: TvMediaFor | None = None  # the TV's lyrics and backdrop: see tv.py
        self._shelf = (
            RemuxShelf(Path(self.config.remux_dir or _default_remux_dir()))
            if self.config.remux_mpeg_ps
            else None
        )
        self._reactions.start()

    # --- Player port ---------------------------------------------------------------------

    def play(self, song: Song, *, start_ms: int = 0, key_semitones: int = 0) -> None:
        with self.lock:
            self._check_open()
            self._generation += 1
            gen = self._generation
            self.decks.stop_all()
            self._song, self._audio_seen = song, set()
            self._clock.reset(start_ms)
            self._clock.set_lag(self.config.heard_lag(song.path))  # the NAS file's container
            self._levelling = levelling_for(song.loudness_lufs, target_lufs=self.config.target_lufs)
            path = self._resolve(song.path)
            if not path.is_file():
                self._state = PlayerState.STOPPED
                self._reactions.fail(gen, self._main.name, f"cannot open {path}: no such file")
                return
            two_tracks = song.vocal_mode is VocalMode.TRACKS
            if self._shelf is not None and wants_remux(path, two_tracks=two_tracks):
                remuxed = self._shelf.ready(path)
                if remuxed is None:  # MPEG-PS not remuxed yet: open it when it is
                    self._state = PlayerState.LOADING
                    args = (gen, song, path, start_ms, key_semitones)
                    threading.Thread(
                        target=self._remux_then_open, args=args, name="ktv-remux", daemon=True
                    ).start()
                    return
                path = remuxed
            self._open(gen, song, path, start_ms, key_semitones)

    def _remux_then_open(
        self, gen: int, song: Song, path: Path, start_ms: int, key_semitones: int
    ) -> None:
        """MPEG-PS played from the NAS: remux it first (library/remux.py says why), then open
        it, unless another song or a stop came meanwhile. A file ffmpeg cannot remux plays
        as it is."""
        assert self._shelf is not None
        try:
            made = self._shelf.make(path)
        except RemuxFailed as exc:
            log.warning("song %s plays as MPEG-PS: %s", song.song_id, exc)
            made = path
        with self.lock:
            if gen == self._generation and not self._closed:
                self._open(gen, song, made, start_ms, key_semitones)

    def _open(self, gen: int, song: Song, path: Path, start_ms: int, key_semitones: int) -> None:
        """Open ``song``'s decks on ``path`` and start them (lock held)."""
        self._plan = plan_for(
            song,
            shadow_allowed=self.config.shadow_enabled,
            stereo_presettable=self._core.available,
        )
        self._plan = self.decks.choose(self._plan)
        if self._plan.why_not_seamless and self._plan.method is not VocalMethod.NONE:
            log.info("song %s: plain vocal switch (%s)", song.song_id, self._plan.why_not_seamless)
        self._apply_key_quietly(key_semitones)
        vocal = self.vocal_now()
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
            self.decks.picture.open(str(path), start_ms=start_ms, audio=False, tv=tv, **opened)
        self.apply_volumes()
        self._state = PlayerState.LOADING
        for deck in self.in_start_order():
            deck.play()
        self._reactions.song_starting(together=together)
        # libVLC drops a volume set on a stopped player when its output starts (pulse and
        # amem alike): set it again now that the outputs exist, and once more when each
        # deck's audio arrives (see settle).
        self.apply_volumes()

    def pause(self) -> None:
        with self.lock:
            if self._state in (PlayerState.PLAYING, PlayerState.LOADING):
                self._position_now()  # the last libVLC time, then freeze
                self._clock.hold(time.monotonic())
                for deck in self._active_decks():
                    deck.set_pause(True)
                self._state = PlayerState.PAUSED

    def resume(self) -> None:
        with self.lock:
            if self._state is PlayerState.PAUSED:
                for deck in self.in_start_order():
                    if self._reactions.may_start(deck):
                        deck.set_pause(False)  # (a deck still opening starts when ready)
                self._clock.run(time.monotonic())
                self._state = PlayerState.PLAYING
                self._reactions.align_soon()

    def stop(self) -> None:
        with self.lock:
            self._generation += 1
            self.decks.stop_all()
            self._state = PlayerState.STOPPED

    def seek(self, position_ms: int) -> None:
        with self.lock:
            if self._state is PlayerState.STOPPED or self._song is None:
                return
            target = max(0, int(position_ms))
            for deck in self.in_start_order():
                deck.seek(target)
            self._clock.reset(target)
            if self._state is PlayerState.PLAYING:
                self._clock.run(time.monotonic())
            self._reactions.align_soon()

    def set_vocal(self, vocal: VocalSwitch) -> VocalSwitch:
        with self.lock:
            if vocal is VocalSwitch.UNAVAILABLE:
                raise InvalidArgument("choose ORIGINAL or ACCOMPANIMENT")
            if self._song is None or self._plan.method is VocalMethod.NONE:
                return VocalSwitch.UNAVAILABLE
            self._vocal_pref = vocal
            method = self._plan.method
            if method.uses_shadow:
                self.apply_volumes()
            elif self._state is not PlayerState.STOPPED:
                self.plain_switch(vocal)
            return vocal

    def set_key(self, semitones: int) -> int:
        with self.lock:
            check_key_range(semitones)
            if not self._shifter.supported:
                raise Unsupported(f"key change is not available: {self._shifter.support.reason}")
            playing = self._audio_seen if self._state is not PlayerState.STOPPED else set()
            self.decks.set_key(semitones, playing=playing)
            self._key = semitones
            return semitones

    def set_volume(self, percent: int) -> None:
        with self.lock:
            if not 0 <= int(percent) <= 100:
                raise InvalidArgument(f"volume {percent} is outside 0..100 percent")
            self._volume = int(percent)
            self.apply_volumes()

    def set_mute(self, muted: bool) -> None:
        with self.lock:
            self._muted = bool(muted)
            self.apply_volumes()

    def status(self) -> PlayerStatus:
        with self.lock:
            song = self._song
            duration = self._main.length_ms() or (song.duration_ms if song else 0)
            stopped = self._state is PlayerState.STOPPED
            return PlayerStatus(
                state=self._state,
                song_id=None if stopped or song is None else song.song_id,
                position_ms=0 if stopped else self._position_now(),
                duration_ms=0 if stopped else duration,
                vocal=self.vocal_now(),
                key_semitones=self._key,
                key_supported=self._shifter.supported,
                volume_percent=self._volume,
                muted=self._muted,
            )

    def on_end(self, callback: Callable[[str], None]) -> None:
        self._reactions.on_end(callback)

    def on_error(self, callback: Callable[[str, str], None]) -> None:
        self._reactions.on_error(callback)

    def close(self) -> None:
        with self.lock:
            if self._closed:
                return
            self._closed = True
            self._generation += 1
        self._reactions.stop()
        with self.lock:
            self.decks.release_all()
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
        return self.decks.video_players()

    @property
    def levelling(self) -> Levelling:
        return self._levelling

    @property
    def last_shadow_offset_ms(self) -> float | None:
        """How much later the muted deck plays than the audible one at the last alignment."""
        return self._reactions.last_shadow_offset_ms

    @last_shadow_offset_ms.setter
    def last_shadow_offset_ms(self, offset_ms: float | None) -> None:  # None: measure again
        self._reactions.last_shadow_offset_ms = offset_ms

    @property
    def last_picture_offset_ms(self) -> float | None:
        """How much later the picture deck plays than the audible one, likewise."""
        return self._reactions.last_picture_offset_ms

    @last_picture_offset_ms.setter
    def last_picture_offset_ms(self, offset_ms: float | None) -> None:
        self._reactions.last_picture_offset_ms = offset_ms

    # --- for the player's thread (reactions.PlayerHost; the lock is held) ---------------

    @property
    def generation(self) -> int:
        return self._generation

    @property
    def state(self) -> PlayerState:
        return self._state

    @property
    def plan(self) -> VocalPlan:
        return self._plan

    def vocal_now(self) -> VocalSwitch:
        if self._song is None or self._plan.method is VocalMethod.NONE:
            return VocalSwitch.UNAVAILABLE
        return self._vocal_pref

    def shadow_audible(self) -> bool:
        return self._plan.method.uses_shadow and self.vocal_now() is VocalSwitch.ACCOMPANIMENT

    def in_start_order(self) -> tuple[Deck, ...]:
        return self.decks.start_order(self._plan, shadow_audible=self.shadow_audible())

    def apply_volumes(self) -> None:
        level = 0 if self._muted else vlc_volume(self._volume, self._levelling.gain_db)
        self.decks.set_volumes(level, shadow_audible=self.shadow_audible())

    def plain_switch(self, vocal: VocalSwitch) -> None:
        self.decks.plain_switch(self._plan, vocal)

    def settle(self, gen: int, deck: str, event: DeckEvent | str) -> tuple[str, str, str]:
        """What deck event ``event`` means for song ``gen``: returns (the song id that
        ended, the song id that failed, why); empty strings when neither."""
        if gen != self._generation or self._song is None:
            return "", "", ""
        song = self._song
        if isinstance(event, str):
            self._state = PlayerState.STOPPED
            return "", song.song_id, event
        if event is DeckEvent.AUDIO_ADDED:
            self._audio_seen.add(deck)
            self.apply_volumes()
            if deck == self._main.name and self._state is PlayerState.LOADING:
                self._state = PlayerState.PLAYING
                self._clock.run(time.monotonic())
            return "", "", ""
        if deck == self._shadow.name:
            if not self._near_end():
                self._shadow_failed(f"shadow deck {event.value} early")
            return "", "", ""
        self.decks.stop_all()
        self._state = PlayerState.STOPPED
        if event is DeckEvent.ERROR:
            return "", song.song_id, f"libVLC cannot open or decode {song.path}"
        if self._main.name not in self._audio_seen:  # ENDED without ever decoding audio
            return "", song.song_id, f"no decodable audio in {song.path}"
        return song.song_id, "", ""

    def audio_flowing(self) -> None:
        """Every deck decodes audio: check the file against the catalog, and choose the
        plain channel now (a channel set before the output starts is lost: one restart,
        the plain method's cost)."""
        self._check_file_matches_catalog()
        if self._plan.method is VocalMethod.PLAIN_CHANNELS:
            self.plain_switch(self.vocal_now())

    # --- internals ---------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise Unsupported("the player is closed")

    def _resolve(self, song_path: str) -> Path:
        path = Path(song_path)
        if not path.is_absolute() and self.config.media_root:
            path = Path(self.config.media_root) / path
        return path

    @property
    def _main(self) -> Deck:
        return self.decks.main

    @property
    def _shadow(self) -> Deck:
        return self.decks.shadow

    @property
    def _decks(self) -> DeckRack:  # the name tests and benchmarks know
        return self.decks

    def _active_decks(self) -> tuple[Deck, ...]:
        return self.decks.active(self._plan)

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
        self.apply_volumes()
        if self.vocal_now() is VocalSwitch.ACCOMPANIMENT:
            self.plain_switch(VocalSwitch.ACCOMPANIMENT)

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
            self.apply_volumes()

    def _apply_key_quietly(self, semitones: int) -> None:
        wanted = min(max(int(semitones), settings.key_min_semitones), settings.key_max_semitones)
        if not self._shifter.supported:
            self._key = 0
            return
        try:
            self.decks.set_key(wanted, playing=set())
            self._key = wanted
        except Unsupported as exc:
            log.warning("song starts at its own key: %s", exc)
            self._key = 0

    def _position_now(self) -> int:
        """libVLC's time only moves every ~250 ms: the heard clock (heard_clock.py) keeps
        the origin its changes imply and interpolates from it."""
        vlc_ms = self._main.time_ms()
        now = time.monotonic()
        self._clock.observe(vlc_ms, now)
        return self._clock.position_ms(now)
