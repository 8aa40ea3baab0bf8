"""Search: the KTV keyboard on the left, results on the right, updated on every key press.

Each key press submits a search to the app's latest-wins worker (off the UI thread); the
results come back through the clock into a RecycleView.
"""

from __future__ import annotations

import logging
from typing import Any

from kivy.app import App
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.screenmanager import Screen

from room_agent.ui import i18n, settings
from room_agent.ui.port import SearchRequest, SongPage
from room_agent.ui.search_worker import Answer
from room_agent.ui.widgets.song_list import song_rows

log = logging.getLogger(__name__)

LANGUAGES = ("", "mandarin", "cantonese", "english", "japanese", "korean", "hokkien")
CHAR_COUNTS = (0, 1, 2, 3, 4, 5, 6, 7)  # 0 = any; 7 shown as "7字+"


class SearchScreen(Screen):
    query = StringProperty("")
    language = StringProperty("")  # "" = all languages
    char_count = NumericProperty(0)  # 0 = any
    total = NumericProperty(-1)  # -1 until the first answer
    capped = BooleanProperty(False)
    last_request = None
    last_elapsed_s = NumericProperty(0.0)

    def on_kv_post(self, base_widget: Any) -> None:
        self.ids.keyboard.bind(query=self._typed)

    def on_pre_enter(self, *args: Any) -> None:
        if self.total < 0:
            self.request_search()

    def reset(self) -> None:
        self.ids.keyboard.query = ""
        self.ids.keyboard.mode = "initials"
        self.language = ""
        self.char_count = 0
        self.total = -1
        self.ids.results.data = []

    def _typed(self, keyboard: Any, query: str) -> None:
        self.query = query
        self.request_search()

    def set_language(self, language: str) -> None:
        self.language = language
        self.request_search()

    def set_char_count(self, count: int) -> None:
        self.char_count = count
        self.request_search()

    def request_search(self) -> None:
        request = SearchRequest(
            query=self.query.strip(),
            language=self.language or None,
            char_count=self.char_count or None,
            limit=settings.search_result_limit,
        )
        self.last_request = request
        App.get_running_app().search(request, self.show_results)

    def show_results(self, answer: Answer[SearchRequest, SongPage]) -> None:
        if answer.request != self.last_request:
            return
        self.last_elapsed_s = answer.elapsed_s
        self._shown_request = answer.request
        if answer.error is not None or answer.result is None:
            log.warning("search %r failed: %s", answer.request, answer.error)
            self.ids.results.data = []
            self.total = 0
            return
        app = App.get_running_app()
        self.ids.results.data = song_rows(answer.result.songs, app.language)
        self.ids.results.scroll_y = 1
        self.capped = answer.result.capped
        self.total = answer.result.total

    # --- labels for the filter spinners ------------------------------------------------------

    @staticmethod
    def language_label(code: str, lang: str) -> str:
        language = i18n.Language(lang)
        return i18n.text("lang_all", language) if not code else i18n.language_name(code, language)

    @staticmethod
    def char_label(count: int, lang: str) -> str:
        language = i18n.Language(lang)
        if not count:
            return i18n.text("chars_any", language)
        key = "chars_more" if count == CHAR_COUNTS[-1] else "chars_n"
        return i18n.text(key, language, n=count)

    def language_values(self, lang: str) -> list[str]:
        return [self.language_label(code, lang) for code in LANGUAGES]

    def char_values(self, lang: str) -> list[str]:
        return [self.char_label(count, lang) for count in CHAR_COUNTS]

    def pick_language(self, label: str) -> None:
        values = self.language_values(App.get_running_app().lang)
        if label in values:
            self.set_language(LANGUAGES[values.index(label)])

    def pick_char_count(self, label: str) -> None:
        values = self.char_values(App.get_running_app().lang)
        if label in values:
            self.set_char_count(CHAR_COUNTS[values.index(label)])
