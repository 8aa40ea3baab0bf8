"""Energy per room over a span, pure: on-time x watts by hand, state split, sessions, waste
and a real meter's readings (issue 24)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from controller.devices.energy import (
    Bucket,
    LoadChange,
    MeterReading,
    PresenceChange,
    RoomHistory,
    StateChange,
    room_energy,
)
from ktv.room_link import RoomState

T0 = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai: the business day's start


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_a_session_evening_split_by_state_with_per_session_energy() -> None:
    history = RoomHistory(
        "A08",
        loads=[
            LoadChange(at(-1), 48),  # standby lights since before the day
            LoadChange(at(8), 2000),  # session opens: power on
            LoadChange(at(11), 60),  # checkout: work light
            LoadChange(at(11.5), 48),  # cleaning done: standby
            LoadChange(at(12), 0),  # idle timeout: all off
        ],
        states=[
            StateChange(at(-5), RoomState.IDLE),
            StateChange(at(8), RoomState.IN_USE, "sessions/s1"),
            StateChange(at(11), RoomState.CLEANING),
            StateChange(at(11.5), RoomState.IDLE),
        ],
        presence=[PresenceChange(at(8), True), PresenceChange(at(11.25), False)],
    )
    energy = room_energy(history, T0, at(24))
    assert energy.by_bucket[Bucket.SESSION] == pytest.approx(2000 * 3)
    assert energy.by_bucket[Bucket.CLEANING] == pytest.approx(60 * 0.5)
    assert energy.by_bucket[Bucket.IDLE] == pytest.approx(48 * 8 + 48 * 0.5)
    assert energy.total_wh == pytest.approx(6000 + 30 + 384 + 24)
    # nobody present and no session: the standby hours, the empty half of cleaning
    assert energy.waste_wh == pytest.approx(48 * 8 + 60 * 0.25 + 48 * 0.5)
    (session,) = energy.sessions
    assert (session.session, session.wh, session.seconds) == ("sessions/s1", 6000, 3 * 3600)
    assert session.wh_per_hour == pytest.approx(2000)
    assert energy.on_seconds == 12 * 3600


def test_a_room_nobody_touched_uses_nothing_and_wastes_nothing() -> None:
    energy = room_energy(RoomHistory("B01"), T0, at(24))
    assert energy.total_wh == 0 and energy.waste_wh == 0 and energy.sessions == ()


def test_a_room_left_on_all_night_is_waste() -> None:
    history = RoomHistory("C03", loads=[LoadChange(at(-2), 1500)])
    energy = room_energy(history, T0, at(24))
    assert energy.waste_wh == pytest.approx(1500 * 24) == energy.total_wh


def test_a_meter_replaces_the_estimate_between_its_readings() -> None:
    history = RoomHistory(
        "A08",
        loads=[LoadChange(at(0), 1000)],  # the estimate would say 1 kWh an hour
        states=[
            StateChange(at(1), RoomState.IN_USE, "sessions/s2"),
            StateChange(at(3), RoomState.CLEANING),
        ],
        meter=[
            MeterReading(at(1), 10_000),
            MeterReading(at(2), 10_700),
            MeterReading(at(3), 11_500),
        ],
    )
    energy = room_energy(history, T0, at(4))
    assert energy.metered
    assert energy.by_bucket[Bucket.SESSION] == pytest.approx(1500)  # the meter: 700 + 800
    assert energy.by_bucket[Bucket.IDLE] == pytest.approx(1000)  # before the first reading
    assert energy.by_bucket[Bucket.CLEANING] == pytest.approx(1000)  # after the last one
    # interpolated between readings where presence cuts a span
    cut = RoomHistory("A08", meter=history.meter, presence=[PresenceChange(at(1.5), True)])
    assert room_energy(cut, at(1), at(2)).waste_wh == pytest.approx(350)
