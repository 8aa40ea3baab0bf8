"""The room as the front desk runs it: the session, the business state, the emergency, the
desk's messages, and the screen they decide (locked, open, cleaning, 到钟, ...).

Owned by ``RoomCore`` and called under its lock. Opening and closing a session, cleaning and
an emergency start and stop songs through the playback controller; nothing here touches
the player except to stop it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ktv.errors import FailedPrecondition
from room_agent.core import settings
from room_agent.core.events import (
    EmergencyChanged,
    GuestUrlChanged,
    MessageChanged,
    PlaybackChanged,
    RoomScreen,
    ScreenChanged,
)
from room_agent.core.ports import (
    Emergency,
    PlayerState,
    PlayOutcome,
    RoomState,
    SessionClosed,
    SessionOpened,
)

if TYPE_CHECKING:
    from room_agent.core.room import RoomCore

log = logging.getLogger(__name__)

DEFAULT_EVACUATION_MESSAGE = (
    "紧急情况，请保持冷静，按指示有序疏散 / Emergency: please evacuate calmly"
)


class RoomStateController:
    """Owns: the open session's name, the business state, the emergency (and whether the song
    it paused resumes after it), the message on screen, and the screen."""

    def __init__(self, core: RoomCore) -> None:
        self._core = core
        self.session = ""  # sessions/{id}, "" when none is open
        self.guest_url = ""  # the QR code's URL for guests' phones, from the controller
        self.business = RoomState.IDLE
        self.emergency = False
        self.emergency_message = ""
        self.resume_after_emergency = False  # the prepaid-time controller may take it over
        self.screen = RoomScreen.LOCKED
        self.message = ""
        self._message_until_s = 0.0

    # --- what the other controllers ask ----------------------------------------------------
    @property
    def can_play(self) -> bool:
        return self.screen is RoomScreen.OPEN

    def require_open(self) -> None:
        if self.emergency:
            raise FailedPrecondition("emergency: the room is stopped", reason="EMERGENCY")
        if self.screen is RoomScreen.TIME_UP:
            raise FailedPrecondition("time is up: extend (续钟) to go on", reason="TIME_UP")
        if self.screen is not RoomScreen.OPEN:
            raise FailedPrecondition("the room is locked", reason="ROOM_LOCKED")

    def update_screen(self) -> None:
        if self.emergency:
            screen = RoomScreen.EMERGENCY
        elif self.business is RoomState.CLEANING:
            screen = RoomScreen.CLEANING
        elif self.business is RoomState.MAINTENANCE:
            screen = RoomScreen.MAINTENANCE
        elif self.session and self._core.prepaid.is_up:
            screen = RoomScreen.TIME_UP
        elif self.session:
            screen = RoomScreen.OPEN
        else:
            screen = RoomScreen.LOCKED
        if screen is not self.screen:
            self.screen = screen
            self._core.send(ScreenChanged(screen, screen is not RoomScreen.OPEN))

    # --- messages ------------------------------------------------------------------------
    def show(self, text: str, duration_s: int = 0) -> None:
        self.message = text
        self._message_until_s = self._core.now_s() + (duration_s or settings.default_message_s)
        self._core.send(MessageChanged(text))

    def dismiss_message(self) -> None:
        if self.message:
            self.message = ""
            self._core.send(MessageChanged(""))

    def tick(self, now_s: float) -> None:
        if self.message and now_s >= self._message_until_s:
            self.dismiss_message()

    # --- commands from the desk ------------------------------------------------------------
    def open_session(self, command: SessionOpened) -> None:
        core = self._core
        if command.session == self.session:
            core.prepaid.set_after_end(command.continues_after_end)
            core.prepaid.set_end(command.end_time)  # 续钟 or a reconnect: the current end
            self._set_guest_url(command.guest_url)  # a revoked code's successor
            return
        if self.session:
            self.close_session(SessionClosed(self.session))
        self.session = command.session
        core.prepaid.set_after_end(command.continues_after_end)
        core.prepaid.set_end(command.end_time)
        self.business = RoomState.IN_USE
        self._set_guest_url(command.guest_url)
        core.queue.forget_history()  # pre-booked songs already queued stay
        self.update_screen()
        core.queue.changed()
        core.playback.advance()

    def _set_guest_url(self, url: str) -> None:
        if url != self.guest_url:
            self.guest_url = url
            self._core.send(GuestUrlChanged(url))

    def close_session(self, command: SessionClosed) -> None:
        core = self._core
        if not self.session:
            return
        if command.session and command.session != self.session:
            log.warning("ignoring close of %s: %s is open", command.session, self.session)
            return
        core.playback.finish(PlayOutcome.STOPPED)
        core.queue.reset_session()
        self.session = ""
        self._set_guest_url("")
        core.prepaid.closed()
        if self.business is RoomState.IN_USE:
            self.business = RoomState.IDLE
        core.player.stop()
        self.update_screen()
        core.send(PlaybackChanged(PlayerState.STOPPED))
        core.queue.changed()

    def set_business(self, state: RoomState) -> None:
        core = self._core
        if state is self.business:
            return
        self.business = state
        if state in (RoomState.CLEANING, RoomState.MAINTENANCE):
            core.playback.finish(PlayOutcome.STOPPED)
            core.player.stop()
        self.update_screen()
        core.memory.save()
        core.playback.advance()

    def set_emergency(self, command: Emergency) -> None:
        playback = self._core.playback
        if command.active:
            message = command.message or DEFAULT_EVACUATION_MESSAGE
            if not self.emergency:
                self.resume_after_emergency = playback.hold()
                self.emergency = True
            self.emergency_message = message
            self._send_emergency()
            self.update_screen()
            return
        if not self.emergency:
            return
        self.emergency = False
        self.emergency_message = ""
        self._send_emergency()
        self.update_screen()
        if self.resume_after_emergency and self.can_play:
            playback.unhold()
        self.resume_after_emergency = False

    def _send_emergency(self) -> None:
        self._core.send(EmergencyChanged(self.emergency, self.emergency_message))
