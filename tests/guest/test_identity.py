"""Guest identity through a real controller: join codes bound to the room's session, guest
credentials, the Guest authenticator and the permission rows."""

from __future__ import annotations

import itertools
import uuid

import grpc
import pytest

from controller.api.errors import reason_of
from ktv.v1 import billing_pb2 as bpb
from ktv.v1 import billing_pb2_grpc, rooms_pb2, rooms_pb2_grpc
from ktv.v1 import guest_pb2 as gpb
from tests.support.guests import code_of, guest_md, guest_stub, join, join_guest, room_url

TIMEOUT_S = 10.0


def refused(call, request, md=()):  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.RpcError) as caught:
        call(request, metadata=md, timeout=TIMEOUT_S)
    return caught.value.code(), reason_of(caught.value)


def view(ctl, room_id, credential):  # type: ignore[no-untyped-def]
    return guest_stub(ctl.channel()).GetRoomView(
        gpb.GetRoomViewRequest(room=f"rooms/{room_id}"),
        metadata=guest_md(credential),
        timeout=TIMEOUT_S,
    )


def test_a_phone_joins_from_the_qr_and_the_pass_dies_at_checkout(ctl, desk):
    room = desk.new_room()
    assert room_url(ctl, room) == ""  # no session: no code
    desk.open(room)
    url = room_url(ctl, room)
    assert "/g/?c=" in url and len(code_of(url)) >= 22  # >= 128 bits
    assert room_url(ctl, room) == url  # the same code while the session lasts
    joined = join(ctl.channel(), code_of(url), "  Ｊａｙ周 ")
    assert joined.nickname == "Jay周" and joined.room == f"rooms/{room}"
    assert not joined.permissions.may_queue_top and joined.permissions.may_skip
    seen = view(ctl, room, joined.credential)
    assert seen.session_open and seen.room == f"rooms/{room}"

    desk.checkout(room)
    guests = guest_stub(ctl.channel())
    code, reason = refused(
        guests.GetRoomView,
        gpb.GetRoomViewRequest(room=f"rooms/{room}"),
        guest_md(joined.credential),
    )
    assert (code, reason) == (grpc.StatusCode.UNAUTHENTICATED, "GUEST_SESSION_ENDED")
    code, reason = refused(guests.JoinRoom, gpb.JoinRoomRequest(code=code_of(url), nickname="x"))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "GUEST_CODE_EXPIRED")

    # The next session shows a new code; the old photo still opens nothing.
    desk.open(room)
    new_url = room_url(ctl, room)
    assert new_url and new_url != url
    code, reason = refused(guests.JoinRoom, gpb.JoinRoomRequest(code=code_of(url), nickname="x"))
    assert reason == "GUEST_CODE_EXPIRED"
    code, reason = refused(
        guests.GetRoomView,
        gpb.GetRoomViewRequest(room=f"rooms/{room}"),
        guest_md(joined.credential),
    )
    assert reason == "GUEST_SESSION_ENDED"
    assert view(ctl, room, join_guest(ctl, room, "新")).session_open
    desk.checkout(room)


def test_the_desk_revokes_the_code_and_every_phone_joined_with_it(ctl, desk):
    room = desk.new_room()
    desk.open(room)
    url = room_url(ctl, room)
    phones = [join_guest(ctl, room, f"p{i}") for i in range(3)]
    guests = guest_stub(ctl.channel())
    shown = guests.GetGuestCode(
        gpb.GetGuestCodeRequest(room=f"rooms/{room}"), metadata=ctl.admin_md, timeout=TIMEOUT_S
    )
    assert shown.guests_joined == 3
    revoked = guests.RevokeGuestCode(
        gpb.RevokeGuestCodeRequest(
            room=f"rooms/{room}", reason="photo posted online", request_id=uuid.uuid4().hex
        ),
        metadata=ctl.admin_md,
        timeout=TIMEOUT_S,
    )
    assert revoked.guests_revoked == 3 and revoked.url and revoked.url != url
    for phone in phones:
        _, reason = refused(
            guests.GetRoomView, gpb.GetRoomViewRequest(room=f"rooms/{room}"), guest_md(phone)
        )
        assert reason == "BAD_GUEST_CREDENTIAL"
    _, reason = refused(guests.JoinRoom, gpb.JoinRoomRequest(code=code_of(url), nickname="x"))
    assert reason == "GUEST_CODE_EXPIRED"
    assert view(ctl, room, join(ctl.channel(), code_of(revoked.url), "after").credential)
    desk.checkout(room)


def test_a_phone_of_one_room_cannot_touch_another_nor_staff_methods(ctl, desk):
    room_a, room_b = desk.new_room(), desk.new_room()
    desk.open(room_a)
    desk.open(room_b)
    phone = guest_md(join_guest(ctl, room_a, "a"))
    channel = ctl.channel()
    guests = guest_stub(channel)
    code, reason = refused(
        guests.GetRoomView, gpb.GetRoomViewRequest(room=f"rooms/{room_b}"), phone
    )
    assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "WRONG_ROOM")
    billing = billing_pb2_grpc.BillingServiceStub(channel)
    rooms = rooms_pb2_grpc.RoomServiceStub(channel)
    staff_only = [
        (guests.GetGuestCode, gpb.GetGuestCodeRequest(room=f"rooms/{room_a}")),
        (
            guests.RevokeGuestCode,
            gpb.RevokeGuestCodeRequest(room=f"rooms/{room_a}", request_id="r"),
        ),
        (rooms.ListRooms, rooms_pb2.ListRoomsRequest()),
        (
            billing.Checkout,
            bpb.CheckoutRequest(room=f"rooms/{room_a}", request_id="c"),
        ),
        (billing.OpenSession, bpb.OpenSessionRequest(room=f"rooms/{room_b}", request_id="o")),
    ]
    for call, request in staff_only:
        code, reason = refused(call, request, phone)
        assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "ROLE_NOT_ALLOWED"), call
    code, reason = refused(billing.GetBill, bpb.GetBillRequest(room=f"rooms/{room_b}"), phone)
    assert reason == "WRONG_ROOM"
    desk.checkout(room_a)
    desk.checkout(room_b)


def test_bad_codes_nicknames_and_headers_get_clear_errors(ctl, desk):
    room = desk.new_room()
    desk.open(room)
    guests = guest_stub(ctl.channel())
    code = code_of(room_url(ctl, room))
    cases = [
        (gpb.JoinRoomRequest(code="nope", nickname="x"), "UNKNOWN_GUEST_CODE"),
        (gpb.JoinRoomRequest(code=code, nickname="   "), "BAD_NICKNAME"),
        (gpb.JoinRoomRequest(code=code, nickname="x" * 17), "BAD_NICKNAME"),
        (gpb.JoinRoomRequest(code=code, nickname="a\u202eb"), "BAD_NICKNAME"),
    ]
    for request, want in cases:
        assert refused(guests.JoinRoom, request)[1] == want, request
    # markup is a name like any other: stored as text (the page and the TV show it as text)
    xss = join(ctl.channel(), code, "<img src=x>")
    assert xss.nickname == "<img src=x>"
    for header in ("Guest ", "Guest nope"):
        _, reason = refused(
            guests.GetRoomView,
            gpb.GetRoomViewRequest(room=f"rooms/{room}"),
            (("authorization", header),),
        )
        assert reason in ("BAD_AUTH_HEADER", "BAD_GUEST_CREDENTIAL"), header
    desk.checkout(room)


def test_joins_are_paced_per_address_and_per_code_and_others_still_join(ctl, desk):
    room = desk.new_room()
    desk.open(room)
    guests = guest_stub(ctl.channel())
    code = code_of(room_url(ctl, room))

    def tries(codes, addresses):  # type: ignore[no-untyped-def]
        reasons = []
        for guess, address in zip(codes, addresses, strict=False):
            try:
                guests.JoinRoom(
                    gpb.JoinRoomRequest(code=guess, nickname="x"),
                    metadata=(("x-ktv-client-addr", address),),
                    timeout=TIMEOUT_S,
                )
            except grpc.RpcError as error:
                reasons.append(reason_of(error))
                if reasons[-1] == "TOO_MANY_JOINS":
                    break
        return reasons

    # a script guessing codes from one address (the test venue allows 2000 a minute)
    guessing = tries((f"guess{i}" for i in range(1000)), itertools.repeat("10.0.0.66"))
    assert guessing[-1] == "TOO_MANY_JOINS" and set(guessing[:-1]) == {"UNKNOWN_GUEST_CODE"}
    # one code from many addresses (60 a minute)
    spread = tries(itertools.repeat("leaked"), (f"10.1.0.{i}" for i in range(200)))
    assert spread[-1] == "TOO_MANY_JOINS" and len(spread) < 40
    assert guests.JoinRoom(
        gpb.JoinRoomRequest(code=code, nickname="ok"),
        metadata=(("x-ktv-client-addr", "10.0.0.7"),),
        timeout=TIMEOUT_S,
    ).credential
    desk.checkout(room)
