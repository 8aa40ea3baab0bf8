"""gpiozero devices for the door and the presence sensor, feeding raw edges to the core.

Callbacks fire on gpiozero's threads (the MotionSensor's sampling thread, the pin factory's
edge thread; MockPin fires in the caller's thread): the core's ``door_signal`` and
``motion_signal`` are thread-safe and timestamp with the core's own clock, so debounce and
presence timing stay in pure, testable code.
"""

from __future__ import annotations

import logging
from typing import Protocol

from gpiozero import DigitalInputDevice, MotionSensor
from gpiozero.pins.mock import MockFactory

from room_agent.sensors.config import SensorConfig
from room_agent.sensors.pins import room_pin_factory

log = logging.getLogger(__name__)


class EdgeCounter(Protocol):
    """Counts the sensors' edges: their heartbeat for the room's device health."""

    def bump(self, name: str) -> None: ...


class SensorInputs(Protocol):
    """What the sensors drive (``RoomCore`` implements it)."""

    def door_signal(self, raw_open: bool) -> None: ...

    def motion_signal(self, active: bool) -> None: ...


class RoomSensors:
    """The door reed switch and the PIR, wired to ``inputs``. A context manager;
    ``close()`` is idempotent."""

    def __init__(
        self,
        config: SensorConfig,
        inputs: SensorInputs,
        *,
        pin_factory=None,
        counters: EdgeCounter | None = None,
    ) -> None:
        self.config = config
        self._inputs = inputs
        self._counters = counters
        self._closed = False
        self.door = DigitalInputDevice(
            config.door_pin, pull_up=config.door_pull_up, pin_factory=pin_factory
        )
        try:
            self.motion = MotionSensor(
                config.motion_pin,
                pull_up=None,
                active_state=config.motion_active_high,
                queue_len=1,
                sample_rate=config.motion_sample_rate_hz,
                pin_factory=pin_factory,
            )
        except Exception:
            self.door.close()
            raise
        self.door.when_activated = self._door_edge
        self.door.when_deactivated = self._door_edge
        self.motion.when_motion = self._motion_started
        self.motion.when_no_motion = self._motion_ended
        inputs.door_signal(self.door_open)  # the controller learns the door's state at start
        if self.motion.motion_detected:
            inputs.motion_signal(True)

    @property
    def door_open(self) -> bool:
        """Raw (not debounced) door state from the pin level and the configured polarity."""
        high = bool(self.door.pin.state)
        return high == self.config.door_open_when_high

    def _door_edge(self) -> None:
        if not self._closed:
            if self._counters is not None:
                self._counters.bump("door_edges")
            self._inputs.door_signal(self.door_open)

    def _motion_started(self) -> None:
        if not self._closed:
            if self._counters is not None:
                self._counters.bump("motion_edges")
            self._inputs.motion_signal(True)

    def _motion_ended(self) -> None:
        if not self._closed:
            self._inputs.motion_signal(False)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.motion.close()
        self.door.close()

    def __enter__(self) -> RoomSensors:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_room_sensors(
    config: SensorConfig,
    inputs: SensorInputs,
    *,
    mock_gpio: bool = False,
    pin_factory: object | None = None,
    counters: EdgeCounter | None = None,
) -> tuple[RoomSensors, bool]:
    """Build the sensors on ``pin_factory`` (the one the room's outputs use too), else on the
    board's real pins, or on gpiozero's MockFactory when asked (``--mock-pins``). Without a
    real factory and without the ask: ``FailedPrecondition(NO_PIN_FACTORY)``, never a silent
    fallback. Returns (sensors, mocked)."""
    if pin_factory is None:
        pin_factory, _ = room_pin_factory(mock_pins=mock_gpio)
    mocked = isinstance(pin_factory, MockFactory)
    return RoomSensors(config, inputs, pin_factory=pin_factory, counters=counters), mocked
