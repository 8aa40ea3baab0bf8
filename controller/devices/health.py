"""Device health from the rooms' reports: maintenance rules, trends and a risk order (pure).

The agents report counters since they started (``DeviceHealth``: temperature, throttling,
disk written, disk free, player errors, taps, sensor edges, output switches) every few
minutes; the board keeps them as ``room_events``. Over a window of days:

- rules (maintenance needed, badge SERVICE): a **dead PIR** (sessions ran for hours on
  several days and the PIR never triggered during them), a **stuck door** (the reed switch
  has said "open" for a day: a door that never closes is a broken reed), **hot** (80 °C and
  up), **throttled now** (under-voltage or throttling bits), **disk low** (under 500 MB);
- trends (badge WATCH): **temperature rising** (the daily mean climbs 1.5 °C a day or more
  over three days or more), **player errors rising** (the last day has at least 5 and twice
  the earlier days' mean), **SD wear** (more than 2 GB written a day), throttling since boot;
- rooms are listed by risk: 10 per rule, 3 per trend, plus a little per degree over 60 °C.

A counter that goes down means the agent restarted: the new value is the increase.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


class Badge(enum.Enum):
    UNKNOWN = ""  # no report yet
    OK = "ok"
    WATCH = "watch"
    SERVICE = "service"


@dataclass(frozen=True)
class HealthRules:
    dead_pir_session_h: float = 6.0  # session hours without one PIR edge...
    dead_pir_days: int = 2  # ...spread over at least this many days
    stuck_door_h: float = 24.0
    hot_c: float = 80.0
    disk_low_bytes: int = 500 * 1024 * 1024
    sd_wear_bytes_per_day: int = 2 * 1024**3
    temperature_rise_c_per_day: float = 1.5
    trend_days: int = 3
    player_errors_min: int = 5


SERVICE_KINDS = frozenset({"DEAD_PIR", "STUCK_DOOR", "HOT", "THROTTLED", "DISK_LOW"})


@dataclass(frozen=True)
class Report:
    """One DeviceHealth report as the controller stored it."""

    at: datetime
    temperature_c: float | None = None
    throttled_flags: int | None = None
    disk_written_bytes: int = 0
    disk_free_bytes: int = 0
    player_errors: int = 0
    taps: int = 0
    door_edges: int = 0
    motion_edges: int = 0
    output_switches: int = 0


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class HealthAlert:
    kind: str
    message: str


@dataclass(frozen=True)
class RoomHealth:
    room_id: str
    badge: Badge
    risk: int
    alerts: tuple[HealthAlert, ...]
    last: Report | None
    disk_written_per_day: int = 0
    player_errors_per_day: float = 0.0
    taps: int = 0
    output_switches: int = 0


def _increase(before: int, after: int) -> int:
    return after - before if after >= before else after  # the agent restarted


def _overlap_s(a: datetime, b: datetime, sessions: Sequence[Interval]) -> float:
    total = 0.0
    for s in sessions:
        lo, hi = max(a, s.start), min(b, s.end)
        if hi > lo:
            total += (hi - lo).total_seconds()
    return total


def _daily(reports: Sequence[Report], value) -> dict[object, list[float]]:  # type: ignore[no-untyped-def]
    days: dict[object, list[float]] = {}
    for r in reports:
        v = value(r)
        if v is not None:
            days.setdefault(r.at.date(), []).append(float(v))
    return days


def _slope(points: Sequence[tuple[float, float]]) -> float:
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    var = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / var if var else 0.0


def room_health(
    room_id: str,
    reports: Sequence[Report],
    sessions: Sequence[Interval],
    door_open_since: datetime | None,
    now: datetime,
    rules: HealthRules | None = None,
) -> RoomHealth:
    """The room's alerts, badge and risk from its reports (oldest first) in the window."""
    rules = rules or HealthRules()
    if not reports:
        return RoomHealth(room_id, Badge.UNKNOWN, 0, (), None)
    alerts: list[HealthAlert] = []
    last = reports[-1]
    # increases over the window, per consecutive pair of reports
    written = errors = taps = switches = 0
    quiet_session_s = 0.0
    quiet_days: set[object] = set()
    pir_seen_in_session = False
    for before, after in itertools.pairwise(reports):
        written += _increase(before.disk_written_bytes, after.disk_written_bytes)
        errors += _increase(before.player_errors, after.player_errors)
        taps += _increase(before.taps, after.taps)
        switches += _increase(before.output_switches, after.output_switches)
        in_session_s = _overlap_s(before.at, after.at, sessions)
        if in_session_s > 0:
            if _increase(before.motion_edges, after.motion_edges) > 0:
                pir_seen_in_session = True
            else:
                quiet_session_s += in_session_s
                quiet_days.add(after.at.date())
    span_days = max((last.at - reports[0].at).total_seconds() / 86400, 1 / 24)
    per_day_written = round(written / span_days) if len(reports) > 1 else 0
    errors_per_day = errors / span_days if len(reports) > 1 else 0.0

    if (
        not pir_seen_in_session
        and quiet_session_s >= rules.dead_pir_session_h * 3600
        and len(quiet_days) >= rules.dead_pir_days
    ):
        hours = quiet_session_s / 3600
        alerts.append(
            HealthAlert(
                "DEAD_PIR",
                f"the PIR never triggered in {hours:.0f} h of sessions over {len(quiet_days)} "
                "days: check or replace it",
            )
        )
    if door_open_since is not None and now - door_open_since >= timedelta(hours=rules.stuck_door_h):
        hours = (now - door_open_since).total_seconds() / 3600
        alerts.append(
            HealthAlert("STUCK_DOOR", f"the door has read open for {hours:.0f} h: check the reed")
        )
    if last.temperature_c is not None and last.temperature_c >= rules.hot_c:
        alerts.append(HealthAlert("HOT", f"the Pi runs at {last.temperature_c:.0f} °C"))
    if last.throttled_flags:
        if last.throttled_flags & 0xF:
            alerts.append(
                HealthAlert(
                    "THROTTLED",
                    f"under-voltage or throttling now (flags {last.throttled_flags:#x}): "
                    "check the power supply",
                )
            )
        elif last.throttled_flags & 0xF0000:
            alerts.append(
                HealthAlert(
                    "THROTTLED_SINCE_BOOT",
                    f"throttled since boot (flags {last.throttled_flags:#x})",
                )
            )
    if last.disk_free_bytes and last.disk_free_bytes < rules.disk_low_bytes:
        mb = last.disk_free_bytes // (1024 * 1024)
        alerts.append(HealthAlert("DISK_LOW", f"only {mb} MB free on the data disk"))
    if per_day_written > rules.sd_wear_bytes_per_day:
        gb = per_day_written / 1024**3
        alerts.append(HealthAlert("SD_WEAR", f"{gb:.1f} GB written a day wears the SD card"))
    temps = _daily(reports, lambda r: r.temperature_c)
    if len(temps) >= rules.trend_days:
        days = sorted(temps)
        points = [(float(i), sum(temps[d]) / len(temps[d])) for i, d in enumerate(days)]
        slope = _slope(points)
        if slope >= rules.temperature_rise_c_per_day:
            alerts.append(
                HealthAlert(
                    "TEMPERATURE_RISING",
                    f"the daily temperature climbs {slope:.1f} °C a day: check the fan and dust",
                )
            )
    per_day_errors: dict[object, int] = {}
    for before, after in itertools.pairwise(reports):
        day = after.at.date()
        per_day_errors[day] = per_day_errors.get(day, 0) + _increase(
            before.player_errors, after.player_errors
        )
    if len(per_day_errors) >= 2:
        days = sorted(per_day_errors)
        latest = per_day_errors[days[-1]]
        earlier = [per_day_errors[d] for d in days[:-1]]
        mean = sum(earlier) / len(earlier)
        if latest >= rules.player_errors_min and latest >= 2 * max(mean, 0.5):
            alerts.append(
                HealthAlert(
                    "PLAYER_ERRORS_RISING",
                    f"{latest} songs failed on the last day (earlier days: {mean:.1f} a day): "
                    "check the disk and the files",
                )
            )
    service = sum(1 for a in alerts if a.kind in SERVICE_KINDS)
    watch = len(alerts) - service
    badge = Badge.SERVICE if service else Badge.WATCH if watch else Badge.OK
    heat = max(0.0, (last.temperature_c or 0.0) - 60.0)
    risk = 10 * service + 3 * watch + int(heat // 5)
    return RoomHealth(
        room_id,
        badge,
        risk,
        tuple(alerts),
        last,
        per_day_written,
        errors_per_day,
        taps,
        switches,
    )


def by_risk(rooms: Sequence[RoomHealth]) -> list[RoomHealth]:
    """Riskiest first; rooms never reported last; ties by room id."""
    return sorted(rooms, key=lambda h: (h.badge is Badge.UNKNOWN, -h.risk, h.room_id))
