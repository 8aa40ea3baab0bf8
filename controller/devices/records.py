"""What the rooms reported, read back from the board's tables for energy and health.

The board stores every link event verbatim in ``room_events`` (kind = the event's class name,
payload = the protobuf's JSON) and every business-state change in ``room_state_changes``;
nothing new is stored for energy: a room's history is read per span. For each kind the
last row before the span gives the value the span starts with.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from controller.devices.energy import (
    LoadChange,
    MeterReading,
    PresenceChange,
    RoomHistory,
    StateChange,
)
from controller.devices.health import Report
from controller.store.db import Store
from ktv.room_link import RoomState

_SESSION_OPENED = ("session ", " opened")  # the board's reason for IN_USE


def _ts(value: datetime) -> str:
    return value.isoformat()


def _events(
    store: Store, kind: str, start: datetime, end: datetime, value: str = "$"
) -> dict[str, list[tuple[datetime, Any]]]:
    """Each room's events of ``kind`` in [start, end), preceded by its last one before: the
    payload's ``value`` (a JSON path, read by SQLite: no JSON parsing here), oldest first."""
    select = f"json_extract(payload, '{value}')" if value != "$" else "payload"
    # plain tuples, not the store's dicts: a busy day is ~10^4 rows
    rows = store.execute(
        f"SELECT room_id, {select}, MAX(occur_time) FROM room_events"
        " WHERE kind = ? AND occur_time < ? GROUP BY room_id",
        (kind, _ts(start)),
    ).fetchall()
    rows += store.execute(
        f"SELECT room_id, {select}, occur_time FROM room_events"
        " WHERE kind = ? AND occur_time >= ? AND occur_time < ?",
        (kind, _ts(start), _ts(end)),
    ).fetchall()
    out: dict[str, list[tuple[datetime, Any]]] = defaultdict(list)
    parse = datetime.fromisoformat
    for room_id, value, occur in rows:
        out[room_id].append((parse(occur), value))
    for items in out.values():
        items.sort(key=lambda item: item[0])
    return out


def _states(store: Store, start: datetime, end: datetime) -> dict[str, list[StateChange]]:
    rows = store.query(
        "SELECT room_id, to_state, reason, MAX(changed_at) AS changed_at"
        " FROM room_state_changes WHERE changed_at < ? GROUP BY room_id",
        (_ts(start),),
    )
    rows += store.query(
        "SELECT room_id, to_state, reason, changed_at FROM room_state_changes"
        " WHERE changed_at >= ? AND changed_at < ? ORDER BY change_id",
        (_ts(start), _ts(end)),
    )
    out: dict[str, list[StateChange]] = defaultdict(list)
    for r in rows:
        reason = r["reason"] or ""
        session = ""
        if reason.startswith(_SESSION_OPENED[0]) and reason.endswith(_SESSION_OPENED[1]):
            session = reason[len(_SESSION_OPENED[0]) : -len(_SESSION_OPENED[1])]
        state = RoomState(r["to_state"])
        out[r["room_id"]].append(
            StateChange(datetime.fromisoformat(r["changed_at"]), state, session)
        )
    for items in out.values():
        items.sort(key=lambda c: c.at)
    return out


def room_histories(
    store: Store, room_ids: Iterable[str], start: datetime, end: datetime
) -> list[RoomHistory]:
    """Each room's loads, states, presence and meter readings for the span (and just before)."""
    loads = _events(store, "PowerSwitched", start, end, "$.powerSwitched.loadWatts")
    presence = _events(store, "PresenceChanged", start, end, "$.presence.present")
    meters = _events(store, "MeterRead", start, end, "$.meterRead.totalWh")
    states = _states(store, start, end)
    histories = []
    for room_id in room_ids:
        histories.append(
            RoomHistory(
                room_id,
                loads=[LoadChange(at, int(v or 0)) for at, v in loads.get(room_id, [])],
                states=states.get(room_id, []),
                presence=[PresenceChange(at, bool(v)) for at, v in presence.get(room_id, [])],
                meter=[MeterReading(at, float(v or 0.0)) for at, v in meters.get(room_id, [])],
            )
        )
    return histories


_HEALTH_FIELDS = (
    "temperatureC",
    "temperatureKnown",
    "throttledFlags",
    "throttlingKnown",
    "diskWrittenBytes",
    "diskFreeBytes",
    "playerErrors",
    "taps",
    "doorEdges",
    "motionEdges",
)


def health_reports(store: Store, start: datetime, end: datetime) -> dict[str, list[Report]]:
    """Each room's DeviceHealth reports in [start, end), oldest first. SQLite takes the
    numbers out of the stored JSON (a week of 200 rooms reporting every 5 minutes is
    400,000 rows); int64 fields arrive as text, as protobuf's JSON writes them."""
    fields = ", ".join(f"json_extract(payload, '$.deviceHealth.{f}')" for f in _HEALTH_FIELDS)
    switches = (
        "(SELECT total(json_extract(value, '$.count'))"
        " FROM json_each(payload, '$.deviceHealth.switches'))"
    )
    rows = store.execute(
        f"SELECT room_id, occur_time, {fields}, {switches} FROM room_events"
        " WHERE kind = 'DeviceHealth' AND occur_time >= ? AND occur_time < ?"
        " ORDER BY occur_time",
        (_ts(start), _ts(end)),
    ).fetchall()
    out: dict[str, list[Report]] = defaultdict(list)
    for (
        room_id,
        occur,
        temp,
        t_known,
        flags,
        f_known,
        written,
        free,
        errors,
        taps,
        door,
        motion,
        sw,
    ) in rows:
        out[room_id].append(
            Report(
                datetime.fromisoformat(occur),
                temperature_c=float(temp or 0.0) if t_known else None,
                throttled_flags=int(flags or 0) if f_known else None,
                disk_written_bytes=int(written or 0),
                disk_free_bytes=int(free or 0),
                player_errors=int(errors or 0),
                taps=int(taps or 0),
                door_edges=int(door or 0),
                motion_edges=int(motion or 0),
                output_switches=int(sw or 0),
            )
        )
    return out
