"""Keeping a song's decks on one timeline without touching the deck the guest hears.

A song with a vocal mode plays on two audio decks (original vocal / accompaniment, both
without video) and, when it has video, a third "picture" deck (video only). Their clocks
start a few ms apart (more on a loaded machine, and after a seek or a resume); ``sync.py``
measures each deck's clock origin. This module decides what to do about it:

- the **audible** deck is the reference and is never paused or seeked (a hold on it would
  be heard as a stop in the music);
- the **muted** audio deck and the **picture** deck are moved to it: held back (paused for
  the difference) when ahead, seeked ahead of it and then held back when behind;
- a round measures all decks at once, moves what is off by more than the tolerance, and the
  next round checks the result (closed loop, a few rounds at most).

Why this and not the alternatives (measured through PulseAudio, docs/playback.md):
the old layout kept the video on the vocal deck; that deck's audio drifted 5-45 ms off its
own clock (VLC tolerates -40..+60 ms of output drift before correcting), which no clock
measurement sees. Two identical video-less audio decks start within ~0-3 ms and follow
their clocks within ~3 ms after a hold, so clock alignment is audio alignment.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from room_agent.player import settings
from room_agent.player.sync import Clocked, measure_origins_ms

log = logging.getLogger(__name__)


class Movable(Clocked, Protocol):
    def seek(self, position_ms: int) -> None: ...


@dataclass(frozen=True)
class Roles:
    """Who is who right now: the deck heard, the deck silent, the deck showing video."""

    audible: Movable
    muted: Movable | None
    picture: Movable | None

    def movable(self) -> tuple[Movable, ...]:
        return tuple(d for d in (self.muted, self.picture) if d is not None)


@dataclass(frozen=True)
class Alignment:
    """The last measurement: how much later (ms) each deck plays than the audible one."""

    audio_offset_ms: float | None
    picture_offset_ms: float | None
    moves: int

    @property
    def measured(self) -> bool:
        return self.audio_offset_ms is not None or self.picture_offset_ms is not None


@dataclass(frozen=True)
class Move:
    deck: Movable
    hold_ms: float = 0.0  # pause for this long (the deck is ahead)
    seek_to_ms: int | None = None  # seek here first (the deck is behind)


def plan_moves(
    roles: Roles, late_ms: dict[str, float], now_ms: float, audible_origin_ms: float
) -> list[Move]:
    """What to do with each movable deck, given how much later it plays than the audible
    one (pure). A deck behind is seeked ``seek_lead_ms`` ahead of the audible position (a
    seek restarts its clock after a short delay), to be held back in the next round."""
    moves = []
    for deck in roles.movable():
        late = late_ms.get(deck.name)
        if late is None:
            continue
        tolerance = (
            settings.picture_align_tolerance_ms
            if deck is roles.picture
            else settings.shadow_align_tolerance_ms
        )
        if abs(late) <= tolerance:
            continue
        if deck is roles.muted and 0 < late <= settings.align_seek_min_late_ms:
            # A seek restarts the deck's audio output, whose start through PulseAudio varies
            # by about this much under load: leave it. After the next switch it is the
            # audible one, the other deck is early, and that one is held back.
            continue
        if -late <= settings.align_max_hold_ms and late < 0:
            moves.append(Move(deck, hold_ms=-late))
        else:
            position = now_ms - audible_origin_ms + settings.align_seek_lead_ms
            moves.append(Move(deck, seek_to_ms=max(0, int(position))))
    return moves


def hold_all(holds: list[tuple[Movable, float]]) -> None:
    """Pause every deck at once and let each go after its own hold (ms)."""
    if not holds:
        return
    start = time.monotonic()
    for deck, _ms in holds:
        deck.set_pause(True)
    for deck, ms in sorted(holds, key=lambda h: h[1]):
        time.sleep(max(0.0, start + ms / 1000 - time.monotonic()))
        deck.set_pause(False)


AudioLag = Callable[[Movable, Movable], "float | None"]


def align(
    roles_now: Callable[[], Roles | None],
    lock: threading.RLock,
    *,
    rounds: int,
    audio_lag_ms: AudioLag | None = None,
) -> Alignment:
    """Measure and move until every deck agrees with the audible one (or ``rounds`` ran out).

    ``roles_now`` is called with ``lock`` held and returns None once alignment is no longer
    wanted (another song, paused, stopped). Polls libVLC without the lock; holds it while
    moving the muted deck (so the guest cannot switch onto a deck that is paused for a
    hold), and takes it only around the pause and resume of the picture deck.

    ``audio_lag_ms(muted, audible)``, when given, says how much later the audio server plays
    the muted deck's stream than the audible one's beyond what their clocks say
    (pulse_latency.py); it is added to the muted deck's clock offset."""
    result = Alignment(None, None, 0)
    moves_done = 0
    for _round in range(rounds):
        with lock:
            roles = roles_now()
        if roles is None:
            return result
        decks = (roles.audible, *roles.movable())

        def still_wanted() -> bool:
            return roles_now() is not None  # a read: no lock needed

        origins = measure_origins_ms(
            decks,
            still_wanted=still_wanted,
            budget_s=settings.shadow_align_budget_s,
            changes_wanted=settings.shadow_align_changes,
        )
        lag = None
        if audio_lag_ms is not None and roles.muted is not None:
            lag = audio_lag_ms(roles.muted, roles.audible)
        with lock:
            roles = roles_now()
            if roles is None or roles.audible.name not in origins:
                return result
            reference = origins[roles.audible.name]
            late = {name: origin - reference for name, origin in origins.items()}
            # (only if nobody switched while the server was asked)
            muted = roles.muted
            if (
                lag is not None
                and muted is not None
                and muted.name in late
                and roles_now() == roles
            ):
                late[muted.name] += lag
            result = Alignment(
                late.get(roles.muted.name) if roles.muted else None,
                late.get(roles.picture.name) if roles.picture else None,
                moves_done,
            )
            moves = plan_moves(roles, late, time.monotonic() * 1000, reference)
            if not moves:
                return result
            moves_done += len(moves)
            log.info(
                "aligning decks to %s: %s",
                roles.audible.name,
                ", ".join(f"{name} {ms:+.1f} ms" for name, ms in late.items()),
            )
            for move in moves:
                if move.seek_to_ms is not None:
                    move.deck.seek(move.seek_to_ms)
            muted_holds = [
                (m.deck, m.hold_ms) for m in moves if m.hold_ms and m.deck is roles.muted
            ]
            hold_all(muted_holds)
            picture_holds = [
                (m.deck, m.hold_ms) for m in moves if m.hold_ms and m.deck is roles.picture
            ]
            for deck, _ms in picture_holds:
                deck.set_pause(True)
        if picture_holds:
            _deck, hold_ms = picture_holds[0]
            time.sleep(hold_ms / 1000)
            with lock:
                if roles_now() is not None:
                    for deck, _ms in picture_holds:
                        deck.set_pause(False)
    return result


def hold_muted_by_server_lag(
    roles_now: Callable[[], Roles | None], lock: threading.RLock, audio_lag_ms: AudioLag
) -> float | None:
    """Right after a start or seek, before the clocks can be measured (libVLC's time moves
    every ~250 ms): ask the audio server how much later the muted deck is heard than the
    audible one, and hold it back if it is ahead. Returns the lag read (ms), or None."""
    with lock:
        roles = roles_now()
    if roles is None or roles.muted is None:
        return None
    lag = audio_lag_ms(roles.muted, roles.audible)
    if lag is None:
        return None
    with lock:
        early = -lag
        if roles_now() == roles and settings.shadow_align_tolerance_ms < early:
            log.info("holding %s back %.1f ms (audio server)", roles.muted.name, early)
            hold_all([(roles.muted, min(early, settings.align_max_hold_ms))])
    return lag
