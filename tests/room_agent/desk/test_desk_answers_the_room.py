"""End to end through a real controller process and the real agent link (core loop, fake
player): a service call shows on the board, the desk acknowledges it and the room's screen
says staff are on the way with who acknowledged; a 续钟 request reaches the board once, also
across an agent restart; the plan's after-end policy reaches the room with SessionOpened."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import pytest

from controller.auth.model import Role
from ktv.v1 import rooms_pb2
from room_agent.agent import build_agent
from room_agent.config import AgentConfig
from room_agent.core import ports
from room_agent.core.instruments import RecordingPlayer, SongShelf
from room_agent.core.room import RoomCore
from room_agent.core.time_left import TimePolicy
from room_agent.link.discovery import parse_host_port
from room_agent.link.enroll import enroll_agent
from room_agent.link.front_desk import front_desk_of
from room_agent.store.room_store import SqliteRoomStore
from room_agent.ui.core_adapter import CoreRoomControl, RoomIdentity
from tests.controller.billing.grpc_support import write_venue
from tests.room_agent.core.conftest import SONGS
from tests.room_agent.desk.conftest import Desk
from tests.room_agent.link.test_with_controller import enrollment_code, until
from tests.room_agent.timeup.test_time_up_with_controller import ktvctl
from tests.support.controller import RPC_TIMEOUT_S, RunningController, bearer, start_controller

pytestmark = pytest.mark.slow


def board_room(ctl: RunningController, room_id: str) -> rooms_pb2.Room:
    return (
        ctl.rooms()
        .GetRoom(
            rooms_pb2.GetRoomRequest(name=f"rooms/{room_id}"),
            metadata=ctl.admin_md,
            timeout=RPC_TIMEOUT_S,
        )
        .room
    )


class RunningRoom:
    """One agent run: link + core (its room.db in the agent's data dir) + touchscreen adapter."""

    def __init__(self, config: AgentConfig) -> None:
        self.store = SqliteRoomStore(config.data_dir / "room.db")
        self.player = RecordingPlayer()
        self.cores: list[RoomCore] = []

        def make_room(_: AgentConfig, sink: ports.EventSink) -> ports.CommandHandler:
            core = RoomCore(
                self.player,
                sink,
                SongShelf(SONGS),
                store=self.store,
                time_policy=TimePolicy(fade_ms=0),
            )
            core.start()
            self.cores.append(core)
            return core

        self.agent = build_agent(config, make_room=make_room)
        self.core = self.cores[0]
        self.screen = CoreRoomControl(self.core, RoomIdentity(config.room))
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> RunningRoom:
        self.task = asyncio.create_task(self.agent.run())
        await asyncio.wait_for(self.agent.link.online.wait(), 30)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.agent.stop()
        assert self.task is not None
        await asyncio.wait_for(self.task, 15)
        self.agent.close()
        self.core.close()
        self.store.close()


def test_the_desk_acknowledges_a_service_call_and_the_room_shows_who_is_coming(
    ctl: RunningController, desk: Desk, tmp_path: Path
) -> None:
    waiter = ctl.add_staff("w-lily", Role.WAITER.value)
    code = enrollment_code(ctl, "A08")
    config = AgentConfig(
        room="A08",
        data_dir=tmp_path / "agent",
        controller=parse_host_port(ctl.address),
        heartbeat_interval_s=1,
        headless=True,
    )

    async def scenario() -> None:
        await enroll_agent(config.controller, room_id="A08", code=code, data_dir=config.data_dir)
        async with RunningRoom(config) as room:
            await asyncio.to_thread(desk.open, "A08")
            await until(lambda: room.core.view().session != "", what="session in the room")
            call = room.screen.call_service("water")
            assert not call.acknowledged
            await until(
                lambda: "SERVICE_CALLED" in [a.kind for a in board_room(ctl, "A08").alerts],
                what="the call on the board",
            )
            await asyncio.to_thread(
                ctl.rooms().AcknowledgeAlert,
                rooms_pb2.AcknowledgeAlertRequest(
                    name="rooms/A08", kind="SERVICE_CALLED", request_id=uuid.uuid4().hex
                ),
                metadata=bearer(waiter),
                timeout=RPC_TIMEOUT_S,
            )
            await until(
                lambda: room.screen.service_calls()[-1].acknowledged, what="ack in the room"
            )
            shown = room.screen.service_calls()[-1]
            assert shown.acknowledged_by == "w-lily" and shown.kind == "water"
            alerts = [a.kind for a in board_room(ctl, "A08").alerts]
            assert "SERVICE_CALLED" not in alerts

            again = room.screen.call_service("tissue")  # the front desk's own tool this time
            await until(
                lambda: "SERVICE_CALLED" in [a.kind for a in board_room(ctl, "A08").alerts],
                what="the second call on the board",
            )
            await asyncio.to_thread(ktvctl, ctl, tmp_path / "ktvctl", "alert", "ack", "A08")
            await until(
                lambda: (
                    next(
                        c for c in room.screen.service_calls() if c.call_id == again.call_id
                    ).acknowledged
                ),
                what="ktvctl's ack in the room",
            )
            await asyncio.to_thread(desk.checkout, "A08")

    asyncio.run(scenario())


def test_a_续钟_request_reaches_the_board_once_even_across_an_agent_restart(
    ctl: RunningController, desk: Desk, tmp_path: Path
) -> None:
    code = enrollment_code(ctl, "A09")
    config = AgentConfig(
        room="A09",
        data_dir=tmp_path / "agent",
        controller=parse_host_port(ctl.address),
        heartbeat_interval_s=1,
        headless=True,
    )

    def extend_requests() -> list[str]:
        import sqlite3
        from contextlib import closing

        db_path = f"file:{ctl.data_dir / 'controller.db'}?mode=ro"
        with closing(sqlite3.connect(db_path, uri=True)) as db:
            rows = db.execute(
                "SELECT event_id, payload FROM room_events WHERE room_id = 'A09'"
            ).fetchall()
        return [event_id for event_id, payload in rows if "extend" in str(payload)]

    async def scenario() -> None:
        await enroll_agent(config.controller, room_id="A09", code=code, data_dir=config.data_dir)
        async with RunningRoom(config) as room:
            await asyncio.to_thread(desk.open, "A09", prepaid_minutes=60, cash_fen=50_000)
            await until(lambda: room.core.view().session != "", what="session in the room")
            asked = room.core.request_extension("1h")
            assert asked.new
            await until(lambda: room.agent.outbox.depth() == 0, what="request delivered")
            await until(
                lambda: "SERVICE_CALLED" in [a.kind for a in board_room(ctl, "A09").alerts],
                what="the request on the board",
            )
        async with RunningRoom(config) as again:  # the agent restarted
            pending = again.core.pending_extension()
            assert pending is not None and pending.event_id == asked.event_id
            assert not again.core.request_extension("1h").new
            await until(lambda: again.agent.outbox.depth() == 0, what="outbox drained")
            assert extend_requests() == [asked.event_id]
            await asyncio.to_thread(desk.checkout, "A09")

    asyncio.run(scenario())


@pytest.mark.parametrize("after_prepaid", ["continue_hourly", "require_renewal"])
def test_the_plans_after_end_policy_reaches_the_room_with_the_session(
    after_prepaid: str, tmp_path: Path
) -> None:
    data = tmp_path / "controller"
    venue = write_venue(data)
    venue.write_text(
        venue.read_text(encoding="utf-8").replace(
            'after_prepaid = "continue_hourly"', f'after_prepaid = "{after_prepaid}"'
        ),
        encoding="utf-8",
    )
    with start_controller(data, ["--venue-config", str(venue), "--no-mdns"]) as other:
        front = Desk(other)
        code = enrollment_code(other, "A08")
        config = AgentConfig(
            room="A08",
            data_dir=tmp_path / "agent",
            controller=parse_host_port(other.address),
            heartbeat_interval_s=1,
            headless=True,
        )

        async def scenario() -> None:
            await enroll_agent(
                config.controller, room_id="A08", code=code, data_dir=config.data_dir
            )
            async with RunningRoom(config) as room:
                await asyncio.to_thread(front.open, "A08", prepaid_minutes=60, cash_fen=50_000)
                await until(lambda: room.core.view().session != "", what="session in the room")
                saved = room.store.load()
                assert saved is not None
                assert saved.session_continues is (after_prepaid == "continue_hourly")

        asyncio.run(scenario())


def test_a_续钟_paid_from_the_balance_reaches_the_room_within_a_second(
    ctl: RunningController, desk: Desk, tmp_path: Path
) -> None:
    code = enrollment_code(ctl, "B02")
    config = AgentConfig(
        room="B02",
        data_dir=tmp_path / "agent",
        controller=parse_host_port(ctl.address),
        heartbeat_interval_s=1,
        headless=True,
    )
    desk.member("13700137555", "8642", top_up_fen=100_000)

    async def scenario() -> None:
        await enroll_agent(config.controller, room_id="B02", code=code, data_dir=config.data_dir)
        front = front_desk_of("B02", config.data_dir, address=lambda: parse_host_port(ctl.address))
        assert front is not None  # enrolled: the touchscreen gets the gRPC desk
        try:
            async with RunningRoom(config) as room:
                await asyncio.to_thread(desk.open, "B02", prepaid_minutes=60, cash_fen=100_000)
                await until(lambda: room.core.view().session != "", what="session in the room")
                before = room.core.view().session_ends_at
                option = (await asyncio.to_thread(front.extend_options))[0]
                receipt = await asyncio.to_thread(
                    front.extend_from_balance, option, "13700137555", "8642", uuid.uuid4().hex
                )
                paid = time.monotonic()
                while room.core.view().session_ends_at == before:
                    assert time.monotonic() - paid < 1.0, "the new end took over 1 s"
                    await asyncio.sleep(0.01)
                assert room.core.view().session_ends_at == receipt.ends_at
                await asyncio.to_thread(desk.checkout, "B02")
        finally:
            front.close()

    asyncio.run(scenario())


def test_a_room_that_never_enrolled_keeps_the_unavailable_desk(tmp_path: Path) -> None:
    assert front_desk_of("A08", tmp_path, address=lambda: None) is None
