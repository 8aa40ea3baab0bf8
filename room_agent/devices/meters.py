"""Real energy meters a venue may have per room (issue 24): an S0 pulse output counted on a
GPIO input, or a Modbus RTU meter read with pymodbus. Each gives the meter's cumulative
energy in watt-hours; the agent reports it (``MeterRead``) and the controller books the
energy between readings instead of its on-time x rated-watts estimate.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from gpiozero import DigitalInputDevice

from ktv.errors import InvalidArgument, Unavailable

log = logging.getLogger(__name__)


class EnergyMeter(Protocol):
    kind: str

    def total_wh(self) -> float:
        """The meter's cumulative energy (Unavailable when it cannot be read now)."""

    def close(self) -> None: ...


class S0Meter:
    """An S0 output (DIN 43864: a 30-120 ms pulse per fixed amount of energy, typically
    1000 or 2000 pulses per kWh) wired to a GPIO input with the pull-up: each pulse pulls
    the pin low. Counted from gpiozero's edge callback; the count lives in this process, so
    ``offset_wh`` (the meter's reading at install, from agent.toml) keeps the total going."""

    kind = "s0"

    def __init__(
        self, pin: int, pulses_per_kwh: int, *, pin_factory: object, offset_wh: float = 0.0
    ) -> None:
        if not 1 <= pulses_per_kwh <= 100_000:
            raise InvalidArgument(f"meter pulses_per_kwh must be 1-100000, got {pulses_per_kwh}")
        self.wh_per_pulse = 1000.0 / pulses_per_kwh
        self.offset_wh = offset_wh
        self._lock = threading.Lock()
        self.pulses = 0
        self._input = DigitalInputDevice(pin, pull_up=True, pin_factory=pin_factory)
        self._input.when_activated = self._pulse

    def _pulse(self) -> None:
        with self._lock:
            self.pulses += 1

    def total_wh(self) -> float:
        with self._lock:
            return self.offset_wh + self.pulses * self.wh_per_pulse

    def close(self) -> None:
        self._input.close()


@dataclass(frozen=True)
class ModbusMeterConfig:
    port: str  # /dev/ttyUSB0 (an RS-485 adapter)
    baudrate: int = 9600
    device_id: int = 1  # the meter's Modbus address
    register: int = 0  # first holding register of the total energy
    words: int = 2  # 32-bit unsigned, big-endian word order (most DIN-rail meters)
    wh_per_unit: float = 10.0  # what one count is (0.01 kWh = 10 Wh is common)
    input_registers: bool = False  # some meters keep it in input registers

    def __post_init__(self) -> None:
        if self.words not in (1, 2, 4):
            raise InvalidArgument("meter words must be 1, 2 or 4")
        if not 1 <= self.device_id <= 247:
            raise InvalidArgument("meter device_id must be 1-247")
        if self.wh_per_unit <= 0:
            raise InvalidArgument("meter wh_per_unit must be positive")


class ModbusClient(Protocol):
    def connect(self) -> bool: ...
    def close(self) -> None: ...
    def read_holding_registers(self, address: int, *, count: int, device_id: int) -> Any: ...
    def read_input_registers(self, address: int, *, count: int, device_id: int) -> Any: ...


def serial_client(config: ModbusMeterConfig) -> ModbusClient:
    from pymodbus.client import ModbusSerialClient

    return ModbusSerialClient(config.port, baudrate=config.baudrate, timeout=1, retries=1)


class ModbusMeter:
    """A Modbus RTU energy meter read with pymodbus (a maintained library)."""

    kind = "modbus"

    def __init__(
        self,
        config: ModbusMeterConfig,
        client_factory: Callable[[ModbusMeterConfig], ModbusClient] = serial_client,
    ) -> None:
        self.config = config
        self._client = client_factory(config)
        self._lock = threading.Lock()

    def total_wh(self) -> float:
        c = self.config
        with self._lock:
            if not self._client.connect():
                raise Unavailable(f"Modbus meter on {c.port} does not answer")
            read = (
                self._client.read_input_registers
                if c.input_registers
                else self._client.read_holding_registers
            )
            try:
                answer = read(c.register, count=c.words, device_id=c.device_id)
            except Exception as exc:  # pymodbus raises ModbusException on timeouts
                raise Unavailable(f"Modbus meter on {c.port}: {exc}") from None
            if answer.isError():
                raise Unavailable(f"Modbus meter on {c.port} answered {answer}")
            value = 0
            for word in answer.registers:  # big-endian word order
                value = (value << 16) | word
            return value * c.wh_per_unit

    def close(self) -> None:
        with self._lock:
            self._client.close()
