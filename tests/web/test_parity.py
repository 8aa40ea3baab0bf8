"""Parity: every ktvctl command (read from ktvctl's own argparse parser) is offered over HTTP.
Each command is run against a recording gRPC server that answers every call with an empty
message, so what is recorded is exactly the RPCs the command calls; each of them must be
routed by the gateway, or be in NOT_OVER_HTTP with the reason."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from concurrent import futures

import grpc
import pytest

from controller.auth.permissions import (
    AUTH_SERVICE,
    CATALOG_SERVICE,
    INFRASTRUCTURE,
    INVENTORY_SERVICE,
    ROOM_SERVICE,
    WEB_ROUTES,
    PermissionTable,
)
from controller.billing.api import PERMISSIONS as BILLING
from controller.billing.payments_api import PERMISSIONS as PAYMENTS
from controller.club.api import PERMISSIONS as CLUB
from controller.devices.api import PERMISSIONS as DEVICES
from controller.ktvctl import build_parser, main
from controller.members.api import PERMISSIONS as MEMBERS
from controller.reports.api import PERMISSIONS as REPORTS
from controller.scheduler.api import PERMISSIONS as SCHEDULER
from controller.web.routes import NOT_ROUTED, routed
from tests.support.controller import REPO_ROOT

TOKEN = "ktv_" + "a" * 43
VENUE_TOML = str(REPO_ROOT / "examples" / "venue.toml")

# One command line per ktvctl command (arguments made up; the recording server accepts all).
SAMPLES: dict[str, list[str]] = {
    "agent enroll": ["A01"],
    "alert ack": ["A01"],
    "alerts": [],
    "audit": ["bills/x"],
    "bill": ["A01"],
    "campaign run": ["birthday"],
    "catalog publish": [],
    "catalog versions": [],
    "energy": [],
    "health": [],
    "report close": ["2026-12-07"],
    "report day": ["2026-12-07"],
    "report month": ["2026-12-07"],
    "report quarter": ["2026-12-07"],
    "report range": ["2026-12-01", "2026-12-07"],
    "report week": ["2026-12-07"],
    "room power": ["A01", "on"],
    "shift handover": ["100"],
    "shift show": [],
    "shift start": [],
    "cancel-order": ["A01", "o1", "--reason", "wrong"],
    "checkout": ["A01", "--cash", "100"],
    "clean-done": ["A01"],
    "comp": ["A01", "o1", "--reason", "vip"],
    "coupon issue": ["13800000000", "--amount", "10"],
    "coupon list": ["13800000000"],
    "deliver": ["A01", "o1"],
    "discount": ["A01", "--percent", "10", "--reason", "vip"],
    "draw create": [
        "周五抽奖",
        *("--start", "2026-12-11T19:00+08:00", "--end", "2026-12-11T23:00+08:00"),
        *("--bill-over", "300", "--comp-amount", "50", "--winners", "2"),
    ],
    "draw run": ["d1"],
    "draw show": ["d1"],
    "draw verify": ["d1"],
    "emergency": ["on", "--message", "fire"],
    "extend": ["A01", "--prepaid", "60m", "--cash", "100"],
    "guests": ["A01", "3"],
    "login": ["c1", "--pin", "1111", "--no-save"],
    "member add": ["13800000000", "--name", "张三"],
    "member benefits": ["A01", "13800000000", "--points", "100"],
    "member credit": ["bills/x"],
    "member history": ["13800000000"],
    "member list": ["13800000000"],
    "member pin": ["13800000000", "--pin", "123456"],
    "member redeem": ["13800000000", "100", "--bill", "bills/x"],
    "member refund": ["13800000000", "10", "--reason", "left"],
    "member show": ["13800000000"],
    "member topup": ["13800000000", "100"],
    "member verify": [],
    "members verify": [],
    "menu": [],
    "merge": ["A01", "A02"],
    "move": ["A01", "A02"],
    "open": ["A01", "--guests", "2"],
    "order": ["A01", "beer:2"],
    "pay": ["A01", "--cash", "100"],
    "price import": [VENUE_TOML],
    "price show": [],
    "phonepay issues": ["--all"],
    "phonepay resolve": ["issue1", "--note", "returned in cash"],
    "product": ["beer", "--price", "15"],
    "refund": ["bills/x", "p1", "10", "--reason", "wrong"],
    "room add": ["A09", "--tier", "small"],
    "room layout": ["A01", "--floor", "2F"],
    "room lock": ["A01", "--reason", "王总", "--for", "2h"],
    "room state": ["A01", "maintenance", "on"],
    "room unlock": ["A01"],
    "room update": ["A01", "--name", "A01 小包"],
    "rooms": [],
    "scheduler run": ["birthday"],
    "scheduler status": [],
    "staff add": ["w9", "--role", "waiter", "--pin", "1234"],
    "stock alerts": [],
    "stock expire": [],
    "stock issue": ["beer:2", "--at", "bar", "--reason", "tasting"],
    "stock item": ["beer", "青岛啤酒"],
    "stock po": ["list"],
    "stock receive": ["beer:24"],
    "stock recipe": ["beer", "beer:1"],
    "stock show": [],
    "stock stocktake": ["open", "bar"],
    "stock storage": ["take", "L1", "1"],
    "stock suggest": [],
    "stock transfer": ["beer:6"],
    "stock waste": ["beer:1", "--at", "bar", "--reason", "broken"],
    "whoami": [],
}

# RPCs a ktvctl command calls that the gateway does not route, and where HTTP offers them.
NOT_OVER_HTTP = {
    "AuthService/Login": "POST /api/session (the session cookie instead of a saved token)",
    "RoomService/WatchRooms": "GET /api/board/events (`ktvctl rooms --watch`)",
}


def commands() -> list[str]:
    parser, _ = build_parser()
    found: list[str] = []

    def walk(p: argparse.ArgumentParser, words: tuple[str, ...]) -> None:
        subs = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            found.append(" ".join(words))
            return
        for name, sub in subs[0].choices.items():
            walk(sub, (*words, name))

    walk(parser, ())
    return sorted(found)


class Recorder(grpc.GenericRpcHandler):
    """Answers every unary call with an empty message and remembers the method."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def service(self, details):  # type: ignore[no-untyped-def]
        self.calls.append(details.method)
        return grpc.unary_unary_rpc_method_handler(lambda request, context: b"")


@pytest.fixture(scope="module")
def recorder() -> Iterator[tuple[Recorder, str]]:
    handler = Recorder()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2), handlers=[handler])
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield handler, f"127.0.0.1:{port}"
    server.stop(None).wait()


def routes() -> set[str]:
    table = PermissionTable(INFRASTRUCTURE)
    for rows in (
        ROOM_SERVICE,
        AUTH_SERVICE,
        BILLING,
        MEMBERS,
        SCHEDULER,
        INVENTORY_SERVICE,
        CATALOG_SERVICE,
        DEVICES,
        REPORTS,
        CLUB,
        PAYMENTS,
        WEB_ROUTES,
    ):
        table.allow(rows)
    return set(routed(table))


def test_every_ktvctl_command_has_a_sample() -> None:
    assert commands() == sorted(SAMPLES), "a new ktvctl command: add it to SAMPLES"


@pytest.mark.parametrize("command", sorted(SAMPLES))
def test_every_rpc_a_ktvctl_command_calls_is_offered_over_http(
    command: str, recorder: tuple[Recorder, str], capsys: pytest.CaptureFixture[str]
) -> None:
    handler, address = recorder
    handler.calls.clear()
    argv = [
        *command.split(),
        *SAMPLES[command],
        "--controller",
        address,
        "--insecure",
        "--token",
        TOKEN,
        "--timeout",
        "5",
    ]
    main(argv)  # exit code does not matter: empty answers may not satisfy the command
    output = capsys.readouterr()
    called = {m.removeprefix("/ktv.v1.") for m in handler.calls}  # "/ktv.v1.S/M" -> "S/M"
    assert called, f"ktvctl {command} called no RPC: {output.err}"
    offered = routes()
    missing = sorted(m for m in called if m not in offered and m not in NOT_OVER_HTTP)
    assert not missing, f"ktvctl {command} calls {missing}, which HTTP does not offer"


def test_the_exclusions_are_real() -> None:
    offered = routes()
    for method in NOT_OVER_HTTP:
        assert method not in offered
    assert set(NOT_ROUTED) >= {"AuthService/Login"}
