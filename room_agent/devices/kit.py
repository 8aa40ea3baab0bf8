"""A room's devices beside its core: the energy meter (if any) and the health reports, each
on its own small thread, both into the core's outbox (``RoomCore.report_up``)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from ktv.errors import KtvError
from room_agent.config import AgentConfig, MeterSpec
from room_agent.core.events import CoreEvent, SongEnded
from room_agent.core.ports import DeviceHealth, MeterRead, PlayOutcome
from room_agent.devices.health import HealthCounters, HealthReporter, HealthSampler, HealthSources
from room_agent.devices.meters import EnergyMeter, ModbusMeter, ModbusMeterConfig, S0Meter
from room_agent.devices.outputs import RoomOutputs

log = logging.getLogger(__name__)

Report = Callable[[DeviceHealth | MeterRead], None]


def build_meter(spec: MeterSpec | None, pin_factory: object) -> EnergyMeter | None:
    if spec is None:
        return None
    if spec.kind == "s0":
        return S0Meter(
            spec.pin, spec.pulses_per_kwh, pin_factory=pin_factory, offset_wh=spec.offset_wh
        )
    return ModbusMeter(
        ModbusMeterConfig(
            spec.port,
            spec.baudrate,
            spec.device_id,
            spec.register,
            spec.words,
            spec.wh_per_unit,
            spec.input_registers,
        )
    )


class MeterPoller:
    """Reads the meter every ``interval_s`` and reports the total; a meter that does not
    answer is logged and tried again next time (the estimate covers the gap)."""

    def __init__(self, meter: EnergyMeter, report: Report, interval_s: float) -> None:
        self.meter = meter
        self._report = report
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ktv-meter", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def read_now(self) -> MeterRead | None:
        try:
            reading = MeterRead(self.meter.kind, round(self.meter.total_wh(), 3))
        except KtvError as exc:
            log.warning("energy meter: %s", exc.message)
            return None
        self._report(reading)
        return reading

    def _run(self) -> None:
        self.read_now()
        while not self._stop.wait(self.interval_s):
            self.read_now()

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self.meter.close()


class RoomDeviceKit:
    """The meter poller and the health reporter of one room."""

    def __init__(
        self,
        config: AgentConfig,
        report: Report,
        outputs: RoomOutputs,
        pin_factory: object,
        counters: HealthCounters,
    ) -> None:
        self.counters = counters
        sampler = HealthSampler(
            HealthSources(config.data_dir), counters, lambda: dict(outputs.switch_counts)
        )
        self.health = HealthReporter(sampler, report, config.health_interval_s)
        meter = build_meter(config.meter, pin_factory)
        interval = config.meter.interval_s if config.meter else 60.0
        self.meter = MeterPoller(meter, report, interval) if meter is not None else None

    def on_core(self, event: CoreEvent) -> None:
        """Subscribed to the core: a song the player could not play counts as an error."""
        if isinstance(event, SongEnded) and event.outcome is PlayOutcome.FAILED:
            self.counters.bump("player_errors")

    def start(self) -> None:
        self.health.start()
        if self.meter is not None:
            self.meter.start()

    def close(self) -> None:
        self.health.close()
        if self.meter is not None:
            self.meter.close()
