from __future__ import annotations

import asyncio
import contextlib
import threading
from datetime import UTC, datetime

import grpc

from ktv.v1 import link_pb2
from room_agent.core import ports
from room_agent.link import settings
from room_agent.link.backoff import Backoff, BackoffPolicy
from room_agent.link.commands import CommandDispatcher
from room_agent.link.credentials import AgentCredential
from room_agent.link.db import LinkDatabase
from room_agent.link.discovery import ControllerLocator, parse_host_port
from room_agent.link.outbox import Outbox
from room_agent.link.room_link import LinkState, RoomLink

from .conftest import RecordingRoom, make_link
from .loopback_controller import LoopbackController, VenueRecord, eventually
from .tcp_proxy import FreezableProxy

NOW = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)


@contextlib.asynccontextmanager
async def running(link: RoomLink):
    task = asyncio.create_task(link.run())
    try:
        yield link
    finally:
        link.stop()
        await asyncio.wait_for(task, 10)


def test_room_registers_and_heartbeats_report_the_outbox_depth(link_db, room) -> None:
    async def scenario() -> None:
        controller = LoopbackController()
        await controller.start()
        controller.ack_events = False  # keep events waiting so the depth shows
        link = make_link(link_db, room, target=controller.target)
        try:
            link.outbox.emit(ports.DoorChanged(open=True), NOW)
            link.outbox.emit(ports.DoorChanged(open=False), NOW)
            async with running(link):
                await asyncio.wait_for(link.online.wait(), 10)
                assert link.state is LinkState.ONLINE
                await eventually(
                    lambda: any(h.outbox_depth == 2 for h in controller.record.heartbeats),
                    what="a heartbeat reporting 2 waiting events",
                )
                (hello,) = controller.record.hellos
                assert hello.room == "rooms/A08"
                assert hello.heartbeat_interval_seconds == 1
        finally:
            await controller.stop()

    asyncio.run(scenario())


def test_events_reach_the_controller_once_each_and_leave_the_outbox(link_db, room) -> None:
    async def scenario() -> None:
        controller = LoopbackController()
        await controller.start()
        link = make_link(link_db, room, target=controller.target)
        try:
            async with running(link):
                await asyncio.wait_for(link.online.wait(), 10)
                ids = [
                    link.outbox.emit(ports.PresenceChanged(present=i % 2 == 0), NOW)
                    for i in range(200)
                ]
                await eventually(lambda: link.outbox.depth() == 0, what="outbox drained")
            assert controller.record.event_order == ids
            assert set(controller.record.deliveries.values()) == {1}
        finally:
            await controller.stop()

    asyncio.run(scenario())


def test_events_from_an_outage_arrive_once_in_order_when_the_controller_returns(
    link_db, room
) -> None:
    async def scenario() -> None:
        record = VenueRecord()
        controller = LoopbackController(record)
        port = await controller.start()
        link = make_link(link_db, room, target=controller.target)
        async with running(link):
            await asyncio.wait_for(link.online.wait(), 10)
            before = link.outbox.emit(ports.DoorChanged(open=True), NOW)
            await eventually(lambda: before in record.events, what="first event delivered")

            await controller.stop()
            await eventually(lambda: not link.online.is_set(), what="link noticed the outage")
            during = [
                link.outbox.emit(ports.ServiceCalled(kind="water", note=str(i)), NOW)
                for i in range(5)
            ]
            assert link.outbox.depth() == 5  # waiting, not lost

            controller = LoopbackController(record)
            await controller.start(port)  # back on the same port
            try:
                await eventually(lambda: link.outbox.depth() == 0, what="outbox drained")
                assert record.event_order == [before, *during]
                assert all(record.deliveries[i] == 1 for i in [before, *during])
                assert link.connections == 2
            finally:
                await controller.stop()

    asyncio.run(scenario())


def test_unacked_events_are_sent_again_after_a_reconnect_and_stored_once(link_db, room) -> None:
    async def scenario() -> None:
        record = VenueRecord()
        controller = LoopbackController(record)
        port = await controller.start()
        controller.ack_events = False  # the controller stores but dies before acking
        link = make_link(link_db, room, target=controller.target)
        async with running(link):
            await asyncio.wait_for(link.online.wait(), 10)
            ids = [link.outbox.emit(ports.DoorChanged(open=bool(i % 2)), NOW) for i in range(3)]
            await eventually(lambda: len(record.events) == 3, what="events stored")
            await controller.stop()
            controller = LoopbackController(record)
            await controller.start(port)
            try:
                await eventually(lambda: link.outbox.depth() == 0, what="acked after reconnect")
            finally:
                await controller.stop()
        assert record.event_order == ids  # the controller keeps one row per event id
        assert all(record.deliveries[i] == 2 for i in ids)  # sent twice, which is the point

    asyncio.run(scenario())


def test_a_command_repeated_by_the_controller_is_applied_once(link_db, room) -> None:
    async def scenario() -> None:
        controller = LoopbackController()
        await controller.start()
        link = make_link(link_db, room, target=controller.target)
        try:
            async with running(link):
                await asyncio.wait_for(link.online.wait(), 10)
                cmd = link_pb2.RoomCommand(
                    command_id="cmd-1", queue_songs=link_pb2.QueueSongs(song_ids=["s1"])
                )
                await controller.send_command(cmd)
                await controller.send_command(cmd)
                await eventually(
                    lambda: len(controller.record.command_results) == 2, what="two results"
                )
            assert room.of_type(ports.QueueSongs) == [ports.QueueSongs(song_ids=("s1",))]
            assert [(r.command_id, r.ok) for r in controller.record.command_results] == [
                ("cmd-1", True),
                ("cmd-1", True),
            ]
        finally:
            await controller.stop()

    asyncio.run(scenario())


def test_a_restarted_agent_learns_session_and_emergency_from_welcome(link_db, room) -> None:
    async def scenario() -> None:
        controller = LoopbackController()
        controller.welcome.session.session = "sessions/88"
        controller.welcome.session.open_time.FromDatetime(NOW)
        controller.welcome.emergency = True
        controller.welcome.emergency_message = "请疏散"
        await controller.start()
        link = make_link(link_db, room, target=controller.target)
        try:
            async with running(link):
                await asyncio.wait_for(link.online.wait(), 10)
        finally:
            await controller.stop()
        assert room.commands == [
            ports.SessionOpened(session="sessions/88", open_time=NOW),
            ports.Emergency(active=True, message="请疏散"),
        ]

    asyncio.run(scenario())


def test_the_link_presents_its_bearer_token(link_db, room) -> None:
    async def scenario() -> None:
        controller = LoopbackController()
        controller.required_token = "s3cret"
        await controller.start()
        link = make_link(
            link_db,
            room,
            target=controller.target,
            credential=lambda: AgentCredential(room="rooms/A08", agent_token="s3cret"),
        )
        try:
            async with running(link):
                await asyncio.wait_for(link.online.wait(), 10)
            assert controller.record.tokens_seen == ["Bearer s3cret"]
        finally:
            await controller.stop()

    asyncio.run(scenario())


def test_an_unenrolled_agent_stays_offline_and_says_how_to_enroll(link_db, room) -> None:
    async def scenario() -> None:
        controller = LoopbackController()
        controller.required_token = "s3cret"
        await controller.start()
        link = make_link(link_db, room, target=controller.target)
        try:
            async with running(link):
                await eventually(lambda: "ktv-agent enroll" in link.last_error, what="error")
                assert not link.online.is_set()
                assert link.backoff.failures >= 1
        finally:
            await controller.stop()

    asyncio.run(scenario())


def test_an_unreachable_controller_is_retried_with_growing_waits(link_db, room) -> None:
    async def scenario() -> None:
        controller = LoopbackController()
        port = await controller.start()
        await controller.stop()  # nobody listens on this port now
        link = make_link(link_db, room, target=f"127.0.0.1:{port}")
        async with running(link):
            await eventually(lambda: link.backoff.failures >= 3, what="three attempts")
            assert link.state in (LinkState.WAITING, LinkState.CONNECTING, LinkState.LOCATING)
            assert "UNAVAILABLE" in link.last_error

    asyncio.run(scenario())


def test_a_stopped_link_leaves_no_task_behind(tmp_path) -> None:
    async def scenario() -> None:
        controller = LoopbackController()
        await controller.start()
        db = LinkDatabase(tmp_path / "link.db")
        link = make_link(db, RecordingRoom(), target=controller.target)
        before = asyncio.all_tasks()
        try:
            async with running(link):
                await asyncio.wait_for(link.online.wait(), 10)
            await controller.stop()
            await asyncio.sleep(0.1)
            assert asyncio.all_tasks() - before == set()
            assert link.state is LinkState.STOPPED
        finally:
            await controller.stop()
            db.close()

    asyncio.run(scenario())
    assert grpc  # the real grpc.aio stack was used throughout


def test_a_controller_that_vanishes_without_closing_the_connection_is_noticed(
    link_db, room
) -> None:
    """Power cut on the controller's side: no FIN, no RST. Keepalive pings go unanswered, the
    link gives the connection up and reconnects; the events of the gap still arrive."""

    async def scenario() -> None:
        controller = LoopbackController()
        await controller.start()
        proxy = FreezableProxy(controller.port)
        await proxy.start()
        link = RoomLink(
            "A08",
            outbox=Outbox(link_db),
            dispatcher=CommandDispatcher(room, link_db),
            locator=ControllerLocator(override=parse_host_port(f"127.0.0.1:{proxy.port}")),
            heartbeat_interval_s=0.5,
            backoff=Backoff(BackoffPolicy(initial_s=0.1, max_s=0.5)),
            keepalive_time_s=1,
            keepalive_timeout_s=1,
        )
        try:
            async with running(link):
                await asyncio.wait_for(link.online.wait(), 10)
                await proxy.freeze()
                event_id = link.outbox.emit(ports.DoorChanged(open=True), NOW)
                await eventually(lambda: link.connections == 2, timeout_s=30, what="reconnect")
                await eventually(lambda: link.outbox.depth() == 0, what="gap event delivered")
                assert controller.record.deliveries[event_id] >= 1
                assert proxy.connections == 2
        finally:
            await proxy.stop()
            await controller.stop()

    asyncio.run(scenario())


def test_an_event_the_controller_refuses_as_malformed_is_parked_not_retried_forever(
    link_db, room
) -> None:
    """An older controller that does not know a payload kind must not block the outbox."""

    async def scenario() -> None:
        controller = LoopbackController()
        controller.refused_payloads = {"service_called"}
        await controller.start()
        link = make_link(link_db, room, target=controller.target)
        try:
            before = link.outbox.emit(ports.DoorChanged(open=True), NOW)
            refused = link.outbox.emit(ports.ServiceCalled(kind="microphone"), NOW)
            after = link.outbox.emit(ports.DoorChanged(open=False), NOW)
            async with running(link):
                await eventually(lambda: link.outbox.depth() == 0, what="outbox drained")
            assert controller.record.event_order == [before, after]
            ((parked_id, reason),) = link.outbox.parked()
            assert parked_id == refused and "no known payload" in reason
        finally:
            await controller.stop()

    asyncio.run(scenario())


def test_a_full_send_window_and_one_more_event_leave_the_link_alive(link_db, room) -> None:
    """64 events in flight (the controller holds its acks, as after an outage with a backlog)
    and the room emits one more: the link keeps heartbeating and its loop keeps answering.
    Before the fix the sender spun without yielding on the set wake-up (96 % CPU, no
    heartbeats, no acks, SIGTERM ignored); this test then failed on the heartbeats."""
    window = settings.outbox_send_window_events

    async def scenario() -> None:
        controller = LoopbackController()
        await controller.start()
        controller.ack_events = False
        link = make_link(link_db, room, target=controller.target)
        # the link on a loop of its own, as in the full room: a spin there cannot hang the test
        loops: list[asyncio.AbstractEventLoop] = []
        started = threading.Event()

        async def run_link() -> None:
            loops.append(asyncio.get_running_loop())
            started.set()
            await link.run()

        # asyncio.run: nothing of the link (tasks, executor threads) outlives its loop
        thread = threading.Thread(target=asyncio.run, args=(run_link(),), daemon=True)
        thread.start()
        assert await asyncio.to_thread(started.wait, 10)
        link_loop = loops[0]
        try:
            await eventually(link.online.is_set, what="link online")
            for i in range(window + 5):  # from this thread, as the sensors and the core do
                link.outbox.emit(ports.PresenceChanged(present=i % 2 == 0), NOW)
            await eventually(lambda: len(controller.record.events) == window, what="window full")
            link.outbox.emit(ports.DoorChanged(open=True), NOW)  # one more while it is full
            beats = len(controller.record.heartbeats)
            await eventually(
                lambda: len(controller.record.heartbeats) >= beats + 3,
                what="heartbeats going on with the window full",
            )
            answer = asyncio.run_coroutine_threadsafe(asyncio.sleep(0, "alive"), link_loop)
            assert await asyncio.wait_for(asyncio.wrap_future(answer), 5) == "alive"
            assert len(controller.record.events) == window  # and the window still holds
        finally:
            link_loop.call_soon_threadsafe(link.stop)
            await asyncio.to_thread(thread.join, 15)
            await controller.stop()
        assert not thread.is_alive()

    asyncio.run(scenario())
