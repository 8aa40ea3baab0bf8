"""What TLS and online backups cost the venue, measured on this machine.

    .venv/bin/python benchmarks/deploy_tls_backup.py [calls] [rows]

1. gRPC on loopback, plain text vs TLS (staff port) vs mutual TLS (agent port): a unary call
   on an open channel (median, p99) and a new connection's first call (handshake included).
2. ``ktv-controller backup`` (SQLite online backup) of a database of ``rows`` room events
   while a writer commits in a loop: backup time, and the writer's worst commit during it.
"""

from __future__ import annotations

import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from concurrent import futures
from contextlib import closing
from pathlib import Path

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from controller.deploy.backup import backup_database
from ktv.security import certs, grpc_tls

INSERT_EVENT = "INSERT INTO room_events (room_id, kind, payload) VALUES (?, ?, ?)"


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _channel(target: str, creds: grpc.ChannelCredentials | None) -> grpc.Channel:
    if creds is None:
        return grpc.insecure_channel(target)
    return grpc.secure_channel(target, creds, options=grpc_tls.channel_options())


def _calls(target: str, creds: grpc.ChannelCredentials | None, n: int) -> tuple[float, float]:
    with _channel(target, creds) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        stub.Check(health_pb2.HealthCheckRequest(), timeout=10)
        times = []
        for _ in range(n):
            start = time.perf_counter()
            stub.Check(health_pb2.HealthCheckRequest(), timeout=10)
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), _p(times, 0.99)


def _first_call(target: str, creds: grpc.ChannelCredentials | None, n: int) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        with _channel(target, creds) as channel:
            health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def tls_table(calls: int) -> None:
    ca = certs.create_venue_ca("bench")
    server_id = certs.issue_controller_certificate(ca, ["ktv-controller"], ["127.0.0.1"])
    room = certs.issue_room_certificate(ca, "A08")
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    health_pb2_grpc.add_HealthServicer_to_server(health.HealthServicer(), server)
    plain = server.add_insecure_port("127.0.0.1:0")
    staff = server.add_secure_port(
        "127.0.0.1:0", grpc_tls.staff_port_credentials(server_id, ca.cert_pem)
    )
    agent = server.add_secure_port(
        "127.0.0.1:0", grpc_tls.agent_port_credentials(server_id, ca.cert_pem)
    )
    server.start()
    try:
        rows = [
            ("plain text", f"127.0.0.1:{plain}", None),
            ("TLS (staff)", f"127.0.0.1:{staff}", grpc_tls.staff_channel_credentials(ca.cert_pem)),
            (
                "mTLS (agent)",
                f"127.0.0.1:{agent}",
                grpc_tls.agent_channel_credentials(ca.cert_pem, room),
            ),
        ]
        print(f"unary health check on loopback, {calls} calls per row (sync client)")
        print(f"{'transport':14} {'median ms':>10} {'p99 ms':>8} {'new connection ms':>18}")
        for name, target, creds in rows:
            median, p99 = _calls(target, creds, calls)
            first = _first_call(target, creds, max(10, calls // 50))
            print(f"{name:14} {median:10.3f} {p99:8.3f} {first:18.2f}")
    finally:
        server.stop(None).wait()


def backup_table(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "controller.db"
        with closing(sqlite3.connect(database)) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                "CREATE TABLE room_events (event_id INTEGER PRIMARY KEY, room_id TEXT,"
                " kind TEXT, payload TEXT)"
            )
            with db:
                db.executemany(INSERT_EVENT, (("A08", "door", "x" * 120) for _ in range(rows)))
        stop = threading.Event()
        commits: list[float] = []

        def writer() -> None:
            with closing(sqlite3.connect(database, timeout=30)) as db:
                db.execute("PRAGMA synchronous=NORMAL")
                while not stop.is_set():
                    start = time.perf_counter()
                    with db:
                        db.execute(INSERT_EVENT, ("B01", "door", "y"))
                    commits.append((time.perf_counter() - start) * 1000)

        thread = threading.Thread(target=writer)
        thread.start()
        time.sleep(0.2)
        start = len(commits)
        began = time.perf_counter()
        result = backup_database(database, Path(tmp) / "backups")
        took = time.perf_counter() - began
        during = commits[start:]
        time.sleep(took)  # the same length of time without a backup, for comparison
        after = commits[start + len(during) :]
        stop.set()
        thread.join()
        print(f"\nonline backup while a writer commits, {rows} room events")
        print(
            f"{'':16} {'db MB':>6} {'ms':>8} {'commits':>8} {'p99 commit ms':>14} {'worst ms':>9}"
        )
        for name, window in (("with backup", during), ("without (same s)", after)):
            print(
                f"{name:16} {result.size_bytes / 1e6:6.1f} {took * 1000:8.1f} {len(window):8d} "
                f"{_p(window, 0.99):14.2f} {max(window, default=0.0):9.2f}"
            )


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    tls_table(calls)
    backup_table(rows)


if __name__ == "__main__":
    main()
