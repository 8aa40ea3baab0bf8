"""Controller outage soak: does a room agent recover by itself, every event delivered once?

    .venv/bin/python benchmarks/outage_soak.py [--outage-s 60] [--events 500] [--rounds 10]
                                               [--how alternate|kill|term] [--work-dir DIR]

The real controller process and a real headless room agent process on loopback
(tests/support/outage.py). Each round: stop the controller (SIGKILL or SIGTERM), emit
``--events`` through the agent during ``--outage-s``, start the controller again on the same
port, keep emitting (a live trickle, every 10 ms) until the backlog is gone, then check on the
controller's database that every event the agent emitted is stored exactly once, that the
room is online on the board, and that the agent's loop kept feeding its systemd watchdog.
Prints one table; exit code 1 when any round failed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.outage import OutageSoak, RoundResult, rounds  # noqa: E402

COLUMNS = (
    ("round", "{r.number}"),
    ("stop", "{r.how}"),
    ("outage s", "{r.outage_s:.1f}"),
    ("emitted (outage+live)", "{r.emitted_outage}+{r.emitted_live}"),
    ("online after s", "{r.reconnect_s:.2f}"),
    ("drained after s", "{r.drain_s:.2f}"),
    ("stored once", "{r.stored}"),
    ("missing", "{r.missing}"),
    ("loop lag max ms", "{r.max_loop_lag_ms:.0f}"),
    ("watchdog gap max s", "{r.max_watchdog_gap_s:.2f}"),
    ("agent CPU %", "{r.agent_cpu_pct:.1f}"),
    ("board", "{online}"),
    ("ok", "{ok}"),
)


def row(r: RoundResult) -> list[str]:
    online = "online" if r.board_online else "OFFLINE"
    ok = "yes" if r.ok else "NO: " + "; ".join(r.problems)
    return [fmt.format(r=r, online=online, ok=ok) for _, fmt in COLUMNS]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--outage-s", type=float, default=60.0)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--how", choices=["alternate", "kill", "term"], default="alternate")
    parser.add_argument("--work-dir", type=Path, help="keep the logs and databases here")
    args = parser.parse_args()
    if args.outage_s <= 0 or args.events < 1 or args.rounds < 1:
        parser.error("--outage-s, --events and --rounds must be positive")
    print(
        f"outage soak: {args.rounds} round(s), {args.outage_s:g} s outage, {args.events} events "
        f"each, stop by {args.how}; load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    header = [name for name, _ in COLUMNS]
    print(" | ".join(header), flush=True)
    results: list[RoundResult] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work_dir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        with OutageSoak(work) as soak:
            for result in rounds(
                soak, count=args.rounds, outage_s=args.outage_s, events=args.events, how=args.how
            ):
                results.append(result)
                print(" | ".join(row(result)), flush=True)
                if any(p.startswith("agent's event loop froze") for p in result.problems):
                    break  # a frozen agent never comes back: the next rounds would only wait
        exit_code = soak.agent_exit_code
    failed = [r.number for r in results if not r.ok]
    total = sum(r.emitted_outage + r.emitted_live for r in results)
    print(
        f"{len(results) - len(failed)}/{args.rounds} rounds ok, {total} events, "
        f"{time.monotonic() - started:.0f} s; agent exit on SIGTERM: "
        f"{'ignored SIGTERM' if exit_code is None else exit_code}; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    return 0 if not failed and len(results) == args.rounds and exit_code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
