"""The acceptance run, short: a real controller process stopped and started again while a
real agent process keeps emitting; the agent recovers by itself, every event stored once.

The full figures (60 s outages, 500 events, 10 rounds) are benchmarks/outage_soak.py's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.outage import OutageSoak, rounds

pytestmark = pytest.mark.slow


def test_the_agent_recovers_by_itself_from_controller_outages_every_event_stored_once(
    tmp_path: Path,
) -> None:
    """Before the fix (stream.py cleared its wake-up only when the window had room) the
    agent's loop froze in the first round: the events emitted while 64 were in flight set the
    wake-up, the sender spun without yielding, acks/heartbeats/watchdog/SIGTERM all stopped."""
    with OutageSoak(tmp_path, heartbeat_interval_s=1) as soak:
        results = list(rounds(soak, count=2, outage_s=3, events=200, how="alternate"))
    for result in results:
        assert result.ok, f"round {result.number} ({result.how}): {result.problems}"
        assert result.emitted_outage == 200 and result.emitted_live > 0
        assert result.stored == result.emitted_outage + result.emitted_live
    assert soak.agent_exit_code == 0  # and it still obeys SIGTERM
