"""Simulated room activity for headless demo and load runs: doors, presence, service calls.

Only used with ``ktv-agent --headless --simulate-events SECONDS``; a real room's events come
from its sensors and the agent core.
"""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime

from room_agent.core import ports


def random_event(rng: random.Random) -> ports.RoomEvent:
    roll = rng.random()
    if roll < 0.45:
        return ports.DoorChanged(open=rng.random() < 0.5)
    if roll < 0.9:
        return ports.PresenceChanged(present=rng.random() < 0.7)
    return ports.ServiceCalled(kind=rng.choice(["service", "water", "tissue", "microphone"]))


async def simulate_room_events(
    sink: ports.EventSink, *, mean_interval_s: float, rng: random.Random | None = None
) -> None:
    """Emit random events with exponentially distributed gaps until cancelled."""
    rng = rng or random.Random()
    while True:
        await asyncio.sleep(rng.expovariate(1 / mean_interval_s))
        await asyncio.to_thread(sink.emit, random_event(rng), datetime.now(UTC))
