"""What the agent measures of its own devices (issue 24): the Pi's temperature and throttling,
what was written to its disk, free space, and the counters the room keeps (player errors,
taps, sensor edges, output switches). Absent-safe: where a source does not exist (not a Pi,
no vcgencmd) the value is None, never an error. Sent up as ``DeviceHealth`` every
``interval_s``; the controller keeps the history and applies the maintenance rules.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from room_agent.core.ports import DeviceHealth

log = logging.getLogger(__name__)

THERMAL_ZONE = Path("/sys/class/thermal/thermal_zone0/temp")
DISKSTATS = Path("/proc/diskstats")
SECTOR_BYTES = 512  # /proc/diskstats counts 512-byte sectors whatever the device's size
HEALTH_INTERVAL_S = 300.0


def read_temperature_c(path: Path = THERMAL_ZONE) -> float | None:
    """The SoC temperature from sysfs (millidegrees), or None."""
    try:
        return int(path.read_text().strip()) / 1000.0
    except (OSError, ValueError):
        return None


def read_throttled(run: Callable[[list[str]], str] | None = None) -> int | None:
    """``vcgencmd get_throttled`` bits (0x50005: under-voltage now and since boot...), or
    None where vcgencmd is absent."""
    if run is None:
        if shutil.which("vcgencmd") is None:
            return None

        def run(argv: list[str]) -> str:
            return subprocess.run(argv, capture_output=True, text=True, timeout=2).stdout

    try:
        out = run(["vcgencmd", "get_throttled"])
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"throttled=(0x[0-9a-fA-F]+)", out)
    return int(match.group(1), 16) if match else None


def disk_written_bytes(path: Path, diskstats: Path = DISKSTATS) -> int:
    """Bytes written since boot to the block device holding ``path`` (its partition's line
    in /proc/diskstats: field 10 is sectors written), or 0 where it cannot be told."""
    try:
        dev = os.stat(path).st_dev
        major, minor = os.major(dev), os.minor(dev)
        for line in diskstats.read_text().splitlines():
            fields = line.split()
            if len(fields) >= 10 and int(fields[0]) == major and int(fields[1]) == minor:
                return int(fields[9]) * SECTOR_BYTES
    except (OSError, ValueError):
        pass
    return 0


def disk_free_bytes(path: Path) -> int:
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return 0


@dataclass
class HealthCounters:
    """Counters since the agent started, bumped by the parts that see the events
    (thread-safe: the sensors' threads, the core's, Kivy's)."""

    player_errors: int = 0
    taps: int = 0
    door_edges: int = 0
    motion_edges: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def bump(self, name: str) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + 1)


@dataclass
class HealthSources:
    """Where the numbers come from (tests point them at files of their own)."""

    data_dir: Path
    thermal_zone: Path = THERMAL_ZONE
    diskstats: Path = DISKSTATS
    vcgencmd: Callable[[list[str]], str] | None = None


class HealthSampler:
    """One ``DeviceHealth`` from the sources, the counters and the outputs' switch counts."""

    def __init__(
        self,
        sources: HealthSources,
        counters: HealthCounters,
        switch_counts: Callable[[], dict[str, int]] = dict,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sources = sources
        self.counters = counters
        self.switch_counts = switch_counts
        self._now = monotonic
        self._started = monotonic()

    def sample(self) -> DeviceHealth:
        s, c = self.sources, self.counters
        return DeviceHealth(
            temperature_c=read_temperature_c(s.thermal_zone),
            throttled_flags=read_throttled(s.vcgencmd),
            disk_written_bytes=disk_written_bytes(s.data_dir, s.diskstats),
            disk_free_bytes=disk_free_bytes(s.data_dir),
            player_errors=c.player_errors,
            taps=c.taps,
            door_edges=c.door_edges,
            motion_edges=c.motion_edges,
            switches=tuple(sorted(self.switch_counts().items())),
            uptime_s=int(self._now() - self._started),
        )


class HealthReporter:
    """Samples every ``interval_s`` on its own thread and hands the report to ``emit`` (the
    core's outbox). ``close()`` stops it; ``report_now()`` is for start-up and tests."""

    def __init__(
        self,
        sampler: HealthSampler,
        emit: Callable[[DeviceHealth], None],
        interval_s: float = HEALTH_INTERVAL_S,
    ) -> None:
        self.sampler = sampler
        self._emit = emit
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ktv-health", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def report_now(self) -> DeviceHealth:
        report = self.sampler.sample()
        self._emit(report)
        return report

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.report_now()
            except Exception:  # a health report must never take the room down
                log.exception("device health report failed")

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
