"""Emergency stop latency: SetEmergency -> every singing room's player paused.

    .venv/bin/python benchmarks/emergency_stop.py [--rooms 20] [--rounds 5] [--vlc-rooms 1]

Starts a real controller process and one ``ktv-agent`` process running ``--rooms`` headless
rooms on the real agent core (``--vlc-rooms`` of them on the real libVLC player with PCM
captured, in a second agent process; the rest on the recording player), opens every room,
queues a song in each, then toggles the emergency ``--rounds`` times with the real
``SetEmergency`` RPC (admin token). Per room and round it reads the wall-clock instant the
player paused (the agent's player journal) and prints the distribution, measured from the
RPC being sent and from its response arriving; for libVLC rooms also when the PCM stopped.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ktv.v1 import rooms_pb2  # noqa: E402
from tests.support.controller import start_controller  # noqa: E402
from tests.support.core_agents import (  # noqa: E402
    build_library,
    open_sessions,
    start_agents,
    wait_until,
)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _row(name: str, values_s: list[float]) -> str:
    ms = [v * 1000 for v in values_s]
    return (
        f"| {name} | {len(ms)} | {statistics.median(ms):.0f} | {_pct(ms, 0.99):.0f} |"
        f" {max(ms):.0f} | {sum(v < 1000 for v in ms)}/{len(ms)} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=20, help="singing rooms in all")
    parser.add_argument("--vlc-rooms", type=int, default=1, help="of them on libVLC")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ktv-emergency-") as tmp:
        work = Path(tmp)
        library = build_library(work / "library")
        recording_rooms = [f"R{n:03d}" for n in range(args.rooms - args.vlc_rooms)]
        vlc_rooms = [f"V{n:03d}" for n in range(args.vlc_rooms)]
        with start_controller(work / "ctl") as ctl:
            for room in (*recording_rooms, *vlc_rooms):
                ctl.add_room(room, tier="small")
            agents = []
            if recording_rooms:
                agents.append(start_agents(ctl, library, work / "rec", recording_rooms))
            if vlc_rooms:
                agents.append(start_agents(ctl, library, work / "vlc", vlc_rooms, player="vlc"))
            try:
                rooms = [(a, r) for a in agents for r in a.rooms]
                open_sessions(ctl, [r for _, r in rooms])
                song = library.song_ids[0]
                for agent, room in rooms:
                    assert wait_until(
                        lambda a=agent, r=room: a.control(r, do="add_song", song_id=song)["ok"],
                        30,
                    ), room
                time.sleep(1.0)
                stub = ctl.rooms()
                from_send: list[float] = []
                from_reply: list[float] = []
                pcm_from_send: list[float] = []
                pcm_end_from_send: list[float] = []
                for round_no in range(args.rounds):
                    sent = time.time()
                    stub.SetEmergency(
                        rooms_pb2.SetEmergencyRequest(
                            active=True,
                            message="请从最近的安全出口离开",
                            request_id=uuid.uuid4().hex,
                        ),
                        metadata=ctl.admin_md,
                        timeout=10,
                    )
                    replied = time.time()

                    def pauses(kind: str, n: int = round_no) -> list[float]:
                        found = []
                        for agent, room in rooms:
                            times = [e["t"] for e in agent.journal(room) if e["event"] == kind]
                            if len(times) > n:
                                found.append(times[n])
                        return found

                    assert wait_until(lambda: len(pauses("pause")) == len(rooms), 10)
                    from_send += [t - sent for t in pauses("pause")]
                    from_reply += [t - replied for t in pauses("pause")]
                    if vlc_rooms:
                        assert wait_until(lambda: len(pauses("pcm_stopped")) == len(vlc_rooms), 10)
                        pcm_from_send += [t - sent for t in pauses("pcm_stopped")]
                        pcm_end_from_send += [
                            e["captured_until"] - sent
                            for a, r in rooms
                            for e in [x for x in a.journal(r) if x["event"] == "pcm_stopped"][
                                round_no : round_no + 1
                            ]
                        ]
                    stub.SetEmergency(
                        rooms_pb2.SetEmergencyRequest(active=False, request_id=uuid.uuid4().hex),
                        metadata=ctl.admin_md,
                        timeout=10,
                    )
                    assert wait_until(lambda: len(pauses("resume")) == len(rooms), 10)
                    time.sleep(1.0)
            finally:
                for agent in agents:
                    agent.stop()
    print(f"\n{args.rooms} singing rooms ({args.vlc_rooms} on libVLC), {args.rounds} rounds\n")
    print("| measure | samples | median ms | p99 ms | max ms | under 1 s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print(_row("RPC sent -> player paused", from_send))
    print(_row("RPC answered -> player paused", from_reply))
    if pcm_from_send:
        print(_row("RPC sent -> last libVLC PCM buffer handed over", pcm_from_send))
        print(
            _row("RPC sent -> end of captured audio (pts, incl. decode-ahead)", pcm_end_from_send)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
