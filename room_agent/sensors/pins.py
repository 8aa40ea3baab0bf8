"""Which pin factory the room's gpiozero devices use: the board's real pins, or mock pins when
asked for (``--mock-pins`` / ``mock_pins = true``), never mock pins by surprise.

Before this, an agent on a Pi without lgpio fell back to gpiozero's MockFactory with one
warning and its door, presence sensor and outputs silently did nothing. Now a production
agent whose configured pins have no real factory refuses to start, with the reason
``NO_PIN_FACTORY`` and the exit code of ``FailedPrecondition``.
"""

from __future__ import annotations

import logging
import warnings

from gpiozero import Device, PinFactoryFallback
from gpiozero.pins.mock import MockFactory, MockPWMPin

from ktv.errors import FailedPrecondition

log = logging.getLogger(__name__)

NO_FACTORY_HINT = (
    "install lgpio (pip: the agent's venv has it on aarch64; Raspberry Pi OS: python3-lgpio) "
    "or run with --mock-pins (mock_pins = true in agent.toml) to simulate the pins"
)


def real_pin_factory() -> object:
    """The board's real pin factory (lgpio on a Pi 5, lgpio/rpigpio/native on older Pis);
    ``FailedPrecondition(NO_PIN_FACTORY)`` naming why none loads. A factory that is a mock
    (``GPIOZERO_PIN_FACTORY=mock``) does not count as real."""
    reasons: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PinFactoryFallback)
        try:
            Device.ensure_pin_factory()
            factory = Device.pin_factory
        except Exception as exc:  # BadPinFactory, ImportError for a named factory, ...
            reasons.append(str(exc))
            factory = None
    reasons[:0] = [str(w.message) for w in caught if issubclass(w.category, PinFactoryFallback)]
    if factory is None:
        why = "; ".join(reasons) or "no pin factory"
        raise FailedPrecondition(
            f"no real GPIO pin factory ({why}): {NO_FACTORY_HINT}", reason="NO_PIN_FACTORY"
        )
    if isinstance(factory, MockFactory):
        raise FailedPrecondition(
            "the pin factory is gpiozero's MockFactory (GPIOZERO_PIN_FACTORY=mock), not real "
            f"pins: {NO_FACTORY_HINT}",
            reason="NO_PIN_FACTORY",
        )
    return factory


def room_pin_factory(*, mock_pins: bool) -> tuple[object, bool]:
    """(factory, mocked): a fresh MockFactory when asked for, else the real one or an error.
    Called once at start, before any device is built, so the agent does not half-start."""
    if mock_pins:
        log.info(
            "mock pins (--mock-pins): gpiozero's MockFactory, door, presence and outputs "
            "are simulated"
        )
        return MockFactory(pin_class=MockPWMPin), True  # PWM pins: dimmable outputs
    return real_pin_factory(), False
