"""Composition of one room agent: data dir, link database, outbox, command handler, link.

``build_agent(config)`` gives the headless agent; the agent core (``RoomCore``) and the Kivy
UI slot in through ``make_room``, which receives the outbox as its ``EventSink`` and returns
the ``CommandHandler`` the link feeds.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from ktv.errors import FailedPrecondition
from room_agent.config import AgentConfig
from room_agent.core import ports
from room_agent.headless import HeadlessRoom
from room_agent.library.catalog_keeper import CatalogKeeper
from room_agent.link.catalog_fetch import CatalogFetcher
from room_agent.link.commands import CommandDispatcher
from room_agent.link.credentials import load_credential
from room_agent.link.db import LinkDatabase
from room_agent.link.discovery import ControllerLocator
from room_agent.link.outbox import Outbox
from room_agent.link.room_link import RoomLink

log = logging.getLogger(__name__)

MakeRoom = Callable[[AgentConfig, ports.EventSink], ports.CommandHandler]
LINK_DB_FILE = "link.db"
ROOM_STATE_FILE = "room-state.json"


def headless_room(config: AgentConfig, sink: ports.EventSink) -> ports.CommandHandler:
    return HeadlessRoom(config.room, state_file=config.data_dir / ROOM_STATE_FILE)


class RoomAgent:
    def __init__(self, config: AgentConfig, *, make_room: MakeRoom = headless_room) -> None:
        self.config = config
        prepare_data_dir(config.data_dir)
        self.db = LinkDatabase(config.data_dir / LINK_DB_FILE)
        self.outbox = Outbox(self.db)
        self.room = make_room(config, self.outbox)
        self.link = RoomLink(
            config.room,
            outbox=self.outbox,
            dispatcher=CommandDispatcher(self.room, self.db),
            locator=ControllerLocator(
                override=config.controller,
                interfaces=config.mdns_interfaces,
                venue_id=config.venue_id,
            ),
            credential=lambda: load_credential(config.data_dir),
            heartbeat_interval_s=config.heartbeat_interval_s,
            agent_port=config.controller_agent_port,
            catalog=CatalogFetcher(config.room, CatalogKeeper(config.resolved_catalog_path)),
            queue_reporter=self.room if hasattr(self.room, "queue_snapshot") else None,  # type: ignore[arg-type]
        )

    async def run(self) -> None:
        where = self.config.controller.target if self.config.controller else "zeroconf"
        log.info(
            "room %s agent starting (%s), data dir %s, controller %s, %d event(s) waiting",
            self.config.room,
            "headless" if self.config.headless else "full",
            self.config.data_dir,
            where,
            self.outbox.depth(),
        )
        if load_credential(self.config.data_dir) is None:
            log.warning("room %s has no credential yet: run ktv-agent enroll", self.config.room)
        await self.link.run()

    def stop(self) -> None:
        self.link.stop()

    def close(self) -> None:
        self.db.close()


def build_agent(config: AgentConfig, *, make_room: MakeRoom = headless_room) -> RoomAgent:
    return RoomAgent(config, make_room=make_room)


def prepare_data_dir(path: Path) -> None:
    """Create the data dir (0700: it holds the credential) or fail in one line."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise FailedPrecondition(
            f"cannot create data dir {path}: {exc.strerror} (pass --data-dir)"
        ) from None
    if not os.access(path, os.W_OK):
        raise FailedPrecondition(f"data dir {path} is not writable (pass --data-dir)")
