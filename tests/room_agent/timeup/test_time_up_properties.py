"""Random evenings of ticks, extensions (new, repeated, already past) and 续钟 presses: the
room stops once per time-up, resumes once per extension, never loses a song, never asks the
desk twice for the same end."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from room_agent.core.events import RoomScreen
from room_agent.core.ports import PlayerState, ServiceCalled, SessionOpened
from room_agent.core.room_time import TimeUpChanged
from room_agent.core.time_left import TimePhase, TimePolicy

from .conftest import make_timed_room, open_prepaid, run_for

steps = st.lists(
    st.one_of(
        st.tuples(st.just("wait"), st.floats(min_value=0.5, max_value=400)),
        st.tuples(st.just("extend"), st.integers(min_value=-30, max_value=90)),
        st.tuples(st.just("press"), st.just(0)),
    ),
    max_size=25,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(minutes=st.integers(min_value=1, max_value=15), plan=steps)
def test_any_mix_of_expiry_and_extensions_stops_and_resumes_exactly_once_each(minutes, plan):
    room = make_timed_room(policy=TimePolicy(warn_at_minutes=(10, 5), fade_ms=2000))
    core = room.core
    open_prepaid(room, minutes)
    for song_id in ("s-qingtian", "s-houlai", "s-yiqi"):
        core.add_song(song_id)
    ends_seen = {core.view().session_ends_at}
    for action, value in plan:
        if action == "wait":
            run_for(room, value, step_s=0.5)
        elif action == "extend":  # the controller's end: later, the same, or already past
            end = core.view().session_ends_at + timedelta(minutes=value)
            core.handle(SessionOpened("sessions/p1", room.clock.utcnow(), end_time=end))
            ends_seen.add(end)
        else:
            core.request_extension("1h")
    run_for(room, 1, step_s=0.5)
    if core.time_left().phase is TimePhase.TIME_UP:
        run_for(room, 2.5, step_s=0.5)  # let the fade (2 s) finish

    ups = [e.up for e in room.of(TimeUpChanged)]
    assert all(a != b for a, b in pairwise(ups))  # alternates
    assert ups[:1] in ([], [True])
    phase = core.time_left().phase
    pauses, resumes = room.player.names().count("pause"), room.player.names().count("resume")
    assert pauses <= ups.count(True)  # once per time-up (none if an extension beat the fade)
    assert pauses == resumes + (1 if phase is TimePhase.TIME_UP else 0)
    view = core.view()
    if phase is TimePhase.TIME_UP:
        assert view.screen is RoomScreen.TIME_UP
        assert room.player.state is not PlayerState.PLAYING
    else:
        assert view.screen is RoomScreen.OPEN
        assert room.player.state is PlayerState.PLAYING
    kept = [e.song_id for e in view.queue]
    if view.now_playing is not None:
        kept.insert(0, view.now_playing.entry.song_id)
    assert kept == ["s-qingtian", "s-houlai", "s-yiqi"]
    assert len(room.sink.events(ServiceCalled)) <= len(ends_seen)
    core.close()
