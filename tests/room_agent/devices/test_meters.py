"""The real meters: S0 pulses on a MockFactory pin give the right kWh, and a Modbus RTU meter
read with pymodbus from pymodbus's own serial server, across a pair of pseudo-terminals
joined like a null-modem cable (issue 24)."""

from __future__ import annotations

import asyncio
import os
import pty
import select
import threading
import tty
from collections.abc import Iterator

import pytest
from gpiozero.pins.mock import MockFactory

from ktv.errors import InvalidArgument, Unavailable
from room_agent.devices.meters import ModbusMeter, ModbusMeterConfig, S0Meter


def test_s0_pulses_count_watt_hours() -> None:
    factory = MockFactory()
    meter = S0Meter(4, pulses_per_kwh=1000, pin_factory=factory, offset_wh=12_000)
    pin = factory.pin(4)
    for _ in range(1234):  # each pulse pulls the input low for ~30 ms
        pin.drive_low()
        pin.drive_high()
    assert meter.total_wh() == pytest.approx(12_000 + 1234)
    meter.close()
    factory.reset()
    with pytest.raises(InvalidArgument):
        S0Meter(4, pulses_per_kwh=0, pin_factory=MockFactory())


class NullModem:
    """Two pseudo-terminals whose masters are copied into each other: a program on one
    slave talks to a program on the other as over a serial cable."""

    def __init__(self) -> None:
        self._a, a_slave = pty.openpty()
        self._b, b_slave = pty.openpty()
        for fd in (a_slave, b_slave):
            tty.setraw(fd)
        self.ports = (os.ttyname(a_slave), os.ttyname(b_slave))
        self._slaves = (a_slave, b_slave)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._copy, daemon=True)
        self._thread.start()

    def _copy(self) -> None:
        peer = {self._a: self._b, self._b: self._a}
        while not self._stop.is_set():
            ready, _, _ = select.select([self._a, self._b], [], [], 0.05)
            for fd in ready:
                try:
                    os.write(peer[fd], os.read(fd, 4096))
                except OSError:
                    return

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        for fd in (self._a, self._b, *self._slaves):
            os.close(fd)


@pytest.fixture
def modbus_meter_server() -> Iterator[tuple[str, object]]:
    from pymodbus.datastore import (
        ModbusDeviceContext,
        ModbusSequentialDataBlock,
        ModbusServerContext,
    )
    from pymodbus.server import ModbusSerialServer

    total_units = 1_234_567  # 12,345.67 kWh in 0.01 kWh counts, as a 32-bit value
    values = [0] * 0x20
    values[0x10:0x12] = [total_units >> 16, total_units & 0xFFFF]
    block = ModbusSequentialDataBlock(1, values)  # register 0 is the block's address 1
    context = ModbusServerContext(devices={7: ModbusDeviceContext(hr=block)}, single=False)
    cable = NullModem()
    loop = asyncio.new_event_loop()
    servers: list[ModbusSerialServer] = []
    started = threading.Event()

    async def serve() -> None:
        server = ModbusSerialServer(context, port=cable.ports[0], baudrate=9600)
        servers.append(server)
        loop.call_soon(started.set)
        await server.serve_forever()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    try:
        thread.start()
        assert started.wait(5)
        yield cable.ports[1], context
    finally:
        if servers:
            asyncio.run_coroutine_threadsafe(servers[0].shutdown(), loop).result(5)
        thread.join(5)
        loop.close()
        cable.close()


def test_a_modbus_rtu_meter_reads_right_over_a_serial_line(modbus_meter_server) -> None:  # type: ignore[no-untyped-def]
    port, _ = modbus_meter_server
    meter = ModbusMeter(
        ModbusMeterConfig(port=port, baudrate=9600, device_id=7, register=0x0010, wh_per_unit=10)
    )
    try:
        assert meter.total_wh() == pytest.approx(12_345_670)
    finally:
        meter.close()
    wrong = ModbusMeter(ModbusMeterConfig(port=port, device_id=9, register=0x0010))
    try:
        with pytest.raises(Unavailable):
            wrong.total_wh()  # no meter answers at address 9
    finally:
        wrong.close()
