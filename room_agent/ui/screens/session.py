"""The ordering area while a session is open: a top bar (room, tabs, offline badge, clock,
language), the current screen, and a bottom bar whose playback controls are always one tap
away."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import StringProperty
from kivy.uix.screenmanager import NoTransition, Screen

from room_agent.ui import settings
from room_agent.ui.screens.home import HomeScreen
from room_agent.ui.screens.locked import local_clock
from room_agent.ui.screens.now_playing import NowPlayingScreen
from room_agent.ui.screens.queue import QueueScreen
from room_agent.ui.screens.search import SearchScreen
from room_agent.ui.screens.service import ServiceScreen
from room_agent.ui.screens.singers import SingerSongsScreen, SingersScreen

TABS = ("home", "search", "singers", "queue", "now_playing", "service")


class SessionView(Screen):
    clock = StringProperty("")
    current_tab = StringProperty("home")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clock = local_clock()
        Clock.schedule_interval(self._tick, settings.clock_tick_interval_s)
        content = self.ids.content
        content.transition = NoTransition()
        self.screens = {
            "home": HomeScreen(name="home"),
            "search": SearchScreen(name="search"),
            "singers": SingersScreen(name="singers"),
            "singer": SingerSongsScreen(name="singer"),
            "queue": QueueScreen(name="queue"),
            "now_playing": NowPlayingScreen(name="now_playing"),
            "service": ServiceScreen(name="service"),
        }
        for screen in self.screens.values():
            content.add_widget(screen)
        content.current = "home"

    def _tick(self, dt: float) -> None:
        self.clock = local_clock()

    def reset(self) -> None:
        """A new session: clear what the last guests typed and picked, back to home."""
        for screen in self.screens.values():
            reset = getattr(screen, "reset", None)
            if reset is not None:
                reset()
        self.app().toast = ""
        self.go("home")

    def go(self, name: str) -> None:
        self.ids.content.current = name
        self.current_tab = "singers" if name == "singer" else name

    # --- shortcuts other screens use -------------------------------------------------------

    def search_language(self, language: str) -> None:
        self.screens["search"].set_language(language)
        self.go("search")

    def browse_singers(self, kind: str) -> None:
        self.screens["singers"].set_kind(kind)
        self.go("singers")

    def show_singer(self, name: str) -> None:
        self.screens["singer"].show(name)
        self.go("singer")

    def queue_action(self, action: str, entry_id: str, position: int = 0) -> None:
        self.screens["queue"].act(action, entry_id, position)

    def service_changed(self) -> None:
        self.screens["service"].refresh_calls()

    @staticmethod
    def app() -> Any:
        return App.get_running_app()
