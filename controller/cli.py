"""``ktv-controller``: the controller's command line.

Subcommands live in a registry so other areas add theirs without editing this file::

    from controller.subcommands import subcommand

    @subcommand("backup", "copy the database safely")
    def backup(parser):            # configure the argparse sub-parser
        parser.add_argument("--to", required=True)
        return run_backup          # called with the parsed args; returns an exit code

and list the module in ``CLI_MODULE_PATHS`` (or import it before ``main``).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import sys
from pathlib import Path

from controller.settings import BoardTiming
from controller.subcommands import Runner, registered, subcommand
from ktv.errors import InvalidArgument, KtvError

CLI_MODULE_PATHS: list[str] = ["controller.deploy.cli", "controller.demo_history"]


def _parse_slow(values: list[str]) -> dict[str, float]:
    out = {}
    for value in values:
        method, _, ms = value.partition("=")
        try:
            out[method] = float(ms) / 1000.0
        except ValueError:
            raise InvalidArgument(f"--debug-slow-method wants NAME=MS, got {value!r}") from None
    return out


@subcommand("serve", "run the controller")
def _serve(parser: argparse.ArgumentParser) -> Runner:
    parser.add_argument("--data-dir", type=Path, required=True, help="database, tokens, addr file")
    parser.add_argument("--listen", default="0.0.0.0:50051", help="host:port (port 0 = any)")
    parser.add_argument(
        "--insecure-dev",
        action="store_true",
        help="listen in PLAIN TEXT (development and tests only; venues run `init` for TLS)",
    )
    parser.add_argument(
        "--agent-listen",
        default="",
        help="host:port of the rooms' mutual-TLS port (default: --listen port + 1)",
    )
    parser.add_argument(
        "--mdns-interface",
        action="append",
        default=[],
        metavar="ADDR",
        help="advertise only on this interface address (repeatable), e.g. 127.0.0.1",
    )
    parser.add_argument("--no-mdns", action="store_true", help="do not advertise via zeroconf")
    parser.add_argument("--venue-config", type=Path, help="venue TOML (venue id, tiers, rooms)")
    parser.add_argument("--venue-id", default="", help="overrides the venue config's id")
    parser.add_argument(
        "--offline-after-s", type=float, default=None, help="heartbeat timeout (seconds)"
    )
    parser.add_argument(
        "--nobody-present-after-s", type=float, default=None, help="NOBODY_PRESENT alert delay"
    )
    parser.add_argument(
        "--catalog",
        type=Path,
        default=None,
        help="master song catalog (media_index SQLite): every room's plays feed its charts",
    )
    parser.add_argument("--debug-slow-method", action="append", default=[], help=argparse.SUPPRESS)

    def run(args: argparse.Namespace) -> int:
        from controller.server import ServerOptions, run_server
        from ktv.sdnotify import dump_stacks_when_aborted

        dump_stacks_when_aborted()  # a watchdog kill leaves the stuck stack in the journal

        defaults = BoardTiming()
        timing = BoardTiming(
            offline_after_s=args.offline_after_s or defaults.offline_after_s,
            nobody_present_after_s=args.nobody_present_after_s or defaults.nobody_present_after_s,
        )
        options = ServerOptions(
            data_dir=args.data_dir,
            listen=args.listen,
            insecure_dev=args.insecure_dev,
            agent_listen=args.agent_listen,
            mdns_interfaces=tuple(args.mdns_interface),
            mdns=not args.no_mdns,
            venue_config=args.venue_config,
            venue_id=args.venue_id,
            timing=timing,
            debug_slow_methods=_parse_slow(args.debug_slow_method),
            catalog=args.catalog,
        )
        asyncio.run(run_server(options, ready=lambda a: print(f"listening on {a}", flush=True)))
        return 0

    return run


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Runner]]:
    for path in CLI_MODULE_PATHS:
        importlib.import_module(path)
    parser = argparse.ArgumentParser(prog="ktv-controller", description="ktv venue controller")
    sub = parser.add_subparsers(dest="command", required=True)
    runners: dict[str, Runner] = {}
    for name, command in sorted(registered().items()):
        runners[name] = command.configure(sub.add_parser(name, help=command.help))
    return parser, runners


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    parser, runners = build_parser()
    args = parser.parse_args(argv)
    try:
        return runners[args.command](args)
    except KtvError as error:
        print(f"ktv-controller: {error.message}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
