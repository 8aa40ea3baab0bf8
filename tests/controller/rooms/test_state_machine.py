"""Any sequence of staff moves and sessions keeps the board consistent with itself and with
what is stored (hypothesis drives the sequence; real SQLite file)."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from controller.rooms.board import RoomBoard
from controller.rooms.model import DEFAULT_TIERS, RoomState
from controller.store.db import open_store
from ktv.errors import KtvError

MOVES = st.lists(
    st.one_of(
        st.tuples(
            st.just("state"),
            st.sampled_from([RoomState.IDLE, RoomState.RESERVED, RoomState.MAINTENANCE]),
        ),
        st.tuples(st.just("open"), st.integers(0, 3)),
        st.tuples(st.just("close"), st.integers(0, 3)),
    ),
    max_size=25,
)


@settings(max_examples=25, deadline=None)
@given(moves=MOVES)
def test_any_sequence_of_moves_keeps_the_room_consistent(moves: list[tuple[str, object]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "sm.db")
        try:
            board = RoomBoard(store, tiers=DEFAULT_TIERS)
            board.load()
            board.create_room("A08", "", "large")
            revision = board.get("A08").revision
            for op, arg in moves:
                before = board.get("A08")
                try:
                    if op == "state":
                        board.set_state("A08", arg)  # type: ignore[arg-type]
                    elif op == "open":
                        board.session_opened("A08", f"sessions/{arg}")
                    else:
                        board.session_closed("A08", f"sessions/{arg}")
                except KtvError:
                    assert board.get("A08") == before  # a refused move changes nothing
                    continue
                room = board.get("A08")
                assert (room.state is RoomState.IN_USE) == bool(room.session)
                assert room.revision >= revision
                revision = room.revision
            reloaded = RoomBoard(store, tiers=DEFAULT_TIERS)
            reloaded.load()
            mine, stored = board.get("A08"), reloaded.get("A08")
            assert (stored.state, stored.session, stored.revision) == (
                mine.state,
                mine.session,
                mine.revision,
            )
            changes = store.query("SELECT from_state, to_state FROM room_state_changes")
            for a, b in itertools.pairwise(changes):
                assert a["to_state"] == b["from_state"]  # the audit trail has no gaps
        finally:
            store.close()
