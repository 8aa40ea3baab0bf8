"""The real room agent's link against the real controller: an event the edge refuses for
its size is refused by its event_id, so the agent parks it and the events after it arrive
(a refusal that did not name it would meet the same event on every reconnect: the room's
outbox blocked for good)."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from room_agent.core import ports
from room_agent.link.credentials import AgentCredential
from room_agent.link.db import LinkDatabase
from tests.room_agent.link.conftest import RecordingRoom, make_link
from tests.room_agent.link.loopback_controller import eventually
from tests.room_agent.link.test_room_link import running
from tests.support.controller import start_controller

NOW = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)


def test_a_song_title_of_100_kb_is_parked_and_the_outbox_drains(tmp_path: Path) -> None:
    with start_controller(tmp_path / "data", ["--no-mdns"]) as ctl:
        ctl.add_room("A08", tier="large")
        token = ctl.enroll_agent("A08")
        link_db = LinkDatabase(tmp_path / "link.db")
        link = make_link(
            link_db,
            RecordingRoom(),
            target=ctl.address,
            credential=lambda: AgentCredential(room="rooms/A08", agent_token=token),
        )
        huge = ports.SongPlayed(
            song_id="s1",
            title="歌" * 100_000,
            session="",
            start_time=NOW,
            outcome=ports.PlayOutcome.COMPLETED,
            played_ms=1000,
        )

        async def scenario() -> tuple[str, str, str]:
            before = link.outbox.emit(ports.DoorChanged(open=True), NOW)
            refused = link.outbox.emit(huge, NOW)
            after = link.outbox.emit(ports.DoorChanged(open=False), NOW)
            async with running(link):
                await eventually(lambda: link.outbox.depth() == 0, what="outbox drained")
            return before, refused, after

        try:
            before, refused, after = asyncio.run(scenario())
            ((parked_id, reason),) = link.outbox.parked()
        finally:
            link_db.close()
        assert parked_id == refused and "song_played.title is too long" in reason
        db = sqlite3.connect(ctl.data_dir / "controller.db")
        stored = {r[0] for r in db.execute("SELECT event_id FROM room_events")}
        db.close()
        assert {before, after} <= stored and refused not in stored
        assert "Traceback" not in ctl.log_text()
