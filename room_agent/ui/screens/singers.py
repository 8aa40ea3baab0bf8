"""Singer browse (categories + initials) and one singer's songs."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.screenmanager import Screen

from room_agent.ui import settings
from room_agent.ui.port import FOREIGN, SearchRequest, SingerEntry
from room_agent.ui.screens.paged import PagedSongs

KINDS = ("", "male", "female", "group", "band", FOREIGN)


class SingersScreen(Screen):
    kind = StringProperty("")
    initials = StringProperty("")
    loaded = NumericProperty(-1)
    _foreign_warmed = False

    def on_kv_post(self, base_widget: Any) -> None:
        self.ids.keyboard.bind(query=self._typed)

    def on_pre_enter(self, *args: Any) -> None:
        if self.loaded < 0:
            self.reload()
        if not self._foreign_warmed:
            # the catalog works out who is foreign once per version (seconds at 1M songs):
            # start it in the background as soon as the guest opens singer browse
            self._foreign_warmed = True
            app = App.get_running_app()
            app.run_async(lambda: app.catalog.singers("", FOREIGN), lambda result, error: None)

    def reset(self) -> None:
        self.ids.keyboard.query = ""
        self.kind = ""
        self.loaded = -1

    def _typed(self, keyboard: Any, query: str) -> None:
        self.initials = query
        self.reload()

    def set_kind(self, kind: str) -> None:
        self.kind = kind
        self.reload()

    def reload(self) -> None:
        app = App.get_running_app()
        initials, kind = self.initials, self.kind or None

        def load() -> tuple[SingerEntry, ...]:
            return app.catalog.singers(initials, kind)[: settings.singer_page_limit]

        def done(singers: tuple[SingerEntry, ...] | None, error: Exception | None) -> None:
            if (initials, kind) != (self.initials, self.kind or None):
                return  # the guest typed on; a newer load answers
            rows = singers or ()
            self.ids.grid.data = [{"name": s.name, "count": s.song_count} for s in rows]
            self.loaded = len(rows)

        app.run_async(load, done)


class SingerSongsScreen(PagedSongs):
    singer = StringProperty("")

    def show(self, name: str) -> None:
        self.singer = name
        self.clear_results()
        self.ask(SearchRequest(artist=name, limit=settings.search_result_limit))
