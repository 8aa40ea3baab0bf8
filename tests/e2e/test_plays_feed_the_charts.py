"""A song sung in a room reaches the controller's master catalog: charts and recommendations.

Real processes: the controller with ``--catalog``, a headless agent running the real core on
the real libVLC player, the real ``ktvctl`` and ``ktv-index``.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

from media_index.catalog import Catalog
from tests.support.controller import start_controller
from tests.support.core_agents import Library, open_sessions, start_agents, tool, wait_until
from tests.support.link import AgentLink, song_played_event


def _chart(catalog: Path) -> str:
    out = subprocess.run(
        [tool("ktv-index"), "chart", "--days", "0", "--db", str(catalog)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def _plays(catalog: Path) -> int:
    with Catalog(str(catalog), readonly=True) as cat:
        return len(cat.hot(days=None))


def test_a_song_sung_to_the_end_in_a_room_tops_the_venue_chart(
    tmp_path: Path, library: Library, agents
) -> None:
    master = tmp_path / "master.sqlite"
    shutil.copy(library.catalog, master)
    assert "泡沫" not in _chart(master)
    with start_controller(tmp_path / "ctl", ["--catalog", str(master)]) as ctl:
        ctl.add_room("C01", tier="small")
        agent = start_agents(ctl, library, tmp_path / "rooms", ["C01"], player="vlc")
        agents.append(agent)
        open_sessions(ctl, ["C01"])
        short = library.by_title["泡沫"]
        assert wait_until(lambda: agent.control("C01", do="add_song", song_id=short)["ok"], 30)
        # the 3 s song plays to its end on libVLC -> SongPlayed(COMPLETED) -> outbox -> link
        assert wait_until(lambda: "泡沫" in _chart(master), 30), ctl.log_text()[-3000:]
        with sqlite3.connect(tmp_path / "ctl" / "controller.db") as db:
            outcome, room = db.execute("SELECT outcome, room_id FROM song_plays").fetchone()
        assert (outcome, room) == ("COMPLETED", "C01")
        with Catalog(str(master), readonly=True) as cat:
            assert [s.song_id for s in cat.hot(days=None)][:1] == [short]
            assert short not in [s.song_id for s in cat.recommend([short], limit=5)]


def test_a_play_delivered_twice_counts_once_in_the_venue_catalog(
    tmp_path: Path, library: Library
) -> None:
    master = tmp_path / "master.sqlite"
    shutil.copy(library.catalog, master)
    song = library.by_title["红豆"]
    with start_controller(tmp_path / "ctl", ["--catalog", str(master)]) as ctl:
        ctl.add_room("C02", tier="small")
        token = ctl.enroll_agent("C02")
        event = song_played_event(song_id=song, played_ms=200_000)
        for _ in range(2):  # an outbox re-sends after a lost ack
            with AgentLink(ctl.address, token, "C02") as link:
                link.send_event(event)
                link.wait_for("ack")
        assert wait_until(lambda: "红豆" in _chart(master), 20), ctl.log_text()[-3000:]
    with Catalog(str(master), readonly=True) as cat:
        stats = json.dumps([s.song_id for s in cat.hot(days=None)])
    assert stats.count(song) == 1
    with sqlite3.connect(master) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    play_table = next(t for t in tables if "play" in t)
    with sqlite3.connect(master) as db:
        (count,) = db.execute(f"SELECT count(*) FROM {play_table}").fetchone()
    assert count == 1
