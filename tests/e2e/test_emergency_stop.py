"""Fire alarm: `ktvctl emergency on` pauses every singing room within 1 s; `off` resumes.

Real processes: the controller, one `ktv-agent` process running 20 headless rooms with the
real RoomCore (room A01 on the real libVLC player with its PCM captured, the others on the
recording player), and the real `ktvctl`. Each room journals the wall-clock instant its
player paused; the latency is measured from the moment `ktvctl emergency on` returned.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from tests.support.controller import start_controller
from tests.support.core_agents import (
    Library,
    ktvctl,
    open_sessions,
    start_agents,
    wait_until,
)

ROOMS = tuple(f"E{n:02d}" for n in range(1, 20))  # 19 on the recording player
VLC_ROOM = "V01"  # the 20th singing room: real libVLC
IDLE_ROOM = "I01"  # open, nothing queued
LIMIT_S = 1.0


def _events(agent, room: str, kind: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return [e for e in agent.journal(room) if e["event"] == kind]


def test_fire_alarm_pauses_all_twenty_singing_rooms_within_a_second_and_resumes_them(
    tmp_path: Path, library: Library, agents
) -> None:
    with start_controller(tmp_path / "ctl") as ctl:
        for room in (*ROOMS, VLC_ROOM, IDLE_ROOM):
            ctl.add_room(room, tier="small")
        song = library.song_ids[0]
        recording = start_agents(ctl, library, tmp_path / "rooms", (*ROOMS, IDLE_ROOM))
        agents.append(recording)
        vlc = start_agents(ctl, library, tmp_path / "vlc-room", [VLC_ROOM], player="vlc")
        agents.append(vlc)
        playing = [(recording, r) for r in ROOMS] + [(vlc, VLC_ROOM)]
        assert len(playing) == 20
        # one open room with no song: it must not start singing on "off"
        idle_agent, idle_room = recording, IDLE_ROOM
        open_sessions(ctl, (*ROOMS, VLC_ROOM, IDLE_ROOM))
        for agent, room in playing:
            answer = wait_until(
                lambda agent=agent, room=room: agent.control(room, do="add_song", song_id=song)[
                    "ok"
                ],
                timeout_s=30,
            )
            assert answer, agent.control(room, do="view")
        assert wait_until(lambda: all(_events(a, r, "play") for a, r in playing), 30)
        assert wait_until(lambda: vlc.control(VLC_ROOM, do="view")["pcm_buffers"] > 20, 20)

        started_at = time.time()
        on = ktvctl(ctl, "emergency", "on", "--message", "请从最近的安全出口离开")
        returned_at = time.time()
        assert on.returncode == 0, on.stderr
        assert wait_until(lambda: all(_events(a, r, "pause") for a, r in playing), 10)
        latencies = {r: _events(a, r, "pause")[0]["t"] - returned_at for a, r in playing}
        ordered = sorted(latencies.values())
        from_start = sorted(_events(a, r, "pause")[0]["t"] - started_at for a, r in playing)
        assert from_start[0] > 0  # no room paused before the command was typed
        print(
            f"\nemergency on -> pause, {len(ordered)} rooms, vs ktvctl returning: min"
            f" {ordered[0] * 1000:.0f} ms, median {statistics.median(ordered) * 1000:.0f} ms, max"
            f" {ordered[-1] * 1000:.0f} ms; vs ktvctl started: median"
            f" {statistics.median(from_start) * 1000:.0f} ms, max {from_start[-1] * 1000:.0f} ms"
        )
        assert max(ordered) < LIMIT_S, latencies
        # the real libVLC room: its audio stopped too, not just the method call
        stopped = wait_until(lambda: _events(vlc, VLC_ROOM, "pcm_stopped"), 10)
        assert stopped and stopped[0]["t"] - returned_at < LIMIT_S, stopped
        assert _events(vlc, VLC_ROOM, "pause")[0]["state"] == "PAUSED"
        buffers = vlc.control(VLC_ROOM, do="view")["pcm_buffers"]
        time.sleep(1.0)  # no audio at all while the emergency lasts
        assert vlc.control(VLC_ROOM, do="view")["pcm_buffers"] == buffers
        for agent, room in (*playing, (idle_agent, idle_room)):
            assert agent.control(room, do="view")["screen"] == "EMERGENCY"
        assert not _events(idle_agent, idle_room, "pause")

        off = ktvctl(ctl, "emergency", "off")
        assert off.returncode == 0, off.stderr
        assert wait_until(lambda: all(_events(a, r, "resume") for a, r in playing), 10)
        assert agent_view_playing(vlc, VLC_ROOM)
        assert not _events(idle_agent, idle_room, "play")
        assert not _events(idle_agent, idle_room, "resume")
        assert idle_agent.control(idle_room, do="view")["screen"] == "OPEN"


def agent_view_playing(agent, room: str) -> bool:  # type: ignore[no-untyped-def]
    before = agent.control(room, do="view")["pcm_buffers"]
    return bool(wait_until(lambda: agent.control(room, do="view")["pcm_buffers"] > before + 5, 10))
