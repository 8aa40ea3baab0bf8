"""A screen whose song list comes from the catalog a page at a time: the first page on a new
search, the next page when the guest scrolls near the end. Only the newest request answers."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from kivy.app import App
from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.screenmanager import Screen

from room_agent.ui import settings
from room_agent.ui.port import SearchRequest, SongPage
from room_agent.ui.search_worker import Answer
from room_agent.ui.widgets.song_list import song_rows

log = logging.getLogger(__name__)


class PagedSongs(Screen):
    """Subclasses have a ``SongList`` with id ``results`` and call ``ask(request)``."""

    total = NumericProperty(-1)  # -1 until the first answer
    capped = BooleanProperty(False)
    last_elapsed_s = NumericProperty(0.0)
    last_request: SearchRequest | None = None
    shown_request: SearchRequest | None = None

    def on_kv_post(self, base_widget: Any) -> None:
        self.ids.results.bind(scroll_y=self._scrolled)

    def ask(self, request: SearchRequest) -> None:
        """A new search (first page) or the next page of the current one."""
        self.last_request = request
        App.get_running_app().search(request, self.show_results)

    def clear_results(self) -> None:
        self.total = -1
        self.last_request = None
        self.ids.results.data = []

    def _scrolled(self, results: Any, scroll_y: float) -> None:
        shown = len(results.data)
        request = self.last_request
        if (
            scroll_y > settings.load_more_at_scroll_y
            or request is None
            or shown >= self.total
            or request.offset >= shown  # that page is already asked for
        ):
            return
        self.ask(replace(request, offset=shown))

    def show_results(self, answer: Answer[SearchRequest, SongPage]) -> None:
        if answer.request != self.last_request:
            return  # the guest typed on: a newer search will answer
        self.last_elapsed_s = answer.elapsed_s
        self.shown_request = answer.request
        if answer.error is not None or answer.result is None:
            log.warning("search %r failed: %s", answer.request, answer.error)
            self.ids.results.data = []
            self.total = 0
            return
        app = App.get_running_app()
        page = answer.result
        rows = song_rows(page.songs, app.language, first_index=answer.request.offset)
        if answer.request.offset:
            self.ids.results.data = [*self.ids.results.data, *rows]
        else:
            self.ids.results.data = rows
            self.ids.results.scroll_y = 1
        self.capped = page.capped
        self.total = page.total
