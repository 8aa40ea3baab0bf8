"""Commands coming down the link: converted to typed commands, applied once per command_id.

Applied ids and their results are kept in the link database (the most recent
``settings.recent_command_ids_kept``), so a command re-sent after a reconnect, or after the
agent restarted, is answered with its first result and not applied again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from ktv.errors import KtvError
from ktv.v1 import link_pb2
from room_agent.core import ports
from room_agent.link import convert, settings
from room_agent.link.db import LinkDatabase

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CommandOutcome:
    command_id: str
    ok: bool
    error: str = ""
    repeated: bool = False  # True when the id was already applied (handler not called)

    def to_proto(self) -> link_pb2.CommandResult:
        return link_pb2.CommandResult(command_id=self.command_id, ok=self.ok, error=self.error)


class CommandDispatcher:
    def __init__(
        self,
        handler: ports.CommandHandler,
        db: LinkDatabase,
        *,
        keep_ids: int = settings.recent_command_ids_kept,
    ) -> None:
        self.handler = handler
        self._db = db
        self._keep_ids = keep_ids

    def apply(self, msg: link_pb2.RoomCommand) -> CommandOutcome:
        """Apply one RoomCommand proto unless its id was seen; never raises for bad input."""
        if not msg.command_id:
            return CommandOutcome("", ok=False, error="command without command_id refused")
        known = self._known(msg.command_id)
        if known is not None:
            log.info("command %s already applied; answering with its first result", msg.command_id)
            return known
        ok, error = True, ""
        try:
            command = convert.command_from_proto(msg)
            self.handler.handle(command)
        except KtvError as exc:
            ok, error = False, exc.message
        except Exception as exc:  # the handler's bug must not take the link down
            log.exception("command %s failed in the handler", msg.command_id)
            ok, error = False, f"internal error: {type(exc).__name__}: {exc}"
        self._remember(msg.command_id, ok, error)
        return CommandOutcome(msg.command_id, ok, error)

    def apply_welcome(self, welcome: link_pb2.ControllerWelcome) -> None:
        """Session and emergency state from Welcome: applied on every (re)connect."""
        for command in convert.welcome_commands(welcome):
            try:
                self.handler.handle(command)
            except Exception:
                log.exception("welcome state %r failed in the handler", command)

    def _known(self, command_id: str) -> CommandOutcome | None:
        with self._db.reading() as conn:
            row = conn.execute(
                "SELECT ok, error FROM applied_commands WHERE command_id = ?", (command_id,)
            ).fetchone()
        if row is None:
            return None
        return CommandOutcome(command_id, bool(row[0]), row[1], repeated=True)

    def _remember(self, command_id: str, ok: bool, error: str) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO applied_commands (command_id, ok, error, applied_at)"
                " VALUES (?, ?, ?, ?)",
                (command_id, int(ok), error, datetime.now(UTC).isoformat()),
            )
            conn.execute(
                "DELETE FROM applied_commands WHERE seq <= "
                "(SELECT MAX(seq) FROM applied_commands) - ?",
                (self._keep_ids,),
            )
