from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from google.protobuf.timestamp_pb2 import Timestamp

from ktv.errors import FailedPrecondition
from ktv.v1 import link_pb2, rooms_pb2
from room_agent.core import ports
from room_agent.link.commands import CommandDispatcher
from room_agent.link.db import LinkDatabase

from .conftest import RecordingRoom


def _ts(moment: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(moment)
    return ts


OPENED = datetime(2026, 11, 24, 19, 30, tzinfo=UTC)


def test_a_command_sent_twice_is_applied_once_and_answered_twice(link_db, room) -> None:
    dispatcher = CommandDispatcher(room, link_db)
    cmd = link_pb2.RoomCommand(command_id="c-1", volume_limit=link_pb2.VolumeLimit(max_percent=60))
    first = dispatcher.apply(cmd)
    again = dispatcher.apply(cmd)
    assert room.commands == [ports.VolumeLimit(max_percent=60)]
    assert (first.ok, again.ok, again.repeated) == (True, True, True)


def test_applied_command_ids_are_remembered_across_an_agent_restart(tmp_path: Path) -> None:
    room = RecordingRoom()
    cmd = link_pb2.RoomCommand(
        command_id="c-9", emergency=link_pb2.Emergency(active=True, message="请从安全出口离开")
    )
    db = LinkDatabase(tmp_path / "link.db")
    CommandDispatcher(room, db).apply(cmd)
    db.close()
    db = LinkDatabase(tmp_path / "link.db")
    try:
        assert CommandDispatcher(room, db).apply(cmd).repeated
    finally:
        db.close()
    assert room.commands == [ports.Emergency(active=True, message="请从安全出口离开")]


def test_only_the_most_recent_command_ids_are_kept(link_db, room) -> None:
    dispatcher = CommandDispatcher(room, link_db, keep_ids=3)
    for i in range(6):
        dispatcher.apply(
            link_pb2.RoomCommand(command_id=f"c-{i}", show_message=link_pb2.ShowMessage(text="hi"))
        )
    with link_db.reading() as conn:
        kept = [r[0] for r in conn.execute("SELECT command_id FROM applied_commands ORDER BY seq")]
    assert kept == ["c-3", "c-4", "c-5"]


def test_every_command_kind_reaches_the_room_as_its_typed_command(link_db, room) -> None:
    dispatcher = CommandDispatcher(room, link_db)
    commands = [
        link_pb2.RoomCommand(
            session_opened=link_pb2.SessionOpened(
                session="sessions/7", open_time=_ts(OPENED), guest_count=6
            )
        ),
        link_pb2.RoomCommand(session_closed=link_pb2.SessionClosed(session="sessions/7")),
        link_pb2.RoomCommand(queue_songs=link_pb2.QueueSongs(song_ids=["s1", "s2"])),
        link_pb2.RoomCommand(volume_limit=link_pb2.VolumeLimit(max_percent=100)),
        link_pb2.RoomCommand(
            show_message=link_pb2.ShowMessage(text="果盘到了", duration_seconds=5)
        ),
        link_pb2.RoomCommand(emergency=link_pb2.Emergency(active=False)),
        link_pb2.RoomCommand(
            room_state=link_pb2.RoomStateChanged(state=rooms_pb2.ROOM_STATE_CLEANING)
        ),
    ]
    for i, cmd in enumerate(commands):
        cmd.command_id = f"k-{i}"
        assert dispatcher.apply(cmd).ok
    assert room.commands == [
        ports.SessionOpened(session="sessions/7", open_time=OPENED, end_time=None, guest_count=6),
        ports.SessionClosed(session="sessions/7"),
        ports.QueueSongs(song_ids=("s1", "s2")),
        ports.VolumeLimit(max_percent=100),
        ports.ShowMessage(text="果盘到了", duration_s=5),
        ports.Emergency(active=False, message=""),
        ports.RoomStateChanged(state=ports.RoomBusinessState.CLEANING),
    ]


def test_a_malformed_command_is_refused_with_a_reason_and_the_room_is_untouched(
    link_db, room
) -> None:
    dispatcher = CommandDispatcher(room, link_db)
    empty = dispatcher.apply(link_pb2.RoomCommand(command_id="c-empty"))
    too_loud = dispatcher.apply(
        link_pb2.RoomCommand(command_id="c-vol", volume_limit=link_pb2.VolumeLimit(max_percent=140))
    )
    no_id = dispatcher.apply(link_pb2.RoomCommand(volume_limit=link_pb2.VolumeLimit()))
    assert not empty.ok and "nothing the agent knows" in empty.error
    assert not too_loud.ok and "0-100" in too_loud.error
    assert not no_id.ok and "command_id" in no_id.error
    assert room.commands == []


def test_a_handler_that_refuses_or_breaks_gives_a_failed_result_not_a_crash(link_db) -> None:
    class StubbornRoom:
        def handle(self, command: ports.RoomCommand) -> None:
            if isinstance(command, ports.QueueSongs):
                raise FailedPrecondition("room is locked: no session")
            raise RuntimeError("bug")

    dispatcher = CommandDispatcher(StubbornRoom(), link_db)
    refused = dispatcher.apply(
        link_pb2.RoomCommand(command_id="q", queue_songs=link_pb2.QueueSongs(song_ids=["s1"]))
    )
    broken = dispatcher.apply(
        link_pb2.RoomCommand(command_id="m", show_message=link_pb2.ShowMessage(text="x"))
    )
    assert (refused.ok, refused.error) == (False, "room is locked: no session")
    assert not broken.ok and "RuntimeError" in broken.error


def test_welcome_hands_the_open_session_and_emergency_to_the_room(link_db, room) -> None:
    dispatcher = CommandDispatcher(room, link_db)
    dispatcher.apply_welcome(
        link_pb2.ControllerWelcome(
            session=link_pb2.SessionOpened(session="sessions/3", open_time=_ts(OPENED)),
            emergency=True,
            emergency_message="火警",
        )
    )
    dispatcher.apply_welcome(link_pb2.ControllerWelcome())
    assert room.commands == [
        ports.SessionOpened(session="sessions/3", open_time=OPENED),
        ports.Emergency(active=True, message="火警"),
        ports.SessionClosed(session=""),  # no session open: the room locks at once
        ports.Emergency(active=False, message=""),
    ]
