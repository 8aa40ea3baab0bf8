"""Prepaid time for ``RoomCore``: the badge, the warnings, the fade-out at 到钟, the resume
after 续钟, and the guest's request for more time.

The room enforces its end time from its own UTC clock and its saved copy of the session, so
a room whose controller is unreachable still stops on time (or after the venue's grace). The
controller stays the authority on the end: a later end (from 续钟, a room move or a
reconnect) lifts the time-up at once. Owned by ``RoomCore``; always called under its lock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ktv.errors import FailedPrecondition, Unavailable
from room_agent.core.events import RoomScreen, TimeLeftChanged, TimeUpChanged, TimeWarning
from room_agent.core.persistence import NowPlaying, RoomSnapshot
from room_agent.core.ports import ServiceCalled
from room_agent.core.time_left import PrepaidTime, TimeEvent, TimeLeft, TimePolicy, TimeSignal

if TYPE_CHECKING:
    from room_agent.core.room import RoomCore

log = logging.getLogger(__name__)

__all__ = [  # the time events live with the core's other events; re-exported for old imports
    "EXTEND_KIND",
    "ExtensionRequest",
    "PrepaidTimeController",
    "TimeLeftChanged",
    "TimeUpChanged",
    "TimeWarning",
]

EXTEND_KIND = "extend"


@dataclass(frozen=True)
class ExtensionRequest:
    """A guest's 续钟 request to the desk; ``new`` is False for a repeat press."""

    event_id: str
    note: str
    new: bool


@dataclass
class _Fade:
    started_s: float
    from_percent: int


class PrepaidTimeController:
    """Owns: the room's copy of its end time and the plan's after-end policy (``PrepaidTime``),
    the fade at 到钟, whether 到钟 paused the song, the 续钟 request waiting for the desk, and
    the last badge sent."""

    def __init__(self, core: RoomCore, policy: TimePolicy) -> None:
        self._core = core
        self._prepaid = PrepaidTime(policy)
        self._fade: _Fade | None = None
        self._paused_by_time = False  # the song was paused by 到钟 (a 续钟 resumes it)
        self.pending: ExtensionRequest | None = None  # a 续钟 request the desk has not answered
        self._badge: object = None

    @property
    def ends_at(self) -> datetime | None:
        """The session's end (UTC), None for pay-at-checkout."""
        return self._prepaid.ends_at

    @property
    def continues(self) -> bool:
        return self._prepaid.continues

    @property
    def is_up(self) -> bool:
        return self._prepaid.is_up

    # --- the desk and the room's session ----------------------------------------------------
    def set_after_end(self, continues: bool | None) -> None:
        """The plan's after-end policy from the desk (None: not said, keep ours)."""
        if continues is None:
            return
        self._events(self._prepaid.set_continues(continues, self._core.utcnow()))
        self._send_badge(force=True)
        self._core.memory.save()

    def set_end(self, ends_at: datetime | None) -> None:
        """A (possibly new) end time from the controller."""
        if ends_at == self._prepaid.ends_at:
            return
        self.pending = None
        self._events(self._prepaid.set_end(ends_at, self._core.utcnow()))
        self._send_badge(force=True)
        self._core.memory.save()

    def closed(self) -> None:
        self._prepaid.forget()
        self._fade = None
        self._paused_by_time = False
        self.pending = None
        self._badge = None

    def restore(self, snapshot: RoomSnapshot) -> None:
        self._prepaid.restore(
            snapshot.session_ends_at, self._core.utcnow(), snapshot.session_continues
        )
        self.pending = (
            ExtensionRequest(snapshot.extension_event_id, snapshot.extension_note, new=False)
            if snapshot.extension_event_id
            else None
        )

    def holds(self, playing: NowPlaying | None) -> bool:
        """At restore: the song that was on when time ran out comes back paused at its
        place (a 续钟 resumes it), not back into the queue."""
        hold = playing is not None and self._core.room.screen is RoomScreen.TIME_UP
        self._paused_by_time = hold
        return hold

    def tick(self, now_s: float) -> None:
        if self._core.room.session:
            self._events(self._prepaid.poll(self._core.utcnow()))
            self._send_badge()
        if self._fade is not None:
            self._fade_step(now_s)

    # --- what the screens read and ask --------------------------------------------------
    def time_left(self) -> TimeLeft:
        return self._prepaid.at(self._core.utcnow())

    def request_extension(self, note: str = "") -> ExtensionRequest:
        """续钟 button: asks the desk (a ServiceCalled of kind "extend" through the outbox).
        Pressing again before the desk answers sends nothing more, also after an agent
        restart (the pending request is part of the saved room)."""
        core = self._core
        if not core.room.session:
            raise FailedPrecondition("no session is open", reason="ROOM_LOCKED")
        if core.room.emergency:
            raise FailedPrecondition("emergency: the room is stopped", reason="EMERGENCY")
        pending = self.pending
        if pending is not None:
            return ExtensionRequest(pending.event_id, pending.note, new=False)
        try:
            event_id = core.sink.emit(ServiceCalled(EXTEND_KIND, note), core.utcnow())
        except Exception as exc:
            log.exception("could not store the extension request")
            raise Unavailable("could not send the request: please call the desk") from exc
        request = ExtensionRequest(event_id, note, new=True)
        self.pending = request
        core.memory.save()
        return request

    # --- internals ----------------------------------------------------------------------
    def _events(self, events: list[TimeEvent]) -> None:
        for event in events:
            if event.signal is TimeSignal.WARNING and self._prepaid.ends_at is not None:
                self._core.send(TimeWarning(event.minutes, self._prepaid.ends_at))
                self._core.room.show(
                    f"还剩 {event.minutes} 分钟，如需续钟请按续钟 / {event.minutes} min left"
                )
            elif event.signal is TimeSignal.TIME_UP:
                self._time_up()
            elif event.signal is TimeSignal.EXTENDED:
                self._extended()

    def _send_badge(self, *, force: bool = False) -> None:
        left = self._prepaid.at(self._core.utcnow())
        key = (left.phase, left.minutes_left, left.ends_at)
        if force or key != self._badge:
            self._badge = key
            self._core.send(TimeLeftChanged(left))

    def _time_up(self) -> None:
        core = self._core
        log.info("time is up for %s (end %s)", core.room.session, self._prepaid.ends_at)
        core.room.update_screen()
        current = core.playback.current
        if current is not None and not current.paused:
            if core.mixer.muted or self._prepaid.policy.fade_ms == 0:
                self._pause()
            else:
                self._fade = _Fade(core.now_s(), core.mixer.audible_percent)
        elif current is not None and core.room.emergency:
            self._pause()  # paused by the emergency: time now holds the resume
        core.send(TimeUpChanged(True, self._prepaid.ends_at))
        self._send_badge(force=True)
        core.memory.save()

    def _fade_step(self, now_s: float) -> None:
        fade = self._fade
        assert fade is not None
        fade_s = self._prepaid.policy.fade_ms / 1000.0
        done = (now_s - fade.started_s) / fade_s if fade_s > 0 else 1.0
        if done >= 1.0 or self._core.playback.current is None:
            self._fade = None
            self._pause()
            return
        self._core.player.set_volume(round(fade.from_percent * (1.0 - done)))

    def _pause(self) -> None:
        core = self._core
        current = core.playback.current
        if current is not None and not current.paused:
            core.playback.hold()
            self._paused_by_time = True
        elif current is not None and core.room.emergency and core.room.resume_after_emergency:
            core.room.resume_after_emergency = False  # the end of the emergency must not resume
            self._paused_by_time = True  # a 续钟 will
        core.mixer.reapply()
        core.memory.save()

    def _extended(self) -> None:
        core = self._core
        log.info("time extended for %s to %s", core.room.session, self._prepaid.ends_at)
        if self._fade is not None:  # the extension beat the fade: back to full volume
            self._fade = None
            core.mixer.reapply()
        core.room.update_screen()
        core.send(TimeUpChanged(False, self._prepaid.ends_at))
        current = core.playback.current
        if current is not None and self._paused_by_time:
            if core.room.can_play:
                core.playback.unhold()
            elif core.room.emergency:
                core.room.resume_after_emergency = True  # resume when the emergency ends
        self._paused_by_time = False
        core.playback.advance()
