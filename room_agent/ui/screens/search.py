"""Search: the KTV keyboard on the left, results on the right, updated on every key press.

Each key press submits a search to the app's latest-wins worker (off the UI thread); the
results come back through the clock into a RecycleView.
"""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import NumericProperty, StringProperty

from room_agent.ui import i18n, settings
from room_agent.ui.port import SearchRequest
from room_agent.ui.screens.paged import PagedSongs

LANGUAGES = ("", "mandarin", "cantonese", "english", "japanese", "korean", "hokkien")
CHAR_COUNTS = (0, 1, 2, 3, 4, 5, 6, 7)  # 0 = any; 7 shown as "7字+"


class SearchScreen(PagedSongs):
    query = StringProperty("")
    language = StringProperty("")  # "" = all languages
    char_count = NumericProperty(0)  # 0 = any

    def on_kv_post(self, base_widget: Any) -> None:
        super().on_kv_post(base_widget)
        self.ids.keyboard.bind(query=self._typed)

    def on_pre_enter(self, *args: Any) -> None:
        if self.total < 0:
            self.request_search()

    def reset(self) -> None:
        self.ids.keyboard.query = ""
        self.ids.keyboard.mode = "initials"
        self.language = ""
        self.char_count = 0
        self.clear_results()

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
        self.ask(
            SearchRequest(
                query=self.query.strip(),
                language=self.language or None,
                char_count=self.char_count or None,
                limit=settings.search_result_limit,
            )
        )

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
