"""The agent's durable outbox: events wait here until the controller acknowledges them.

Implements ``room_agent.core.ports.EventSink``. ``emit()`` returns only after the event is
committed (WAL, synchronous=FULL); the link reads pending events in the order they were
emitted and deletes an event only when its id is acked. A controller outage delays events,
never loses or doubles them (the controller stores each event id once).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from ktv.v1 import link_pb2
from room_agent.core import ports
from room_agent.link import convert
from room_agent.link.db import LinkDatabase


@dataclass(frozen=True)
class PendingEvent:
    seq: int  # emission order, strictly increasing
    event_id: str
    kind: str  # "door", "presence", "song_played", "service_called"
    message: link_pb2.RoomEvent


class Outbox:
    """``emit`` may be called from any thread; listeners are told (on the emitting thread)
    that something new is waiting, so a link can wake up without polling."""

    def __init__(self, db: LinkDatabase) -> None:
        self._db = db
        self._listeners: list[Callable[[], None]] = []
        self._listeners_lock = threading.Lock()

    def emit(self, event: ports.RoomEvent, occurred_at: datetime) -> str:
        event_id = str(uuid.uuid4())
        message = convert.event_to_proto(event_id, event, occurred_at)
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO outbox_events (event_id, kind, occurred_at, created_at, payload)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    event_id,
                    convert.event_kind(message),
                    occurred_at.astimezone(UTC).isoformat(),
                    datetime.now(UTC).isoformat(),
                    message.SerializeToString(),
                ),
            )
        with self._listeners_lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener()
        return event_id

    def pending(self, *, after_seq: int = 0, limit: int = 100) -> list[PendingEvent]:
        """Unacknowledged events with ``seq > after_seq``, oldest first."""
        with self._db.reading() as conn:
            rows = conn.execute(
                "SELECT seq, event_id, kind, payload FROM outbox_events"
                " WHERE seq > ? ORDER BY seq LIMIT ?",
                (after_seq, limit),
            ).fetchall()
        return [
            PendingEvent(seq, event_id, kind, link_pb2.RoomEvent.FromString(payload))
            for seq, event_id, kind, payload in rows
        ]

    def ack(self, event_ids: Iterable[str]) -> int:
        """Drop acknowledged events; unknown ids (already dropped) are ignored. Returns how
        many rows went."""
        ids = list(event_ids)
        if not ids:
            return 0
        with self._db.transaction() as conn:
            cur = conn.executemany(
                "DELETE FROM outbox_events WHERE event_id = ?", [(i,) for i in ids]
            )
            return cur.rowcount

    def park(self, event_id: str, reason: str) -> bool:
        """Move an event the controller refused as malformed out of the queue (kept in
        ``outbox_parked`` for a technician), so it cannot block the events behind it."""
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO outbox_parked"
                " (seq, event_id, kind, occurred_at, created_at, payload, reason, parked_at)"
                " SELECT seq, event_id, kind, occurred_at, created_at, payload, ?, ?"
                " FROM outbox_events WHERE event_id = ?",
                (reason, datetime.now(UTC).isoformat(), event_id),
            )
            cur = conn.execute("DELETE FROM outbox_events WHERE event_id = ?", (event_id,))
            return cur.rowcount == 1

    def parked(self) -> list[tuple[str, str]]:
        """``(event_id, reason)`` of parked events, oldest first."""
        with self._db.reading() as conn:
            return conn.execute(
                "SELECT event_id, reason FROM outbox_parked ORDER BY seq"
            ).fetchall()

    def depth(self) -> int:
        with self._db.reading() as conn:
            return conn.execute("SELECT COUNT(*) FROM outbox_events").fetchone()[0]

    def add_listener(self, listener: Callable[[], None]) -> None:
        with self._listeners_lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[], None]) -> None:
        with self._listeners_lock:
            if listener in self._listeners:
                self._listeners.remove(listener)
