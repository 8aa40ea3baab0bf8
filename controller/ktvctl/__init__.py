"""``ktvctl``: the front desk's command line (rich tables; ``--json`` for scripts).

Commands live in per-area modules that register themselves::

    from controller.ktvctl import command

    @command("bill show", "show a room's running bill")
    def bill_show(parser):
        parser.add_argument("room")
        def run(args): ...; return 0
        return run

and the module is listed in ``COMMAND_MODULES`` (billing adds ``controller.ktvctl.billing``).
Every argument is typed (:mod:`controller.ktvctl.args`): a usage error or a value that does not
parse prints one line ``ktvctl: error: ...`` and exits 2 before anything is called. Errors from
the controller print one line ``ktvctl: <message>`` and exit with their ``ktv.errors`` code
(2 bad input, 3 not found, 4 already exists, 5 wrong state, 6 conflict, 7 permission denied,
8 unauthenticated, 9 unreachable). Exit 1 is a bug in ktvctl (one line; ``KTV_DEBUG=1`` shows
the traceback).
"""

from __future__ import annotations

import argparse
import functools
import importlib
import os
import sys
import typing
from collections.abc import Callable
from dataclasses import dataclass

from controller import settings
from controller.ktvctl import args as types
from ktv import limits
from ktv.errors import InvalidArgument, KtvError

Runner = Callable[[argparse.Namespace], int]
Configure = Callable[[argparse.ArgumentParser], Runner]

COMMAND_MODULES = [
    "controller.ktvctl.rooms",
    "controller.ktvctl.auth",
    "controller.ktvctl.billing",
    "controller.ktvctl.prices",
    "controller.ktvctl.members",
    "controller.ktvctl.scheduler",
    "controller.ktvctl.stock",
    "controller.ktvctl.devices",
    "controller.ktvctl.catalog",
    "controller.ktvctl.reports",
    "controller.ktvctl.draws",
    "controller.ktvctl.payments",
]


@dataclass(frozen=True)
class Command:
    words: tuple[str, ...]
    help: str
    configure: Configure


_COMMANDS: dict[tuple[str, ...], Command] = {}


def command(name: str, help: str) -> Callable[[Configure], Configure]:
    """Register ``ktvctl <name>``; ``name`` may be two words (``"room add"``)."""

    def register(configure: Configure) -> Configure:
        words = tuple(name.split())
        _COMMANDS[words] = Command(words, help, configure)
        return configure

    return register


def _global_options(*, nested: bool) -> argparse.ArgumentParser:
    """Options accepted before or after the command (``ktvctl --json rooms`` and
    ``ktvctl rooms --json``); nested copies must not overwrite what the top level parsed."""
    common = argparse.ArgumentParser(add_help=False)

    def default(value: object) -> object:
        return argparse.SUPPRESS if nested else value

    common.add_argument(
        "--controller",
        type=types.address,
        default=default(None),
        help="host:port (else $KTV_CONTROLLER, else mDNS)",
    )
    common.add_argument(
        "--data-dir", default=default(None), help="controller data dir (admin token, address)"
    )
    common.add_argument(
        "--token",
        type=types.token,
        default=default(None),
        help="bearer token (else $KTV_TOKEN, saved login)",
    )
    common.add_argument(
        "--venue",
        type=VENUE,
        default=default(None),
        help="with mDNS discovery: only this venue id ($KTV_VENUE)",
    )
    common.add_argument(
        "--mdns-interface",
        type=types.ipv4,
        default=default(None),
        help="with mDNS discovery: browse only on this address ($KTV_MDNS_INTERFACE)",
    )
    common.add_argument(
        "--ca-file", default=default(None), help="venue CA certificate (else $KTV_CA_FILE)"
    )
    common.add_argument(
        "--ca-fingerprint",
        type=types.verbatim("--ca-fingerprint", 200),
        default=default(None),
        help="SHA-256 of the venue CA (from `ktv-controller init`); fetched, checked, saved",
    )
    common.add_argument(
        "--insecure",
        action="store_true",
        default=default(None),
        help="plain text, for controllers run with --insecure-dev ($KTV_INSECURE=1)",
    )
    common.add_argument(
        "--json", action="store_true", default=default(False), help="machine-readable output"
    )
    common.add_argument(
        "--timeout",
        type=TIMEOUT,
        default=default(None),
        help=f"seconds for each call (else $KTV_TIMEOUT, else {settings.rpc_timeout_s:g})",
    )
    return common


TIMEOUT = types.seconds("the timeout", 0.0, types.TIMEOUT_S_MAX)
VENUE = types.text("--venue", limits.CODE_MAX_CHARS)


class UsageError(InvalidArgument):
    """argparse refused the command line (printed as ``ktvctl: error: ...``)."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (no usage block) raised to :func:`main`."""

    def error(self, message: str) -> typing.NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _settle_environment(args: argparse.Namespace) -> None:
    """Options that may come from the environment are checked like typed arguments."""
    if args.insecure is None:
        args.insecure = os.environ.get("KTV_INSECURE") == "1"
    for name, env, parse, fallback in (
        ("timeout", "KTV_TIMEOUT", TIMEOUT, settings.rpc_timeout_s),
        ("venue", "KTV_VENUE", VENUE, ""),
        ("mdns_interface", "KTV_MDNS_INTERFACE", types.ipv4, ""),
    ):
        if getattr(args, name) is None:
            value = os.environ.get(env, "")
            setattr(args, name, types.resolve(value, env, parse) if value else fallback)


def _one_line(message: str) -> str:
    return " / ".join(part.strip() for part in message.splitlines() if part.strip())


def build_parser() -> tuple[argparse.ArgumentParser, dict[tuple[str, ...], Runner]]:
    for module in COMMAND_MODULES:
        importlib.import_module(module)
    common = _global_options(nested=True)
    parser = _Parser(
        prog="ktvctl", description="KTV front desk", parents=[_global_options(nested=False)]
    )
    top = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    groups: dict[str, argparse._SubParsersAction] = {}
    runners: dict[tuple[str, ...], Runner] = {}
    for words, cmd in sorted(_COMMANDS.items()):
        if len(words) == 1:
            sub = top.add_parser(words[0], help=cmd.help, parents=[common])
        else:
            if words[0] not in groups:
                group = top.add_parser(words[0], help=f"{words[0]} commands")
                groups[words[0]] = group.add_subparsers(
                    dest="subcommand", required=True, metavar="SUBCOMMAND"
                )
            sub = groups[words[0]].add_parser(words[1], help=cmd.help, parents=[common])
        sub.set_defaults(_words=words)
        runners[words] = cmd.configure(sub)
    return parser, runners


@functools.cache
def _cached_parser() -> tuple[argparse.ArgumentParser, dict[tuple[str, ...], Runner]]:
    """Built once per process (~60 ms); nothing in it depends on the environment."""
    return build_parser()


def main(argv: list[str] | None = None) -> int:
    parser, runners = _cached_parser()
    try:
        try:
            args = parser.parse_args(argv)
        except UsageError as error:
            print(f"ktvctl: error: {_one_line(error.message)}", file=sys.stderr)
            return error.exit_code
        except SystemExit as done:  # --help
            return done.code if isinstance(done.code, int) else 0
        _settle_environment(args)
        return runners[args._words](args)
    except KtvError as error:
        print(f"ktvctl: {_one_line(error.message)}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `ktvctl rooms --watch --json | head`
        sys.stderr.close()
        return 0
    except Exception as error:  # a bug in ktvctl: still one line, unless asked for more
        if os.environ.get("KTV_DEBUG") == "1":
            raise
        print(
            f"ktvctl: internal error (a bug): {type(error).__name__}: "
            f"{_one_line(str(error))[:200]} (KTV_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return 1
