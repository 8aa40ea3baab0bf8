"""A whole venue for the HTTP side's tests: a real controller process (HTTP API on loopback),
four rooms on two floors with real headless agents, the example venue's price plan and menu,
and demo staff. Used by ``tests/web/conftest.py``'s ``web_venue``."""

from __future__ import annotations

import contextlib
import json
import ssl
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import grpc
import httpx

from ktv.v1 import (
    auth_pb2,
    auth_pb2_grpc,
    billing_pb2_grpc,
    members_pb2_grpc,
    rooms_pb2,
    rooms_pb2_grpc,
    scheduler_pb2_grpc,
)
from tests.support.controller import REPO_ROOT, RunningController, bearer, launch
from tests.support.core_agents import AgentProcess, Library, start_agents

RPC_TIMEOUT_S = 10.0
WEB_START_TIMEOUT_S = 30.0

# Demo staff of the fixture (the same ids and PINs ./run demo prints).
CASHIER = ("c1", "1111", auth_pb2.ROLE_CASHIER, "收银员小陈")
MANAGER = ("m1", "2222", auth_pb2.ROLE_MANAGER, "王经理")
WAITER = ("w1", "3333", auth_pb2.ROLE_WAITER, "服务员小李")
STAFF = {s[0]: s for s in (CASHIER, MANAGER, WAITER)}

# Rooms: (id, display name, tier, floor, column, row)
ROOMS = (
    ("A01", "A01 小包", "small", "1F", 0, 0),
    ("A02", "A02 小包", "small", "1F", 1, 0),
    ("B01", "B01 豪华包", "vip", "2F", 0, 0),
    ("B02", "B02 豪华包", "vip", "2F", 1, 0),
)


def venue_toml(venue_id: str, web: str = "port = 0\nca_port = 0\n") -> str:
    """The example venue (prices, menu) with this fixture's rooms, the sandbox payment
    provider (every tender approved) and the HTTP side on free ports."""
    example = (REPO_ROOT / "examples" / "venue.toml").read_text(encoding="utf-8")
    tail = example[example.index("[payments]") :].replace(
        'provider = "terminal"', 'provider = "sandbox"', 1
    )
    rooms = "".join(
        f'[[rooms]]\nid = "{r}"\nname = "{name}"\ntier = "{tier}"\n\n'
        for r, name, tier, *_ in ROOMS
    )
    head = (
        f'[venue]\nid = "{venue_id}"\nname = "金色KTV"\ntiers = ["small", "vip"]\n'
        'timezone = "Asia/Shanghai"\nbusiness_day_starts = "10:00"\n\n'
    )
    return f"{head}[web]\n{web}\n{rooms}{tail}"


class ManagerGrpc:
    """The controller's gRPC API as the fixture's manager, for test set-up:
    ``venue.grpc.billing.OpenSession(request, **venue.grpc.kw)`` or
    ``venue.grpc.call(venue.grpc.rooms.ListRooms, request)``."""

    def __init__(self, channel: grpc.Channel, token: str) -> None:
        self.channel = channel
        self.token = token
        self.metadata = bearer(token)
        self.kw = {"metadata": self.metadata, "timeout": RPC_TIMEOUT_S}
        self.rooms = rooms_pb2_grpc.RoomServiceStub(channel)
        self.billing = billing_pb2_grpc.BillingServiceStub(channel)
        self.members = members_pb2_grpc.MembersServiceStub(channel)
        self.auth = auth_pb2_grpc.AuthServiceStub(channel)
        self.scheduler = scheduler_pb2_grpc.SchedulerServiceStub(channel)

    def call(self, method, request):  # type: ignore[no-untyped-def]
        return method(request, **self.kw)


def read_web_addr(data_dir: Path, timeout_s: float = WEB_START_TIMEOUT_S) -> dict[str, str]:
    path = data_dir / "controller.web.json"
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        assert time.monotonic() < deadline, "the controller wrote no controller.web.json"
        time.sleep(0.05)
    return json.loads(path.read_text())  # type: ignore[no-any-return]


class WebVenue:
    """``.base_url`` (the HTTP API and app), ``.ca_path`` (the venue CA, None when plain
    HTTP), ``.grpc`` (manager set-up helper), ``.agents`` (the headless room agents),
    ``.ctl`` (the controller process), ``.staff`` (id -> (id, PIN, role, name))."""

    def __init__(
        self,
        data_dir: Path,
        library: Library | None,
        *,
        with_agents: bool = True,
        controller_args: Sequence[str] = (),
    ):
        data_dir.mkdir(parents=True, exist_ok=True)
        self.venue_id = f"web-{uuid.uuid4().hex[:8]}"
        config = data_dir / "venue.toml"
        # pings every 2 s: the browser tests of a half-open stream wait 2 x 2 + 2 s, not 32
        web = "port = 0\nca_port = 0\nsse_ping_s = 2\n"
        config.write_text(venue_toml(self.venue_id, web), encoding="utf-8")
        self.ctl: RunningController = launch(
            data_dir,
            ["--venue-config", str(config), "--venue-id", self.venue_id, *controller_args],
        )
        self.data_dir = data_dir
        self.agents: AgentProcess | None = None
        try:
            addr = read_web_addr(data_dir)
            self.base_url = addr["url"]
            self.ca_url = addr["ca_url"]
            self.ca_path: Path | None = None
            self.staff = STAFF
            admin = ManagerGrpc(self.ctl.channel(), self.ctl.admin_token)
            for staff_id, pin, role, name in STAFF.values():
                admin.auth.CreateStaff(
                    auth_pb2.CreateStaffRequest(
                        staff_id=staff_id,
                        display_name=name,
                        role=role,
                        pin=pin,
                        request_id=uuid.uuid4().hex,
                    ),
                    **admin.kw,
                )
            token = admin.auth.Login(
                auth_pb2.LoginRequest(staff_id=MANAGER[0], pin=MANAGER[1]), timeout=RPC_TIMEOUT_S
            ).token
            self.grpc = ManagerGrpc(self.ctl.channel(), token)
            self.admin = admin
            self.layout_rooms()
            if with_agents and library is not None:
                self.agents = start_agents(
                    self.ctl, library, data_dir / "rooms", [r[0] for r in ROOMS]
                )
                self.wait_online([r[0] for r in ROOMS])
        except BaseException:
            self.close()
            raise

    def layout_rooms(self) -> None:
        """Puts the rooms on their floors (SetRoomLayout, when the controller has it)."""
        if not hasattr(rooms_pb2, "SetRoomLayoutRequest"):
            return
        for room_id, _, _, floor, column, row in ROOMS:
            self.grpc.rooms.SetRoomLayout(
                rooms_pb2.SetRoomLayoutRequest(
                    name=f"rooms/{room_id}",
                    layout=rooms_pb2.RoomLayout(
                        floor=floor, column=column, row=row, width=1, height=1
                    ),
                    request_id=uuid.uuid4().hex,
                ),
                **self.grpc.kw,
            )

    def room(self, room_id: str) -> rooms_pb2.Room:
        return self.grpc.rooms.GetRoom(
            rooms_pb2.GetRoomRequest(name=f"rooms/{room_id}"), **self.grpc.kw
        ).room

    def wait_online(self, room_ids: list[str], timeout_s: float = 30.0) -> None:
        deadline = time.monotonic() + timeout_s
        for room_id in room_ids:
            while not self.room(room_id).agent.online:
                assert time.monotonic() < deadline, f"{room_id} never came online"
                time.sleep(0.1)

    def client(self, **kwargs: object) -> httpx.Client:
        """An HTTP client of the API that looks like the venue's own page (Origin set)."""
        headers = {"origin": self.base_url, **kwargs.pop("headers", {})}  # type: ignore[dict-item]
        return httpx.Client(
            base_url=self.base_url,
            headers=headers,
            verify=ssl.create_default_context(cafile=str(self.ca_path)) if self.ca_path else True,
            timeout=RPC_TIMEOUT_S,
            **kwargs,  # type: ignore[arg-type]
        )

    @contextlib.contextmanager
    def signed_in(self, staff_id: str, **kwargs: object) -> Iterator[httpx.Client]:
        """``with venue.signed_in("c1") as client:`` a client signed in as ``staff_id``
        (cookies kept, the CSRF header set)."""
        with self.client(**kwargs) as client:
            _, pin, *_ = self.staff[staff_id]
            answer = client.post("/api/session", json={"staff_id": staff_id, "pin": pin})
            assert answer.status_code == 200, answer.text
            client.headers["x-csrf-token"] = client.cookies["ktv_csrf"]
            yield client

    def close(self) -> None:
        if self.agents is not None:
            self.agents.stop()
            self.agents.control_path.unlink(missing_ok=True)
        self.ctl.stop()
