"""Play events, hot charts, new arrivals and "guests who sang this also sang"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ktv.errors import FailedPrecondition, InvalidArgument
from media_index import Catalog, PlayOutcome

from .conftest import entry

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture
def book(catalog: Catalog) -> Catalog:
    catalog.put_entries(
        [
            entry("daoxiang", "稻香", "周杰伦", genre="pop", language="mandarin"),
            entry("qingtian", "晴天", "周杰伦", genre="pop", language="mandarin"),
            entry("houlai", "后来", "刘若英", genre="ballad", language="mandarin"),
            entry("yueliang", "月亮代表我的心", "邓丽君", genre="classic", language="mandarin"),
            entry("tianmimi", "甜蜜蜜", "邓丽君", genre="classic", language="mandarin"),
            entry("letitbe", "Let It Be", "The Beatles", genre="rock", language="english"),
            entry("heyjude", "Hey Jude", "The Beatles", genre="rock", language="english"),
        ]
    )
    return catalog


def sing(cat: Catalog, song: str, *, room="A01", session="s1", ago=timedelta(hours=1),
         outcome=PlayOutcome.COMPLETED, played_ms=240_000, event_id=None) -> bool:  # fmt: skip
    return cat.record_play(song, room=room, session=session, played_at=NOW - ago,
                           outcome=outcome, played_ms=played_ms, event_id=event_id)  # fmt: skip


def ids(songs) -> list[str]:
    return [s.song_id for s in songs]


def test_hot_chart_counts_plays_in_the_window(book: Catalog) -> None:
    for _ in range(3):
        sing(book, "houlai")
    sing(book, "daoxiang")
    for _ in range(5):
        sing(book, "letitbe", ago=timedelta(days=20))
    assert ids(book.hot(days=7, now=NOW)) == ["houlai", "daoxiang"]
    assert ids(book.hot(days=30, now=NOW)) == ["letitbe", "houlai", "daoxiang"]
    assert ids(book.hot(days=None, now=NOW)) == ["letitbe", "houlai", "daoxiang"]


def test_a_song_cut_after_ten_seconds_does_not_count(book: Catalog) -> None:
    sing(book, "houlai", outcome=PlayOutcome.SKIPPED, played_ms=10_000)
    sing(book, "daoxiang", outcome=PlayOutcome.SKIPPED, played_ms=90_000)
    sing(book, "qingtian", outcome=PlayOutcome.FAILED, played_ms=0)
    assert ids(book.hot(days=7, now=NOW)) == ["daoxiang"]
    assert book.stats().plays == 3  # all recorded, only one counted


def test_plays_raise_popularity_in_search(book: Catalog) -> None:
    assert [s.title for s in book.search("zjl").songs] == ["稻香", "晴天"]
    sing(book, "qingtian")
    assert [s.title for s in book.search("zjl").songs] == ["晴天", "稻香"]


def test_a_retried_play_event_is_recorded_once(book: Catalog) -> None:
    assert sing(book, "houlai", event_id="A01-42")
    assert not sing(book, "houlai", event_id="A01-42")
    assert book.stats().plays == 1
    assert book.search("hl").songs[0].title == "后来"


def test_bad_play_events_are_refused(book: Catalog) -> None:
    with pytest.raises(InvalidArgument, match="timezone"):
        book.record_play("houlai", room="A01", session="s1", played_at=datetime(2026, 1, 1),
                         outcome="completed", played_ms=1)  # fmt: skip
    with pytest.raises(InvalidArgument, match="outcome"):
        sing(book, "houlai", outcome="sang-badly")
    with pytest.raises(InvalidArgument, match="played_ms"):
        sing(book, "houlai", played_ms=-5)
    with pytest.raises(InvalidArgument):
        book.hot(days=0)


def test_new_arrivals_are_the_latest_added(catalog: Catalog) -> None:
    catalog.put_entries([entry("old", "旧歌", "歌手")])
    catalog.put_entries([entry("new", "新歌", "歌手")])
    assert ids(catalog.new_arrivals(limit=1)) == ["new"]
    catalog.put_entries([entry("old", "旧歌 (修订)", "歌手")])  # an update is not an arrival
    assert ids(catalog.new_arrivals()) == ["new", "old"]


def test_guests_who_sang_this_also_sang(book: Catalog) -> None:
    # two rooms sang 稻香 with 后来; one sang 稻香 with Let It Be
    for room, session in (("A01", "s1"), ("A02", "s2")):
        sing(book, "daoxiang", room=room, session=session)
        sing(book, "houlai", room=room, session=session)
    sing(book, "daoxiang", room="A03", session="s3")
    sing(book, "letitbe", room="A03", session="s3")
    sing(book, "yueliang", room="A04", session="s4")  # never with 稻香
    got = ids(book.recommend(["daoxiang"], limit=3))
    assert got[:2] == ["houlai", "letitbe"]
    assert "daoxiang" not in got


def test_a_song_with_no_history_gets_same_singer_then_same_genre(book: Catalog) -> None:
    got = ids(book.recommend(["yueliang"], limit=4))
    assert got[0] == "tianmimi"  # same singer
    assert "yueliang" not in got
    assert len(got) == 4  # filled up from genre, language, charts


def test_recommendations_without_a_song_fall_back_to_the_charts(book: Catalog) -> None:
    sing(book, "heyjude")
    assert ids(book.recommend([], limit=2))[0] == "heyjude"


def test_a_read_only_catalog_cannot_record_plays(book: Catalog, tmp_path) -> None:
    book.publish(tmp_path / "room.sqlite")
    with (
        Catalog(tmp_path / "room.sqlite", readonly=True) as room,
        pytest.raises(FailedPrecondition, match="read-only"),
    ):
        room.record_play("houlai", room="A01", session="s1", played_at=NOW,
                         outcome="completed", played_ms=1)  # fmt: skip
