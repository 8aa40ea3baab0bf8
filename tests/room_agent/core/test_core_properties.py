"""Properties over random sequences (hypothesis): the queue behaves like a plain list of
orders, and the door debounce always ends on the contact's resting level."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from ktv.errors import InvalidArgument, NotFound
from room_agent.core.presence import DoorDebouncer
from room_agent.core.queue import QueuedSong, SongQueue

T0 = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)

ops = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, 30), st.booleans()),
        st.tuples(st.just("remove"), st.integers(0, 30), st.booleans()),
        st.tuples(st.just("move"), st.integers(0, 30), st.integers(-1, 12)),
        st.tuples(st.just("pop"), st.integers(0, 0), st.booleans()),
        st.tuples(st.just("clear"), st.integers(0, 0), st.booleans()),
    ),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(ops)
def test_the_queue_behaves_like_a_list_of_orders(steps) -> None:
    queue = SongQueue()
    model: list[str] = []
    for op, n, arg in steps:
        entry_id = f"e{n}"
        if op == "add":
            queue.add(QueuedSong(entry_id, f"s{n}", "t", "a", T0), at_top=arg)
            if entry_id not in model:
                model.insert(0, entry_id) if arg else model.append(entry_id)
        elif op == "remove":
            try:
                queue.remove(entry_id)
                model.remove(entry_id)
            except NotFound:
                assert entry_id not in model
        elif op == "move":
            try:
                queue.move(entry_id, arg)
                model.remove(entry_id)
                model.insert(arg, entry_id)
            except (NotFound, InvalidArgument):
                assert entry_id not in model or not 0 <= arg < len(model)
        elif op == "pop":
            popped = queue.pop_next()
            assert (popped.entry_id if popped else None) == (model.pop(0) if model else None)
        else:
            queue.clear()
            model.clear()
        assert [e.entry_id for e in queue.entries] == model


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.floats(0.0005, 0.2), st.booleans()), min_size=1, max_size=40))
def test_after_a_quiet_window_the_door_reads_as_the_contact_rests(edges) -> None:
    door = DoorDebouncer(50)
    now = 0.0
    for gap_s, level in edges:
        now += gap_s
        door.edge(level, now)
    door.poll(now + 0.051)
    assert door.open == edges[-1][1]
