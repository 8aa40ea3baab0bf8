"""Guests' phones for tests: join a room the way a phone does (the room's QR URL -> JoinRoom)
and call GuestService with the credential.

    credential = join_guest(ctl, "A01", "小王")  # RunningController: the admin reads the code
    credential = join_guest((channel, staff_md), "A01", "小王")
    guests = guest_stub(ctl.channel())
    guests.GetRoomView(GetRoomViewRequest(room="rooms/A01"), metadata=guest_md(credential))

The room must have an open session (its code is bound to it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit

import grpc

from ktv.v1 import guest_pb2 as gpb
from ktv.v1 import guest_pb2_grpc

RPC_TIMEOUT_S = 10.0
Metadata = Sequence[tuple[str, str]]


def guest_md(credential: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Guest {credential}"),)


def guest_stub(channel: grpc.Channel) -> guest_pb2_grpc.GuestServiceStub:
    return guest_pb2_grpc.GuestServiceStub(channel)


def _channel_and_staff(channel_or_venue: Any) -> tuple[grpc.Channel, Metadata]:
    if isinstance(channel_or_venue, tuple):
        channel, staff_md = channel_or_venue
        return channel, staff_md
    if hasattr(channel_or_venue, "admin_md"):  # RunningController
        return channel_or_venue.channel(), channel_or_venue.admin_md
    if hasattr(channel_or_venue, "ctl"):  # tests/web's WebVenue
        ctl = channel_or_venue.ctl
        return ctl.channel(), ctl.admin_md
    raise TypeError("join_guest takes a RunningController, a WebVenue or (channel, staff_md)")


def room_url(channel_or_venue: Any, room_id: str) -> str:
    """The URL the room's QR code shows now (read by staff: GetGuestCode)."""
    channel, staff_md = _channel_and_staff(channel_or_venue)
    return (
        guest_stub(channel)
        .GetGuestCode(
            gpb.GetGuestCodeRequest(room=f"rooms/{room_id}"),
            metadata=staff_md,
            timeout=RPC_TIMEOUT_S,
        )
        .url
    )


def code_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["c"][0]


def join(channel: grpc.Channel, code: str, nickname: str) -> gpb.JoinRoomResponse:
    return guest_stub(channel).JoinRoom(
        gpb.JoinRoomRequest(code=code, nickname=nickname), timeout=RPC_TIMEOUT_S
    )


def join_guest(channel_or_venue: Any, room_id: str, nickname: str) -> str:
    """A phone joins ``room_id`` from its current QR code; returns the guest credential."""
    channel, _ = _channel_and_staff(channel_or_venue)
    url = room_url(channel_or_venue, room_id)
    assert url, f"rooms/{room_id} has no open session: no guest code"
    return join(channel, code_of(url), nickname).credential
