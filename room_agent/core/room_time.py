"""Prepaid time for ``RoomCore``: the badge, the warnings, the fade-out at 到钟, the resume
after 续钟, and the guest's request for more time.

The room enforces its end time from its own UTC clock and its saved copy of the session, so
a room whose controller is unreachable still stops on time (or after the venue's grace). The
controller stays the authority on the end: a later end (from 续钟, a room move or a
reconnect) lifts the time-up at once. A mixin; always called under the core's lock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from ktv.errors import FailedPrecondition, Unavailable
from room_agent.core.events import PlaybackChanged, RoomScreen
from room_agent.core.persistence import NowPlaying
from room_agent.core.ports import PlayerState, ServiceCalled
from room_agent.core.time_left import PrepaidTime, TimeEvent, TimeLeft, TimePolicy, TimeSignal

if TYPE_CHECKING:
    from room_agent.core.room import RoomCore

log = logging.getLogger(__name__)

EXTEND_KIND = "extend"


@dataclass(frozen=True)
class TimeLeftChanged:
    """The badge changed (a minute passed, a phase changed, a new end time)."""

    name: ClassVar[str] = "time_left"
    time_left: TimeLeft


@dataclass(frozen=True)
class TimeWarning:
    """N minutes left: both screens show it over whatever is on; the song goes on."""

    name: ClassVar[str] = "time_warning"
    minutes: int
    ends_at: datetime


@dataclass(frozen=True)
class TimeUpChanged:
    """到钟 (up=True): the song fades out and the time-up screen replaces the queue;
    up=False after an extension."""

    name: ClassVar[str] = "time_up"
    up: bool
    ends_at: datetime | None


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


class TimeMixin:
    # --- hooks called by the rest of the core -------------------------------------------
    def _time_init(self: RoomCore, policy: TimePolicy) -> None:
        self._prepaid = PrepaidTime(policy)
        self._fade: _Fade | None = None
        self._paused_by_time = False  # the song was paused by 到钟 (a 续钟 resumes it)
        self._extension_pending: ExtensionRequest | None = None
        self._badge: object = None

    def _time_set_after_end(self: RoomCore, continues: bool | None) -> None:
        """The plan's after-end policy from the desk (None: not said, keep ours)."""
        if continues is None:
            return
        self._time_events(self._prepaid.set_continues(continues, self._utcnow()))
        self._time_badge(force=True)
        self._save()

    def _time_set_end(self: RoomCore, ends_at: datetime | None) -> None:
        """A (possibly new) end time from the controller."""
        if ends_at == self._prepaid.ends_at:
            return
        self._session_ends_at = ends_at
        self._extension_pending = None
        events = self._prepaid.set_end(ends_at, self._utcnow())
        self._time_events(events)
        self._time_badge(force=True)
        self._save()

    def _time_closed(self: RoomCore) -> None:
        self._prepaid.forget()
        self._fade = None
        self._paused_by_time = False
        self._extension_pending = None
        self._badge = None

    def _time_restore(
        self: RoomCore,
        ends_at: datetime | None,
        continues: bool = False,
        pending: ExtensionRequest | None = None,
    ) -> None:
        self._prepaid.restore(ends_at, self._utcnow(), continues)
        self._extension_pending = pending  # a 续钟 request the desk has not answered yet

    def _time_holds(self: RoomCore, playing: NowPlaying | None) -> bool:
        """At restore: the song that was on when time ran out comes back paused at its
        place (a 续钟 resumes it), not back into the queue."""
        hold = playing is not None and self._screen is RoomScreen.TIME_UP
        self._paused_by_time = hold
        return hold

    def _time_tick(self: RoomCore, now_s: float) -> None:
        if self._session:
            self._time_events(self._prepaid.poll(self._utcnow()))
            self._time_badge()
        if self._fade is not None:
            self._fade_step(now_s)

    # --- what the screens read and ask --------------------------------------------------
    def time_left(self: RoomCore) -> TimeLeft:
        with self._lock:
            return self._prepaid.at(self._utcnow())

    def pending_extension(self: RoomCore) -> ExtensionRequest | None:
        """The 续钟 request waiting for the desk (kept across restarts), if any."""
        with self._lock:
            return self._extension_pending

    def request_extension(self: RoomCore, note: str = "") -> ExtensionRequest:
        """续钟 button: asks the desk (a ServiceCalled of kind "extend" through the outbox).
        Pressing again before the desk answers sends nothing more, also after an agent
        restart (the pending request is part of the saved room)."""
        with self._lock:
            if not self._session:
                raise FailedPrecondition("no session is open", reason="ROOM_LOCKED")
            if self._emergency:
                raise FailedPrecondition("emergency: the room is stopped", reason="EMERGENCY")
            pending = self._extension_pending
            if pending is not None:
                return ExtensionRequest(pending.event_id, pending.note, new=False)
            try:
                event_id = self._sink.emit(ServiceCalled(EXTEND_KIND, note), self._utcnow())
            except Exception as exc:
                log.exception("could not store the extension request")
                raise Unavailable("could not send the request: please call the desk") from exc
            request = ExtensionRequest(event_id, note, new=True)
            self._extension_pending = request
            self._save()
            return request

    # --- internals ----------------------------------------------------------------------
    def _time_events(self: RoomCore, events: list[TimeEvent]) -> None:
        for event in events:
            if event.signal is TimeSignal.WARNING and self._prepaid.ends_at is not None:
                self._send(TimeWarning(event.minutes, self._prepaid.ends_at))
                self._show(
                    f"还剩 {event.minutes} 分钟，如需续钟请按续钟 / {event.minutes} min left"
                )
            elif event.signal is TimeSignal.TIME_UP:
                self._time_up()
            elif event.signal is TimeSignal.EXTENDED:
                self._time_extended()

    def _time_badge(self: RoomCore, *, force: bool = False) -> None:
        left = self._prepaid.at(self._utcnow())
        key = (left.phase, left.minutes_left, left.ends_at)
        if force or key != self._badge:
            self._badge = key
            self._send(TimeLeftChanged(left))

    def _time_up(self: RoomCore) -> None:
        log.info("time is up for %s (end %s)", self._session, self._prepaid.ends_at)
        self._update_screen()
        current = self._current
        if current is not None and not current.paused:
            if self._muted or self._prepaid.policy.fade_ms == 0:
                self._pause_for_time()
            else:
                self._fade = _Fade(self._now_s(), min(self._volume, self._volume_cap))
        elif current is not None and self._emergency:
            self._pause_for_time()  # paused by the emergency: time now holds the resume
        self._send(TimeUpChanged(True, self._prepaid.ends_at))
        self._time_badge(force=True)
        self._save()

    def _fade_step(self: RoomCore, now_s: float) -> None:
        fade = self._fade
        assert fade is not None
        fade_s = self._prepaid.policy.fade_ms / 1000.0
        done = (now_s - fade.started_s) / fade_s if fade_s > 0 else 1.0
        if done >= 1.0 or self._current is None:
            self._fade = None
            self._pause_for_time()
            return
        self._player.set_volume(round(fade.from_percent * (1.0 - done)))

    def _pause_for_time(self: RoomCore) -> None:
        current = self._current
        if current is not None and not current.paused:
            self._player.pause()
            current.pause(self._now_s())
            self._paused_by_time = True
            self._send(PlaybackChanged(PlayerState.PAUSED))
        elif current is not None and self._emergency and self._resume_after_emergency:
            self._resume_after_emergency = False  # the end of the emergency must not resume
            self._paused_by_time = True  # a 续钟 will
        self._player.set_volume(min(self._volume, self._volume_cap))
        self._save()

    def _time_extended(self: RoomCore) -> None:
        log.info("time extended for %s to %s", self._session, self._prepaid.ends_at)
        if self._fade is not None:  # the extension beat the fade: back to full volume
            self._fade = None
            self._player.set_volume(min(self._volume, self._volume_cap))
        self._update_screen()
        self._send(TimeUpChanged(False, self._prepaid.ends_at))
        current = self._current
        if current is not None and self._paused_by_time:
            if self._can_play():
                self._player.resume()
                current.resume(self._now_s())
                self._send(PlaybackChanged(PlayerState.PLAYING))
            elif self._emergency:
                self._resume_after_emergency = True  # resume when the emergency ends
        self._paused_by_time = False
        self._advance()
