"""GuestClubService and DrawService over gRPC: thin adapters over :class:`MemberPhone` and
:class:`DrawDesk`."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Protocol, TypeVar

from google.protobuf.message import Message

from controller.api import paging
from controller.api.convert import from_ts, ts
from controller.api.idempotent import once
from controller.auth.interceptor import current_principal
from controller.auth.model import Principal, Role
from controller.billing.store import BillingRecords
from controller.club import draws, settings
from controller.club.draw_desk import DrawDesk, DrawRecord, check_title
from controller.club.draws import DrawRule, Eligibility, Prize, PrizeKind
from controller.club.phone import MemberPhone, PhoneGuest, SavedSong, masked_phone
from controller.members.convert import coupon_pb, tier_pb
from controller.members.model import Member
from controller.rooms.model import parse_room_name
from controller.store.idempotency import check_request_id, fingerprint
from ktv.errors import Conflict, FailedPrecondition, InvalidArgument, PermissionDenied, Unavailable
from ktv.v1 import club_pb2 as pb
from ktv.v1 import club_pb2_grpc, members_pb2

R = TypeVar("R", bound=Message)


class RoomQueue(Protocol):
    """The room's queue path (GuestService.QueueSong's): queue one song as this guest, with
    this request id; False when the room refused it (full queue, unknown song)."""

    def __call__(
        self, principal: Principal, room_id: str, song_id: str, request_id: str
    ) -> Awaitable[bool]: ...


def song_request_id(guest: PhoneGuest, request_id: str, song_id: str) -> str:
    """QueueSong's request id for one song of a QueueSavedSongs call: the same for a retry,
    different for another phone or call."""
    digest = hashlib.sha256(f"{guest.guest_id}\0{request_id}\0{song_id}".encode()).hexdigest()
    return f"club-{digest[:40]}"


def _guest(room: str) -> tuple[Principal, PhoneGuest]:
    room_id = parse_room_name(room)
    principal = current_principal()
    if principal.role is not Role.GUEST:
        raise PermissionDenied("a guest's phone signs in as a member", reason="GUESTS_ONLY")
    principal.require_room(room_id)
    return principal, PhoneGuest(principal.credential_id, room_id, principal.session)


def account_pb(m: Member, phone: MemberPhone) -> pb.MemberAccount:
    coupons = phone.outreach.loyalty.coupons(m.member_id, usable_only=True, limit=100)
    return pb.MemberAccount(
        member=f"members/{m.member_id}",
        masked_phone=masked_phone(m.phone),
        display_name=m.name,
        balance_fen=m.balance.total_fen,
        points=m.points,
        tier=tier_pb(m.tier),  # type: ignore[arg-type]
        coupons=[coupon_pb(c) for c in coupons],
    )


def saved_pb(s: SavedSong) -> pb.SavedSong:
    return pb.SavedSong(song_id=s.song_id, title=s.title, artist=s.artist, save_time=ts(s.saved_at))


def draw_pb(d: DrawRecord, *, with_entrants: bool = True) -> pb.Draw:
    rule = d.rule
    out = pb.Draw(
        name=f"draws/{d.draw_id}",
        title=d.title,
        start_time=ts(rule.start),
        end_time=ts(rule.end),
        eligibility=rule.eligibility.value,  # type: ignore[arg-type]
        min_bill_fen=rule.min_bill_fen,
        tier=members_pb2.MemberTier.Value(f"MEMBER_TIER_{rule.tier.upper()}"),
        prize=pb.DrawPrize(
            kind=rule.prize.kind.value,  # type: ignore[arg-type]
            amount_fen=rule.prize.amount_fen,
            product=rule.prize.product,
            coupon_days_valid=rule.prize.coupon_days_valid,
        ),
        winner_count=rule.winner_count,
        seed_sha256=d.seed_sha256,
        state=pb.DRAW_STATE_DRAWN if d.drawn else pb.DRAW_STATE_SCHEDULED,
        create_time=ts(d.created_at),
        algorithm=draws.ALGORITHM,
    )
    if d.drawn:  # the seed is secret until the draw is run
        out.seed = d.seed
        out.draw_time.CopyFrom(ts(d.drawn_at))
        if with_entrants:
            out.entrants.extend(d.entrants)
        out.winners.extend(
            pb.DrawWinner(
                rank=w.rank,
                entrant=w.entrant,
                room=f"rooms/{w.room_id}" if w.room_id else "",
                prize_reference=w.prize_reference,
            )
            for w in d.winners
        )
    return out


def _draw_id(name: str) -> str:
    draw_id = name.removeprefix("draws/")
    if not name.startswith("draws/") or not draw_id.isalnum() or len(draw_id) > 32:
        raise InvalidArgument(f"{name[:40]!r} is not a draw name (draws/ID)", reason="BAD_DRAW")
    return draw_id


def rule_of(request: pb.CreateDrawRequest) -> DrawRule:
    if request.eligibility not in {e.value for e in Eligibility}:
        raise InvalidArgument("say who may enter (eligibility)", reason="BAD_DRAW")
    if request.prize.kind not in {k.value for k in PrizeKind}:
        raise InvalidArgument("say what the prize is (prize.kind)", reason="BAD_DRAW")
    tier = "regular"
    if request.tier:
        tier = members_pb2.MemberTier.Name(request.tier).removeprefix("MEMBER_TIER_").lower()
    return DrawRule(
        start=from_ts(request.start_time, "start_time"),
        end=from_ts(request.end_time, "end_time"),
        eligibility=Eligibility(request.eligibility),
        prize=Prize(
            PrizeKind(request.prize.kind),
            request.prize.amount_fen,
            request.prize.product.strip(),
            request.prize.coupon_days_valid or 30,
        ),
        winner_count=request.winner_count,
        min_bill_fen=request.min_bill_fen,
        tier=tier,
    )


class GuestClubServicer(club_pb2_grpc.GuestClubServiceServicer):
    def __init__(
        self, phone: MemberPhone, draws_desk: DrawDesk, queue: Callable[[], RoomQueue | None]
    ) -> None:
        self.phone = phone
        self.draws = draws_desk
        self.queue = queue
        self.store = phone.store

    def _once(self, method: str, request: Message, rtype: type[R], action: Callable[[], R]) -> R:
        return once(self.store, f"/ktv.v1.GuestClubService/{method}", request, rtype, action)

    async def SendSignInCode(
        self, request: pb.SendSignInCodeRequest, context: object
    ) -> pb.SendSignInCodeResponse:
        _guest(request.room)
        check_request_id(request.request_id)

        def act() -> pb.SendSignInCodeResponse:
            return pb.SendSignInCodeResponse(expire_time=ts(self.phone.send_code(request.phone)))

        return await asyncio.to_thread(
            self._once, "SendSignInCode", request, pb.SendSignInCodeResponse, act
        )

    async def SignInMember(
        self, request: pb.SignInMemberRequest, context: object
    ) -> pb.SignInMemberResponse:
        _, guest = _guest(request.room)
        check_request_id(request.request_id)  # before a PIN costs a hash or a try
        if bool(request.pin) == bool(request.code):
            raise InvalidArgument("sign in with a PIN or a code (one of them)", reason="BAD_PIN")

        keyed = pb.SignInMemberRequest()
        keyed.CopyFrom(request)
        keyed.pin = ""
        # the record keys on the phone, never the secret: another phone reusing the id is
        # REQUEST_ID_REUSED, not handed this member's account
        keyed.code = f"guest {guest.guest_id}"
        if request.code:
            # a code works once: a retry of a sign-in it made answers from the record (the
            # record keys on the request without its code, so the code itself is not kept)
            stored = self._answered("SignInMember", keyed, pb.SignInMemberResponse)
            if stored is not None:
                return stored

        def check() -> Member:
            if request.pin:  # the member PIN, its lockout, one answer for strangers
                return self.phone.desk.check_phone_pin(request.phone, request.pin)
            return self.phone.check_code(request.phone, request.code)

        # a PIN is checked on every call, a retry too: only a caller who knows it now gets
        # the first answer back
        member = await asyncio.to_thread(check)

        def act() -> pb.SignInMemberResponse:
            signed = self.phone.sign_in(guest, member)
            return pb.SignInMemberResponse(account=account_pb(signed, self.phone))

        return self._once("SignInMember", keyed, pb.SignInMemberResponse, act)

    def _answered(self, method: str, request: Message, rtype: type[R]) -> R | None:
        """The stored answer to this request id, if this very request (without its id) made
        it; None when the id is new. Another request under the id: REQUEST_ID_REUSED."""
        full = f"/ktv.v1.GuestClubService/{method}"
        row = self.store.query_one(
            "SELECT method, fingerprint, response FROM idempotency_keys WHERE request_id = ?",
            (check_request_id(getattr(request, "request_id", "")),),
        )
        if row is None:
            return None
        bare = type(request)()
        bare.CopyFrom(request)
        bare.request_id = ""  # type: ignore[attr-defined]
        if row["method"] != full or row["fingerprint"] != fingerprint(
            full, bare.SerializeToString(deterministic=True)
        ):
            raise Conflict(
                "this request_id was already used for a different request",
                reason="REQUEST_ID_REUSED",
            )
        return rtype.FromString(bytes(row["response"]))

    async def SignOutMember(
        self, request: pb.SignOutMemberRequest, context: object
    ) -> pb.SignOutMemberResponse:
        _, guest = _guest(request.room)

        def act() -> pb.SignOutMemberResponse:
            self.phone.sign_out(guest)
            return pb.SignOutMemberResponse()

        return self._once("SignOutMember", request, pb.SignOutMemberResponse, act)

    async def GetMyAccount(
        self, request: pb.GetMyAccountRequest, context: object
    ) -> pb.GetMyAccountResponse:
        _, guest = _guest(request.room)
        member = self.phone.member_of(guest)
        return pb.GetMyAccountResponse(account=account_pb(member, self.phone))

    async def ListSavedSongs(
        self, request: pb.ListSavedSongsRequest, context: object
    ) -> pb.ListSavedSongsResponse:
        _, guest = _guest(request.room)
        member = self.phone.member_of(guest)
        return pb.ListSavedSongsResponse(
            songs=[saved_pb(s) for s in self.phone.saved_songs(member.member_id)],
            max_songs=settings.saved_songs_max,
        )

    async def SaveSong(self, request: pb.SaveSongRequest, context: object) -> pb.SaveSongResponse:
        _, guest = _guest(request.room)
        member = self.phone.member_of(guest)

        def act() -> pb.SaveSongResponse:
            return pb.SaveSongResponse(
                song=saved_pb(self.phone.save_song(member.member_id, request.song_id))
            )

        return self._once("SaveSong", request, pb.SaveSongResponse, act)

    async def RemoveSavedSong(
        self, request: pb.RemoveSavedSongRequest, context: object
    ) -> pb.RemoveSavedSongResponse:
        _, guest = _guest(request.room)
        member = self.phone.member_of(guest)

        def act() -> pb.RemoveSavedSongResponse:
            self.phone.remove_song(member.member_id, request.song_id)
            return pb.RemoveSavedSongResponse()

        return self._once("RemoveSavedSong", request, pb.RemoveSavedSongResponse, act)

    async def QueueSavedSongs(
        self, request: pb.QueueSavedSongsRequest, context: object
    ) -> pb.QueueSavedSongsResponse:
        principal, guest = _guest(request.room)
        request_id = check_request_id(request.request_id)
        member = self.phone.member_of(guest)
        queue = self.queue()
        if queue is None:
            raise Unavailable("the room's queue cannot be reached from phones", reason="NO_QUEUE")
        # oldest saved first: the list reads newest first, a playlist plays in saved order
        songs = list(reversed(self.phone.saved_songs(member.member_id)))
        out = pb.QueueSavedSongsResponse()
        for song in songs:
            # one request id per song, derived: a retry queues nothing twice
            ok = await queue(
                principal,
                guest.room_id,
                song.song_id,
                song_request_id(guest, request_id, song.song_id),
            )
            (out.queued_song_ids if ok else out.refused_song_ids).append(song.song_id)
        return out

    async def ListRoomDraws(
        self, request: pb.ListRoomDrawsRequest, context: object
    ) -> pb.ListRoomDrawsResponse:
        room_id = parse_room_name(request.room)
        principal = current_principal()
        principal.require_room(room_id)
        tab = BillingRecords(self.store).open_tab_of(room_id)
        mine = {f"bills/{tab[0]}"} if tab else set()
        if principal.role is Role.GUEST:
            try:
                guest = PhoneGuest(principal.credential_id, room_id, principal.session)
                mine.add(f"members/{self.phone.member_of(guest).member_id}")
            except FailedPrecondition:  # no member on this phone: the room's bill only
                pass
        now = self.phone.clock()
        out = pb.ListRoomDrawsResponse()
        for d in self.draws.visible_to_room(now, timedelta(seconds=settings.draws_lookback_s)):
            won = [w for w in d.winners if w.entrant in mine]
            out.draws.append(
                pb.RoomDraw(
                    draw=draw_pb(d, with_entrants=False),
                    won=bool(won),
                    prize_references=[w.prize_reference for w in won],
                )
            )
        return out


class DrawServicer(club_pb2_grpc.DrawServiceServicer):
    def __init__(self, desk: DrawDesk) -> None:
        self.desk = desk
        self.store = desk.store

    def _once(self, method: str, request: Message, rtype: type[R], action: Callable[[], R]) -> R:
        return once(self.store, f"/ktv.v1.DrawService/{method}", request, rtype, action)

    async def CreateDraw(
        self, request: pb.CreateDrawRequest, context: object
    ) -> pb.CreateDrawResponse:
        principal = current_principal()
        title = check_title(request.title)
        rule = rule_of(request)

        def act() -> pb.CreateDrawResponse:
            return pb.CreateDrawResponse(
                draw=draw_pb(self.desk.create(title, rule, principal.staff_id))
            )

        return self._once("CreateDraw", request, pb.CreateDrawResponse, act)

    async def GetDraw(self, request: pb.GetDrawRequest, context: object) -> pb.GetDrawResponse:
        return pb.GetDrawResponse(draw=draw_pb(self.desk.get(_draw_id(request.name))))

    async def ListDraws(
        self, request: pb.ListDrawsRequest, context: object
    ) -> pb.ListDrawsResponse:
        size = paging.page_size(request.page_size, 50, settings.draws_page_max)
        after = paging.decode_token(request.page_token, "draws", "")
        before = tuple(json.loads(after)) if after else None
        found = self.desk.list(size + 1, before)  # type: ignore[arg-type]
        out = pb.ListDrawsResponse(draws=[draw_pb(d, with_entrants=False) for d in found[:size]])
        if len(found) > size:
            last = found[size - 1]
            out.next_page_token = paging.encode_token(
                "draws", "", json.dumps([last.created_at.isoformat(), last.draw_id])
            )
        return out

    async def RunDraw(self, request: pb.RunDrawRequest, context: object) -> pb.RunDrawResponse:
        principal = current_principal()
        draw_id = _draw_id(request.name)

        def act() -> pb.RunDrawResponse:
            return pb.RunDrawResponse(draw=draw_pb(self.desk.run(draw_id, principal.staff_id)))

        return self._once("RunDraw", request, pb.RunDrawResponse, act)
