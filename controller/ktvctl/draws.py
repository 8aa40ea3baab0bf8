"""ktvctl for the venue's draws (活动/抽奖): draw create|run|show|verify. ``draw verify``
fetches a drawn draw and checks it with the pure ktv-draw-v1 code (the commitment against the
revealed seed, the winners against seed + entrants): exit 0 when it checks out, 5 when not.
Money on the command line is yuan; in --json it is fen."""

from __future__ import annotations

import argparse
import uuid
from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp
from rich.table import Table

from controller.billing.money import format_yuan
from controller.club import draws
from controller.ktvctl import args as types
from controller.ktvctl import command
from controller.ktvctl.connection import connect
from controller.ktvctl.output import console, print_json, to_dict
from ktv import limits
from ktv.errors import FailedPrecondition
from ktv.v1 import club_pb2 as pb
from ktv.v1 import club_pb2_grpc, members_pb2

DRAW = types.text("a draw (draws/ID or ID)", limits.CODE_MAX_CHARS + len("draws/"))
TIERS = ("regular", "silver", "gold", "diamond")


def when(value: str) -> datetime:
    """ISO 8601 (``2026-12-07T19:00+08:00``; without an offset: this machine's local time), or
    ``now``."""
    text = value.strip()
    if len(text) > 40:
        raise argparse.ArgumentTypeError("a time is ISO 8601, e.g. 2026-12-07T19:00+08:00")
    if text == "now":
        return datetime.now(UTC)
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a time: ISO 8601, e.g. 2026-12-07T19:00+08:00, or now"
        ) from None
    return (at if at.tzinfo else at.astimezone()).astimezone(UTC)


def _ts(at: datetime) -> Timestamp:
    out = Timestamp()
    out.FromDatetime(at)
    return out


def _name(value: str) -> str:
    return value if value.startswith("draws/") else f"draws/{value}"


def _stub(conn):  # type: ignore[no-untyped-def]
    return club_pb2_grpc.DrawServiceStub(conn.channel)


def draw_table(d: pb.Draw) -> Table:
    t = Table(title=f"{d.title}  ({d.name})", title_justify="left", show_header=False)
    t.add_column("")
    t.add_column("")
    start = d.start_time.ToDatetime(tzinfo=UTC).astimezone().isoformat(timespec="minutes")
    end = d.end_time.ToDatetime(tzinfo=UTC).astimezone().isoformat(timespec="minutes")
    t.add_row("Window", f"{start} .. {end}")
    rule = pb.DrawEligibility.Name(d.eligibility).removeprefix("DRAW_ELIGIBILITY_").lower()
    if d.eligibility == pb.DRAW_ELIGIBILITY_BILL_OVER:
        rule += f" {format_yuan(d.min_bill_fen)}"
    if d.eligibility == pb.DRAW_ELIGIBILITY_MEMBER_TIER:
        rule += " " + members_pb2.MemberTier.Name(d.tier).removeprefix("MEMBER_TIER_").lower()
    t.add_row("Who enters", rule)
    prize = pb.DrawPrizeKind.Name(d.prize.kind).removeprefix("DRAW_PRIZE_KIND_").lower()
    detail = d.prize.product or format_yuan(d.prize.amount_fen)
    t.add_row("Prize", f"{prize} {detail} x {d.winner_count}")
    t.add_row("Commitment", f"sha256 {d.seed_sha256}")
    t.add_row("State", pb.DrawState.Name(d.state).removeprefix("DRAW_STATE_").lower())
    if d.state == pb.DRAW_STATE_DRAWN:
        t.add_row("Seed", d.seed)
        t.add_row("Entrants", str(len(d.entrants)))
        for w in d.winners:
            t.add_row(f"Winner {w.rank}", f"{w.entrant} {w.room}  -> {w.prize_reference}")
    return t


def _show(args: argparse.Namespace, d: pb.Draw, reply) -> None:  # type: ignore[no-untyped-def]
    if args.json:
        print_json(to_dict(reply))
    else:
        console.print(draw_table(d))


@command("draw create", "create a draw (活动/抽奖) and commit to its seed (manager)")
def draw_create(parser: argparse.ArgumentParser):  # type: ignore[no-untyped-def]
    parser.add_argument("title", type=types.NAME)
    parser.add_argument("--start", type=when, required=True, help="ISO 8601 or now")
    parser.add_argument("--end", type=when, required=True, help="ISO 8601 or now")
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--bill-over", type=types.yuan(), help="bills that reached this (yuan)")
    who.add_argument("--rooms-open", action="store_true", help="every room open in the window")
    who.add_argument("--tier", choices=TIERS, help="members of this tier or higher")
    prize = parser.add_mutually_exclusive_group(required=True)
    prize.add_argument("--coupon", type=types.yuan(), help="a coupon worth this (yuan)")
    prize.add_argument("--comp-amount", type=types.yuan(), help="this much off the bill (yuan)")
    prize.add_argument("--comp-product", type=types.CODE, help="this product comped (sku)")
    parser.add_argument("--coupon-days", type=types.count("days", 1, 366), default=30)
    parser.add_argument("--winners", type=types.count("winners", 1, 100), default=1)
    parser.add_argument("--request-id", type=types.REQUEST_ID, default="")

    def run(args: argparse.Namespace) -> int:
        if args.bill_over is not None:
            eligibility = pb.DRAW_ELIGIBILITY_BILL_OVER
        elif args.rooms_open:
            eligibility = pb.DRAW_ELIGIBILITY_ROOM_OPEN
        else:
            eligibility = pb.DRAW_ELIGIBILITY_MEMBER_TIER
        if args.coupon is not None:
            prize = pb.DrawPrize(
                kind=pb.DRAW_PRIZE_KIND_COUPON,
                amount_fen=args.coupon,
                coupon_days_valid=args.coupon_days,
            )
        elif args.comp_amount is not None:
            prize = pb.DrawPrize(kind=pb.DRAW_PRIZE_KIND_COMP_AMOUNT, amount_fen=args.comp_amount)
        else:
            prize = pb.DrawPrize(kind=pb.DRAW_PRIZE_KIND_COMP_PRODUCT, product=args.comp_product)
        request = pb.CreateDrawRequest(
            title=args.title,
            start_time=_ts(args.start),
            end_time=_ts(args.end),
            eligibility=eligibility,
            min_bill_fen=args.bill_over or 0,
            tier=members_pb2.MemberTier.Value(f"MEMBER_TIER_{(args.tier or 'regular').upper()}"),
            prize=prize,
            winner_count=args.winners,
            request_id=args.request_id or f"ktvctl-{uuid.uuid4().hex}",
        )
        conn = connect(args)
        try:
            reply = conn.call(_stub(conn).CreateDraw, request)
        finally:
            conn.close()
        _show(args, reply.draw, reply)
        return 0

    return run


@command("draw run", "run a draw after its window: winners, prizes, the seed revealed")
def draw_run(parser: argparse.ArgumentParser):  # type: ignore[no-untyped-def]
    parser.add_argument("draw", type=DRAW)
    parser.add_argument("--request-id", type=types.REQUEST_ID, default="")

    def run(args: argparse.Namespace) -> int:
        conn = connect(args)
        try:
            request = pb.RunDrawRequest(
                name=_name(args.draw), request_id=args.request_id or f"ktvctl-{uuid.uuid4().hex}"
            )
            reply = conn.call(_stub(conn).RunDraw, request)
        finally:
            conn.close()
        _show(args, reply.draw, reply)
        return 0

    return run


@command("draw show", "a draw: its commitment; once drawn, seed, entrants and winners")
def draw_show(parser: argparse.ArgumentParser):  # type: ignore[no-untyped-def]
    parser.add_argument("draw", type=DRAW, nargs="?", help="omit to list the draws")

    def run(args: argparse.Namespace) -> int:
        conn = connect(args)
        try:
            if args.draw:
                reply = conn.call(_stub(conn).GetDraw, pb.GetDrawRequest(name=_name(args.draw)))
            else:
                listed = conn.call(_stub(conn).ListDraws, pb.ListDrawsRequest())
        finally:
            conn.close()
        if args.draw:
            _show(args, reply.draw, reply)
            return 0
        if args.json:
            print_json(to_dict(listed))
            return 0
        for d in listed.draws:
            console.print(draw_table(d))
        return 0

    return run


def check(d: pb.Draw) -> list[str]:
    """What is wrong with a drawn draw as published (empty: it checks out)."""
    if d.state != pb.DRAW_STATE_DRAWN:
        return ["the draw has not been run: nothing to verify yet (its commitment is shown)"]
    return draws.verify(
        draws.Published(
            d.name.removeprefix("draws/"),
            d.seed_sha256,
            d.seed,
            tuple(d.entrants),
            d.winner_count,
            tuple(w.entrant for w in sorted(d.winners, key=lambda w: w.rank)),
        )
    )


@command("draw verify", "check a drawn draw from its revealed seed (ktv-draw-v1)")
def draw_verify(parser: argparse.ArgumentParser):  # type: ignore[no-untyped-def]
    parser.add_argument("draw", type=DRAW)

    def run(args: argparse.Namespace) -> int:
        conn = connect(args)
        try:
            reply = conn.call(_stub(conn).GetDraw, pb.GetDrawRequest(name=_name(args.draw)))
        finally:
            conn.close()
        problems = check(reply.draw)
        if args.json:
            print_json({"draw": reply.draw.name, "ok": not problems, "problems": problems})
        elif not problems:
            console.print(
                f"{reply.draw.name}: ok (sha256(seed) is the commitment; "
                f"{len(reply.draw.winners)} winners of {len(reply.draw.entrants)} entrants "
                f"as {draws.ALGORITHM} draws them)"
            )
        if problems:
            raise FailedPrecondition("; ".join(problems), reason="BAD_DRAW")
        return 0

    return run
