"""ktvctl phonepay issues|resolve: money phones paid that no bill could take (docs/guest.md).

A payment that arrived after the desk took cash, or the part over the balance due, is
refunded through its gateway at once; the ones whose refund failed stay open here until the
refund is retried (``--refund``) or the cashier settles them by hand (``--note``).
"""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Callable

from rich.table import Table

from controller.billing.money import format_yuan
from controller.ktvctl import args as types
from controller.ktvctl import command
from controller.ktvctl.connection import connect
from controller.ktvctl.output import console, print_json, to_dict
from ktv.errors import InvalidArgument
from ktv.v1 import payments_pb2 as pb
from ktv.v1 import payments_pb2_grpc

KIND = {pb.PAYMENT_ISSUE_KIND_LATE: "late", pb.PAYMENT_ISSUE_KIND_OVERPAID: "overpaid"}
STATE = {
    pb.PAYMENT_ISSUE_STATE_OPEN: "open",
    pb.PAYMENT_ISSUE_STATE_REFUNDED: "refunded",
    pb.PAYMENT_ISSUE_STATE_RESOLVED: "resolved",
}


@command("phonepay issues", "phone payments no bill could take: open ones (--all: every one)")
def _issues(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("--all", action="store_true", help="refunded and resolved ones too")

    def run(args: argparse.Namespace) -> int:
        conn = connect(args)
        try:
            stub = payments_pb2_grpc.PaymentServiceStub(conn.channel)
            reply = conn.call(
                stub.ListPaymentIssues, pb.ListPaymentIssuesRequest(include_settled=args.all)
            )
        finally:
            conn.close()
        if args.json:
            print_json(to_dict(reply))
            return 0
        table = Table("issue", "room", "provider", "kind", "amount", "state", "note")
        for issue in reply.issues:
            table.add_row(
                issue.name.removeprefix("paymentIssues/"),
                issue.room.removeprefix("rooms/"),
                issue.provider,
                KIND.get(issue.kind, "?"),
                format_yuan(issue.amount_fen),
                STATE.get(issue.state, "?"),
                issue.note,
            )
        console.print(table if reply.issues else "no open payment issues")
        return 0

    return run


@command("phonepay resolve", "retry an issue's refund (--refund) or settle it by hand (--note)")
def _resolve(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument("issue", type=types.NAME, help="an id from `ktvctl phonepay issues`")
    how = parser.add_mutually_exclusive_group(required=True)
    how.add_argument("--refund", action="store_true", help="retry the refund at the gateway")
    how.add_argument("--note", type=types.NOTE, help="what was done (e.g. returned in cash)")
    parser.add_argument("--request-id", type=types.REQUEST_ID, default="")

    def run(args: argparse.Namespace) -> int:
        if args.note is not None and not args.note.strip():
            raise InvalidArgument("--note says what was done", reason="REASON_REQUIRED")
        action = pb.RESOLVE_ACTION_RETRY_REFUND if args.refund else pb.RESOLVE_ACTION_MARK_RESOLVED
        conn = connect(args)
        try:
            stub = payments_pb2_grpc.PaymentServiceStub(conn.channel)
            reply = conn.call(
                stub.ResolvePaymentIssue,
                pb.ResolvePaymentIssueRequest(
                    name=f"paymentIssues/{args.issue}",
                    action=action,
                    note=args.note or "",
                    request_id=args.request_id or uuid.uuid4().hex,
                ),
            )
        finally:
            conn.close()
        if args.json:
            print_json(to_dict(reply))
        else:
            issue = reply.issue
            console.print(
                f"{args.issue}: {STATE.get(issue.state, '?')} "
                f"({format_yuan(issue.amount_fen)}) {issue.note}".rstrip()
            )
        return 0

    return run
