"""ktvctl login | whoami | staff add | agent enroll."""

from __future__ import annotations

import argparse
import getpass
import os
import uuid

from rich.text import Text

from controller.ktvctl import args as types
from controller.ktvctl import command
from controller.ktvctl.connection import connect, save_token
from controller.ktvctl.output import console, print_json, to_dict
from ktv.errors import InvalidArgument
from ktv.v1 import auth_pb2, auth_pb2_grpc

STAFF_ROLES = {
    "waiter": auth_pb2.ROLE_WAITER,
    "cashier": auth_pb2.ROLE_CASHIER,
    "technician": auth_pb2.ROLE_TECHNICIAN,
    "manager": auth_pb2.ROLE_MANAGER,
    "admin": auth_pb2.ROLE_ADMIN,
}


def _role_name(value: int) -> str:
    return auth_pb2.Role.Name(value).removeprefix("ROLE_").lower()


def _pin(args: argparse.Namespace) -> str:
    """--pin, else $KTV_PIN, else asked (not echoed); checked like --pin."""
    if args.pin:
        return str(args.pin)
    if os.environ.get("KTV_PIN"):
        return types.resolve(os.environ["KTV_PIN"], "KTV_PIN", types.pin)
    try:
        typed = getpass.getpass("PIN: ")
    except EOFError:
        raise InvalidArgument("no PIN: pass --pin, set KTV_PIN, or type it when asked") from None
    try:
        return types.pin(typed)
    except argparse.ArgumentTypeError as error:
        raise InvalidArgument(str(error)) from None


@command("login", "sign in as staff; the token is saved for later commands")
def login(parser: argparse.ArgumentParser) -> object:
    parser.add_argument("staff_id", type=types.CODE)
    parser.add_argument("--pin", type=types.pin, help="PIN (else $KTV_PIN, else asked)")
    parser.add_argument("--no-save", action="store_true", help="print the token only")

    def run(args: argparse.Namespace) -> int:
        pin = _pin(args)
        conn = connect(args, need_token=False)
        try:
            stub = auth_pb2_grpc.AuthServiceStub(conn.channel)
            request = auth_pb2.LoginRequest(
                staff_id=args.staff_id, pin=pin, request_id=uuid.uuid4().hex
            )  # one id for the command: a retried call gets this login's session, not a second
            response = conn.call(stub.Login, request)
        finally:
            conn.close()
        saved = None if args.no_save else save_token(response.token)
        if args.json:
            print_json({**to_dict(response), "saved_to": str(saved) if saved else ""})
        else:
            where = f"; token saved to {saved}" if saved else f"\n{response.token}"
            console.print(f"signed in as {args.staff_id} ({_role_name(response.role)}){where}")
        return 0

    return run


@command("whoami", "who the controller thinks you are")
def whoami(parser: argparse.ArgumentParser) -> object:
    def run(args: argparse.Namespace) -> int:
        conn = connect(args)
        try:
            stub = auth_pb2_grpc.AuthServiceStub(conn.channel)
            me = conn.call(stub.WhoAmI, auth_pb2.WhoAmIRequest())
        finally:
            conn.close()
        if args.json:
            print_json(to_dict(me))
        else:
            console.print(f"{_role_name(me.role)} {me.staff_id or me.room}")
        return 0

    return run


@command("staff add", "create or update a staff member (admin)")
def staff_add(parser: argparse.ArgumentParser) -> object:
    parser.add_argument("staff_id", type=types.CODE)
    parser.add_argument("--role", required=True, choices=sorted(STAFF_ROLES))
    parser.add_argument("--name", type=types.NAME, default="", help="display name")
    parser.add_argument("--pin", type=types.pin, help="4-8 digits (else $KTV_PIN, else asked)")
    parser.add_argument("--request-id", type=types.REQUEST_ID)

    def run(args: argparse.Namespace) -> int:
        pin = _pin(args)
        conn = connect(args)
        try:
            stub = auth_pb2_grpc.AuthServiceStub(conn.channel)
            response = conn.call(
                stub.CreateStaff,
                auth_pb2.CreateStaffRequest(
                    staff_id=args.staff_id,
                    display_name=args.name,
                    role=STAFF_ROLES[args.role],
                    pin=pin,
                    request_id=args.request_id or uuid.uuid4().hex,
                ),
            )
        finally:
            conn.close()
        if args.json:
            print_json(to_dict(response))
        else:
            console.print(f"staff {response.staff_id}: {_role_name(response.role)}")
        return 0

    return run


@command("agent enroll", "one-time code for a room's agent (ktv-agent enroll CODE)")
def agent_enroll(parser: argparse.ArgumentParser) -> object:
    parser.add_argument("room_id", type=types.ROOM, help="e.g. A08")
    parser.add_argument("--request-id", type=types.REQUEST_ID)

    def run(args: argparse.Namespace) -> int:
        if not args.room_id:
            raise InvalidArgument("room id is required")
        room = args.room_id if args.room_id.startswith("rooms/") else f"rooms/{args.room_id}"
        conn = connect(args)
        try:
            stub = auth_pb2_grpc.AuthServiceStub(conn.channel)
            response = conn.call(
                stub.CreateEnrollmentCode,
                auth_pb2.CreateEnrollmentCodeRequest(
                    room=room, request_id=args.request_id or uuid.uuid4().hex
                ),
            )
        finally:
            conn.close()
        if args.json:
            print_json({"room": room, **to_dict(response)})
        else:
            expires = response.expire_time.ToDatetime().strftime("%H:%M UTC")
            console.print(
                Text.assemble(
                    f"enrollment code for {room}: ",
                    (response.code, "bold"),
                    f" (once, until {expires})",
                )
            )
        return 0

    return run
