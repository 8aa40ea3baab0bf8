from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ktv.errors import InvalidArgument
from room_agent.core import ports
from room_agent.link.db import LinkDatabase
from room_agent.link.outbox import Outbox

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_events_survive_closing_and_reopening_the_outbox(tmp_path: Path) -> None:
    db = LinkDatabase(tmp_path / "link.db")
    first = Outbox(db).emit(ports.DoorChanged(open=True), T0)
    second = Outbox(db).emit(ports.ServiceCalled(kind="water", note="两瓶"), T0)
    db.close()

    reopened = LinkDatabase(tmp_path / "link.db")
    try:
        pending = Outbox(reopened).pending()
        assert [p.event_id for p in pending] == [first, second]
        assert pending[0].message.door.open is True
        assert pending[1].message.service_called.note == "两瓶"
        assert pending[1].message.occur_time.ToDatetime(tzinfo=UTC) == T0
    finally:
        reopened.close()


def test_events_leave_in_the_order_the_room_produced_them(outbox: Outbox) -> None:
    ids = [outbox.emit(ports.PresenceChanged(present=i % 2 == 0), T0) for i in range(50)]
    assert [p.event_id for p in outbox.pending(limit=100)] == ids
    assert [p.event_id for p in outbox.pending(after_seq=outbox.pending()[9].seq)] == ids[10:]


def test_an_event_is_deleted_only_when_the_controller_acks_it(outbox: Outbox) -> None:
    a = outbox.emit(ports.DoorChanged(open=True), T0)
    b = outbox.emit(ports.DoorChanged(open=False), T0 + timedelta(seconds=3))
    assert outbox.depth() == 2
    assert outbox.ack([b]) == 1
    assert [p.event_id for p in outbox.pending()] == [a]
    assert outbox.ack([b, "never-sent"]) == 0  # a repeated or unknown ack changes nothing
    assert outbox.depth() == 1


def test_a_song_play_keeps_every_detail_on_the_wire(outbox: Outbox) -> None:
    played = ports.SongPlayed(
        song_id="s-1001",
        title="晴天",
        session="sessions/42",
        start_time=T0,
        outcome=ports.PlayOutcome.SKIPPED,
        played_ms=61_500,
    )
    outbox.emit(played, T0 + timedelta(minutes=1))
    (pending,) = outbox.pending()
    msg = pending.message.song_played
    assert pending.kind == "song_played"
    assert (msg.song_id, msg.title, msg.session, msg.played_ms) == (
        "s-1001",
        "晴天",
        "sessions/42",
        61_500,
    )
    assert msg.outcome == 2  # PLAY_OUTCOME_SKIPPED
    assert msg.start_time.ToDatetime(tzinfo=UTC) == T0


def test_an_event_without_a_timezone_is_refused_and_nothing_is_written(outbox: Outbox) -> None:
    with pytest.raises(InvalidArgument, match="UTC"):
        outbox.emit(ports.DoorChanged(open=True), datetime(2026, 11, 24, 12, 0))
    with pytest.raises(InvalidArgument, match="kind"):
        outbox.emit(ports.ServiceCalled(kind=""), T0)
    assert outbox.depth() == 0


def test_every_event_gets_its_own_uuid_when_many_threads_emit_at_once(outbox: Outbox) -> None:
    ids: list[str] = []
    lock = threading.Lock()

    def burst() -> None:
        for _ in range(40):
            event_id = outbox.emit(ports.PresenceChanged(present=True), T0)
            with lock:
                ids.append(event_id)

    threads = [threading.Thread(target=burst) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(ids)) == 160
    assert outbox.depth() == 160


def test_the_outbox_file_is_written_with_wal_and_full_sync(link_db: LinkDatabase) -> None:
    with link_db.reading() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_an_emitted_event_survives_the_agent_being_killed_right_after(tmp_path: Path) -> None:
    # A separate agent process emits, prints the id, and is SIGKILLed by itself at once:
    # emit() must have put the event on disk before it returned.
    script = f"""
import os, signal, sys
from datetime import UTC, datetime
from pathlib import Path
from room_agent.core import ports
from room_agent.link.db import LinkDatabase
from room_agent.link.outbox import Outbox
outbox = Outbox(LinkDatabase(Path({str(tmp_path / "link.db")!r})))
event_id = outbox.emit(ports.DoorChanged(open=True), datetime.now(UTC))
os.write(1, event_id.encode())
os.kill(os.getpid(), signal.SIGKILL)
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert proc.returncode == -9, proc.stderr.decode()
    event_id = proc.stdout.decode()
    db = LinkDatabase(tmp_path / "link.db")
    try:
        assert [p.event_id for p in Outbox(db).pending()] == [event_id]
    finally:
        db.close()


def test_a_database_from_a_newer_agent_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(tmp_path / "link.db")
    conn.execute("PRAGMA user_version=99")
    conn.close()
    with pytest.raises(Exception, match="newer than this agent"):
        LinkDatabase(tmp_path / "link.db")
    assert os.path.exists(tmp_path / "link.db")


def test_an_outbox_from_the_first_agent_release_upgrades_in_place_keeping_its_events(
    tmp_path: Path,
) -> None:
    import sqlite3

    from room_agent.link.db import MIGRATIONS

    path = tmp_path / "link.db"
    db = LinkDatabase(path)
    waiting = Outbox(db).emit(ports.DoorChanged(open=True), T0)
    db.close()
    conn = sqlite3.connect(path)  # roll the file back to schema 1, as release 1 left it
    conn.execute("DROP TABLE outbox_parked")
    conn.execute("PRAGMA user_version=1")
    conn.commit()
    conn.close()

    upgraded = LinkDatabase(path)
    try:
        with upgraded.reading() as c:
            assert c.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        outbox = Outbox(upgraded)
        assert [p.event_id for p in outbox.pending()] == [waiting]
        assert outbox.park(waiting, "refused") and outbox.parked() == [(waiting, "refused")]
    finally:
        upgraded.close()
