"""ListAuditEntries pages (AIP-158) through a log longer than the largest page: before page
tokens, the oldest 10,000 entries were all any client could ever read. Entries are inserted
straight into the controller's SQLite file (fast); the listing runs through real gRPC and the
real ``ktvctl``."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import grpc
import pytest

from controller.api.errors import reason_of
from controller.billing.settings import audit_page_size_max
from controller.server import DB_FILE
from ktv.v1 import auth_pb2
from ktv.v1 import billing_pb2 as pb
from tests.support.controller import RunningController, bearer, start_controller

from .grpc_support import TIMEOUT_S, billing_stub, write_venue

KTVCTL = (sys.executable, "-m", "controller.ktvctl")
ENTRIES = 12_345  # > audit_page_size_max
BILLS = ("bills/tab-a", "bills/tab-b")  # every other entry


def _append(db: Path, count: int) -> None:
    with sqlite3.connect(db, timeout=30) as conn:
        first = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM billing_events").fetchone()[0]
        conn.executemany(
            "INSERT INTO billing_events (tab_id, kind, at, staff_id, role, body,"
            " total_before_fen, total_after_fen, paid_before_fen, paid_after_fen, recorded_at)"
            " VALUES (?, 'OrderDelivered', '2026-11-24T12:00:00+00:00', 'wang', 'manager', '{}',"
            " ?, ?, 0, 0, '2026-11-24T12:00:00+00:00')",
            (
                (BILLS[(first + i) % 2].removeprefix("bills/"), first + i, first + i + 1)
                for i in range(count)
            ),
        )
    conn.close()


@pytest.fixture(scope="module")
def ctl(tmp_path_factory: pytest.TempPathFactory):
    data_dir = tmp_path_factory.mktemp("audit-paging") / "data"
    venue = write_venue(data_dir)
    with start_controller(data_dir, ["--venue-config", str(venue), "--no-mdns"]) as running:
        _append(data_dir / DB_FILE, ENTRIES)
        yield running


@pytest.fixture(scope="module")
def manager(ctl: RunningController):
    return bearer(ctl.add_staff("wang", auth_pb2.ROLE_MANAGER))


@pytest.fixture
def billing(ctl: RunningController):
    return billing_stub(ctl.channel())


def _list(billing, md, **fields) -> pb.ListAuditEntriesResponse:
    return billing.ListAuditEntries(
        pb.ListAuditEntriesRequest(**fields), metadata=md, timeout=TIMEOUT_S
    )


def _all(billing, md, page_size: int, bill: str = "") -> tuple[list[int], int]:
    seqs: list[int] = []
    token, pages = "", 0
    while True:
        page = _list(billing, md, bill=bill, page_size=page_size, page_token=token)
        seqs += [e.seq for e in page.entries]
        pages += 1
        token = page.next_page_token
        if not token:
            return seqs, pages


def test_an_old_client_without_a_token_still_gets_the_oldest_page(billing, manager) -> None:
    default = _list(billing, manager)
    assert [e.seq for e in default.entries] == list(range(1, 1001))
    biggest = _list(billing, manager, page_size=50_000)  # lowered to the maximum
    assert [e.seq for e in biggest.entries] == list(range(1, audit_page_size_max + 1))
    assert biggest.next_page_token  # the rest is reachable now


def test_pages_reach_every_entry_past_the_largest_page_oldest_first(billing, manager) -> None:
    seqs, pages = _all(billing, manager, audit_page_size_max)
    assert seqs == list(range(1, ENTRIES + 1))
    assert pages == 2
    small, pages = _all(billing, manager, 2_000)
    assert small == seqs and pages == 7


def test_a_bills_log_pages_too(billing, manager) -> None:
    seqs, _ = _all(billing, manager, 1_000, bill=BILLS[1])
    assert seqs == list(range(2, ENTRIES + 1, 2))


def test_entries_appended_while_paging_arrive_on_a_later_page(ctl, billing, manager) -> None:
    first = _list(billing, manager, page_size=audit_page_size_max)
    total = _list(billing, manager, page_size=1).entries[0].seq  # the log's first seq: 1
    assert total == 1
    last_before = ENTRIES + _count_appended(ctl)
    _append(ctl.data_dir / DB_FILE, 3)
    rest = _list(billing, manager, page_size=audit_page_size_max, page_token=first.next_page_token)
    assert [e.seq for e in rest.entries] == list(range(audit_page_size_max + 1, last_before + 4))
    assert rest.next_page_token == ""


def _count_appended(ctl: RunningController) -> int:
    with sqlite3.connect(ctl.data_dir / DB_FILE) as conn:
        n = conn.execute("SELECT COUNT(*) FROM billing_events").fetchone()[0]
    conn.close()
    return n - ENTRIES


@pytest.mark.parametrize(
    ("bill", "token"),
    [
        ("", "not-a-token"),
        ("", "YXVkaXQ6LTE6"),  # audit:-1:
        ("", "cm9vbXM6MTA6"),  # rooms:10: (another listing's kind)
        ("", "x" * 600),
        (BILLS[1], None),  # a token of the whole log's listing, sent with a bill
    ],
)
def test_a_token_this_listing_did_not_issue_is_refused(billing, manager, bill, token) -> None:
    if token is None:
        token = _list(billing, manager, page_size=5).next_page_token
    with pytest.raises(grpc.RpcError) as error:
        _list(billing, manager, bill=bill, page_size=5, page_token=token)
    assert error.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert reason_of(error.value) == "BAD_PAGE_TOKEN"


def _ktvctl(ctl: RunningController, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("KTV_CONTROLLER", "KTV_TOKEN")}
    env.update({"KTV_CONFIG_DIR": str(tmp_path / "cfg"), "COLUMNS": "200"})
    return subprocess.run(
        [*KTVCTL, "--controller", ctl.address, "--data-dir", str(ctl.data_dir), "--json", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_ktvctl_audit_pages_past_the_largest_page(ctl, manager, tmp_path) -> None:
    everything = _ktvctl(ctl, tmp_path, "audit", "--limit", "0")
    assert everything.returncode == 0, everything.stderr
    seqs = [int(e["seq"]) for e in json.loads(everything.stdout)]
    assert len(seqs) >= ENTRIES and seqs == sorted(seqs) and seqs[0] == 1
    some = _ktvctl(ctl, tmp_path, "audit", "--limit", "10500")
    assert some.returncode == 0, some.stderr
    assert [int(e["seq"]) for e in json.loads(some.stdout)] == list(range(1, 10_501))
    bad = _ktvctl(ctl, tmp_path, "audit", "--limit", "-1")
    assert bad.returncode == 2, bad.stderr
