"""A real controller process (the example venue, sandbox payments) shared by the package, with
rooms opened and closed through BillingService like the front desk does."""

from __future__ import annotations

import itertools
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ktv.v1 import billing_pb2 as bpb
from ktv.v1 import billing_pb2_grpc, rooms_pb2, rooms_pb2_grpc
from tests.support.controller import REPO_ROOT, RunningController, start_controller
from tests.support.core_agents import Library, build_library

TIMEOUT_S = 10.0
_rooms = itertools.count(1)


def write_venue(data_dir: Path, extra: str = "") -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir.parent / f"{data_dir.name}-venue.toml"
    text = (REPO_ROOT / "examples" / "venue.toml").read_text(encoding="utf-8")
    path.write_text(text.replace('provider = "terminal"', 'provider = "sandbox"') + extra)
    return path


class FrontDesk:
    """开台 / 结账 / 清洁完 for a room, as the admin."""

    def __init__(self, ctl: RunningController) -> None:
        self.ctl = ctl
        channel = ctl.channel()
        self.billing = billing_pb2_grpc.BillingServiceStub(channel)
        self.rooms = rooms_pb2_grpc.RoomServiceStub(channel)

    def new_room(self) -> str:
        room_id = f"G{next(_rooms):03d}"
        self.ctl.add_room(room_id, tier="small")
        return room_id

    def open(self, room_id: str) -> None:
        self.billing.OpenSession(
            bpb.OpenSessionRequest(
                room=f"rooms/{room_id}", guest_count=4, request_id=uuid.uuid4().hex
            ),
            metadata=self.ctl.admin_md,
            timeout=TIMEOUT_S,
        )

    def checkout(self, room_id: str) -> None:
        self.billing.Checkout(
            bpb.CheckoutRequest(
                room=f"rooms/{room_id}",
                tenders=[bpb.TenderAmount(tender=bpb.TENDER_CASH, amount_fen=10**6)],
                request_id=uuid.uuid4().hex,
            ),
            metadata=self.ctl.admin_md,
            timeout=TIMEOUT_S,
        )
        self.rooms.SetRoomState(
            rooms_pb2.SetRoomStateRequest(
                name=f"rooms/{room_id}",
                state=rooms_pb2.ROOM_STATE_IDLE,
                request_id=uuid.uuid4().hex,
            ),
            metadata=self.ctl.admin_md,
            timeout=TIMEOUT_S,
        )


@pytest.fixture(scope="session")
def guest_library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    """Three generated songs scanned by ktv-index (晴天, 红豆, 泡沫), for the whole session."""
    return build_library(tmp_path_factory.mktemp("guest-library"))


@pytest.fixture(scope="package")
def ctl(
    tmp_path_factory: pytest.TempPathFactory, guest_library: Library
) -> Iterator[RunningController]:
    data_dir = tmp_path_factory.mktemp("guest") / "data"
    # Every test phone joins from 127.0.0.1: the per-address pace is the venue's to raise.
    venue = write_venue(data_dir, "\n[guests]\njoins_per_minute_per_address = 2000\n")
    master = data_dir.parent / "master.sqlite"  # the controller's own copy: it records plays
    shutil.copyfile(guest_library.catalog, master)
    args = ["--venue-config", str(venue), "--no-mdns", "--catalog", str(master)]
    with start_controller(data_dir, args) as running:
        yield running


@pytest.fixture(scope="package")
def desk(ctl: RunningController) -> FrontDesk:
    return FrontDesk(ctl)
