"""The ordering area while a session is open: a top bar (room, tabs, offline badge, clock,
language), the current screen, and a bottom bar whose playback controls are always one tap
away."""

from __future__ import annotations

import gc
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
SCREENS: dict[str, type[Screen]] = {
    "home": HomeScreen,
    "search": SearchScreen,
    "singers": SingersScreen,
    "singer": SingerSongsScreen,
    "queue": QueueScreen,
    "now_playing": NowPlayingScreen,
    "service": ServiceScreen,
}


class LazyScreens(dict):
    """Screens built on first use: start-up builds only the home screen (a KTV keyboard is
    ~40 buttons; building every screen up front doubled the cold start)."""

    def __init__(self, manager: Any) -> None:
        super().__init__()
        self._manager = manager

    def __missing__(self, name: str) -> Screen:
        screen = SCREENS[name](name=name)
        self[name] = screen
        self._manager.add_widget(screen)
        # a screen lives as long as the app: out of the GC's walks like the start-up heap
        # (room_agent.ui.memory), once its first frames have made its keys and rows; a bare
        # freeze (no collection) costs its frame nothing
        Clock.schedule_once(lambda dt: gc.freeze(), settings.freeze_screen_after_s)
        return screen


class SessionView(Screen):
    clock = StringProperty("")
    current_tab = StringProperty("home")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clock = local_clock()
        Clock.schedule_interval(self._tick, settings.clock_tick_interval_s)
        self.ids.content.transition = NoTransition()
        self.screens = LazyScreens(self.ids.content)
        self.ids.content.current = self.screens["home"].name

    def _tick(self, dt: float) -> None:
        self.clock = local_clock()

    def reset(self) -> None:
        """A new session: clear what the last guests typed and picked, back to home."""
        for screen in list(self.screens.values()):
            reset = getattr(screen, "reset", None)
            if reset is not None:
                reset()
        self.app().toast = ""
        self.go("home")

    def go(self, name: str) -> None:
        self.ids.content.current = self.screens[name].name
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
        if "service" in self.screens:  # not built yet: it reads the calls when first shown
            self.screens["service"].refresh_calls()

    @staticmethod
    def app() -> Any:
        return App.get_running_app()
