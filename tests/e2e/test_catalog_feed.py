"""The controller's catalog feed on real SQLite files: the controller's own schema (opened by
``open_store``) and a real scanned catalog; no processes."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from controller.catalog_feed import CatalogFeed
from controller.store.db import open_store
from media_index.catalog import Catalog
from tests.support.core_agents import Library, tool, wait_until


def _store_play(db: Path, event_id: str, song_id: str, outcome: str, played_ms: int) -> None:
    now = datetime.now(UTC).isoformat()
    with sqlite3.connect(db) as conn:  # foreign keys off on this connection: no rooms table rows
        conn.execute(
            "INSERT INTO room_events VALUES (?, 'A01', 'song_played', ?, ?, '{}')",
            (event_id, now, now),
        )
        conn.execute(
            "INSERT INTO song_plays VALUES (?, 'A01', ?, 't', 'sess-1', ?, ?, ?, '', ?)",
            (event_id, song_id, now, outcome, played_ms, now),
        )


def _hot(catalog: Path) -> list[str]:
    with Catalog(str(catalog), readonly=True) as cat:
        return [s.song_id for s in cat.hot(days=None)]


def test_plays_already_stored_and_new_ones_reach_the_catalog_once_across_a_restart(
    tmp_path: Path, library: Library
) -> None:
    db = tmp_path / "controller.db"
    open_store(db).close()
    master = tmp_path / "master.sqlite"
    shutil.copy(library.catalog, master)
    qingtian, hongdou = library.by_title["晴天"], library.by_title["红豆"]
    _store_play(db, "ev-1", qingtian, "COMPLETED", 200_000)  # stored before the feed starts

    feed = CatalogFeed(db, master, interval_s=0.05)
    feed.start()
    try:
        assert wait_until(lambda: feed.fed == 1, 10)
        _store_play(db, "ev-2", hongdou, "SKIPPED", 45_000)  # > 30 s sung: counts
        _store_play(db, "ev-3", hongdou, "COMPLETED", 200_000)
        assert wait_until(lambda: feed.fed == 3, 10)
    finally:
        feed.close()
    assert _hot(master)[:2] == [hongdou, qingtian]

    again = CatalogFeed(db, master, interval_s=0.05)  # a controller restart feeds from row 1
    again.start()
    try:
        assert wait_until(lambda: again.read == 3, 10)  # it read every stored play again...
    finally:
        again.close()
    assert again.fed == 0  # ...and the catalog counted none of them twice
    assert _hot(master)[:2] == [hongdou, qingtian]


def test_a_play_the_catalog_cannot_take_is_logged_and_the_rest_still_flow(
    tmp_path: Path, library: Library, caplog
) -> None:
    db = tmp_path / "controller.db"
    open_store(db).close()
    master = tmp_path / "master.sqlite"
    shutil.copy(library.catalog, master)
    song = library.by_title["晴天"]
    _store_play(db, "ev-bad", song, "EXPLODED", 1000)
    _store_play(db, "ev-good", song, "COMPLETED", 200_000)
    feed = CatalogFeed(db, master, interval_s=0.05)
    feed.start()
    try:
        assert wait_until(lambda: feed.fed == 1, 10)
    finally:
        feed.close()
    assert _hot(master) == [song]
    assert "ev-bad not fed to the catalog" in caplog.text


def test_a_controller_pointed_at_a_missing_catalog_refuses_to_start_in_one_line(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "nowhere" / "catalog.sqlite"
    out = subprocess.run(
        [tool("ktv-controller"), "serve", "--data-dir", str(tmp_path / "ctl"),
         "--listen", "127.0.0.1:0", "--insecure-dev", "--no-mdns", "--catalog", str(missing)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert out.returncode == 5, out.stderr
    assert (
        out.stderr.strip()
        .splitlines()[-1]
        .startswith(f"ktv-controller: catalog {missing} does not exist")
    )
    assert not missing.parent.exists()
