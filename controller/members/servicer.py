"""``ktv.v1.MembersService``: a thin adapter from ktv.v1 messages to the membership desks
(composed in :mod:`controller.members.api`)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import Callable
from datetime import date, timedelta
from typing import TypeVar

from google.protobuf.message import Message

from controller.api import paging
from controller.api.idempotent import once
from controller.auth.interceptor import current_principal, optional_principal
from controller.billing.store import BillingRecords
from controller.members.campaigns import FileNotifier
from controller.members.checkout import MemberCheckout
from controller.members.convert import (
    coupon_kind_of,
    coupon_pb,
    entry_pb,
    member_pb,
    tender_name,
    tier_pb,
)
from controller.members.coupons import CouponKind, CouponSpec
from controller.members.desk import MemberDesk
from controller.members.model import Member
from controller.members.outreach import Outreach
from controller.members.points import SpendLine
from controller.members.redemption import ProductRedemption
from controller.members.tiers import Tag
from controller.rooms.model import parse_room_name
from controller.store.idempotency import check_request_id
from ktv.errors import FailedPrecondition, InvalidArgument
from ktv.limits import BILL_COUPONS_MAX, FEN_MAX, PAGE_SIZE_MAX, POINTS_MAX, check_fen
from ktv.text import short
from ktv.v1 import members_pb2 as pb
from ktv.v1 import members_pb2_grpc

R = TypeVar("R", bound=Message)


def _actor() -> str:
    p = current_principal()
    return p.staff_id or f"{p.role.name.lower()}:{p.room_id}"


class MembersServicer(members_pb2_grpc.MembersServiceServicer):
    def __init__(
        self,
        desk: MemberDesk,
        outreach: Outreach,
        notifications: FileNotifier,
        checkout: MemberCheckout,
        redemption: ProductRedemption,
    ) -> None:
        self.checkout = checkout
        self.redemption = redemption
        self.desk = desk
        self.loyalty = outreach.loyalty
        self.outreach = outreach
        self.notifier = notifications
        self.store = desk.store

    def _once(self, method: str, request: Message, rtype: type[R], action: Callable[[], R]) -> R:
        return once(self.store, f"/ktv.v1.MembersService/{method}", request, rtype, action)

    def _member(self, member_id: str) -> pb.Member:
        return member_pb(self.desk.get(member_id))

    def _register(self, request: pb.CreateMemberRequest | pb.RegisterMemberRequest) -> Member:
        return self.desk.register(
            request.phone,
            request.name,
            birthday=_date(request.birthday),
            card_number=request.card_number,
            pin=request.pin,
        )

    async def CreateMember(
        self, request: pb.CreateMemberRequest, context: object
    ) -> pb.CreateMemberResponse:
        def act() -> pb.CreateMemberResponse:
            return pb.CreateMemberResponse(member=member_pb(self._register(request)))

        # one key space with RegisterMember: a client moving over mid-retry gets its member
        legacy = pb.RegisterMemberRequest.FromString(request.SerializeToString())
        return self._once("RegisterMember", legacy, pb.CreateMemberResponse, act)

    async def RegisterMember(
        self, request: pb.RegisterMemberRequest, context: object
    ) -> pb.RegisterMemberResponse:
        """Deprecated: CreateMember."""

        def act() -> pb.RegisterMemberResponse:
            return pb.RegisterMemberResponse(member=member_pb(self._register(request)))

        return self._once("RegisterMember", request, pb.RegisterMemberResponse, act)

    def _resolve(self, member: str) -> Member:
        """``members/{id}``, or (older clients) a member id, phone, card number or name."""
        if member.startswith(MEMBER_PREFIX):
            member_id = member.removeprefix(MEMBER_PREFIX)
            if not member_id.startswith("m-") or "/" in member_id:
                raise InvalidArgument(
                    f"{short(member)} is not members/MEMBER_ID", reason="BAD_MEMBER_NAME"
                )
        return self.desk.resolve(member.removeprefix(MEMBER_PREFIX))

    async def GetMember(
        self, request: pb.GetMemberRequest, context: object
    ) -> pb.GetMemberResponse:
        if request.name and request.query:
            raise InvalidArgument("give name or query, not both", reason="BAD_MEMBER_NAME")
        m = self._resolve(request.name or request.query)
        profile = next((p for mid, p in self.outreach.profiles_of([m.member_id])), None)
        return pb.GetMemberResponse(member=member_pb(m, profile))

    async def ListMembers(
        self, request: pb.ListMembersRequest, context: object
    ) -> pb.ListMembersResponse:
        if request.page_size < 0:
            raise InvalidArgument("page_size must not be negative", reason="BAD_PAGE_SIZE")
        size = min(request.page_size or MEMBERS_PAGE_DEFAULT, PAGE_SIZE_MAX)
        start = _page_offset(request.page_token, request.query)
        found = self.desk.find(request.query.removeprefix(MEMBER_PREFIX))
        page = found[start : start + size]
        more = len(found) > start + size
        return pb.ListMembersResponse(
            members=[member_pb(m) for m in page],
            next_page_token=_page_token(start + size, request.query) if more else "",
        )

    async def FindMembers(
        self, request: pb.FindMembersRequest, context: object
    ) -> pb.FindMembersResponse:
        """Deprecated: ListMembers."""
        return pb.FindMembersResponse(members=[member_pb(m) for m in self.desk.find(request.query)])

    async def SetMemberPin(
        self, request: pb.SetMemberPinRequest, context: object
    ) -> pb.SetMemberPinResponse:
        def act() -> pb.SetMemberPinResponse:
            m = self._resolve(request.member)
            return pb.SetMemberPinResponse(
                member=member_pb(self.desk.set_pin(m.member_id, request.pin, request.old_pin))
            )

        return self._once("SetMemberPin", request, pb.SetMemberPinResponse, act)

    async def TopUp(self, request: pb.TopUpRequest, context: object) -> pb.TopUpResponse:
        tender = _topup_tender(request)

        def act() -> pb.TopUpResponse:
            m = self._resolve(request.member)
            e = self.desk.top_up(
                m.member_id,
                request.amount_fen,
                tender=tender,
                reference=request.reference,
                request_id=request.request_id,
                actor=_actor(),
            )
            return pb.TopUpResponse(entry=entry_pb(e), member=self._member(m.member_id))

        return self._once("TopUp", request, pb.TopUpResponse, act)

    async def RefundBalance(
        self, request: pb.RefundBalanceRequest, context: object
    ) -> pb.RefundBalanceResponse:
        def act() -> pb.RefundBalanceResponse:
            m = self._resolve(request.member)
            e = self.desk.cash_out(
                m.member_id,
                request.amount_fen,
                request_id=request.request_id,
                reason=request.reason,
                actor=_actor(),
            )
            return pb.RefundBalanceResponse(entry=entry_pb(e), member=self._member(m.member_id))

        return self._once("RefundBalance", request, pb.RefundBalanceResponse, act)

    async def ListHistory(
        self, request: pb.ListHistoryRequest, context: object
    ) -> pb.ListHistoryResponse:
        if request.limit < 0:
            raise InvalidArgument("limit must not be negative", reason="BAD_PAGE_SIZE")
        size = paging.page_size(request.page_size or request.limit, 200, PAGE_SIZE_MAX)
        m = self._resolve(request.member)
        after = paging.decode_token(request.page_token, "member_history", m.member_id)
        before = int(after) if after is not None and after.isdigit() else None
        if after is not None and before is None:
            raise InvalidArgument(
                "page_token is not one this server issued", reason="BAD_PAGE_TOKEN"
            )
        entries = self.desk.history(m.member_id, size + 1, before)
        token = ""
        if len(entries) > size:
            entries = entries[:size]
            token = paging.encode_token("member_history", m.member_id, str(entries[-1].entry_id))
        return pb.ListHistoryResponse(
            entries=[entry_pb(e) for e in entries], member=member_pb(m), next_page_token=token
        )

    async def RedeemPoints(
        self, request: pb.RedeemPointsRequest, context: object
    ) -> pb.RedeemPointsResponse:
        if request.product:
            return self._redeem_product(request)

        _check_points(request.points)

        def act() -> pb.RedeemPointsResponse:
            m = self._resolve(request.member)
            off = self.loyalty.redeem_points(
                m.member_id, request.points, request_id=request.request_id, bill=request.bill
            )
            return pb.RedeemPointsResponse(discount_fen=off, member=self._member(m.member_id))

        return self._once("RedeemPoints", request, pb.RedeemPointsResponse, act)

    def _redeem_product(self, request: pb.RedeemPointsRequest) -> pb.RedeemPointsResponse:
        if not request.room:
            raise InvalidArgument("say which room's bill gets the product", reason="ROOM_REQUIRED")
        room_id = parse_room_name(request.room)
        most = self.desk.limits.order_line_quantity_max
        if not 0 <= request.quantity <= most:
            raise InvalidArgument(
                f"redeem 1-{most} of a product, got {request.quantity}",
                reason="QUANTITY_TOO_LARGE" if request.quantity > 0 else "BAD_QUANTITY",
            )

        def act() -> pb.RedeemPointsResponse:
            m = self._resolve(request.member)
            got = self.redemption.redeem(
                room_id,
                m.member_id,
                request.product,
                quantity=request.quantity or 1,
                request_id=request.request_id,
            )
            return pb.RedeemPointsResponse(
                member=self._member(m.member_id),
                order_id=got.order_id,
                points_spent=got.points,
                bill=got.bill,
            )

        return self._once("RedeemPoints", request, pb.RedeemPointsResponse, act)

    async def RecordVisit(
        self, request: pb.RecordVisitRequest, context: object
    ) -> pb.RecordVisitResponse:
        if len(request.lines) > self.desk.limits.bill_lines_max:
            raise InvalidArgument(
                f"a visit has at most {self.desk.limits.bill_lines_max} spend lines",
                reason="BILL_TOO_LONG",
            )
        for line in request.lines:
            check_fen(line.amount_fen, what="a spend line", max_fen=FEN_MAX)

        def act() -> pb.RecordVisitResponse:
            m = self._resolve(request.member)
            lines = [SpendLine(line.category, line.amount_fen) for line in request.lines]
            out = self.loyalty.record_visit(m.member_id, request.bill, lines)
            return pb.RecordVisitResponse(
                points_earned=out.points_earned,
                recorded=out.recorded,
                member=self._member(m.member_id),
            )

        return self._once("RecordVisit", request, pb.RecordVisitResponse, act)

    async def ApplyBenefits(
        self, request: pb.ApplyBenefitsRequest, context: object
    ) -> pb.ApplyBenefitsResponse:
        room_id = parse_room_name(request.room)
        _check_points(request.points, allow_zero=True)
        if len(request.coupons) > BILL_COUPONS_MAX:
            raise InvalidArgument(
                f"at most {BILL_COUPONS_MAX} coupons on one bill", reason="TOO_MANY_COUPONS"
            )

        def act() -> pb.ApplyBenefitsResponse:
            m = self._resolve(request.member)
            got = self.checkout.apply(
                room_id,
                m.member_id,
                coupons=list(request.coupons),
                points=request.points,
                tier_discount=request.tier_discount,
                request_id=request.request_id,
            )
            return pb.ApplyBenefitsResponse(
                tier_fen=got.tier_fen,
                coupons_fen=got.coupons_fen,
                points_fen=got.points_fen,
                bill_total_fen=got.outcome.bill.total_fen,
                bill_due_fen=got.outcome.bill.due_fen,
                bill=f"bills/{got.outcome.tab.tab_id}",
            )

        return self._once("ApplyBenefits", request, pb.ApplyBenefitsResponse, act)

    async def CreditBill(
        self, request: pb.CreditBillRequest, context: object
    ) -> pb.CreditBillResponse:
        tab_id = request.bill.removeprefix("bills/")
        if not tab_id or "/" in tab_id:
            raise InvalidArgument(f"{request.bill!r} is not bills/TAB_ID", reason="BAD_BILL_NAME")

        def act() -> pb.CreditBillResponse:
            credits = self.checkout.credit(tab_id)
            return pb.CreditBillResponse(
                credits=[
                    pb.MemberCredit(
                        member_id=mid,
                        member=f"{MEMBER_PREFIX}{mid}",
                        points_earned=c.points_earned,
                        recorded=c.recorded,
                        tier=c.tier.value,
                        member_tier=tier_pb(c.tier),
                    )
                    for mid, c in credits.items()
                ]
            )

        return self._once("CreditBill", request, pb.CreditBillResponse, act)

    async def VerifyBalances(
        self, request: pb.VerifyBalancesRequest, context: object
    ) -> pb.VerifyBalancesResponse:
        checked, bad = self.desk.verify()
        return pb.VerifyBalancesResponse(
            members_checked=checked,
            mismatches=[
                pb.BalanceMismatch(
                    member_id=b.member_id,
                    cached_principal_fen=b.cached.principal_fen,
                    cached_bonus_fen=b.cached.bonus_fen,
                    ledger_principal_fen=b.ledger.principal_fen,
                    ledger_bonus_fen=b.ledger.bonus_fen,
                )
                for b in bad
            ],
        )

    async def SignIn(self, request: pb.SignInRequest, context: object) -> pb.SignInResponse:
        room_id = parse_room_name(request.room)
        if request.request_id:
            check_request_id(request.request_id)  # before the PIN costs a hash or an attempt
        tab_id = BillingRecords(self.store).open_rooms().get(room_id)
        if tab_id is None:
            raise FailedPrecondition(
                f"room {room_id} has no open session", reason="NO_OPEN_SESSION"
            )
        # a room's screen (or anyone without a staff credential) cannot tell members from
        # strangers; staff at the desk are told "no such member"
        caller = optional_principal()
        uniform = caller is None or not caller.role.is_staff
        # the PIN hash (~50 ms) stays off the event loop
        return await asyncio.to_thread(self._sign_in, request, room_id, tab_id, uniform)

    def _sign_in(
        self, request: pb.SignInRequest, room_id: str, tab_id: str, uniform: bool
    ) -> pb.SignInResponse:
        """Every call checks the PIN (and counts a wrong one), a retry too: the idempotency
        record keys on the request without its PIN (a PIN in a fast digest is a PIN on disk),
        so only a PIN that is right now gets the first answer back."""

        def act() -> pb.SignInResponse:
            m = self.desk.sign_in(request.phone, request.pin, room_id, tab_id, uniform=uniform)
            return pb.SignInResponse(member=member_pb(m))

        if not request.request_id:  # clients older than request_id
            return act()
        m = self.desk.sign_in(request.phone, request.pin, room_id, tab_id, uniform=uniform)
        keyed = pb.SignInRequest()
        keyed.CopyFrom(request)
        keyed.pin = ""
        return self._once(
            "SignIn", keyed, pb.SignInResponse, lambda: pb.SignInResponse(member=member_pb(m))
        )

    async def IssueCoupon(
        self, request: pb.IssueCouponRequest, context: object
    ) -> pb.IssueCouponResponse:
        if not 0 <= request.days_valid <= COUPON_DAYS_MAX:
            raise InvalidArgument(
                f"days_valid is 1-{COUPON_DAYS_MAX} (0: 30 days)", reason="BAD_COUPON"
            )

        def act() -> pb.IssueCouponResponse:
            m = self._resolve(request.member)
            now = self.desk.clock()
            spec = CouponSpec(
                kind=_coupon_kind(request),
                value=request.value,
                valid_from=now,
                valid_until=now + timedelta(days=request.days_valid or 30),
                min_spend_fen=request.min_spend_fen,
                categories=tuple(request.categories),
                stackable=request.stackable,
                campaign="desk",
            )
            return pb.IssueCouponResponse(
                coupon=coupon_pb(self.loyalty.issue_coupon(m.member_id, spec))
            )

        return self._once("IssueCoupon", request, pb.IssueCouponResponse, act)

    async def ListCoupons(
        self, request: pb.ListCouponsRequest, context: object
    ) -> pb.ListCouponsResponse:
        size = paging.page_size(request.page_size, PAGE_SIZE_MAX, PAGE_SIZE_MAX)
        m = self._resolve(request.member)
        listing = f"{m.member_id}:{'usable' if request.usable_only else 'all'}"
        after = paging.decode_token(request.page_token, "member_coupons", listing)
        start: tuple[str, str] | None = None
        if after is not None:
            issued_at, sep, code = after.partition("|")
            if not sep:
                raise InvalidArgument(
                    "page_token is not one this server issued", reason="BAD_PAGE_TOKEN"
                )
            start = (issued_at, code)
        found = self.loyalty.coupons(
            m.member_id, usable_only=request.usable_only, after=start, limit=size + 1
        )
        token = ""
        if len(found) > size:
            found = found[:size]
            last = found[-1]
            token = paging.encode_token(
                "member_coupons", listing, f"{last.issued_at.isoformat()}|{last.code}"
            )
        return pb.ListCouponsResponse(coupons=[coupon_pb(c) for c in found], next_page_token=token)

    async def RunCampaign(
        self, request: pb.RunCampaignRequest, context: object
    ) -> pb.RunCampaignResponse:
        if request.gift_fen:
            check_fen(request.gift_fen, what="a campaign's gift", max_fen=FEN_MAX)
        if not 0 <= request.lead_days <= 366:
            raise InvalidArgument("lead_days is 0-366", reason="BAD_CAMPAIGN")

        def act() -> pb.RunCampaignResponse:
            gift = request.gift_fen
            if request.campaign == "birthday":
                out = self.outreach.run_birthday(
                    lead_days=request.lead_days or 7, gift_fen=gift or 8_800
                )
            elif request.campaign == "win_back":
                out = self.outreach.run_win_back(gift_fen=gift or 5_000)
            elif request.campaign and request.tag:
                out = self.outreach.run_for_tag(
                    _tag(request.tag), request.campaign, gift or 2_000, period=request.period
                )
            else:
                raise InvalidArgument(
                    "campaign: birthday, win_back, or an event name with a tag",
                    reason="BAD_CAMPAIGN",
                )
            sent = self.outreach.dispatch(self.notifier)
            return pb.RunCampaignResponse(
                campaign=out.campaign,
                period=out.period,
                reached=out.reached,
                skipped=out.skipped,
                notifications_sent=sent,
            )

        return self._once("RunCampaign", request, pb.RunCampaignResponse, act)


COUPON_DAYS_MAX = 3660  # ten years: a longer validity is a typo (and a date past year 9999)


def _check_points(points: int, *, allow_zero: bool = False) -> None:
    """Points are a currency: bounded like money, so no sum of them leaves int64."""
    if (points == 0 and allow_zero) or 0 < points <= POINTS_MAX:
        return
    raise InvalidArgument(
        f"points must be between 1 and {POINTS_MAX}, got {points}", reason="BAD_POINTS"
    )


def _date(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidArgument(f"birthday {text!r}: use YYYY-MM-DD", reason="BAD_DATE") from None


MEMBER_PREFIX = "members/"
MEMBERS_PAGE_DEFAULT = 50  # a desk screen's worth
PAGE_TOKEN_MAX_CHARS = 512  # ours are ~20 + the query; refuse anything longer before decoding


def _page_token(offset: int, query: str) -> str:
    digest = hashlib.sha256(query.encode()).hexdigest()[:16]
    return base64.urlsafe_b64encode(f"{offset}:{digest}".encode()).decode()


def _page_offset(token: str, query: str) -> int:
    """The offset a ListMembers page token carries; it belongs to one query."""
    if not token:
        return 0
    if len(token) <= PAGE_TOKEN_MAX_CHARS:
        try:
            offset, _, digest = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
            if digest == hashlib.sha256(query.encode()).hexdigest()[:16] and offset.isdigit():
                return int(offset)
        except (ValueError, UnicodeDecodeError):
            pass
    raise InvalidArgument(
        "page_token is not one this server issued for this query", reason="BAD_PAGE_TOKEN"
    )


def _topup_tender(request: pb.TopUpRequest) -> str:
    """tender_type, else the deprecated string (old clients), else cash."""
    if request.tender_type:
        if request.tender and request.tender != tender_name(request.tender_type):
            raise InvalidArgument(
                f"tender {short(request.tender)} and tender_type disagree", reason="BAD_TENDER"
            )
        return tender_name(request.tender_type)
    return request.tender or "cash"


def _coupon_kind(request: pb.IssueCouponRequest) -> CouponKind:
    text = request.kind
    if request.coupon_kind:
        kind = coupon_kind_of(request.coupon_kind)
        if text and text != kind.value:
            raise InvalidArgument(
                f"kind {short(text)} and coupon_kind disagree", reason="BAD_COUPON"
            )
        return kind
    try:
        return CouponKind(text or "fixed")
    except ValueError:
        raise InvalidArgument(
            f"coupon kind {text!r}: fixed, percent or free_item", reason="BAD_COUPON"
        ) from None


def _tag(text: str) -> Tag:
    try:
        return Tag(text)
    except ValueError:
        names = ", ".join(t.value for t in Tag)
        raise InvalidArgument(f"tag {text!r}: one of {names}", reason="BAD_TAG") from None
