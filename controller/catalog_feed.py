"""Feed the rooms' stored plays into the venue's master song catalog (charts, recommendations).

``ktv-controller serve --catalog PATH`` starts a ``CatalogFeed``: a background thread that
reads new rows of the controller's ``song_plays`` table (every SongPlayed event is stored
there once, by event id, in the event's own transaction) through its own SQLite connection
and records each one with ``media_index.Catalog.record_play(..., event_id=...)``. The
catalog is idempotent by event id, so a restart that feeds a play again counts it once.
Nothing here runs on the controller's event loop: a slow catalog never delays a room.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ktv.errors import FailedPrecondition, KtvError
from media_index.catalog import Catalog
from media_index.records import PlayOutcome

log = logging.getLogger(__name__)

FEED_INTERVAL_S = 0.5  # how often the feed looks for new plays
FEED_BATCH_ROWS = 500  # plays read per query


@dataclass(frozen=True)
class StoredPlay:
    """One row of ``song_plays`` as the catalog needs it."""

    rowid: int
    event_id: str
    room_id: str
    song_id: str
    session: str
    played_at: datetime
    outcome: PlayOutcome
    played_ms: int


def _parse_ts(text: str) -> datetime:
    when = datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _play(row: sqlite3.Row) -> StoredPlay:
    return StoredPlay(
        rowid=row["rowid"],
        event_id=row["event_id"],
        room_id=row["room_id"],
        song_id=row["song_id"],
        # a play outside a session (staff testing a room) still counts for the charts
        session=row["session"] or f"{row['room_id']}-no-session",
        played_at=_parse_ts(row["start_time"] or row["occur_time"]),
        outcome=PlayOutcome(row["outcome"].lower()),
        played_ms=max(0, int(row["played_ms"])),
    )


class CatalogFeed:
    """Tails ``song_plays`` in ``controller_db`` into the read-write catalog at ``catalog_path``."""

    def __init__(
        self, controller_db: Path, catalog_path: Path, *, interval_s: float = FEED_INTERVAL_S
    ) -> None:
        if not Path(catalog_path).is_file():  # a master catalog is made by the scanner
            raise FailedPrecondition(
                f"catalog {catalog_path} does not exist: scan the song library into it first"
                f" (ktv-index scan DIR --db {catalog_path})"
            )
        self.catalog = Catalog(str(catalog_path))
        self._db_path = controller_db
        self._interval_s = interval_s
        self._last_rowid = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="catalog-feed", daemon=True)
        self.fed = 0  # plays recorded (new to the catalog) since start
        self.read = 0  # stored plays looked at since start (fed, already known, or refused)

    def start(self) -> None:
        self._thread.start()

    def close(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)
        self.catalog.close()

    def _run(self) -> None:
        db = sqlite3.connect(f"file:{self._db_path}?mode=ro", uri=True, timeout=5.0)
        db.row_factory = sqlite3.Row
        try:
            while not self._stop.is_set():
                try:
                    while self.feed_once(db) == FEED_BATCH_ROWS:
                        pass
                except Exception:  # keep feeding: a bad row or a busy file must not stop it
                    log.exception("catalog feed failed; retrying")
                self._stop.wait(self._interval_s)
        finally:
            db.close()

    def feed_once(self, db: sqlite3.Connection) -> int:
        """Record the plays after the last one fed; returns how many rows were read."""
        rows = db.execute(
            "SELECT rowid, * FROM song_plays WHERE rowid > ? ORDER BY rowid LIMIT ?",
            (self._last_rowid, FEED_BATCH_ROWS),
        ).fetchall()
        for row in rows:
            try:
                play = _play(row)
                new = self.catalog.record_play(
                    play.song_id,
                    room=play.room_id,
                    session=play.session,
                    played_at=play.played_at,
                    outcome=play.outcome,
                    played_ms=play.played_ms,
                    event_id=play.event_id,
                )
            except (ValueError, KeyError, KtvError) as exc:
                log.warning("play %s not fed to the catalog: %s", row["event_id"], exc)
                new = False
            self.fed += int(new)
            self.read += 1
            self._last_rowid = row["rowid"]
        if rows:
            log.info("catalog: fed %d play(s), up to event %s", len(rows), rows[-1]["event_id"])
        return len(rows)
