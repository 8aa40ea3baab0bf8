"""ktvctl for members: member add|show|topup|history|redeem|refund|verify, coupon
issue|list, campaign run. Money on the command line is yuan; in --json it is fen."""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Callable

from google.protobuf.message import Message
from rich.table import Table

from controller.billing.money import format_yuan
from controller.ktvctl import args as types
from controller.ktvctl import command
from controller.ktvctl.connection import Connection, connect
from controller.ktvctl.output import console, print_json, to_dict
from ktv import limits
from ktv.errors import FailedPrecondition, InvalidArgument
from ktv.v1 import billing_pb2, members_pb2_grpc
from ktv.v1 import members_pb2 as pb

Act = Callable[[members_pb2_grpc.MembersServiceStub, Connection, argparse.Namespace], Message]
Show = Callable[[argparse.Namespace, Message], None]


def _rid(args: argparse.Namespace) -> str:
    return args.request_id or f"ktvctl-{uuid.uuid4().hex}"


def _register(
    name: str,
    help: str,
    configure: Callable[[argparse.ArgumentParser], None],
    act: Act,
    show: Show,
    *,
    mutation: bool = False,
) -> None:
    def build(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
        configure(parser)
        if mutation:
            parser.add_argument(
                "--request-id", type=types.REQUEST_ID, default="", help="reuse to retry safely"
            )

        def run(args: argparse.Namespace) -> int:
            conn = connect(args)
            try:
                reply = act(members_pb2_grpc.MembersServiceStub(conn.channel), conn, args)
                if args.json:
                    print_json(to_dict(reply))
                else:
                    show(args, reply)
                return 0
            finally:
                conn.close()

        return run

    command(name, help)(build)


def member_table(m: pb.Member) -> Table:
    t = Table(
        title=f"{m.name}  {m.phone}  ({m.member_id})", title_justify="left", show_header=False
    )
    t.add_column("")
    t.add_column("")
    t.add_row("Tier", m.tier)
    t.add_row(
        "Balance",
        f"{format_yuan(m.balance_fen)} (principal {format_yuan(m.principal_fen)}, "
        f"bonus {format_yuan(m.bonus_fen)})",
    )
    t.add_row("Points", str(m.points))
    t.add_row("Card", m.card_number or "-")
    t.add_row("Birthday", m.birthday or "-")
    t.add_row("PIN", "set" if m.has_pin else "not set")
    if m.tags or m.rfm:
        t.add_row("Tags", ", ".join(m.tags) or "-")
        t.add_row("RFM", m.rfm)
    return t


def _show_member(args: argparse.Namespace, reply: Message) -> None:
    console.print(member_table(reply.member))  # type: ignore[attr-defined]


def _add_cfg(p: argparse.ArgumentParser) -> None:
    p.add_argument("phone", type=types.verbatim("a phone number", limits.PHONE_MAX_DIGITS + 8))
    p.add_argument("--name", type=types.NAME, required=True)
    p.add_argument("--birthday", type=types.CODE, default="", help="YYYY-MM-DD")
    p.add_argument("--card", type=types.CODE, default="", help="member card number")
    p.add_argument(
        "--pin", type=types.pin, default="", help="4-8 digits, for paying from the balance"
    )


_register(
    "member add",
    "register a member by mobile number",
    _add_cfg,
    lambda s, c, a: c.call(
        s.CreateMember,
        pb.CreateMemberRequest(
            phone=a.phone,
            name=a.name,
            birthday=a.birthday,
            card_number=a.card,
            pin=a.pin,
            request_id=_rid(a),
        ),
    ),
    _show_member,
    mutation=True,
)


def _query_cfg(p: argparse.ArgumentParser) -> None:
    p.add_argument("member", type=types.MEMBER, help="phone, card number, member id or name")


_register(
    "member show",
    "a member's balance, points, tier and tags",
    _query_cfg,
    lambda s, c, a: c.call(s.GetMember, pb.GetMemberRequest(query=a.member)),
    _show_member,
)


def _list(s: members_pb2_grpc.MembersServiceStub, c: Connection, a: argparse.Namespace) -> Message:
    """Every page of ListMembers for the query, as one answer."""
    out = pb.ListMembersResponse()
    token = ""
    while True:
        page = c.call(s.ListMembers, pb.ListMembersRequest(query=a.member, page_token=token))
        out.members.extend(page.members)
        token = page.next_page_token
        if not token:
            return out


def _show_members(args: argparse.Namespace, reply: Message) -> None:
    table = Table("member", "name", "phone", "tier", "balance", "points")
    for m in reply.members:  # type: ignore[attr-defined]
        table.add_row(
            m.resource_name, m.name, m.phone, m.tier, format_yuan(m.balance_fen), str(m.points)
        )
    console.print(table)


_register(
    "member list",
    "members matching a phone, card number, member id or name prefix",
    _query_cfg,
    _list,
    _show_members,
)


def _topup_cfg(p: argparse.ArgumentParser) -> None:
    _query_cfg(p)
    p.add_argument("amount", type=types.yuan(), help="yuan")
    p.add_argument(
        "--tender", default="cash", choices=["cash", "bank_card", "wechat", "alipay", "unionpay_qr"]
    )
    p.add_argument(
        "--ref", type=types.CODE, default="", help="POS / gateway reference for non-cash"
    )


def _show_entry(args: argparse.Namespace, reply: Message) -> None:
    e = reply.entry  # type: ignore[attr-defined]
    bonus = f" + bonus {format_yuan(e.bonus_fen)}" if e.bonus_fen else ""
    console.print(f"{e.kind} {format_yuan(e.principal_fen)}{bonus}  (entry {e.entry_id})")
    console.print(member_table(reply.member))  # type: ignore[attr-defined]


_register(
    "member topup",
    "储值: top up a member's balance (promotions add bonus)",
    _topup_cfg,
    lambda s, c, a: c.call(
        s.TopUp,
        pb.TopUpRequest(
            member=a.member,
            amount_fen=a.amount,
            tender_type=billing_pb2.Tender.Value(f"TENDER_{a.tender.upper()}"),
            reference=a.ref,
            request_id=_rid(a),
        ),
    ),
    _show_entry,
    mutation=True,
)


def _refund_cfg(p: argparse.ArgumentParser) -> None:
    _query_cfg(p)
    p.add_argument("amount", type=types.yuan(), help="yuan (principal only)")
    p.add_argument("--reason", type=types.NOTE, required=True)


_register(
    "member refund",
    "refund unused stored value in cash (principal only; manager)",
    _refund_cfg,
    lambda s, c, a: c.call(
        s.RefundBalance,
        pb.RefundBalanceRequest(
            member=a.member, amount_fen=a.amount, reason=a.reason, request_id=_rid(a)
        ),
    ),
    _show_entry,
    mutation=True,
)


def _history_cfg(p: argparse.ArgumentParser) -> None:
    _query_cfg(p)
    p.add_argument("--limit", type=types.count("the limit", 1, limits.PAGE_SIZE_MAX), default=50)


def _show_history(args: argparse.Namespace, reply: Message) -> None:
    t = Table(title=f"{reply.member.name} {reply.member.phone}", title_justify="left")  # type: ignore[attr-defined]
    for col in ("#", "When (UTC)", "Kind", "Principal", "Bonus", "Tender", "Reference"):
        t.add_column(col)
    for e in reply.entries:  # type: ignore[attr-defined]
        t.add_row(
            str(e.entry_id),
            e.at.ToDatetime().strftime("%Y-%m-%d %H:%M"),
            e.kind,
            format_yuan(e.principal_fen),
            format_yuan(e.bonus_fen),
            e.tender,
            e.reference,
        )
    console.print(t)


_register(
    "member history",
    "a member's stored-value ledger",
    _history_cfg,
    lambda s, c, a: c.call(s.ListHistory, pb.ListHistoryRequest(member=a.member, limit=a.limit)),
    _show_history,
)


POINTS = types.count("points", 1, types.POINTS_MAX)


def _redeem_cfg(p: argparse.ArgumentParser) -> None:
    _query_cfg(p)
    p.add_argument("points", type=POINTS, nargs="?", default=0, help="as a discount on --bill")
    p.add_argument(
        "--bill", type=types.BILL, default="", help="bills/tab-... (points as a discount)"
    )
    p.add_argument(
        "--product", type=types.CODE, default="", help="a menu sku with a points price (积分兑换)"
    )
    p.add_argument(
        "--room", type=types.ROOM, default="", help="the room whose open bill gets --product"
    )
    p.add_argument("--quantity", type=types.count("the quantity", 1, types.QUANTITY_MAX), default=1)


def _redeem(
    s: members_pb2_grpc.MembersServiceStub, c: Connection, a: argparse.Namespace
) -> Message:
    if a.product:
        if not a.room:
            raise InvalidArgument("--product needs --room (the bill it goes on)")
        room = a.room if a.room.startswith("rooms/") else f"rooms/{a.room}"
        request = pb.RedeemPointsRequest(
            member=a.member, product=a.product, room=room, quantity=a.quantity, request_id=_rid(a)
        )
    elif a.points > 0 and a.bill:
        request = pb.RedeemPointsRequest(
            member=a.member, points=a.points, bill=a.bill, request_id=_rid(a)
        )
    else:
        raise InvalidArgument("redeem POINTS --bill BILL, or --product SKU --room ROOM")
    return c.call(s.RedeemPoints, request)


def _redeemed(a: argparse.Namespace, r: Message) -> None:
    if a.product:
        console.print(
            f"{a.quantity} x {a.product} for {r.points_spent} points on {r.bill} "  # type: ignore[attr-defined]
            f"({r.order_id}, at 0); {r.member.points} points left"  # type: ignore[attr-defined]
        )
        return
    console.print(
        f"{a.points} points = {format_yuan(r.discount_fen)} off {a.bill}; "  # type: ignore[attr-defined]
        f"{r.member.points} left"  # type: ignore[attr-defined]
    )


_register(
    "member redeem",
    "spend points as a discount on a bill, or on a product (--product SKU --room A08)",
    _redeem_cfg,
    _redeem,
    _redeemed,
    mutation=True,
)


class _Verify:
    @staticmethod
    def act(
        s: members_pb2_grpc.MembersServiceStub, c: Connection, a: argparse.Namespace
    ) -> Message:
        reply = c.call(s.VerifyBalances, pb.VerifyBalancesRequest())
        if reply.mismatches and not a.json:
            for m in reply.mismatches:
                console.print(
                    f"{m.member_id}: cached {format_yuan(m.cached_principal_fen)}"
                    f"+{format_yuan(m.cached_bonus_fen)}, ledger "
                    f"{format_yuan(m.ledger_principal_fen)}+{format_yuan(m.ledger_bonus_fen)}"
                )
            raise FailedPrecondition(
                f"{len(reply.mismatches)} balances disagree with the ledger",
                reason="LEDGER_MISMATCH",
            )
        return reply

    @staticmethod
    def show(a: argparse.Namespace, r: Message) -> None:
        console.print(f"ok: {r.members_checked} balances equal their ledgers")  # type: ignore[attr-defined]


for _name in ("member verify", "members verify"):
    _register(
        _name, "recompute every balance from the ledger", lambda p: None, _Verify.act, _Verify.show
    )


def _issue_cfg(p: argparse.ArgumentParser) -> None:
    _query_cfg(p)
    kind = p.add_mutually_exclusive_group(required=True)
    kind.add_argument("--amount", type=types.yuan(), help="yuan off")
    kind.add_argument("--percent", type=types.percent_bp, help="percent off (10 = 10%%)")
    kind.add_argument(
        "--free-item", type=types.yuan(), help="a free item worth up to this many yuan"
    )
    p.add_argument("--min-spend", type=types.yuan(positive=False), default=0, help="yuan")
    p.add_argument(
        "--category",
        type=types.NAME,
        action="append",
        default=[],
        help="valid on this category only",
    )
    p.add_argument(
        "--days", type=types.count("the days valid", 1, types.COUPON_DAYS_MAX), default=30
    )
    p.add_argument("--stackable", action="store_true")


def _issue(s: members_pb2_grpc.MembersServiceStub, c: Connection, a: argparse.Namespace) -> Message:
    if a.amount is not None:
        kind, value = pb.COUPON_KIND_FIXED, a.amount
    elif a.percent is not None:
        kind, value = pb.COUPON_KIND_PERCENT, a.percent
    else:
        kind, value = pb.COUPON_KIND_FREE_ITEM, a.free_item
    return c.call(
        s.IssueCoupon,
        pb.IssueCouponRequest(
            member=a.member,
            coupon_kind=kind,
            value=value,
            min_spend_fen=a.min_spend,
            categories=a.category,
            days_valid=a.days,
            stackable=a.stackable,
            request_id=_rid(a),
        ),
    )


def coupons_table(coupons: list[pb.Coupon]) -> Table:
    t = Table(title="Coupons", title_justify="left")
    for col in ("Code", "Kind", "Value", "Min spend", "Valid until", "Used"):
        t.add_column(col)
    for x in coupons:
        value = f"{x.value / 100:g}%" if x.kind == "percent" else format_yuan(x.value)
        t.add_row(
            x.code,
            x.kind,
            value,
            format_yuan(x.min_spend_fen),
            x.valid_until.ToDatetime().strftime("%Y-%m-%d"),
            x.used_bill or ("yes" if x.used else ""),
        )
    return t


_register(
    "coupon issue",
    "issue a coupon to a member (manager)",
    _issue_cfg,
    _issue,
    lambda a, r: console.print(coupons_table([r.coupon])),
    mutation=True,
)  # type: ignore[attr-defined]


def _list_cfg(p: argparse.ArgumentParser) -> None:
    _query_cfg(p)
    p.add_argument("--usable", action="store_true", help="only unused, unexpired coupons")


_register(
    "coupon list",
    "a member's coupons",
    _list_cfg,
    lambda s, c, a: c.call(
        s.ListCoupons, pb.ListCouponsRequest(member=a.member, usable_only=a.usable)
    ),
    lambda a, r: console.print(coupons_table(list(r.coupons))),  # type: ignore[attr-defined]
)


def _campaign_cfg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "campaign", type=types.NAME, help="birthday, win_back, or an event name (with --tag)"
    )
    p.add_argument("--tag", type=types.NAME, default="")
    p.add_argument(
        "--gift",
        type=types.yuan(positive=False),
        default=0,
        help="coupon yuan (default: 88 birthday, 50 win-back, 20 event)",
    )
    p.add_argument(
        "--lead-days", type=types.count("the lead days", 0, types.LEAD_DAYS_MAX), default=7
    )
    p.add_argument("--period", type=types.CODE, default="")


_register(
    "campaign run",
    "run a campaign once per member and period; notifications go to the outbox",
    _campaign_cfg,
    lambda s, c, a: c.call(
        s.RunCampaign,
        pb.RunCampaignRequest(
            campaign=a.campaign,
            tag=a.tag,
            gift_fen=a.gift,
            lead_days=a.lead_days,
            period=a.period,
            request_id=_rid(a),
        ),
    ),
    lambda a, r: console.print(
        f"{r.campaign} {r.period}: {r.reached} members reached, {r.skipped} already had "
        f"it, {r.notifications_sent} notifications sent"
    ),  # type: ignore[attr-defined]
    mutation=True,
)


def _benefits_cfg(p: argparse.ArgumentParser) -> None:
    p.add_argument("room", type=types.ROOM)
    _query_cfg(p)
    p.add_argument(
        "--coupon", type=types.CODE, action="append", default=[], help="coupon code (repeatable)"
    )
    p.add_argument("--points", type=POINTS, default=0)
    p.add_argument("--tier", action="store_true", help="the tier's room-fee and drink discounts")


_register(
    "member benefits",
    "use a member's coupons and/or points on a room's bill",
    _benefits_cfg,
    lambda s, c, a: c.call(
        s.ApplyBenefits,
        pb.ApplyBenefitsRequest(
            room=a.room if a.room.startswith("rooms/") else f"rooms/{a.room}",
            member=a.member,
            coupons=a.coupon,
            points=a.points,
            tier_discount=a.tier,
            request_id=_rid(a),
        ),
    ),
    lambda a, r: console.print(  # type: ignore[attr-defined]
        f"{r.bill}: coupons {format_yuan(r.coupons_fen)}, points {format_yuan(r.points_fen)}, "  # type: ignore[attr-defined]
        f"tier {format_yuan(r.tier_fen)} "  # type: ignore[attr-defined]
        f"off; total {format_yuan(r.bill_total_fen)}, due {format_yuan(r.bill_due_fen)}"  # type: ignore[attr-defined]
    ),
    mutation=True,
)


def _credit_cfg(p: argparse.ArgumentParser) -> None:
    p.add_argument("bill", type=types.BILL, help="bills/tab-... (closed)")


_register(
    "member credit",
    "credit members attached after checkout (checkout credits the others itself)",
    _credit_cfg,
    lambda s, c, a: c.call(s.CreditBill, pb.CreditBillRequest(bill=a.bill, request_id=_rid(a))),
    lambda a, r: console.print(  # type: ignore[attr-defined]
        "\n".join(
            f"{x.member_id}: +{x.points_earned} points, tier {x.tier}"
            + ("" if x.recorded else " (already credited)")
            for x in r.credits  # type: ignore[attr-defined]
        )
        or "no member on this bill"
    ),
    mutation=True,
)


def _pin_cfg(p: argparse.ArgumentParser) -> None:
    _query_cfg(p)
    p.add_argument("--pin", type=types.pin, required=True, help="the new PIN (4-8 digits)")
    p.add_argument(
        "--old-pin", type=types.pin, default="", help="needed when the member already has one"
    )


_register(
    "member pin",
    "set or change a member's PIN",
    _pin_cfg,
    lambda s, c, a: c.call(
        s.SetMemberPin,
        pb.SetMemberPinRequest(member=a.member, pin=a.pin, old_pin=a.old_pin, request_id=_rid(a)),
    ),
    _show_member,
    mutation=True,
)
