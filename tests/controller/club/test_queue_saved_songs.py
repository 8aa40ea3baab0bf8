"""Queue them all (我的歌单): the list goes down the room's queue path (QueueSong's), one
song at a time as the same guest, oldest saved first, each with a request id derived from the
call's, so a retried call queues nothing twice; a refused song is reported, not fatal; without
the queue path the call says so. And a tier draw's winner sees it on that phone only."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from controller.auth.interceptor import CALLER
from controller.auth.model import Principal, Role
from controller.club.draws import DrawRule, Eligibility, Prize, PrizeKind
from controller.club.phone import PhoneGuest
from controller.club.servicer import GuestClubServicer
from ktv.errors import Unavailable
from ktv.v1 import club_pb2
from tests.controller.members.test_pay_from_balance import CASHIER


class RoomQueueStandIn:
    """Records what it is asked; refuses one song id; answers a repeated request id as the
    first (QueueSong is idempotent by request_id)."""

    def __init__(self, refuse: str = "") -> None:
        self.refuse = refuse
        self.queued: dict[str, str] = {}  # request id -> song id

    async def __call__(self, principal: Principal, room_id: str, song_id: str, rid: str) -> bool:
        assert principal.role is Role.GUEST and room_id == "A08"
        if song_id == self.refuse:
            return False
        self.queued.setdefault(rid, song_id)
        return True


def call(servicer: GuestClubServicer, principal: Principal, request_id: str):  # type: ignore[no-untyped-def]
    async def go():  # type: ignore[no-untyped-def]
        CALLER.set(principal)
        return await servicer.QueueSavedSongs(
            club_pb2.QueueSavedSongsRequest(room="rooms/A08", request_id=request_id), None
        )

    return asyncio.run(go())


def test_queue_them_all_in_saved_order_once_per_call(club) -> None:  # type: ignore[no-untyped-def]
    club.members.register("13800138000", "张伟", pin="2580")
    club.billing.open("A08", 2, CASHIER)
    session = f"sessions/{club.billing.tab_id_of('A08')}"
    guest = Principal(Role.GUEST, room_id="A08", credential_id="g1", session=session)
    member = club.phone.sign_in(
        PhoneGuest("g1", "A08", session), club.members.check_phone_pin("13800138000", "2580")
    )
    for song in ("s-qilixiang", "s-daoxiang"):
        club.phone.save_song(member.member_id, song)
        club.clock.advance(seconds=1)
    room = RoomQueueStandIn()
    servicer = GuestClubServicer(club.phone, club.draws, lambda: room)
    first = call(servicer, guest, "r1")
    assert list(first.queued_song_ids) == ["s-qilixiang", "s-daoxiang"]  # saved order
    assert call(servicer, guest, "r1") == first
    assert list(room.queued.values()) == ["s-qilixiang", "s-daoxiang"]  # the retry: no new ids
    picky = RoomQueueStandIn(refuse="s-daoxiang")
    refused = call(GuestClubServicer(club.phone, club.draws, lambda: picky), guest, "r2")
    assert list(refused.queued_song_ids) == ["s-qilixiang"]
    assert list(refused.refused_song_ids) == ["s-daoxiang"]
    without = GuestClubServicer(club.phone, club.draws, lambda: None)
    with pytest.raises(Unavailable) as err:
        call(without, guest, "r3")
    assert err.value.reason == "NO_QUEUE"


def test_the_phone_of_a_member_who_won_a_tier_draw_sees_it_and_the_next_phone_does_not(  # type: ignore[no-untyped-def]
    club,
) -> None:
    club.members.register("13800138000", "张伟", pin="2580")
    club.billing.open("A08", 2, CASHIER)
    session = f"sessions/{club.billing.tab_id_of('A08')}"
    now = club.clock()
    club.phone.sign_in(
        PhoneGuest("g1", "A08", session), club.members.check_phone_pin("13800138000", "2580")
    )
    rule = DrawRule(
        now - timedelta(minutes=5), now + timedelta(hours=1), Eligibility.MEMBER_TIER,
        Prize(PrizeKind.COUPON, 3000), 1,
    )  # fmt: skip
    made = club.draws.create("会员日", rule, "m1")
    club.clock.advance(hours=2)
    drawn = club.draws.run(made.draw_id, "m1")
    servicer = GuestClubServicer(club.phone, club.draws, lambda: None)

    def seen(guest_id: str):  # type: ignore[no-untyped-def]
        async def go():  # type: ignore[no-untyped-def]
            CALLER.set(
                Principal(Role.GUEST, room_id="A08", credential_id=guest_id, session=session)
            )
            return await servicer.ListRoomDraws(
                club_pb2.ListRoomDrawsRequest(room="rooms/A08"), None
            )

        (room_draw,) = asyncio.run(go()).draws
        return room_draw

    winner = seen("g1")
    assert winner.won and list(winner.prize_references) == [drawn.winners[0].prize_reference]
    assert winner.draw.seed == drawn.seed and list(winner.draw.entrants) == []
    assert not seen("g2").won  # the friend's phone: no member signed in there
