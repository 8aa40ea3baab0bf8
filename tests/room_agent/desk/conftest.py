"""A real controller process with the example venue (rooms A08/A09 small, B02 vip; sandbox
payments) shared by the module, and the room's gRPC front desk as an enrolled agent."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ktv.v1 import billing_pb2 as bpb
from ktv.v1 import billing_pb2_grpc, members_pb2, members_pb2_grpc, rooms_pb2
from room_agent.link.credentials import AgentCredential
from room_agent.link.discovery import ControllerAddress, parse_host_port
from room_agent.link.front_desk import GrpcFrontDesk
from tests.controller.billing.grpc_support import write_venue
from tests.support.controller import RunningController, start_controller

TIMEOUT_S = 10.0


def rid() -> str:
    return uuid.uuid4().hex


@pytest.fixture(scope="module")
def ctl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningController]:
    data = tmp_path_factory.mktemp("front-desk") / "controller"
    venue = write_venue(data)
    with start_controller(data, ["--venue-config", str(venue), "--no-mdns"]) as running:
        yield running


class Desk:
    """What the front desk staff do, as admin over gRPC."""

    def __init__(self, ctl: RunningController) -> None:
        self.ctl = ctl
        self.billing = billing_pb2_grpc.BillingServiceStub(ctl.channel())
        self.members = members_pb2_grpc.MembersServiceStub(ctl.channel())
        self.md = ctl.admin_md

    def open(self, room: str, *, prepaid_minutes: int = 0, cash_fen: int = 0) -> bpb.Bill:
        purchase = bpb.TimePurchase(prepaid_minutes=prepaid_minutes) if prepaid_minutes else None
        tenders = [bpb.TenderAmount(tender=bpb.TENDER_CASH, amount_fen=cash_fen)]
        return self.billing.OpenSession(
            bpb.OpenSessionRequest(
                room=f"rooms/{room}",
                guest_count=2,
                purchase=purchase,
                tenders=tenders if cash_fen else [],
                request_id=rid(),
            ),
            metadata=self.md,
            timeout=TIMEOUT_S,
        ).bill

    def bill(self, room: str) -> bpb.Bill:
        return self.billing.GetBill(
            bpb.GetBillRequest(room=f"rooms/{room}"), metadata=self.md, timeout=TIMEOUT_S
        ).bill

    def checkout(self, room: str) -> None:
        due = self.bill(room).due_fen  # room time accrues: cash with change covers it
        tenders = [bpb.TenderAmount(tender=bpb.TENDER_CASH, amount_fen=due + 10_000)] if due else []
        self.billing.Checkout(
            bpb.CheckoutRequest(room=f"rooms/{room}", tenders=tenders, request_id=rid()),
            metadata=self.md,
            timeout=TIMEOUT_S,
        )
        self.ctl.rooms().SetRoomState(  # cleaning done: ready for the next test's guests
            rooms_pb2.SetRoomStateRequest(
                name=f"rooms/{room}", state=rooms_pb2.ROOM_STATE_IDLE, request_id=rid()
            ),
            metadata=self.md,
            timeout=TIMEOUT_S,
        )

    def member(self, phone: str, pin: str, top_up_fen: int = 0) -> None:
        self.members.RegisterMember(
            members_pb2.RegisterMemberRequest(phone=phone, name="会员", pin=pin, request_id=rid()),
            metadata=self.md,
            timeout=TIMEOUT_S,
        )
        if top_up_fen:
            self.members.TopUp(
                members_pb2.TopUpRequest(member=phone, amount_fen=top_up_fen, request_id=rid()),
                metadata=self.md,
                timeout=TIMEOUT_S,
            )

    def balance_fen(self, phone: str) -> int:
        return self.members.GetMember(
            members_pb2.GetMemberRequest(query=phone), metadata=self.md, timeout=TIMEOUT_S
        ).member.balance_fen


@pytest.fixture(scope="module")
def desk(ctl: RunningController) -> Desk:
    return Desk(ctl)


@pytest.fixture(scope="module")
def room_desk(ctl: RunningController) -> Iterator[Callable[..., GrpcFrontDesk]]:
    """``room_desk("A08")``: the gRPC front desk of room A08's enrolled agent;
    ``room_desk("A09", as_room="A08")`` is A08's agent pretending to be A09."""
    tokens: dict[str, str] = {}
    made: list[GrpcFrontDesk] = []
    address = parse_host_port(ctl.address)

    def make(
        room: str,
        *,
        as_room: str = "",
        located: Callable[[], ControllerAddress | None] | None = None,
        deadline_s: float = 4.0,
    ) -> GrpcFrontDesk:
        owner = as_room or room
        if owner not in tokens:
            tokens[owner] = ctl.enroll_agent(owner)
        credential = AgentCredential(room=f"rooms/{owner}", agent_token=tokens[owner])
        front = GrpcFrontDesk(
            room,
            address=located or (lambda: address),
            credential=lambda: credential,
            deadline_s=deadline_s,
        )
        made.append(front)
        return front

    yield make
    for front in made:
        front.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "agent"
