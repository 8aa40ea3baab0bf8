"""A real controller process with the example venue (sandbox payments) and billing stubs."""

from __future__ import annotations

import signal
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import grpc

from ktv.v1 import billing_pb2 as pb
from ktv.v1 import billing_pb2_grpc

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "venue.toml"
TIMEOUT_S = 10.0


def write_venue(data_dir: Path) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir.parent / f"{data_dir.name}-venue.toml"
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        'provider = "terminal"', 'provider = "sandbox"'
    )
    path.write_text(text, encoding="utf-8")
    return path


def rid() -> str:
    return uuid.uuid4().hex


def cash(fen: int) -> pb.TenderAmount:
    return pb.TenderAmount(tender=pb.TENDER_CASH, amount_fen=fen)


def wechat(fen: int) -> pb.TenderAmount:
    return pb.TenderAmount(tender=pb.TENDER_WECHAT, amount_fen=fen)


def billing_stub(channel: grpc.Channel) -> billing_pb2_grpc.BillingServiceStub:
    return billing_pb2_grpc.BillingServiceStub(channel)


def checkout_request(room: str) -> pb.CheckoutRequest:
    """The cashier's checkout of ``room``: cash with change, a fixed id so a retry is one."""
    return pb.CheckoutRequest(
        room=f"rooms/{room}", tenders=[cash(10**6)], request_id=f"checkout-{room}"
    )


def checkouts_cut_by_kill_9(
    ctl: Any, rooms: list[str], md: Any, *, kill_after: int, wait_s: float
) -> dict[str, pb.CheckoutResponse]:
    """Check out every room in parallel (``checkout_request``) and
    kill -9 the controller once ``kill_after`` checkouts were answered: the answered ones."""
    billing = billing_stub(ctl.channel())
    requests = {room: checkout_request(room) for room in rooms}
    answered: dict[str, pb.CheckoutResponse] = {}
    enough = threading.Event()

    def checkout(room: str) -> None:
        try:
            answered[room] = billing.Checkout(requests[room], metadata=md, timeout=TIMEOUT_S)
        except grpc.RpcError as error:
            assert error.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED)
        if len(answered) >= kill_after:
            enough.set()

    with ThreadPoolExecutor(6) as pool:
        futures = [pool.submit(checkout, room) for room in rooms]
        assert enough.wait(wait_s)
        ctl.process.send_signal(signal.SIGKILL)
        for f in futures:
            f.result()
    ctl.process.wait(10)
    assert kill_after <= len(answered) < len(rooms)
    return answered
