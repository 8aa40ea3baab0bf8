from __future__ import annotations

import threading
from pathlib import Path

import pytest

from room_agent.core import ports
from room_agent.link.backoff import Backoff, BackoffPolicy
from room_agent.link.commands import CommandDispatcher
from room_agent.link.db import LinkDatabase
from room_agent.link.discovery import ControllerLocator, parse_host_port
from room_agent.link.outbox import Outbox
from room_agent.link.room_link import RoomLink


class RecordingRoom:
    """A CommandHandler test instrument: records every command it is handed, in order."""

    def __init__(self) -> None:
        self.commands: list[ports.RoomCommand] = []
        self.threads: set[str] = set()
        self._lock = threading.Lock()

    def handle(self, command: ports.RoomCommand) -> None:
        with self._lock:
            self.commands.append(command)
            self.threads.add(threading.current_thread().name)

    def of_type(self, kind: type) -> list:
        with self._lock:
            return [c for c in self.commands if isinstance(c, kind)]


@pytest.fixture
def link_db(tmp_path: Path):
    db = LinkDatabase(tmp_path / "link.db")
    yield db
    db.close()


@pytest.fixture
def outbox(link_db: LinkDatabase) -> Outbox:
    return Outbox(link_db)


@pytest.fixture
def room() -> RecordingRoom:
    return RecordingRoom()


def quick_backoff() -> Backoff:
    return Backoff(BackoffPolicy(initial_s=0.1, max_s=0.5))


def make_link(
    link_db: LinkDatabase,
    room: RecordingRoom,
    *,
    target: str | None = None,
    locator: ControllerLocator | None = None,
    room_id: str = "A08",
    heartbeat_interval_s: float = 0.2,
    credential=lambda: None,
) -> RoomLink:
    if locator is None:
        assert target is not None
        locator = ControllerLocator(override=parse_host_port(target))
    return RoomLink(
        room_id,
        outbox=Outbox(link_db),
        dispatcher=CommandDispatcher(room, link_db),
        locator=locator,
        credential=credential,
        heartbeat_interval_s=heartbeat_interval_s,
        backoff=quick_backoff(),
    )
