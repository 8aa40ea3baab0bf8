"""A real controller process with the example venue (sandbox payments) and billing stubs."""

from __future__ import annotations

import uuid
from pathlib import Path

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
