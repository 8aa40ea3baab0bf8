"""The two streaming RPCs, fuzzed: the room link's ``Connect`` (fuzzed hellos, then fuzzed
events, heartbeats, command results and second hellos on a welcomed stream) and the board's
``WatchRooms`` with every caller. Same checks as the unary fuzz (tests/fuzz/harness.py), plus:
an event is stored only once acknowledged; a stream refused before its welcome writes nothing.

This module has its own controller (conftest ``venue``): a connected agent changes the rooms
table, which the unary fuzz's checksums must not see."""

from __future__ import annotations

import uuid

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ktv.v1 import link_pb2, rooms_pb2
from tests.fuzz.conftest import EXAMPLES
from tests.fuzz.harness import FuzzVenue, failures
from tests.fuzz.strategies import all_methods, message_values
from tests.fuzz.test_every_rpc import CREDENTIALS

FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
REQUEST = link_pb2.ConnectRequest.DESCRIPTOR
HELLO = link_pb2.ConnectRequest(
    hello=link_pb2.AgentHello(room="rooms/A08", agent_version="fuzz", heartbeat_interval_seconds=5)
)


def messages(max_size: int = 4) -> st.SearchStrategy[list]:
    return st.lists(message_values(REQUEST), max_size=max_size)


def plausible_events() -> st.SearchStrategy[link_pb2.ConnectRequest]:
    """Well-formed events with fuzzed contents (so the board's event path is reached)."""
    return st.builds(
        _plausible, message_values(link_pb2.RoomEvent.DESCRIPTOR), st.uuids(), st.booleans()
    )


def _plausible(event: link_pb2.RoomEvent, event_id: uuid.UUID, keep_id: bool) -> object:
    if not keep_id or not event.event_id:
        event.event_id = event_id.hex
    if not event.WhichOneof("payload"):
        event.door.open = True
    return link_pb2.ConnectRequest(event=event)


def test_fuzzed_first_messages_on_the_link(venue: FuzzVenue) -> None:
    found: list[str] = []
    codes: set[str] = set()

    @FUZZ
    @given(
        stream=messages(),
        credential=st.one_of(st.just("agent"), st.sampled_from(CREDENTIALS)),
    )
    def run(stream: list, credential: str) -> None:
        outcome = venue.call_link(stream, credential)
        codes.add(outcome.code.name)
        found.extend(failures([outcome]))

    run()
    # Twenty derandomized examples need not draw every kind of caller: a stranger and a
    # cashier are sent on purpose, so the refusals below never depend on what the strategies
    # happen to generate.
    hello = link_pb2.ConnectRequest(hello=link_pb2.AgentHello(room="rooms/A01"))
    for caller in ("none", "cashier"):
        outcome = venue.call_link([hello], caller)
        codes.add(outcome.code.name)
        found.extend(failures([outcome]))
    assert not found, f"{len(found)} failures:\n" + "\n\n".join(found[:10])
    assert {"INVALID_ARGUMENT", "UNAUTHENTICATED", "PERMISSION_DENIED"} <= codes


def test_fuzzed_messages_after_a_welcome(venue: FuzzVenue) -> None:
    found: list[str] = []
    acked: list[int] = []

    @FUZZ
    @given(
        stream=st.lists(
            st.one_of(plausible_events(), plausible_events(), message_values(REQUEST)),
            max_size=6,
        )
    )
    def run(stream: list) -> None:
        outcome = venue.call_link([HELLO, *stream], "agent")
        assert outcome.welcomed, outcome.describe()
        acked.append(outcome.acked)
        found.extend(failures([outcome]))

    run()
    assert not found, f"{len(found)} failures:\n" + "\n\n".join(found[:10])
    assert sum(acked) >= 2, acked  # fuzzed events do reach the board


def test_watch_rooms_with_every_caller(venue: FuzzVenue) -> None:
    path, method = next((p, m) for p, m in all_methods() if p.endswith("/WatchRooms"))
    outcomes = [
        venue.call_server_stream(path, method, rooms_pb2.WatchRoomsRequest(), c)
        for c in CREDENTIALS
    ]
    assert not failures(outcomes), "\n".join(failures(outcomes))
    assert {o.credential for o in outcomes if o.code.name == "OK"} == {
        "admin",
        "waiter",
        "cashier",
        "technician",
        "manager",
    }


def test_an_event_time_out_of_timestamp_range_is_refused_without_a_traceback(
    venue: FuzzVenue,
) -> None:
    """Found by the fuzzer: ``occur_time`` of year 10000 made ToDatetime raise in the link's
    reader (a traceback, the stream ended UNAVAILABLE)."""
    event_id = uuid.uuid4().hex
    event = link_pb2.ConnectRequest(
        event=link_pb2.RoomEvent(event_id=event_id, door=link_pb2.DoorChanged(open=True))
    )
    event.event.occur_time.seconds = 253402300800
    outcome = venue.call_link([HELLO, event], "agent")
    assert not outcome.problems(), outcome.problems()
    assert (outcome.code.name, outcome.reason) == ("INVALID_ARGUMENT", "BAD_TIMESTAMP")
    assert outcome.welcomed and outcome.acked == 0
    assert event_id in outcome.details  # the agent parks the event the refusal names


def test_an_oversized_event_is_refused_by_its_id_so_the_agent_can_park_it(
    venue: FuzzVenue,
) -> None:
    """The agent sets aside an event whose INVALID_ARGUMENT names its id (room_agent/link/
    stream.py); a refusal without the id would be met by the same event on every reconnect,
    blocking the room's outbox. The events before it are stored and acknowledged."""
    first, second = uuid.uuid4().hex, uuid.uuid4().hex
    ok = link_pb2.ConnectRequest(
        event=link_pb2.RoomEvent(event_id=first, presence=link_pb2.PresenceChanged(present=True))
    )
    huge = link_pb2.ConnectRequest(
        event=link_pb2.RoomEvent(
            event_id=second, song_played=link_pb2.SongPlayed(song_id="s1", title="歌" * 100_000)
        )
    )
    outcome = venue.call_link([HELLO, ok, huge], "agent")
    assert not outcome.problems(), outcome.problems()
    assert (outcome.code.name, outcome.reason) == ("INVALID_ARGUMENT", "FIELD_TOO_LONG")
    assert outcome.details.startswith(f"event_id {second}: event.song_played.title is too long")
    assert outcome.acked == 1 and first in venue.event_ids() and second not in venue.event_ids()


def test_the_link_convert_refuses_an_out_of_range_time_on_its_own() -> None:
    """The edge's bound comes first; the converter does not rely on it."""
    from datetime import UTC, datetime

    import pytest

    from controller.api.convert import event_from_pb
    from ktv.errors import InvalidArgument

    event = link_pb2.RoomEvent(event_id="e1", song_played=link_pb2.SongPlayed(song_id="s1"))
    event.song_played.start_time.seconds = -(2**62)
    with pytest.raises(InvalidArgument) as refused:
        event_from_pb("A08", event, datetime.now(UTC))
    assert refused.value.reason == "BAD_TIMESTAMP"


def test_a_play_outcome_this_controller_does_not_know_is_refused_by_the_event_id(
    venue: FuzzVenue,
) -> None:
    """Found by the long fuzz run: ``outcome: 99`` made PlayOutcome.Name raise in the link's
    reader (a traceback; the stream ended UNAVAILABLE without naming the event, so the agent
    would have sent it again on every reconnect)."""
    event_id = uuid.uuid4().hex
    event = link_pb2.ConnectRequest(
        event=link_pb2.RoomEvent(
            event_id=event_id, song_played=link_pb2.SongPlayed(song_id="s1", outcome=99)
        )
    )
    outcome = venue.call_link([HELLO, event], "agent")
    assert not outcome.problems(), outcome.problems()
    assert (outcome.code.name, outcome.reason) == ("INVALID_ARGUMENT", "BAD_EVENT")
    assert outcome.details.startswith(f"event_id {event_id}: a song played with no known outcome")
