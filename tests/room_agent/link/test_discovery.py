from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from ktv.errors import InvalidArgument, Unavailable
from room_agent.link.discovery import ControllerLocator, discover_controller, parse_host_port

from .conftest import make_link
from .loopback_controller import LoopbackController

LOOPBACK = ("127.0.0.1",)


def test_the_agent_finds_the_controller_by_zeroconf_on_loopback() -> None:
    async def scenario() -> None:
        # other engineers' controllers advertise on loopback too: always name the venue
        venue = f"venue-sh-{uuid.uuid4().hex[:8]}"
        controller = LoopbackController(venue_id=venue)
        port = await controller.start()
        await controller.advertise()
        try:
            found = await discover_controller(interfaces=LOOPBACK, venue_id=venue, timeout_s=10)
        finally:
            await controller.stop()
        assert (found.host, found.port, found.venue_id, found.source) == (
            "127.0.0.1",
            port,
            venue,
            "zeroconf",
        )

    asyncio.run(scenario())


def test_a_controller_of_another_venue_or_api_is_not_used() -> None:
    async def scenario() -> None:
        other = LoopbackController(venue_id="venue-next-door")
        await other.start()
        await other.advertise(name="Next door")
        ours = f"ours-{uuid.uuid4().hex[:8]}"
        future = LoopbackController(venue_id=ours)
        await future.start()
        await future.advertise(name="Ours but newer", api="v2")
        try:
            with pytest.raises(Unavailable, match="no controller answered"):
                await discover_controller(interfaces=LOOPBACK, venue_id=ours, timeout_s=3)
        finally:
            await other.stop()
            await future.stop()

    asyncio.run(scenario())


def test_no_controller_on_the_network_gives_unavailable_in_time() -> None:
    async def scenario() -> None:
        started = time.monotonic()
        with pytest.raises(Unavailable):
            await discover_controller(interfaces=LOOPBACK, venue_id="nobody-here", timeout_s=1)
        assert time.monotonic() - started < 5

    asyncio.run(scenario())


def test_an_explicit_controller_address_wins_without_browsing() -> None:
    locator = ControllerLocator(override=parse_host_port("10.1.2.3:50051"), interfaces=LOOPBACK)
    found = asyncio.run(locator.locate())
    assert (found.host, found.port, found.source) == ("10.1.2.3", 50051, "override")
    assert parse_host_port("[::1]:7000").target == "[::1]:7000"


@pytest.mark.parametrize("bad", ["ctrl", "ctrl:", ":50051", "ctrl:http", "ctrl:70000"])
def test_a_malformed_controller_address_is_refused_in_one_line(bad: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        parse_host_port(bad)
    assert "\n" not in str(err.value)


def test_the_link_rediscovers_a_controller_that_moved_to_another_port(link_db, room) -> None:
    async def scenario() -> None:
        venue = f"venue-x-{uuid.uuid4().hex[:8]}"
        first = LoopbackController(venue_id=venue)
        await first.start()
        await first.advertise(name=f"Controller one {venue}")
        locator = ControllerLocator(interfaces=LOOPBACK, venue_id=venue, timeout_s=10)
        link = make_link(link_db, room, locator=locator)
        task = asyncio.create_task(link.run())
        second = LoopbackController(first.record, venue_id=venue)
        try:
            await asyncio.wait_for(link.online.wait(), 15)
            first_port = link.address.port
            await first.stop()  # the controller goes away (and withdraws its record)
            await second.start()  # comes back on a new port, advertised afresh
            await second.advertise(name=f"Controller two {venue}")
            async with asyncio.timeout(20):
                while not (link.online.is_set() and link.address.port == second.port):
                    await asyncio.sleep(0.05)
            assert link.address.port != first_port
            assert link.address.source == "zeroconf"
            assert len(first.record.hellos) == 2
        finally:
            link.stop()
            await asyncio.wait_for(task, 10)
            await first.stop()
            await second.stop()

    asyncio.run(scenario())


def test_a_tls_venue_tells_enrolled_rooms_which_port_to_link_on() -> None:
    async def scenario() -> None:
        venue = f"venue-tls-{uuid.uuid4().hex[:8]}"
        controller = LoopbackController(venue_id=venue)
        port = await controller.start()
        await controller.advertise(agent_port=port + 7)
        try:
            found = await discover_controller(interfaces=LOOPBACK, venue_id=venue, timeout_s=10)
        finally:
            await controller.stop()
        assert (found.tls, found.ca_fingerprint, found.agent_port) == (True, "ab" * 32, port + 7)
        assert found.link_target() == f"127.0.0.1:{port + 7}"

    asyncio.run(scenario())


def test_without_zeroconf_the_link_port_is_configured_or_the_next_one() -> None:
    address = parse_host_port("10.0.0.5:50051")
    assert address.link_target() == "10.0.0.5:50052"  # the documented default
    assert address.link_target(agent_port=6000) == "10.0.0.5:6000"
