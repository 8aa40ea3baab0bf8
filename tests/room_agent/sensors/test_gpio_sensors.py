"""Door reed switch and PIR on gpiozero's MockFactory pins, through the real RoomCore to the
EventSink. Time is the core's injected clock; only the PIR pulse test uses real time, because
gpiozero samples the PIR on its own thread."""

from __future__ import annotations

import logging
import time

import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory

from ktv.errors import FailedPrecondition, InvalidArgument
from room_agent.core.ports import DoorChanged, PresenceChanged
from room_agent.sensors import SensorConfig
from room_agent.sensors.gpio import open_room_sensors

from .conftest import SignalLog, WiredRoom, wire


def _wait_for(predicate, timeout_s: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return predicate()


def test_the_door_state_at_start_is_reported(wired: WiredRoom) -> None:
    # pull-up, reed switch open: the pin reads high, the door is open
    assert wired.sink.events(DoorChanged) == [DoorChanged(open=True)]


def test_closing_and_opening_the_door_reach_the_controller(wired: WiredRoom) -> None:
    wired.clock.advance(1)
    wired.door_pin().drive_low()
    wired.clock.advance(1)
    wired.door_pin().drive_high()
    assert wired.sink.events(DoorChanged) == [
        DoorChanged(True),
        DoorChanged(False),
        DoorChanged(True),
    ]
    assert wired.core.view().door_open


def test_contact_bounce_is_one_door_change(wired: WiredRoom) -> None:
    wired.clock.advance(1)
    pin = wired.door_pin()
    for level in (False, True, False, True, False):  # the switch chatters for ~12 ms
        wired.clock.advance(0.003)
        pin.drive_high() if level else pin.drive_low()
    wired.clock.advance(0.1)
    wired.core.tick()
    assert wired.sink.events(DoorChanged) == [DoorChanged(True), DoorChanged(False)]


def test_a_knock_that_bounces_back_closed_ends_closed(wired: WiredRoom) -> None:
    pin = wired.door_pin()
    wired.clock.advance(1)
    pin.drive_low()  # shut
    wired.clock.advance(1)
    pin.drive_high()  # a knock opens the contact for 4 ms
    wired.clock.advance(0.004)
    pin.drive_low()
    wired.clock.advance(0.1)
    wired.core.tick()
    assert wired.sink.events(DoorChanged)[-1] == DoorChanged(False)
    assert not wired.core.view().door_open


def test_door_polarity_comes_from_config(mock_factory: MockFactory) -> None:
    config = SensorConfig(door_pin=5, motion_pin=6, door_open_when_high=False)
    room = wire(mock_factory, config)
    try:
        assert room.sink.events(DoorChanged) == []  # high = closed: nothing changed
        room.clock.advance(1)
        room.door_pin().drive_low()
        assert room.sink.events(DoorChanged) == [DoorChanged(True)]
    finally:
        room.sensors.close()
        room.core.close()


def test_motion_means_present_and_nobody_after_the_vacancy_timeout(wired: WiredRoom) -> None:
    wired.motion_pin().drive_high()
    assert _wait_for(lambda: wired.signals.motion == [True])
    wired.motion_pin().drive_low()
    assert _wait_for(lambda: wired.signals.motion == [True, False])
    wired.clock.advance(299)
    wired.core.tick()
    assert wired.core.view().present
    wired.clock.advance(2)
    wired.core.tick()
    assert wired.sink.events(PresenceChanged)[-1] == PresenceChanged(False)
    assert not wired.core.view().present


def test_guests_sitting_still_behind_a_shut_door_stay_present(wired: WiredRoom) -> None:
    wired.clock.advance(1)
    wired.door_pin().drive_low()  # the door shuts
    wired.clock.advance(5)
    wired.motion_pin().drive_high()  # someone moved inside
    assert _wait_for(lambda: wired.signals.motion == [True])
    wired.motion_pin().drive_low()
    assert _wait_for(lambda: wired.signals.motion == [True, False])
    wired.clock.advance(45 * 60)  # 45 minutes of ballads, nobody moves
    wired.core.tick()
    assert wired.core.view().present


def test_a_short_pir_pulse_is_not_missed_at_100_hz(wired: WiredRoom) -> None:
    pin = wired.motion_pin()
    pin.drive_high()
    time.sleep(0.04)  # 40 ms: 4 samples at 100 Hz; at gpiozero's 10 Hz default, missed 3 times in 5
    pin.drive_low()
    assert _wait_for(lambda: wired.signals.motion == [True, False])


def test_closing_the_sensors_twice_is_fine_and_frees_the_pins(wired: WiredRoom) -> None:
    wired.sensors.close()
    wired.sensors.close()
    again = wire(wired.factory, wired.config)
    again.sensors.close()
    again.core.close()


def test_sensor_config_rejects_nonsense() -> None:
    with pytest.raises(InvalidArgument):
        SensorConfig(door_pin=17, motion_pin=17)
    with pytest.raises(InvalidArgument):
        SensorConfig(motion_sample_rate_hz=0)
    with pytest.raises(InvalidArgument):
        SensorConfig(vacancy_timeout_s=600, sealed_room_timeout_s=60)


def test_mock_gpio_is_said_in_the_log(mock_factory: MockFactory, caplog) -> None:
    room = wire(mock_factory, SensorConfig())
    room.sensors.close()
    with caplog.at_level(logging.INFO):
        sensors, mocked = open_room_sensors(SensorConfig(), room.core, mock_gpio=True)
    sensors.close()
    room.core.close()
    assert mocked
    assert "MockFactory" in caplog.text


def test_without_gpio_hardware_the_sensors_refuse_instead_of_mocking(monkeypatch) -> None:
    # issue 24: the old fallback to mock pins left the door and the PIR silently dead
    monkeypatch.delenv("GPIOZERO_PIN_FACTORY", raising=False)
    Device.pin_factory = None
    signals = SignalLog(_NullInputs())
    try:
        with pytest.raises(FailedPrecondition) as caught:
            open_room_sensors(SensorConfig(), signals)
        assert caught.value.reason == "NO_PIN_FACTORY"
        assert "--mock-pins" in caught.value.message
        assert "lgpio" in caught.value.message
        assert signals.door == []  # nothing was built, nothing reported
    finally:
        if Device.pin_factory is not None:
            Device.pin_factory.close()
        Device.pin_factory = None


def test_a_mock_factory_from_the_environment_is_not_taken_for_real_pins(monkeypatch) -> None:
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "mock")
    Device.pin_factory = None
    try:
        with pytest.raises(FailedPrecondition, match="MockFactory"):
            open_room_sensors(SensorConfig(), SignalLog(_NullInputs()))
    finally:
        if Device.pin_factory is not None:
            Device.pin_factory.close()
        Device.pin_factory = None


class _NullInputs:
    def door_signal(self, raw_open: bool) -> None:
        pass

    def motion_signal(self, active: bool) -> None:
        pass


def test_sensor_config_comes_from_the_agent_toml_gpio_table() -> None:
    from room_agent.config import GpioConfig

    gpio = GpioConfig(
        door_pin=5,
        door_open_level="low",
        door_debounce_ms=80,
        presence_pin=6,
        presence_active_level="low",
        presence_sample_rate_hz=200,
        presence_hold_s=600,
    )
    config = SensorConfig.from_agent_config(gpio)
    assert (config.door_pin, config.motion_pin) == (5, 6)
    assert not config.door_open_when_high and not config.motion_active_high
    assert config.door_debounce_ms == 80 and config.motion_sample_rate_hz == 200
    assert config.vacancy_timeout_s == 600 and config.sealed_room_timeout_s >= 600


def test_an_active_low_pir_is_read_the_right_way_round(mock_factory: MockFactory) -> None:
    config = SensorConfig(door_pin=5, motion_pin=6, motion_active_high=False)
    room = wire(mock_factory, config)
    try:
        pin = room.motion_pin()
        pin.drive_high()  # idle level of an active-low sensor
        assert _wait_for(lambda: not room.sensors.motion.motion_detected)
        assert _wait_for(lambda: room.signals.motion[-1:] in ([], [False]))
        room.signals.motion.clear()
        pin.drive_low()  # motion
        assert _wait_for(lambda: room.signals.motion == [True])
    finally:
        room.sensors.close()
        room.core.close()
