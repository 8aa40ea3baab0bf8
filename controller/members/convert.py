"""Member values <-> ktv.v1 messages."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from controller.members.coupons import Coupon, CouponKind
from controller.members.model import LedgerEntry, Member, Tier
from controller.members.tiers import Profile
from ktv.errors import InvalidArgument
from ktv.v1 import billing_pb2
from ktv.v1 import members_pb2 as pb


def ts(at: datetime) -> Timestamp:
    out = Timestamp()
    out.FromDatetime(at)
    return out


def member_pb(m: Member, profile: Profile | None = None) -> pb.Member:
    return pb.Member(
        member_id=m.member_id,
        phone=m.phone,
        name=m.name,
        birthday=m.birthday.isoformat() if m.birthday else "",
        card_number=m.card_number,
        principal_fen=m.balance.principal_fen,
        bonus_fen=m.balance.bonus_fen,
        balance_fen=m.balance.total_fen,
        points=m.points,
        tier=m.tier.value,
        has_pin=m.has_pin,
        registered_at=ts(m.registered_at),
        tags=sorted(t.value for t in profile.tags) if profile else [],
        rfm=profile.rfm if profile else "",
        resource_name=f"members/{m.member_id}",
        member_tier=tier_pb(m.tier),
    )


def entry_pb(e: LedgerEntry) -> pb.LedgerEntry:
    return pb.LedgerEntry(
        entry_id=e.entry_id,
        member_id=e.member_id,
        kind=e.kind.value,
        principal_fen=e.principal_fen,
        bonus_fen=e.bonus_fen,
        at=ts(e.at),
        tender=e.tender,
        reference=e.reference,
        actor=e.actor,
        entry_kind=_enum(pb.LedgerEntryKind, "LEDGER_ENTRY_KIND_", e.kind),
        tender_type=tender_pb(e.tender),
        member=f"members/{e.member_id}",
    )


def coupon_pb(c: Coupon) -> pb.Coupon:
    return pb.Coupon(
        code=c.code,
        member_id=c.member_id,
        kind=c.spec.kind.value,
        value=c.spec.value,
        min_spend_fen=c.spec.min_spend_fen,
        categories=list(c.spec.categories),
        valid_from=ts(c.spec.valid_from),
        valid_until=ts(c.spec.valid_until),
        stackable=c.spec.stackable,
        campaign=c.spec.campaign,
        used=c.used_at is not None,
        used_bill=c.used_bill,
        coupon_kind=_enum(pb.CouponKind, "COUPON_KIND_", c.spec.kind),
    )


def _enum(enum: Any, prefix: str, value: Enum) -> int:
    return int(enum.Value(prefix + value.name))


def tier_pb(tier: Tier) -> int:
    return _enum(pb.MemberTier, "MEMBER_TIER_", tier)


def tender_pb(tender: str) -> int:
    """A ledger entry's tender ("cash", ...; empty for payments) as billing's Tender."""
    if not tender:
        return billing_pb2.TENDER_UNSPECIFIED
    try:
        return int(billing_pb2.Tender.Value("TENDER_" + tender.upper()))
    except ValueError:  # a tender this build does not know: the string still says it
        return billing_pb2.TENDER_UNSPECIFIED


def tender_name(value: int) -> str:
    """billing's Tender as the string the desk takes ("cash", ...)."""
    try:
        return billing_pb2.Tender.Name(value).removeprefix("TENDER_").lower()
    except ValueError:
        raise InvalidArgument(f"tender_type {value} is not a tender", reason="BAD_TENDER") from None


def coupon_kind_of(value: int) -> CouponKind:
    try:
        return CouponKind[pb.CouponKind.Name(value).removeprefix("COUPON_KIND_")]
    except (ValueError, KeyError):
        raise InvalidArgument(
            f"coupon_kind {value} is not a coupon kind", reason="BAD_COUPON"
        ) from None
