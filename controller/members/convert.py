"""Member values <-> ktv.v1 messages."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp

from controller.members.coupons import Coupon
from controller.members.model import LedgerEntry, Member
from controller.members.tiers import Profile
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
    )
