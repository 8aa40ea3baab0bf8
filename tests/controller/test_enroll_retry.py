"""EnrollAgent by request_id (AIP-155) over real gRPC: an agent whose answer was lost retries
with the same code and request_id and gets a working credential; the token of the lost answer
stops working; the request_id cannot be replayed once the room was enrolled again, nor with
another code."""

from __future__ import annotations

import uuid

import grpc
import pytest

from controller.api.errors import reason_of
from ktv.v1 import auth_pb2
from tests.support.controller import RPC_TIMEOUT_S, RunningController


def _code(controller: RunningController, room_id: str) -> str:
    return (
        controller.auth()
        .CreateEnrollmentCode(
            auth_pb2.CreateEnrollmentCodeRequest(
                room=f"rooms/{room_id}", request_id=uuid.uuid4().hex
            ),
            metadata=controller.admin_md,
            timeout=RPC_TIMEOUT_S,
        )
        .code
    )


def _enroll(
    controller: RunningController, code: str, rid: str = ""
) -> auth_pb2.EnrollAgentResponse:
    return controller.auth().EnrollAgent(
        auth_pb2.EnrollAgentRequest(code=code, agent_version="test", request_id=rid),
        timeout=RPC_TIMEOUT_S,
    )


def _works(controller: RunningController, token: str) -> bool:
    try:
        controller.auth().WhoAmI(
            auth_pb2.WhoAmIRequest(),
            metadata=(("authorization", f"Bearer {token}"),),
            timeout=RPC_TIMEOUT_S,
        )
    except grpc.RpcError as err:
        assert err.code() == grpc.StatusCode.UNAUTHENTICATED
        return False
    return True


def test_a_retried_enrollment_answers_a_fresh_token_and_retires_the_lost_one(
    controller: RunningController, room_id: str
) -> None:
    controller.add_room(room_id)
    code, rid = _code(controller, room_id), uuid.uuid4().hex
    lost = _enroll(controller, code, rid)  # its answer never reached the agent
    again = _enroll(controller, code, rid)
    assert again.room == lost.room == f"rooms/{room_id}"
    assert again.agent_token and again.agent_token != lost.agent_token
    assert _works(controller, again.agent_token)
    assert not _works(controller, lost.agent_token)
    third = _enroll(controller, code, rid)  # however often the answer is lost
    assert _works(controller, third.agent_token) and not _works(controller, again.agent_token)


def test_an_enrollment_request_id_is_used_up_once_the_room_is_enrolled_again(
    controller: RunningController, room_id: str
) -> None:
    controller.add_room(room_id)
    code, rid = _code(controller, room_id), uuid.uuid4().hex
    _enroll(controller, code, rid)
    newer = _enroll(controller, _code(controller, room_id))  # the technician enrolled anew
    with pytest.raises(grpc.RpcError) as err:
        _enroll(controller, code, rid)
    assert err.value.code() == grpc.StatusCode.ABORTED
    assert reason_of(err.value) == "REQUEST_ID_REUSED"
    assert _works(controller, newer.agent_token)  # the replay took nothing from the room


def test_an_enrollment_request_id_with_another_code_is_refused(
    controller: RunningController, room_id: str
) -> None:
    controller.add_room(room_id)
    rid = uuid.uuid4().hex
    _enroll(controller, _code(controller, room_id), rid)
    with pytest.raises(grpc.RpcError) as err:
        _enroll(controller, _code(controller, room_id), rid)
    assert err.value.code() == grpc.StatusCode.ABORTED
