"""The top of the widget tree: which full-screen mode the room is in.

EMERGENCY overrides everything; LOCKED, CLEANING and MAINTENANCE show the welcome/state
screen; OPEN shows the ordering screens (``SessionView``).
"""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.uix.screenmanager import NoTransition

from room_agent.ui.port import RoomMode, TouchscreenRoom
from room_agent.ui.screens import home, locked, now_playing, queue, search, service, session
from room_agent.ui.screens import singers as singers_screen
from room_agent.ui.widgets.clipping import ScreenSwitcher

_ = (home, search, singers_screen, queue, now_playing, service)  # register widget classes

MODE_SCREEN = {
    RoomMode.OPEN: "open",
    RoomMode.LOCKED: "locked",
    RoomMode.CLEANING: "locked",
    RoomMode.MAINTENANCE: "locked",
    RoomMode.EMERGENCY: "emergency",
    RoomMode.TIME_UP: "open",  # 到钟: the ordering screens stay under the time-up overlay
}


class RootView(ScreenSwitcher):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(transition=NoTransition(), **kwargs)
        self.session = session.SessionView(name="open")
        self.locked = locked.LockedScreen(name="locked")
        self.emergency = locked.EmergencyScreen(name="emergency")
        for screen in (self.locked, self.session, self.emergency):
            self.add_widget(screen)
        self.current = "locked"
        app = App.get_running_app()
        app.bind(room_view=self._on_room)
        if app.room_view is not None:
            self._on_room(app, app.room_view)

    def _on_room(self, app: Any, view: TouchscreenRoom | None) -> None:
        if view is None:
            return
        self.locked.show(view)
        self.emergency.show(view)
        target = MODE_SCREEN[view.mode]
        if target == "open" and self.current != "open":
            self.session.reset()
        self.current = target

    def go(self, screen: str) -> None:
        self.session.go(screen)

    def service_changed(self) -> None:
        self.session.service_changed()
