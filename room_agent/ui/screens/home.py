"""Home: hot chart, new songs, recommendations for this room, and quick entries into
singers and languages. Shelves load off the UI thread when the session opens."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import BooleanProperty, ListProperty
from kivy.uix.screenmanager import Screen

from media_index.model import Song
from room_agent.ui import settings
from room_agent.ui.widgets.song_list import SongCard

QUICK_LANGUAGES = ("mandarin", "cantonese", "english", "japanese", "korean", "hokkien")
QUICK_SINGER_KINDS = ("male", "female", "group", "band")


class HomeScreen(Screen):
    hot = ListProperty([])
    new = ListProperty([])
    recommended = ListProperty([])
    loaded = BooleanProperty(False)  # the shelves have been asked of the catalog once

    def on_pre_enter(self, *args: Any) -> None:
        self.reload()

    def reload(self) -> None:
        app = App.get_running_app()
        catalog = app.catalog
        limit = settings.home_shelf_limit

        def load() -> tuple[tuple[Song, ...], tuple[Song, ...], tuple[Song, ...]]:
            queue = app.room.queue()
            seeds = tuple(e.song.song_id for e in (*queue.sung, *queue.pending))[:20]
            return catalog.hot(limit), catalog.new_arrivals(limit), catalog.recommend(seeds, limit)

        def done(result: Any, error: Exception | None) -> None:
            self.loaded = True
            if error is not None or result is None:
                return
            self.hot, self.new, self.recommended = (list(songs) for songs in result)

        app.run_async(load, done)

    def on_hot(self, *args: Any) -> None:
        self._fill(self.ids.hot_shelf, self.hot)

    def on_new(self, *args: Any) -> None:
        self._fill(self.ids.new_shelf, self.new)

    def on_recommended(self, *args: Any) -> None:
        self._fill(self.ids.recommended_shelf, self.recommended)

    @staticmethod
    def _fill(shelf: Any, songs: list[Song]) -> None:
        shelf.clear_widgets()
        for rank, song in enumerate(songs, 1):
            card = SongCard(song_id=song.song_id, title=song.title, artist=song.artist, rank=rank)
            shelf.add_widget(card)
