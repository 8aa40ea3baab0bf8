"""gpiozero devices for the room's outputs, built from ``[[outputs]]`` in agent.toml.

``RoomOutputs`` implements the core's ``Outputs`` port: ``apply(levels)`` writes only the
outputs whose level changed and counts each switch (relays wear out: the count is part of
the room's device health). Built all at once or not at all: a pin the factory refuses closes
what was already built and raises ``InvalidArgument`` naming the output, so the agent does
not half-start.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping

from gpiozero import LED, PWMLED, RGBLED, GPIOZeroError, OutputDevice

from ktv.errors import InvalidArgument
from room_agent.core.scenes import Drive, OutputKind, OutputSpec

log = logging.getLogger(__name__)


def _build(spec: OutputSpec, pin_factory: object):  # type: ignore[no-untyped-def]
    pins = spec.pins
    if spec.kind is OutputKind.RELAY:
        return OutputDevice(
            pins[0], active_high=spec.active_high, initial_value=False, pin_factory=pin_factory
        )
    if spec.kind is OutputKind.LED:
        return LED(pins[0], active_high=spec.active_high, pin_factory=pin_factory)
    if spec.kind is OutputKind.PWM:
        return PWMLED(pins[0], active_high=spec.active_high, pin_factory=pin_factory)
    return RGBLED(*pins, active_high=spec.active_high, pin_factory=pin_factory)


class RoomOutputs:
    """The room's output devices. A context manager; ``close()`` is idempotent and leaves
    every output off (gpiozero releases the pins)."""

    def __init__(self, specs: tuple[OutputSpec, ...], *, pin_factory: object) -> None:
        self._specs = specs
        self._lock = threading.Lock()
        self._closed = False
        self.devices: dict[str, object] = {}
        self.switch_counts: dict[str, int] = {spec.name: 0 for spec in specs}
        self._levels: dict[str, Drive] = {}
        try:
            for spec in specs:
                self.devices[spec.name] = _build(spec, pin_factory)
        except (GPIOZeroError, ValueError) as exc:
            self.close()
            pins = ", ".join(f"GPIO{p}" for p in spec.pins)
            raise InvalidArgument(
                f"output {spec.name} ({spec.kind.value} on {pins}) cannot be opened: {exc}"
            ) from None

    @property
    def specs(self) -> tuple[OutputSpec, ...]:
        return self._specs

    def apply(self, levels: Mapping[str, Drive]) -> None:
        with self._lock:
            if self._closed:
                return
            for spec in self._specs:
                level = levels.get(spec.name)
                if level is None or level == self._levels.get(spec.name):
                    continue
                before = self._levels.get(spec.name, (0.0,) * spec.channels)
                device = self.devices[spec.name]
                device.value = level if spec.kind is OutputKind.RGB else level[0]  # type: ignore[attr-defined]
                self._levels[spec.name] = level
                if (max(before) > 0) != (max(level) > 0):
                    self.switch_counts[spec.name] += 1

    def levels(self) -> dict[str, Drive]:
        with self._lock:
            return dict(self._levels)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for name, device in self.devices.items():
                try:
                    device.close()  # type: ignore[attr-defined]
                except Exception:
                    log.exception("output %s did not close", name)

    def __enter__(self) -> RoomOutputs:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
