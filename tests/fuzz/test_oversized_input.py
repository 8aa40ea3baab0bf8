"""A caller's oversized input comes back as a clear INVALID_ARGUMENT with a short message,
never as the transport's RESOURCE_EXHAUSTED (the refusal's message used to quote the whole
100 KB field, which does not fit gRPC's 8 KB metadata limit), and nothing is stored."""

from __future__ import annotations

import asyncio
import uuid

import grpc
import pytest

from controller.api.errors import REASON_KEY, abort_with
from ktv.errors import InvalidArgument, NotFound
from ktv.limits import ERROR_MESSAGE_MAX_CHARS, REPEATED_MAX_ITEMS
from ktv.rpc_errors import reason_in
from ktv.v1 import billing_pb2, billing_pb2_grpc, link_pb2, members_pb2, members_pb2_grpc, rooms_pb2
from tests.fuzz.harness import FuzzVenue

HUGE = 100_000


def refusal(call, request, metadata) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as error:
        call(request, metadata=metadata, timeout=10)
    return error.value


def assert_clear_refusal(error: grpc.RpcError, code: grpc.StatusCode, reason: str) -> None:
    assert error.code() == code, (error.code(), (error.details() or "")[:200])
    assert len(error.details()) <= ERROR_MESSAGE_MAX_CHARS + 40
    assert dict(error.trailing_metadata())[REASON_KEY] == reason


def test_a_100_kb_room_id_is_invalid_argument_not_resource_exhausted(venue: FuzzVenue) -> None:
    rooms = venue.ctl.rooms()
    request = rooms_pb2.CreateRoomRequest(
        room_id="A" * HUGE, tier="small", request_id=uuid.uuid4().hex
    )
    before = venue.db.checksums()
    error = refusal(rooms.CreateRoom, request, venue.ctl.admin_md)
    assert_clear_refusal(error, grpc.StatusCode.INVALID_ARGUMENT, "BAD_ROOM_ID")
    assert "room_id is too long (100000 characters" in error.details()
    assert venue.db.checksums() == before


@pytest.mark.parametrize("length", [2000, HUGE])
def test_a_long_room_name_gets_the_same_reason_from_the_edge_and_the_domain(
    venue: FuzzVenue, length: int
) -> None:
    """2000 characters pass the edge and the domain refuses them (its message quoting the
    name, cut); 100 KB are refused at the edge, with the reason the domain uses."""
    rooms = venue.ctl.rooms()
    request = rooms_pb2.GetRoomRequest(name="x" * length)
    error = refusal(rooms.GetRoom, request, venue.ctl.admin_md)
    assert_clear_refusal(error, grpc.StatusCode.INVALID_ARGUMENT, "BAD_ROOM_NAME")


@pytest.mark.parametrize("field", ["display_name", "tier"])
def test_a_100_kb_update_is_refused_and_nothing_changes(venue: FuzzVenue, field: str) -> None:
    rooms = venue.ctl.rooms()
    request = rooms_pb2.UpdateRoomRequest(
        name="rooms/A09", request_id=uuid.uuid4().hex, **{field: "国" * HUGE}
    )
    before = venue.db.checksums()
    error = refusal(rooms.UpdateRoom, request, venue.ctl.admin_md)
    assert_clear_refusal(error, grpc.StatusCode.INVALID_ARGUMENT, f"BAD_{field.upper()}")
    assert venue.db.checksums() == before


def test_an_emergency_message_longer_than_a_note_is_refused(venue: FuzzVenue) -> None:
    rooms = venue.ctl.rooms()
    request = rooms_pb2.SetEmergencyRequest(
        active=True, message="火" * 501, request_id=uuid.uuid4().hex
    )
    before = venue.db.checksums()
    error = refusal(rooms.SetEmergency, request, venue.ctl.admin_md)
    assert_clear_refusal(error, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT")
    assert "emergency message is too long" in error.details()
    assert venue.db.checksums() == before


def test_every_service_gets_the_same_edge_bound(venue: FuzzVenue) -> None:
    """Billing and members too: the bound is the interceptor's, not each servicer's."""
    billing = billing_pb2_grpc.BillingServiceStub(venue.channel)
    error = refusal(
        billing.GetBill, billing_pb2.GetBillRequest(room="rooms/" + "x" * HUGE), venue.ctl.admin_md
    )
    assert_clear_refusal(error, grpc.StatusCode.INVALID_ARGUMENT, "BAD_ROOM_NAME")
    members = members_pb2_grpc.MembersServiceStub(venue.channel)
    request = members_pb2.ApplyBenefitsRequest(
        room="rooms/A08",
        member="13800138000",
        coupons=["c"] * (REPEATED_MAX_ITEMS + 1),
        request_id=uuid.uuid4().hex,
    )
    error = refusal(members.ApplyBenefits, request, venue.ctl.admin_md)
    assert_clear_refusal(error, grpc.StatusCode.INVALID_ARGUMENT, "TOO_MANY_ITEMS")


def test_the_edge_bound_comes_before_authentication_is_of_any_use(venue: FuzzVenue) -> None:
    """A public RPC (Login) is bounded too: no 100 KB staff id reaches the PIN check."""
    login = venue.channel.unary_unary(
        "/ktv.v1.AuthService/Login",
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=lambda b: b,
    )
    from ktv.v1 import auth_pb2

    error = refusal(login, auth_pb2.LoginRequest(staff_id="s" * HUGE, pin="1234"), ())
    assert_clear_refusal(error, grpc.StatusCode.INVALID_ARGUMENT, "BAD_STAFF_ID")


class _Context:
    """What abort_with needs of a grpc.aio.ServicerContext."""

    def __init__(self) -> None:
        self.aborted: tuple | None = None

    async def abort(self, code, details, trailing_metadata=()):
        self.aborted = (code, details, trailing_metadata)
        raise grpc.aio.AbortError()


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (NotFound("no room " + "x" * HUGE, reason="NO_ROOM"), "NO_ROOM"),
        (InvalidArgument("bad", reason="not a token: 国" + "y" * HUGE), "INVALID_ARGUMENT"),
    ],
)
def test_the_one_error_mapping_cuts_messages_and_keeps_reasons_machine_tokens(
    error: Exception, reason: str
) -> None:
    context = _Context()
    with pytest.raises(grpc.aio.AbortError):
        asyncio.run(abort_with(context, error))  # type: ignore[arg-type]
    assert context.aborted is not None
    _, details, trailing = context.aborted
    assert len(details) <= ERROR_MESSAGE_MAX_CHARS + 40
    assert dict(trailing)["ktv-reason"] == reason
    assert reason_in(trailing) == reason  # and the same reason in the standard ErrorInfo


def test_a_link_event_with_an_out_of_range_time_is_refused_by_the_edge() -> None:
    from controller.api.bounds import check_request

    event = link_pb2.ConnectRequest(
        event=link_pb2.RoomEvent(event_id="e1", door=link_pb2.DoorChanged(open=True))
    )
    event.event.occur_time.seconds = 2**62
    with pytest.raises(InvalidArgument) as refused:
        check_request(event)
    assert refused.value.reason == "BAD_TIMESTAMP"
    assert "event.occur_time is out of range" in refused.value.message
