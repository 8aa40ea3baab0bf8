"""Occupancy alerts end to end: mock GPIO pins in a real agent process -> the agent core's
debounce and presence model -> outbox -> link -> the controller's board -> `ktvctl alerts`.

The pins are gpiozero MockFactory pins inside the `ktv-agent` process, driven through its
test-only control socket (`--control-socket`); everything after the pin is the real path.
Timeouts are shortened: presence hold 4 s (agent), nobody-present 1 s and offline 2 s
(controller).
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.controller import start_controller
from tests.support.core_agents import Library, ktvctl, open_sessions, start_agents, wait_until

SHORT_PRESENCE = "[gpio]\npresence_hold_s = 4\ndoor_debounce_ms = 20\n"


def _alerts(ctl) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    out = ktvctl(ctl, "alerts", "--json")
    assert out.returncode == 0, out.stderr
    found = set()
    for alert in json.loads(out.stdout):
        kind = next(str(v) for k, v in alert.items() if k in ("kind", "alert", "type"))
        found.add((alert["room"].rsplit("/", 1)[-1], kind.removeprefix("ALERT_KIND_")))
    return found


def _table(ctl) -> str:  # type: ignore[no-untyped-def]
    out = ktvctl(ctl, "alerts")
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_sensor_alerts_raise_and_clear_through_the_whole_venue(
    tmp_path: Path, library: Library, agents
) -> None:
    args = ["--nobody-present-after-s", "1", "--offline-after-s", "2"]
    with start_controller(tmp_path / "ctl", args) as ctl:
        for room in ("O01", "O02", "O03", "O04"):
            ctl.add_room(room, tier="small")
        agent = start_agents(
            ctl, library, tmp_path / "rooms", ["O01", "O02", "O03"], config_text=SHORT_PRESENCE
        )
        agents.append(agent)
        # O04 never had an agent: offline from the start
        assert wait_until(lambda: ("O04", "AGENT_OFFLINE") in _alerts(ctl), 20)
        assert wait_until(
            lambda: not {("O01", "AGENT_OFFLINE"), ("O02", "AGENT_OFFLINE")} & _alerts(ctl), 30
        )

        # someone walks into idle O01
        agent.control("O01", do="motion", active=True)
        assert wait_until(lambda: "OCCUPIED_WITHOUT_SESSION" in _table(ctl), 20), _table(ctl)
        assert ("O01", "OCCUPIED_WITHOUT_SESSION") in _alerts(ctl)
        # ... and leaves: motion stops, the door opens and closes, the hold passes
        agent.control("O01", do="motion", active=False)
        agent.control("O01", do="door", open=True)
        agent.control("O01", do="door", open=False)
        assert wait_until(lambda: ("O01", "OCCUPIED_WITHOUT_SESSION") not in _alerts(ctl), 20)

        # O02 is being cleaned after a room move; the cleaner props the door open
        open_sessions(ctl, ["O02"])
        moved = ktvctl(ctl, "move", "O02", "O04")
        assert moved.returncode == 0, moved.stderr
        agent.control("O02", do="door", open=True)
        assert wait_until(lambda: ("O02", "DOOR_OPEN_WHILE_CLEANING") in _alerts(ctl), 20)
        agent.control("O02", do="door", open=False)
        assert wait_until(lambda: ("O02", "DOOR_OPEN_WHILE_CLEANING") not in _alerts(ctl), 20)

        # O03 has an open session, guests come in, then everybody leaves
        open_sessions(ctl, ["O03"])
        agent.control("O03", do="door", open=True)
        agent.control("O03", do="door", open=False)
        assert wait_until(lambda: ("O03", "NOBODY_PRESENT") in _alerts(ctl), 20)
        agent.control("O03", do="motion", active=True)
        assert wait_until(lambda: ("O03", "NOBODY_PRESENT") not in _alerts(ctl), 20)

        # the agent process dies: every room it ran goes AGENT_OFFLINE
        agent.kill()
        assert wait_until(
            lambda: {("O01", "AGENT_OFFLINE"), ("O03", "AGENT_OFFLINE")} <= _alerts(ctl), 20
        )
        assert "O03" in _table(ctl)
