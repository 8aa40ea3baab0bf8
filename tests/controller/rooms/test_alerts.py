"""Occupancy alerts from state + sensors + liveness (pure: no clock, no I/O)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from controller.rooms.alerts import compute_alerts
from controller.rooms.model import AgentLink, AlertKind, BoardRoom, RoomState, Sensors

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
NOBODY_S = 15 * 60


def room(state: RoomState = RoomState.IDLE, **sensors: object) -> BoardRoom:
    return BoardRoom(
        room_id="A08",
        display_name="A08",
        tier="large",
        state=state,
        state_since=T0,
        created_at=T0,
        session="sessions/1" if state is RoomState.IN_USE else "",
        agent=AgentLink(online=True, last_seen=T0, status_since=T0),
        sensors=Sensors(**sensors),  # type: ignore[arg-type]
    )


def kinds(view: BoardRoom, now: datetime) -> list[AlertKind]:
    return [a.kind for a in compute_alerts(view, now, nobody_present_after_s=NOBODY_S)]


def test_someone_present_in_an_idle_room_is_occupied_without_session() -> None:
    view = room(occupied=True, presence_since=T0 + timedelta(minutes=1))
    alerts = compute_alerts(view, T0 + timedelta(minutes=2), nobody_present_after_s=NOBODY_S)
    assert [a.kind for a in alerts] == [AlertKind.OCCUPIED_WITHOUT_SESSION]
    assert alerts[0].since == T0 + timedelta(minutes=1)


def test_cleaning_staff_in_the_room_do_not_raise_occupied_without_session() -> None:
    assert kinds(room(RoomState.CLEANING, occupied=True, presence_since=T0), T0) == []


def test_a_session_with_nobody_present_alerts_only_after_the_delay() -> None:
    view = room(RoomState.IN_USE, occupied=False, presence_since=T0)
    assert kinds(view, T0 + timedelta(minutes=14)) == []
    assert kinds(view, T0 + timedelta(minutes=15)) == [AlertKind.NOBODY_PRESENT]


def test_a_session_with_guests_present_raises_nothing() -> None:
    view = room(RoomState.IN_USE, occupied=True, presence_since=T0)
    assert kinds(view, T0 + timedelta(hours=3)) == []


def test_the_door_opening_during_cleaning_alerts() -> None:
    view = room(RoomState.CLEANING, door_open=True, door_since=T0 + timedelta(seconds=5))
    assert kinds(view, T0 + timedelta(seconds=6)) == [AlertKind.DOOR_OPEN_WHILE_CLEANING]
    assert kinds(replace(view, state=RoomState.IDLE), T0) == []


def test_an_offline_agent_alerts_and_says_whether_it_was_ever_seen() -> None:
    never = replace(room(), agent=AgentLink(online=False))
    seen = replace(room(), agent=AgentLink(online=False, last_seen=T0, status_since=T0))
    (a,) = compute_alerts(never, T0, nobody_present_after_s=NOBODY_S)
    (b,) = compute_alerts(seen, T0, nobody_present_after_s=NOBODY_S)
    assert a.kind is b.kind is AlertKind.AGENT_OFFLINE
    assert "never" in a.message and "never" not in b.message


@given(
    state=st.sampled_from(list(RoomState)),
    occupied=st.booleans(),
    door_open=st.booleans(),
    online=st.booleans(),
    minutes=st.integers(min_value=0, max_value=600),
)
def test_alerts_are_oldest_first_never_duplicated_and_never_from_the_future(
    state: RoomState, occupied: bool, door_open: bool, online: bool, minutes: int
) -> None:
    view = replace(
        room(state, occupied=occupied, presence_since=T0, door_open=door_open, door_since=T0),
        agent=AgentLink(online=online, last_seen=T0, status_since=T0),
    )
    now = T0 + timedelta(minutes=minutes)
    alerts = compute_alerts(view, now, nobody_present_after_s=NOBODY_S)
    assert [a.since for a in alerts] == sorted(a.since for a in alerts)
    assert len({a.kind for a in alerts}) == len(alerts)
    assert all(a.since <= now for a in alerts)
    assert (AlertKind.AGENT_OFFLINE in [a.kind for a in alerts]) == (not online)
