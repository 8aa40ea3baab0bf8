"""Rows for long lists. Every list is a RecycleView fed plain row data: a 1M-song catalog
scrolls with a screenful of widgets, never one widget per song."""

from __future__ import annotations

from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from media_index.model import Song
from room_agent.ui import i18n
from room_agent.ui.port import QueueEntry
from room_agent.ui.widgets.clipping import ClippedRecycleView


class SongRow(BoxLayout):
    """A search result: tap 点歌 to queue it, 优先 to queue it next."""

    song_id = StringProperty("")
    title = StringProperty("")
    artist = StringProperty("")
    meta = StringProperty("")
    index = NumericProperty(0)


class QueueRow(BoxLayout):
    """One 已点 or 已唱 entry with its actions."""

    entry_id = StringProperty("")
    title = StringProperty("")
    artist = StringProperty("")
    position = NumericProperty(0)
    sung = BooleanProperty(False)
    added_by = StringProperty("")  # the phone's nickname (手机点歌); "" : this touchscreen


class SingerCell(BoxLayout):
    name = StringProperty("")
    count = NumericProperty(0)


class SongList(ClippedRecycleView):
    pass


def song_rows(
    songs: tuple[Song, ...] | list[Song], language: i18n.Language, *, first_index: int = 0
) -> list[dict]:
    """RecycleView data for ``songs`` (kept as dicts: that is RecycleView's own format)."""
    return [
        {
            "song_id": song.song_id,
            "title": song.title,
            "artist": song.artist,
            "meta": i18n.language_name(song.language, language) if song.language else "",
            "index": i,
        }
        for i, song in enumerate(songs, first_index)
    ]


def queue_rows(entries: tuple[QueueEntry, ...], *, sung: bool) -> list[dict]:
    return [
        {
            "entry_id": entry.entry_id,
            "title": entry.song.title,
            "artist": entry.song.artist,
            "position": i,
            "sung": sung,
            "added_by": entry.added_by,
        }
        for i, entry in enumerate(entries)
    ]


class SongCard(ButtonBehavior, BoxLayout):
    """A song on a home shelf: one tap queues it."""

    song_id = StringProperty("")
    title = StringProperty("")
    artist = StringProperty("")
    rank = NumericProperty(0)
