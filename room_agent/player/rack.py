"""The decks that play one song as one unit (see shadow.py and alignment.py for why).

Five libVLC players are made once and reused for every song:

- ``main``/``shadow`` (stereo) for tracks and one-mix songs;
- ``right``/``left`` for left/right songs, each with its channel fixed at creation (changing
  a channel restarts an output);
- ``picture``: the video of a song whose vocal switch runs on two decks. Both audio decks
  then play without video, so they are identical and start and stay together; the picture
  deck plays the same file with ``:no-audio`` and follows the audible deck's clock.

For each song ``choose`` names the audio pair; the player then acts on ``main`` and
``shadow`` (and ``picture`` when the plan has one).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import vlc

from room_agent.core.ports import VocalSwitch
from room_agent.player import alignment, settings
from room_agent.player.alignment import Alignment, AudioLag, Movable, Roles
from room_agent.player.deck import Deck, DeckListener, StereoMode
from room_agent.player.output import AudioOutput
from room_agent.player.pitch import KeyShifter
from room_agent.player.pulse_latency import ServerLatency
from room_agent.player.shadow import VocalMethod, VocalPlan, plain_fallback
from room_agent.player.vlccore import VlcCore

log = logging.getLogger(__name__)


class DeckRack:
    def __init__(
        self,
        instance: vlc.Instance,
        audio: AudioOutput,
        core: VlcCore,
        shifter: KeyShifter,
        listener: DeckListener,
    ) -> None:
        def deck(name: str, role: int, stereo: StereoMode = StereoMode.STEREO) -> Deck:
            return Deck(instance, name, audio, core, shifter, listener, stereo, role)

        # Distinct roles per audio deck (libVLC's music, animation, game, production): the
        # audio server tells their streams apart by them (pulse_latency.py).
        self._tracks = (deck("main", 1), deck("shadow", 6))
        self._channels = (deck("right", 4, StereoMode.RIGHT), deck("left", 7, StereoMode.LEFT))
        self.picture = deck("picture", 2)
        self.all = (*self._tracks, *self._channels, self.picture)
        self.main, self.shadow = self._tracks

    def choose(self, plan: VocalPlan) -> VocalPlan:
        """Name the pair for a song's plan; the plan falls back if a channel is not fixed."""
        self.main, self.shadow = self._tracks
        if plan.method is not VocalMethod.SHADOW_CHANNELS:
            return plan
        right, left = self._channels
        if not (right.channel_fixed and left.channel_fixed):
            return plain_fallback(plan, "cannot fix a deck's channel")
        vocal_right = plan.original_stereo is StereoMode.RIGHT
        self.main, self.shadow = (right, left) if vocal_right else (left, right)
        return plan

    def video_players(self) -> tuple[vlc.MediaPlayer, ...]:
        """The players that may show a song's video: ``main`` when one deck plays the song,
        ``picture`` when two audio decks do."""
        main, _shadow = self._tracks
        return (main.mp, self.picture.mp)

    def active(self, plan: VocalPlan) -> tuple[Deck, ...]:
        audio = (self.main, self.shadow) if plan.method.uses_shadow else (self.main,)
        return (*audio, self.picture) if plan.picture_deck else audio

    def start_order(self, plan: VocalPlan, *, shadow_audible: bool) -> tuple[Deck, ...]:
        """Decks in the order to start (or resume, or seek) them: the picture and the muted
        deck first, so that if one starts late it is the audible deck, and the others are
        then held back (inaudible) rather than the audible deck."""
        if not plan.method.uses_shadow:
            return self.active(plan)
        audible, muted = (self.shadow, self.main) if shadow_audible else (self.main, self.shadow)
        picture = (self.picture,) if plan.picture_deck else ()
        return (*picture, muted, audible)

    def roles(self, plan: VocalPlan, *, shadow_audible: bool) -> Roles:
        if not plan.method.uses_shadow:
            return Roles(self.main, None, self.picture if plan.picture_deck else None)
        audible, muted = (self.shadow, self.main) if shadow_audible else (self.main, self.shadow)
        return Roles(audible, muted, self.picture if plan.picture_deck else None)

    def stop_all(self) -> None:
        for deck in self.all:
            deck.stop()

    def release_all(self) -> None:
        for deck in self.all:
            deck.release()

    def set_volumes(self, level: int, *, shadow_audible: bool) -> None:
        # Raise the newly audible deck first: a swap may overlap by a buffer, never gap.
        loud, quiet = (self.shadow, self.main) if shadow_audible else (self.main, self.shadow)
        loud.set_volume(level)
        quiet.set_volume(0)

    def plain_switch(self, plan: VocalPlan, vocal: VocalSwitch) -> None:
        """libVLC's own switch on the main deck (restarts its output: the fallback)."""
        if plan.method is VocalMethod.PLAIN_TRACKS:
            index = plan.track_for(vocal)
            ids = self.main.audio_track_ids()
            if index is not None and index < len(ids):
                self.main.set_audio_track(ids[index])
            else:
                log.warning("song has %d audio tracks, cannot select #%s", len(ids), index)
        elif plan.method is VocalMethod.PLAIN_CHANNELS:
            self.main.set_channel(plan.stereo_for(vocal))

    def set_key(self, semitones: int, *, playing: set[str]) -> None:
        for deck in self.all:
            if deck is not self.picture:
                deck.set_key(semitones, playing=deck.name in playing)

    def server_lag(self, server: ServerLatency | None) -> AudioLag | None:
        """How much later the audio server plays one deck's stream than another's, or None
        when the server cannot tell (pulse_latency.py)."""
        if server is None or not server.available:
            return None
        by_name = {deck.name: deck for deck in self.all}

        def lag(deck: Movable, reference: Movable) -> float | None:
            return server.lag_ms(by_name[deck.name].role, by_name[reference.name].role)

        return lag

    def align(
        self,
        roles_now: Callable[[], Roles | None],
        lock: threading.RLock,
        server: ServerLatency | None = None,
    ) -> Alignment:
        """Move the muted and picture decks onto the audible deck's timeline (alignment.py),
        with each audio stream's real lateness from the audio ``server`` when it tells."""
        rounds = settings.shadow_align_rounds
        return alignment.align(roles_now, lock, rounds=rounds, audio_lag_ms=self.server_lag(server))
