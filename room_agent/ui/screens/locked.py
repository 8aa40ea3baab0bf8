"""The welcome screen when no session is open (also cleaning and maintenance), and the
emergency screen that overrides everything."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen

from room_agent.ui import i18n, settings
from room_agent.ui.port import RoomMode, TouchscreenRoom
from room_agent.ui.qr import qr_texture

HEADLINE = {
    RoomMode.LOCKED: ("welcome", "locked_hint"),
    RoomMode.CLEANING: ("cleaning", "cleaning_hint"),
    RoomMode.MAINTENANCE: ("maintenance", "maintenance_hint"),
    RoomMode.OPEN: ("welcome", "locked_hint"),
    RoomMode.TIME_UP: ("welcome", "locked_hint"),
    RoomMode.EMERGENCY: ("emergency", "emergency_hint"),
}


def local_clock() -> str:
    return datetime.now().astimezone().strftime("%H:%M")


class LockedScreen(Screen):
    mode = ObjectProperty(RoomMode.LOCKED, rebind=True)
    room_name = StringProperty("")
    tier = StringProperty("")
    venue_message = StringProperty("")
    clock = StringProperty("")
    qr = ObjectProperty(None, allownone=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._qr_data = ""
        self.clock = local_clock()
        Clock.schedule_interval(self._tick, settings.clock_tick_interval_s)

    def _tick(self, dt: float) -> None:
        self.clock = local_clock()

    def show(self, view: TouchscreenRoom) -> None:
        self.mode = view.mode
        self.room_name = view.display_name or view.room_id
        self.tier = view.tier
        self.venue_message = view.venue_message
        if view.mode in (RoomMode.OPEN, RoomMode.TIME_UP):
            return  # the welcome screen is not shown: its QR code can wait until it is
        if view.booking_url and view.booking_url != self._qr_data:
            self._qr_data = view.booking_url
            self.qr = qr_texture(view.booking_url)

    def headline(self, mode: RoomMode, lang: str) -> str:
        return i18n.text(HEADLINE[mode][0], i18n.Language(lang))

    def hint(self, mode: RoomMode, lang: str) -> str:
        return i18n.text(HEADLINE[mode][1], i18n.Language(lang))

    def tier_name(self, tier: str, lang: str) -> str:
        return i18n.tier_name(tier, i18n.Language(lang))


class EmergencyScreen(Screen):
    message = StringProperty("")

    def show(self, view: TouchscreenRoom) -> None:
        self.message = view.emergency_message

    def app(self) -> Any:
        return App.get_running_app()
