from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory

from room_agent.core.instruments import ManualClock, RecordingPlayer, RecordingSink, SongShelf
from room_agent.core.room import RoomCore
from room_agent.sensors import SensorConfig
from room_agent.sensors.gpio import RoomSensors, SensorInputs


@pytest.fixture
def mock_factory() -> Iterator[MockFactory]:
    factory = MockFactory()
    Device.pin_factory = factory
    yield factory
    factory.reset()
    Device.pin_factory = None


class SignalLog:
    """Forwards sensor signals to the core and remembers them (gpiozero calls from its own
    sampling thread, so tests wait on this to know a PIR edge has arrived)."""

    def __init__(self, core: SensorInputs) -> None:
        self.core = core
        self.motion: list[bool] = []
        self.door: list[bool] = []

    def door_signal(self, raw_open: bool) -> None:
        self.door.append(raw_open)
        self.core.door_signal(raw_open)

    def motion_signal(self, active: bool) -> None:
        self.motion.append(active)
        self.core.motion_signal(active)


@dataclass
class WiredRoom:
    core: RoomCore
    sink: RecordingSink
    clock: ManualClock
    sensors: RoomSensors
    factory: MockFactory
    config: SensorConfig
    signals: SignalLog

    def door_pin(self):
        return self.factory.pin(self.config.door_pin)

    def motion_pin(self):
        return self.factory.pin(self.config.motion_pin)


def wire(factory: MockFactory, config: SensorConfig) -> WiredRoom:
    clock = ManualClock()
    sink = RecordingSink()
    core = RoomCore(
        RecordingPlayer(clock),
        sink,
        SongShelf(),
        monotonic=clock,
        utcnow=clock.utcnow,
        presence=config.presence_timeouts(),
        door_debounce_ms=config.door_debounce_ms,
    )
    core.start(run_loop=False)
    signals = SignalLog(core)
    sensors = RoomSensors(config, signals)
    return WiredRoom(core, sink, clock, sensors, factory, config, signals)


@pytest.fixture
def wired(mock_factory: MockFactory) -> Iterator[WiredRoom]:
    room = wire(mock_factory, SensorConfig(vacancy_timeout_s=300, sealed_room_timeout_s=3600))
    yield room
    room.sensors.close()
    room.core.close()
