"""The fuzz harness: a real controller on loopback with a small venue in it (rooms, a staff
member of every role, an agent and a guest credential, an open session, a member), and one
``FuzzVenue.call_*`` per kind of RPC (unary, server stream, the link's bidi stream) that
sends any request with any credential and returns what a caller and the operator would see:
the status, its message and reason, the response size, the controller's log lines the call
caused, which tables the call changed, and whether the server still answers its health check.

``problems()`` turns that into the list of broken promises (empty is good):

- the status is never INTERNAL or UNKNOWN (or the transport's RESOURCE_EXHAUSTED: an error
  that carried the caller's 100 KB input back);
- every refusal carries a machine reason (``ktv-reason``) and a message under
  ``ERROR_DETAILS_MAX_CHARS``;
- no traceback in the controller's log;
- a refused call changes no table of the database (checksum of every table's rows but the
  columns the controller rewrites on a timer, ``VOLATILE_COLUMNS``; audit and idempotency
  tables included: refusals are not audited in tables, only logged, and ``request_id`` rows
  are written in the action's transaction; the one deliberate write on a refusal, a wrong
  PIN counted for lockouts, is ``WRITES_ON_REFUSAL``);
- the server still answers ``grpc.health.v1.Health/Check``;
- every response is under the transport's 4 MB limit.

``KNOWN_ISSUES`` lists failures in areas other engineers own (the lead empties it after
merging). Each entry names one RPC, one problem kind and a predicate on the request, so the
rest of that RPC stays strict.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from grpc_health.v1 import health_pb2, health_pb2_grpc

from controller.api.errors import REASON_KEY
from controller.auth.credentials import token_hash
from ktv.v1 import auth_pb2, billing_pb2, members_pb2
from tests.support.controller import RunningController, bearer

TRANSPORT_LIMIT_BYTES = 4 * 1024 * 1024  # gRPC's default receive limit, both ends
ERROR_DETAILS_MAX_CHARS = 2000  # what a refusal's message may be: a sentence, not a payload
CALL_TIMEOUT_S = 15.0
REASON = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")
BAD_STATUSES = (grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN)
# Tables a refused call may write on purpose: a wrong PIN is counted (lockouts) by whichever
# RPC checks a PIN (members' ``member_pin_failures``; staff Login's ``pin_attempts`` from the
# PIN-lockout work). The refusal is the point of the row.
WRITES_ON_REFUSAL = {"member_pin_failures", "pin_attempts"}
# Columns the controller rewrites on its own: billing refreshes every open room's running
# total (and so its revision) every 30 s (controller/billing/api.py _refresh_totals).
VOLATILE_COLUMNS = {"rooms": {"running_total_fen", "revision"}}
# What a welcomed link stream writes by design: the agent's status, its events and plays.
LINK_TABLES = {"rooms", "room_events", "song_plays", "room_state_changes"}
STAFF_ROLES = {
    "waiter": auth_pb2.ROLE_WAITER,
    "cashier": auth_pb2.ROLE_CASHIER,
    "technician": auth_pb2.ROLE_TECHNICIAN,
    "manager": auth_pb2.ROLE_MANAGER,
}
MEMBER_PHONE = "13800138000"
MEMBER_PIN = "2580"


@dataclass(frozen=True)
class KnownIssue:
    """A failure the fuzzer found in an area another engineer owns (not fixed here)."""

    method: str  # "ktv.v1.BillingService/OpenSession"
    when: Callable[[Any], bool]  # the requests it covers (narrow: the rest stays strict)
    owner: str
    example: str
    problems: tuple[str, ...] = ("status INTERNAL", "traceback in the controller log")

    def covers(self, method: str, problem: str, request: Message) -> bool:
        return (
            method == self.method and problem.startswith(self.problems) and bool(self.when(request))
        )


FEN_MAX = 10**12  # ktv.limits.FEN_MAX: money beyond it is the money-limits work's to refuse
# The lead empties this after merging the work that owns each entry (each names its owner).
KNOWN_ISSUES: tuple[KnownIssue, ...] = ()  # empty: TopUp and IssueCoupon are bounded now


@dataclass
class Outcome:
    method: str
    credential: str
    request: Message
    code: grpc.StatusCode
    details: str = ""
    reason: str = ""
    response_bytes: int = 0
    log: str = ""
    changed_tables: set[str] = field(default_factory=set)
    healthy: bool = True
    stream: list[Message] = field(default_factory=list)  # what a client stream sent
    extra: list[str] = field(default_factory=list)  # problems only the caller could see
    welcomed: bool = False  # link: the controller accepted the hello
    acked: int = 0  # link: events acknowledged

    def problems(self) -> list[str]:
        out = []
        if self.code in BAD_STATUSES:
            out.append(f"status {self.code.name}: {self.details[:200]!r}")
        if self.code == grpc.StatusCode.RESOURCE_EXHAUSTED and not self.reason:
            out.append(
                f"status RESOURCE_EXHAUSTED from the transport (request "
                f"{self.request.ByteSize()} bytes): {self.details[:200]!r}"
            )
        if self.code not in (grpc.StatusCode.OK, *BAD_STATUSES):
            if not REASON.match(self.reason):
                out.append(f"refusal without a machine reason: {self.code.name} {self.reason!r}")
            if len(self.details) > ERROR_DETAILS_MAX_CHARS:
                out.append(f"error message of {len(self.details)} characters")
        if "Traceback" in self.log:
            out.append(f"traceback in the controller log: {self.log[-600:]}")
        wrote = self.changed_tables - WRITES_ON_REFUSAL
        if self.code != grpc.StatusCode.OK and wrote:
            out.append(f"refused call wrote tables {sorted(wrote)}")
        if not self.healthy:
            out.append("health check failed after the call")
        if self.response_bytes > TRANSPORT_LIMIT_BYTES:
            out.append(f"response of {self.response_bytes} bytes")
        return out + self.extra

    def unexplained(self) -> list[str]:
        return [
            p
            for p in self.problems()
            if not any(k.covers(self.method, p, self.request) for k in KNOWN_ISSUES)
        ]

    def describe(self) -> str:
        text = str(self.request) + "".join(f"\nsent: {m}".rstrip() for m in self.stream)
        if len(text) > 800:
            text = text[:800] + f"... ({len(text)} characters)"
        return (
            f"{self.method} as {self.credential}: {self.code.name} {self.reason} "
            f"{self.details[:300]!r}\nrequest: {text}"
        )


class DatabaseWatch:
    """A checksum per table of the controller's SQLite file, read through its own read-only
    connection (WAL: the reader sees each committed state)."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
        self._cached: tuple[int, dict[str, str]] | None = None

    def tables(self) -> list[str]:
        rows = self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        return sorted(r[0] for r in rows)

    def checksums(self) -> dict[str, str]:
        """Every table's checksum; recomputed only when another connection committed since
        the last time (``PRAGMA data_version``), so a refused call costs one pragma."""
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        if self._cached is not None and self._cached[0] == version:
            return self._cached[1]
        out = self._compute()
        self._cached = (version, out)
        return out

    def _compute(self) -> dict[str, str]:
        out = {}
        self.db.execute("BEGIN")
        try:
            for table in self.tables():
                digest = hashlib.sha256()
                for row in self.db.execute(self._select(table)):
                    digest.update(repr(row).encode())
                out[table] = digest.hexdigest()
        finally:
            self.db.execute("COMMIT")
        return out

    def _select(self, table: str) -> str:
        volatile = VOLATILE_COLUMNS.get(table)
        if not volatile:
            return f'SELECT * FROM "{table}"'
        columns = [r[1] for r in self.db.execute(f'PRAGMA table_info("{table}")')]
        kept = ", ".join(f'"{c}"' for c in columns if c not in volatile)
        return f'SELECT {kept} FROM "{table}"'

    def close(self) -> None:
        self.db.close()


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {t for t in before.keys() | after.keys() if before.get(t) != after.get(t)}


def method_classes(method: Any) -> tuple[type[Message], type[Message]]:
    return GetMessageClass(method.input_type), GetMessageClass(method.output_type)


class FuzzVenue:
    """The controller under fuzz and the credentials to call it with."""

    def __init__(self, ctl: RunningController) -> None:
        self.ctl = ctl
        self.channel = ctl.channel()
        self.health = health_pb2_grpc.HealthStub(self.channel)
        self.db = DatabaseWatch(ctl.data_dir / "controller.db")
        self.log_offset = ctl.log_path.stat().st_size
        self.credentials: dict[str, tuple[tuple[str, str], ...]] = {}
        self.tally: Counter[tuple[str, str]] = Counter()  # (method, status) -> calls

    # --- setting the venue up --------------------------------------------------------------
    def set_up(self) -> None:
        ctl = self.ctl
        self.credentials["none"] = ()
        self.credentials["admin"] = ctl.admin_md
        for label, role in STAFF_ROLES.items():
            self.credentials[label] = bearer(ctl.add_staff(f"fuzz-{label}", role, pin="1234"))
        self.credentials["agent"] = bearer(ctl.enroll_agent("A08"))
        self.credentials["guest"] = bearer(self._guest_token("A08"))
        self.credentials["forged"] = bearer("ktv_" + "A" * 43)
        self.credentials["malformed"] = (("authorization", "Basic " + "x" * 3000),)
        billing = self.ctl.channel().unary_unary(
            "/ktv.v1.BillingService/OpenSession",
            request_serializer=billing_pb2.OpenSessionRequest.SerializeToString,
            response_deserializer=billing_pb2.OpenSessionResponse.FromString,
        )
        billing(
            billing_pb2.OpenSessionRequest(
                room="rooms/A08", guest_count=4, request_id=uuid.uuid4().hex
            ),
            metadata=ctl.admin_md,
            timeout=CALL_TIMEOUT_S,
        )
        register = self.ctl.channel().unary_unary(
            "/ktv.v1.MembersService/RegisterMember",
            request_serializer=members_pb2.RegisterMemberRequest.SerializeToString,
            response_deserializer=members_pb2.MemberResponse.FromString,
        )
        register(
            members_pb2.RegisterMemberRequest(
                phone=MEMBER_PHONE, name="张伟", pin=MEMBER_PIN, request_id=uuid.uuid4().hex
            ),
            metadata=ctl.admin_md,
            timeout=CALL_TIMEOUT_S,
        )
        self._wait_for_the_first_scheduler_tick()
        self.log_offset = ctl.log_path.stat().st_size

    def _wait_for_the_first_scheduler_tick(self, timeout_s: float = 20.0) -> None:
        """The first tick runs every job once (catch-up at start-up); its writes must not
        land inside a fuzzed call's checksum window. The venue's cadences are every 10000 h
        (conftest), so no job runs again during the fuzz except by RunJob."""
        from ktv.v1 import scheduler_pb2

        list_jobs = self.ctl.channel().unary_unary(
            "/ktv.v1.SchedulerService/ListJobs",
            request_serializer=scheduler_pb2.ListJobsRequest.SerializeToString,
            response_deserializer=scheduler_pb2.ListJobsResponse.FromString,
        )
        deadline = time.monotonic() + timeout_s
        while True:
            jobs = list_jobs(
                scheduler_pb2.ListJobsRequest(), metadata=self.ctl.admin_md, timeout=5
            ).jobs
            if all(j.HasField("last_run") and not j.due for j in jobs):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"scheduler jobs still due after {timeout_s} s: {jobs}")
            time.sleep(0.1)

    def _guest_token(self, room_id: str) -> str:
        """A guest credential for ``room_id`` (written as the controller would issue one)."""
        token = "ktv_fuzz_guest_" + uuid.uuid4().hex
        db = sqlite3.connect(self.ctl.data_dir / "controller.db", timeout=10)
        with db:
            db.execute(
                "INSERT INTO credentials (credential_id, token_hash, role, room_id, staff_id,"
                " label, created_at, expire_time) VALUES (?, ?, 2, ?, '', 'fuzz guest', ?, NULL)",
                (uuid.uuid4().hex, token_hash(token), room_id, datetime.now(UTC).isoformat()),
            )
        db.close()
        return token

    # --- one call ----------------------------------------------------------------------------
    def new_log(self) -> str:
        with self.ctl.log_path.open("rb") as f:
            f.seek(self.log_offset)
            data = f.read()
        self.log_offset += len(data)
        return data.decode(errors="replace")

    def is_healthy(self) -> bool:
        try:
            answer = self.health.Check(health_pb2.HealthCheckRequest(), timeout=5)
        except grpc.RpcError:
            return False
        return answer.status == health_pb2.HealthCheckResponse.SERVING

    def call_unary(self, path: str, method: Any, request: Message, credential: str) -> Outcome:
        request_type, response_type = method_classes(method)
        stub = self.channel.unary_unary(
            f"/{path}",
            request_serializer=request_type.SerializeToString,
            response_deserializer=response_type.FromString,
        )
        before = self.db.checksums()
        outcome = Outcome(path, credential, request, grpc.StatusCode.OK)
        try:
            response, _ = stub.with_call(
                request, metadata=self.credentials[credential], timeout=CALL_TIMEOUT_S
            )
            outcome.response_bytes = response.ByteSize()
        except grpc.RpcError as error:
            self._refused(outcome, error)
        self._after(outcome, before)
        return outcome

    def call_server_stream(
        self, path: str, method: Any, request: Message, credential: str, responses: int = 1
    ) -> Outcome:
        """A server-streaming call (WatchRooms): read ``responses`` messages, then cancel."""
        request_type, response_type = method_classes(method)
        stub = self.channel.unary_stream(
            f"/{path}",
            request_serializer=request_type.SerializeToString,
            response_deserializer=response_type.FromString,
        )
        before = self.db.checksums()
        outcome = Outcome(path, credential, request, grpc.StatusCode.OK)
        call = stub(request, metadata=self.credentials[credential], timeout=CALL_TIMEOUT_S)
        try:
            for i, response in enumerate(call):
                outcome.response_bytes = max(outcome.response_bytes, response.ByteSize())
                if i + 1 >= responses:
                    break
        except grpc.RpcError as error:
            self._refused(outcome, error)
        finally:
            call.cancel()
        self._after(outcome, before)
        return outcome

    def call_link(self, requests: list[Message], credential: str) -> Outcome:
        """The room link's ``Connect`` stream: send ``requests`` (then half-close, as an agent
        going away does) and read every answer until the controller ends the stream. Besides
        the unary checks: an event is stored only if it was acknowledged, and a stream that
        was refused before its welcome stored nothing."""
        from ktv.v1 import link_pb2

        stub = self.channel.stream_stream(
            "/ktv.v1.RoomLinkService/Connect",
            request_serializer=link_pb2.ConnectRequest.SerializeToString,
            response_deserializer=link_pb2.ConnectResponse.FromString,
        )
        path = "ktv.v1.RoomLinkService/Connect"
        before = self.db.checksums()
        events_before = self.event_ids()
        outcome = Outcome(path, credential, link_pb2.ConnectRequest(), grpc.StatusCode.OK)
        outcome.stream = list(requests)
        acked: set[str] = set()
        welcomed = False
        call = stub(iter(requests), metadata=self.credentials[credential], timeout=CALL_TIMEOUT_S)
        try:
            for response in call:
                outcome.response_bytes = max(outcome.response_bytes, response.ByteSize())
                welcomed = welcomed or response.HasField("welcome")
                acked.update(response.ack.event_ids)
        except grpc.RpcError as error:
            self._refused(outcome, error)
        self._after(outcome, before)
        outcome.welcomed, outcome.acked = welcomed, len(acked)
        stored = self.event_ids() - events_before
        if stored - acked:
            outcome.extra.append(f"events stored but never acknowledged: {sorted(stored - acked)}")
        if not welcomed and outcome.changed_tables:
            outcome.extra.append(
                f"a stream refused before its welcome wrote {sorted(outcome.changed_tables)}"
            )
        outcome.changed_tables -= LINK_TABLES if welcomed else set()
        return outcome

    def event_ids(self) -> set[str]:
        return {r[0] for r in self.db.db.execute("SELECT event_id FROM room_events")}

    def _refused(self, outcome: Outcome, error: grpc.RpcError) -> None:
        outcome.code = error.code()
        outcome.details = error.details() or ""
        outcome.reason = dict(error.trailing_metadata() or ()).get(REASON_KEY, "")

    def _after(self, outcome: Outcome, before: dict[str, str]) -> None:
        self.tally[(outcome.method, outcome.code.name)] += 1
        outcome.changed_tables = changed(before, self.db.checksums())
        outcome.healthy = self.is_healthy()
        outcome.log = self.new_log()

    def close(self) -> None:
        """KTV_FUZZ_REPORT=FILE appends the calls made per RPC and status (long runs)."""
        self.db.close()
        report = os.environ.get("KTV_FUZZ_REPORT")
        if report:
            with open(report, "a", encoding="utf-8") as out:
                for (method, code), calls in sorted(self.tally.items()):
                    out.write(json.dumps({"method": method, "status": code, "calls": calls}))
                    out.write("\n")


def failures(outcomes: Iterable[Outcome]) -> list[str]:
    return [f"{o.describe()}\n  -> {p}" for o in outcomes for p in o.unexplained()]
