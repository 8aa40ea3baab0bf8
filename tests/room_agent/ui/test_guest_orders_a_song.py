"""A guest's first minutes: type initials, pick a song, see it queued and playing."""

from __future__ import annotations


def test_typing_zjl_shows_jay_chou_songs_and_tapping_one_queues_it(guest, room):
    guest.tap(guest.session.ids.tab_search)
    search = guest.session.screens["search"]
    guest.type_keys(search.ids.keyboard, "zjl")
    guest.until(lambda: search.total == 4)
    titles = [row["title"] for row in search.ids.results.data]
    assert titles == ["七里香", "晴天", "稻香", "告白气球"]
    guest.shot("results")
