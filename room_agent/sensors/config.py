"""Which pins the sensors are on and how they behave. Filled by the agent's config loader."""

from __future__ import annotations

from dataclasses import dataclass

from ktv.errors import InvalidArgument
from room_agent.config import GpioConfig
from room_agent.core import settings
from room_agent.core.presence import PresenceTimeouts


@dataclass(frozen=True)
class SensorConfig:
    """Pins are gpiozero pin names: ``17``, ``"GPIO17"``, ``"BOARD11"``.

    Default wiring: a reed switch between the door pin and ground, closed by the magnet when
    the door is shut; with the internal pull-up the pin reads high when the door is open.
    """

    door_pin: int | str = 17
    door_pull_up: bool = True
    door_open_when_high: bool = True
    door_debounce_ms: int = settings.door_debounce_ms
    motion_pin: int | str = 27
    motion_active_high: bool = True  # PIR modules drive their output (no pull): high = motion
    motion_sample_rate_hz: int = 100  # 10 Hz (gpiozero's default) misses 20 ms pulses
    vacancy_timeout_s: float = settings.vacancy_timeout_s
    sealed_room_timeout_s: float = settings.sealed_room_timeout_s

    def __post_init__(self) -> None:
        if str(self.door_pin) == str(self.motion_pin):
            raise InvalidArgument(f"door and motion sensor cannot share pin {self.door_pin}")
        if not 1 <= self.motion_sample_rate_hz <= 1000:
            raise InvalidArgument("motion_sample_rate_hz must be 1..1000")
        if not 0 <= self.door_debounce_ms <= 5000:
            raise InvalidArgument("door_debounce_ms must be 0..5000")
        if self.vacancy_timeout_s <= 0 or self.sealed_room_timeout_s < self.vacancy_timeout_s:
            raise InvalidArgument(
                "vacancy_timeout_s must be > 0 and sealed_room_timeout_s at least as long"
            )

    def presence_timeouts(self) -> PresenceTimeouts:
        return PresenceTimeouts(self.vacancy_timeout_s, self.sealed_room_timeout_s)

    @classmethod
    def from_agent_config(cls, gpio: GpioConfig) -> SensorConfig:
        """From the ``[gpio]`` table of ``agent.toml`` (already validated by its loader)."""
        hold_s = float(gpio.presence_hold_s)
        return cls(
            door_pin=gpio.door_pin,
            door_open_when_high=gpio.door_open_level == "high",
            door_debounce_ms=gpio.door_debounce_ms,
            motion_pin=gpio.presence_pin,
            motion_active_high=gpio.presence_active_level == "high",
            motion_sample_rate_hz=gpio.presence_sample_rate_hz,
            vacancy_timeout_s=hold_s,
            sealed_room_timeout_s=max(hold_s, settings.sealed_room_timeout_s),
        )
