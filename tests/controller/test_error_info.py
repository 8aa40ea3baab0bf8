"""Errors carry their machine reason as a standard google.rpc.ErrorInfo (AIP-193), readable by
any gRPC client's status helpers, and still in the legacy ``ktv-reason`` trailer for old
clients."""

from __future__ import annotations

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from ktv import rpc_errors
from ktv.v1 import rooms_pb2
from tests.support.controller import RPC_TIMEOUT_S, RunningController


def _unknown_room(controller: RunningController) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as err:
        controller.rooms().GetRoom(
            rooms_pb2.GetRoomRequest(name="rooms/NOPE99"),
            metadata=controller.admin_md,
            timeout=RPC_TIMEOUT_S,
        )
    return err.value


def test_a_refused_call_carries_error_info_in_the_standard_status_details(
    controller: RunningController,
) -> None:
    error = _unknown_room(controller)
    assert error.code() == grpc.StatusCode.NOT_FOUND
    status = rpc_status.from_call(error)  # grpc's own helper, as any client would use
    assert status is not None
    assert status.code == grpc.StatusCode.NOT_FOUND.value[0]
    assert status.message == error.details()
    infos = [d for d in status.details if d.Is(error_details_pb2.ErrorInfo.DESCRIPTOR)]
    assert len(infos) == 1
    info = error_details_pb2.ErrorInfo()
    infos[0].Unpack(info)
    assert info.domain == rpc_errors.DOMAIN
    assert info.reason == rpc_errors.reason_in(error.trailing_metadata())
    assert info.reason  # a machine reason, not empty


def test_old_clients_still_find_the_reason_in_the_legacy_trailer(
    controller: RunningController,
) -> None:
    error = _unknown_room(controller)
    legacy = dict(error.trailing_metadata())[rpc_errors.LEGACY_REASON_KEY]
    assert legacy == rpc_errors.reason_in(error.trailing_metadata())


def test_reading_a_reason_prefers_error_info_and_survives_a_malformed_trailer() -> None:
    good = rpc_errors.error_trailers("NOT_FOUND", "no such room", "ROOM_NOT_FOUND")
    assert rpc_errors.reason_in(good) == "ROOM_NOT_FOUND"
    only_legacy = [(rpc_errors.LEGACY_REASON_KEY, "OLD_REASON")]
    assert rpc_errors.reason_in(only_legacy) == "OLD_REASON"
    garbage = [(rpc_errors.STATUS_DETAILS_KEY, b"\xff\x00garbage"), *only_legacy]
    assert rpc_errors.reason_in(garbage) == "OLD_REASON"
    assert rpc_errors.reason_in(None) == ""
