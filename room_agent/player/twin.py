"""The decks that play one song as one unit (see shadow.py for why there are two).

Four libVLC players are made once: ``main``/``shadow`` (stereo) for tracks and one-mix songs,
``right``/``left`` for left/right songs, each with its channel fixed at creation (changing a
channel restarts an output). For each song ``choose`` names the pair; the player then acts on
``main`` and ``shadow`` only.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import vlc

from room_agent.core.ports import VocalSwitch
from room_agent.player import settings
from room_agent.player.deck import Deck, DeckListener, StereoMode
from room_agent.player.output import AudioOutput
from room_agent.player.pitch import KeyShifter
from room_agent.player.shadow import VocalMethod, VocalPlan, plain_fallback
from room_agent.player.sync import hold_back, measure_offset_ms
from room_agent.player.vlccore import VlcCore

log = logging.getLogger(__name__)


class TwinDecks:
    def __init__(
        self,
        instance: vlc.Instance,
        audio: AudioOutput,
        core: VlcCore,
        shifter: KeyShifter,
        listener: DeckListener,
    ) -> None:
        def deck(name: str, stereo: StereoMode = StereoMode.STEREO) -> Deck:
            return Deck(instance, name, audio, core, shifter, listener, stereo)

        self._tracks = (deck("main"), deck("shadow"))
        self._channels = (deck("right", StereoMode.RIGHT), deck("left", StereoMode.LEFT))
        self.all = (*self._tracks, *self._channels)
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

    def active(self, plan: VocalPlan) -> tuple[Deck, ...]:
        return (self.main, self.shadow) if plan.method.uses_shadow else (self.main,)

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
            deck.set_key(semitones, playing=deck.name in playing)

    def align(self, still_wanted: Callable[[], bool], lock: threading.RLock) -> float | None:
        """Measure the pair's offset and hold the early deck back until they agree (sync.py).
        Polls without ``lock``; takes it only while nudging. Returns the last offset."""
        main, shadow = self.main, self.shadow
        offset = None
        for _round in range(settings.shadow_align_rounds):
            offset = measure_offset_ms(
                main,
                shadow,
                still_wanted=still_wanted,
                budget_s=settings.shadow_align_budget_s,
                changes_wanted=settings.shadow_align_changes,
            )
            if offset is None or abs(offset) <= settings.shadow_align_tolerance_ms:
                return offset
            with lock:
                if not still_wanted():
                    return offset
                log.info("aligning decks: main plays %.1f ms after shadow", offset)
                hold_back(shadow if offset > 0 else main, abs(offset))
        return offset
