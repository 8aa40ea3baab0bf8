"""已点 / 已唱 as a pure queue."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ktv.errors import InvalidArgument, NotFound
from room_agent.core.ports import PlayOutcome
from room_agent.core.queue import QueuedSong, SongQueue, SungSong

T0 = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)


def _entry(n: int) -> QueuedSong:
    return QueuedSong(f"e{n}", f"s{n}", f"歌{n}", "歌手", T0)


def _ids(queue: SongQueue) -> list[str]:
    return [e.entry_id for e in queue.entries]


def test_songs_are_sung_in_the_order_they_were_ordered() -> None:
    queue = SongQueue()
    for n in range(3):
        queue.add(_entry(n))
    assert [queue.pop_next().entry_id for _ in range(3)] == ["e0", "e1", "e2"]
    assert queue.pop_next() is None


def test_priority_order_goes_to_the_top() -> None:
    queue = SongQueue()
    queue.add(_entry(0))
    queue.add(_entry(1))
    queue.add(_entry(2), at_top=True)
    assert _ids(queue) == ["e2", "e0", "e1"]


def test_move_and_move_to_top() -> None:
    queue = SongQueue()
    for n in range(4):
        queue.add(_entry(n))
    queue.move("e0", 3)
    assert _ids(queue) == ["e1", "e2", "e3", "e0"]
    queue.move_to_top("e3")
    assert _ids(queue) == ["e3", "e1", "e2", "e0"]


def test_move_outside_the_queue_is_refused_and_changes_nothing() -> None:
    queue = SongQueue()
    queue.add(_entry(0))
    with pytest.raises(InvalidArgument):
        queue.move("e0", 5)
    assert _ids(queue) == ["e0"]


def test_removing_an_unknown_entry_is_not_found() -> None:
    with pytest.raises(NotFound):
        SongQueue().remove("nope")


def test_the_same_order_delivered_twice_is_queued_once() -> None:
    queue = SongQueue()
    queue.add(_entry(0))
    queue.add(_entry(0))
    assert len(queue) == 1


def test_the_same_song_can_be_ordered_twice() -> None:
    queue = SongQueue()
    queue.add(_entry(0))
    queue.add(QueuedSong("e9", "s0", "歌0", "歌手", T0))
    assert [e.song_id for e in queue.entries] == ["s0", "s0"]


def test_key_is_remembered_per_song_for_the_session() -> None:
    queue = SongQueue()
    queue.remember_key("s1", -2)
    assert queue.key_for("s1") == -2
    assert queue.key_for("s2") == 0
    queue.reset_session()
    assert queue.key_for("s1") == 0


def test_sing_again_from_history_queues_the_song_at_the_end() -> None:
    queue = SongQueue()
    queue.add(_entry(0))
    queue.record_sung(SungSong("s5", "歌5", "歌手", T0, PlayOutcome.COMPLETED, 1000))
    entry = queue.requeue_from_history(0, T0)
    assert queue.entries[-1] == entry and entry.song_id == "s5"
    with pytest.raises(NotFound):
        queue.requeue_from_history(3, T0)


def test_state_round_trips() -> None:
    queue = SongQueue()
    queue.add(_entry(0))
    queue.remember_key("s0", 3)
    queue.record_sung(SungSong("s5", "歌5", "歌手", T0, PlayOutcome.SKIPPED, 10))
    again = SongQueue(queue.state())
    assert again.state() == queue.state()
