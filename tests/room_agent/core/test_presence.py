"""Door debounce and presence, driven by hand-fed timestamps (no sleeping)."""

from __future__ import annotations

from room_agent.core.presence import DoorDebouncer, PresenceModel, PresenceTimeouts


def test_door_opening_is_reported_at_once_and_bounce_is_ignored() -> None:
    door = DoorDebouncer(50)
    changes = [door.edge(True, 10.000)]
    changes += [
        door.edge(level, 10.000 + i * 0.005)
        for i, level in enumerate([False, True, False, True], 1)
    ]
    assert changes == [True, None, None, None, None]
    assert door.poll(10.2) is None
    assert door.open is True


def test_bounce_that_settles_the_other_way_is_corrected_after_the_quiet_window() -> None:
    door = DoorDebouncer(50)
    assert door.edge(True, 0.0) is True
    assert door.edge(False, 0.01) is None  # it was only a knock: the door is shut
    assert door.poll(0.03) is None  # still inside the window
    assert door.poll(0.061) is False
    assert door.open is False


def test_two_real_door_changes_further_apart_than_the_window_are_both_seen() -> None:
    door = DoorDebouncer(50)
    assert door.edge(True, 0.0) is True
    assert door.edge(False, 2.0) is False


T = PresenceTimeouts(vacancy_s=300, sealed_s=3600)


def test_motion_means_someone_is_present() -> None:
    model = PresenceModel(T)
    assert model.motion(True, 0.0) is True
    assert model.motion(True, 5.0) is None


def test_nobody_present_after_the_vacancy_timeout_when_the_door_was_used() -> None:
    model = PresenceModel(T)
    model.door(True, 0.0)  # guests leave: door opens...
    model.door(False, 5.0)  # ...and shuts behind them
    assert model.present
    assert model.poll(5.0 + 299) is None
    assert model.poll(5.0 + 300) is False


def test_motion_with_the_door_shut_keeps_the_room_occupied_while_people_sit_still() -> None:
    model = PresenceModel(T)
    model.door(False, 0.0)
    model.motion(True, 10.0)
    model.motion(False, 12.0)
    assert model.sealed
    assert model.poll(10.0 + 1200) is None  # 20 min without motion, door never opened
    assert model.present


def test_sealed_room_still_times_out_in_case_the_door_sensor_failed() -> None:
    model = PresenceModel(T)
    model.motion(True, 0.0)
    assert model.poll(3600) is False


def test_opening_the_door_ends_the_sealed_belief() -> None:
    model = PresenceModel(T)
    model.motion(True, 0.0)
    model.door(True, 100.0)
    model.door(False, 105.0)
    assert not model.sealed
    assert model.poll(105.0 + 300) is False


def test_motion_while_the_door_stands_open_does_not_seal_the_room() -> None:
    model = PresenceModel(T)
    model.door(True, 0.0)
    model.motion(True, 1.0)
    assert not model.sealed
    assert model.poll(301.0) is False
