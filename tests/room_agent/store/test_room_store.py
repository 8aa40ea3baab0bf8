"""The agent's SQLite file: snapshots round-trip, positions update, a failed save keeps the
previous state, and a restarted core picks up where it was."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from room_agent.core.instruments import ManualClock, RecordingPlayer, RecordingSink, SongShelf
from room_agent.core.persistence import NowPlaying, RoomSnapshot
from room_agent.core.ports import PlayerState, PlayOutcome, RoomBusinessState, SessionOpened
from room_agent.core.queue import QueuedSong, QueueState, SungSong
from room_agent.core.room import RoomCore
from room_agent.store import SqliteRoomStore
from tests.room_agent.core.conftest import SONGS

T0 = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)


def _snapshot() -> RoomSnapshot:
    a = QueuedSong("e1", "s-houlai", "后来", "刘若英", T0)
    b = QueuedSong("e2", "s-yiqi", "一起学猫叫", "小潘潘", T0, "小王", "g-1")  # from a phone
    sung = SungSong("s-qingtian", "晴天", "周杰伦", T0, PlayOutcome.SKIPPED, 42_000, -1)
    playing = NowPlaying(
        QueuedSong("e0", "s-x", "X", "Y", T0, "Amy", "g-2"), T0, 61_000, 60_500, True, 2
    )
    return RoomSnapshot(
        QueueState((a, b), (sung,), (("s-qingtian", -1), ("s-x", 2))),
        playing,
        "sessions/9",
        RoomBusinessState.IN_USE,
        45,
        70,
        datetime(2026, 11, 24, 23, 0, tzinfo=UTC),
    )


def test_snapshot_round_trips_through_the_file(tmp_path: Path) -> None:
    path = tmp_path / "agent" / "room.sqlite"
    with SqliteRoomStore(path) as store:
        assert store.load() is None
        store.save(_snapshot())
    with SqliteRoomStore(path) as again:
        assert again.load() == _snapshot()


def test_position_updates_touch_only_the_playing_song(tmp_path: Path) -> None:
    with SqliteRoomStore(tmp_path / "room.sqlite") as store:
        store.save(_snapshot())
        store.save_position(90_000, 89_000, False)
        loaded = store.load()
    assert loaded is not None and loaded.now_playing is not None
    assert (loaded.now_playing.position_ms, loaded.now_playing.playing) == (90_000, False)
    assert loaded.queue == _snapshot().queue


def test_a_save_that_fails_halfway_leaves_the_previous_snapshot(tmp_path: Path) -> None:
    with SqliteRoomStore(tmp_path / "room.sqlite") as store:
        store.save(_snapshot())
        twin = QueuedSong("e1", "s-houlai", "后来", "刘若英", T0)
        broken = RoomSnapshot(QueueState((twin, twin)), None, "sessions/10")
        with pytest.raises(sqlite3.IntegrityError):
            store.save(broken)
        assert store.load() == _snapshot()


def test_the_file_is_versioned_for_later_migrations(tmp_path: Path) -> None:
    path = tmp_path / "room.sqlite"
    SqliteRoomStore(path).close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (4,)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def _core(path: Path, clock: ManualClock) -> tuple[RoomCore, RecordingPlayer, SqliteRoomStore]:
    store = SqliteRoomStore(path)
    player = RecordingPlayer(clock)
    core = RoomCore(
        player, RecordingSink(), SongShelf(SONGS), store=store, monotonic=clock, utcnow=clock.utcnow
    )
    core.start(run_loop=False)
    return core, player, store


def test_a_restarted_room_resumes_the_song_near_where_it_was(tmp_path: Path) -> None:
    clock = ManualClock()
    core, _player, store = _core(tmp_path / "room.sqlite", clock)
    core.handle(SessionOpened("sessions/1", clock.utcnow()))
    core.add_song("s-houlai")
    core.set_key(-3)
    core.add_song("s-qingtian")
    for _ in range(50):  # 5 s of singing, the loop ticking
        clock.advance(0.1)
        core.tick()
    store.close()  # power cut: no close(), no final save

    core2, player2, store2 = _core(tmp_path / "room.sqlite", clock)
    view = core2.view()
    assert view.session == "sessions/1" and not view.locked
    assert [e.song_id for e in view.queue] == ["s-qingtian"]
    play = player2.calls[-1]
    assert play.name == "play" and play.args[0] == "s-houlai" and play.args[2] == -3
    assert 5000 - 2100 <= play.args[1] <= 5000
    assert player2.state is PlayerState.PLAYING
    core2.close()
    store2.close()


def test_a_paused_song_comes_back_paused(tmp_path: Path) -> None:
    clock = ManualClock()
    core, _, store = _core(tmp_path / "room.sqlite", clock)
    core.handle(SessionOpened("sessions/1", clock.utcnow()))
    core.add_song("s-houlai")
    clock.advance(3)
    core.pause()
    store.close()
    core2, player2, store2 = _core(tmp_path / "room.sqlite", clock)
    assert player2.state is PlayerState.PAUSED
    assert player2.position_ms() == 3000
    core2.close()
    store2.close()


def test_a_corrupt_state_file_starts_a_clean_room(tmp_path: Path) -> None:
    path = tmp_path / "room.sqlite"
    with SqliteRoomStore(path) as store:
        store.save(_snapshot())
    with sqlite3.connect(path) as db:
        db.execute("UPDATE room SET business_state = 'on-fire'")
    clock = ManualClock()
    core, _player, store = _core(path, clock)
    assert core.view().locked and core.view().queue == ()
    core.close()
    store.close()


def test_an_older_state_file_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "room.sqlite"
    from room_agent.store import room_store

    with sqlite3.connect(path) as db:  # what the first release wrote
        db.executescript(room_store._MIGRATIONS[0])
        db.execute("PRAGMA user_version=1")
        db.execute("INSERT INTO room VALUES (1, 'sessions/7', 'in_use', 50, 100)")
    with SqliteRoomStore(path) as store:
        loaded = store.load()
    assert loaded is not None
    assert (loaded.session, loaded.session_ends_at) == ("sessions/7", None)


def test_a_prepaid_session_end_is_shown_and_survives_a_restart(tmp_path: Path) -> None:
    clock = ManualClock()
    core, _, store = _core(tmp_path / "room.sqlite", clock)
    ends = datetime(2026, 11, 24, 23, 0, tzinfo=UTC)
    core.handle(SessionOpened("sessions/1", clock.utcnow(), end_time=ends))
    assert core.view().session_ends_at == ends
    store.close()
    core2, _, store2 = _core(tmp_path / "room.sqlite", clock)
    assert core2.view().session_ends_at == ends
    core2.close()
    store2.close()


def test_a_version_2_file_is_upgraded_in_place_without_a_pending_request(tmp_path: Path) -> None:
    from room_agent.store import room_store

    path = tmp_path / "room.sqlite"
    with sqlite3.connect(path) as db:  # a file written by the agent before migration 3
        for script in room_store._MIGRATIONS[:2]:
            db.executescript(script)
        db.execute("PRAGMA user_version=2")
        db.execute(
            "INSERT INTO room (id, session, business_state, volume_percent, volume_cap_percent,"
            " session_ends_at) VALUES (1, 'sessions/s1', 'in_use', 60, 100, NULL)"
        )
    store = SqliteRoomStore(path)
    try:
        loaded = store.load()
        assert loaded is not None and loaded.session == "sessions/s1"
        assert not loaded.session_continues and loaded.extension_event_id == ""
        store.save(RoomSnapshot(QueueState(), session="sessions/s1", extension_event_id="e1"))
        assert store.load().extension_event_id == "e1"
    finally:
        store.close()
