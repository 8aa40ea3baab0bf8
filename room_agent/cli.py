"""``ktv-agent``: run a room agent (``run``, the default) or enroll it (``enroll``).

    ktv-agent --room A08 --headless [--controller HOST:PORT] [--data-dir DIR]
    ktv-agent run --headless --rooms A01,A02,A03 --data-dir /tmp/rooms   # many rooms, one process
    ktv-agent enroll --room A08 --code 123456 [--controller HOST:PORT]
    ktv-agent provision --room A08 --enroll CODE ...                      # room_agent.provision
    ktv-agent fonts [--config FILE]        # save the touchscreen's Chinese font now (install)
    ktv-agent catalog status|rollback      # the catalog version the room runs; back to the last
    ktv-agent cache hot [--limit N]        # copy the hot chart into the song cache (at night)

Errors print one line and exit with the ``ktv.errors`` exit code. SIGTERM / SIGINT stop the
agent cleanly (the stream is closed; waiting events stay in the outbox for next time).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from ktv.errors import FailedPrecondition, InvalidArgument, KtvError, NotFound
from ktv.sdnotify import (
    SystemdNotifier,
    dump_stacks_when_aborted,
    ping_watchdog_forever,
    watchdog_ping_interval_s,
)
from room_agent.agent import RoomAgent, build_agent
from room_agent.config import AgentConfig, check_room_id, load_config
from room_agent.link.discovery import ControllerLocator
from room_agent.simulate import simulate_room_events

log = logging.getLogger("ktv-agent")
COMMANDS = ("run", "enroll", "provision", "fonts", "catalog", "cache")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit code of InvalidArgument
        self.exit(InvalidArgument.exit_code, f"{self.prog}: error: {message}\n")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, help="config file (default /etc/ktv/agent.toml)")
    p.add_argument("--room", help="room id, e.g. A08")
    p.add_argument("--controller", help="controller HOST:PORT (default: zeroconf discovery)")
    p.add_argument(
        "--controller-agent-port",
        type=int,
        metavar="PORT",
        help="TLS venue: the controller's mutual-TLS port (default: from zeroconf, else PORT+1)",
    )
    p.add_argument("--data-dir", type=Path, help="where the outbox and credential live")
    p.add_argument(
        "--mdns-interface",
        action="append",
        metavar="ADDR",
        help="limit zeroconf to this interface address (repeatable; tests use 127.0.0.1)",
    )
    p.add_argument("--venue", help="only use a controller advertising this venue id")
    p.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ktv-agent", description="KTV room agent")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    run = sub.add_parser("run", help="run the room agent (default)")
    _common(run)
    run.add_argument("--headless", action="store_true", help="link only, no screen or player")
    run.add_argument("--windowed", action="store_true", help="touchscreen in a window (desktop)")
    run.add_argument(
        "--mock-pins",
        "--mock-gpio",
        dest="mock_gpio",
        action="store_true",
        default=None,
        help="simulate the pins (gpiozero MockFactory); without it a room whose pins have no "
        "real pin factory refuses to start",
    )
    run.add_argument("--rooms", help="A01,A02,...: simulate several headless rooms in one process")
    run.add_argument(
        "--simulate-events",
        type=float,
        metavar="SECONDS",
        help="headless: emit random door/presence/service events, this many seconds apart",
    )
    run.add_argument(
        "--core-player",
        choices=["vlc", "pulse", "recording"],
        help="headless: run the real RoomCore per room with this player (vlc: libVLC, PCM "
        "captured in memory; pulse: libVLC to PulseAudio; recording: a test player), "
        "sensors on mock GPIO pins",
    )
    run.add_argument("--catalog", type=Path, help="song catalog (default DATA_DIR/catalog.db)")
    run.add_argument("--media-root", type=Path, help="where the catalog's song files are")
    run.add_argument(
        "--control-socket",
        type=Path,
        metavar="PATH",
        help="TEST HOOK with --core-player: a Unix socket that drives the mock pins and 点歌",
    )
    enroll = sub.add_parser("enroll", help="exchange an enrollment code for a credential")
    _common(enroll)
    enroll.add_argument("--code", required=True, help="one-time code from ktvctl agent enroll")
    enroll.add_argument(
        "--ca-fingerprint",
        default="",
        help="TLS venue: SHA-256 of the venue CA (printed by ktv-controller init); pinned",
    )
    fonts = sub.add_parser(
        "fonts",
        help="save the touchscreen's Simplified Chinese font into the data dir now (once; "
        "the first start does it otherwise, ~30 s and a ~600 MB peak)",
    )
    _common(fonts)
    catalog = sub.add_parser(
        "catalog",
        help="the song catalog version this room runs (status), or back to the previous one "
        "(rollback: the running agent switches at its next search and reports it)",
    )
    _common(catalog)
    catalog.add_argument("action", choices=["status", "rollback"])
    catalog.add_argument("--catalog", type=Path, help="catalog (default DATA_DIR/catalog.db)")
    cache = sub.add_parser(
        "cache",
        help="copy the 7-day hot chart into the room's song cache ([song_cache]; run it at "
        "night from a timer: one sequential copy per song, least recently sung out first)",
    )
    _common(cache)
    cache.add_argument("action", choices=["hot"])
    cache.add_argument(
        "--limit", type=int, help="songs of the chart (default song_cache.hot_songs)"
    )
    cache.add_argument("--catalog", type=Path, help="catalog (default DATA_DIR/catalog.db)")
    cache.add_argument("--media-root", type=Path, help="where the catalog's song files are")
    return parser


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "room": args.room,
        "controller": args.controller,
        "controller_agent_port": args.controller_agent_port,
        "data_dir": str(args.data_dir) if args.data_dir else None,
        "mdns_interfaces": args.mdns_interface,
        "venue_id": args.venue,
        "mock_gpio": getattr(args, "mock_gpio", None),
        "headless": getattr(args, "headless", False),
        "catalog_path": str(args.catalog) if getattr(args, "catalog", None) else None,
        "media_root": str(args.media_root) if getattr(args, "media_root", None) else None,
    }


def _room_configs(args: argparse.Namespace) -> list[AgentConfig]:
    if not args.rooms:
        return [load_config(args.config, overrides=_overrides(args))]
    rooms = [check_room_id(r, where="--rooms") for r in args.rooms.split(",") if r.strip()]
    if not rooms or len(set(rooms)) != len(rooms):
        raise InvalidArgument("--rooms needs distinct room ids, e.g. A01,A02,A03")
    if not args.headless:
        raise InvalidArgument("--rooms simulates rooms and needs --headless")
    base = load_config(args.config, overrides={**_overrides(args), "room": rooms[0]})
    return [replace(base, room=r, data_dir=base.data_dir / r) for r in rooms]


async def _run_agents(agents: list[RoomAgent], simulate_s: float | None) -> None:
    loop = asyncio.get_running_loop()
    systemd = SystemdNotifier()  # no-op unless started by systemd (Type=notify)

    def stop_all(signame: str) -> None:
        log.info("%s: stopping %d room agent(s)", signame, len(agents))
        systemd.stopping()
        for agent in agents:
            agent.stop()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop_all, sig.name)
    helpers = [
        asyncio.create_task(simulate_room_events(a.outbox, mean_interval_s=simulate_s))
        for a in agents
        if simulate_s
    ]
    watchdog_s = watchdog_ping_interval_s()
    if watchdog_s:  # pinged from this loop: a stuck loop stops the pings, systemd restarts us
        helpers.append(asyncio.create_task(ping_watchdog_forever(systemd, watchdog_s)))
    runs = [asyncio.create_task(agent.run()) for agent in agents]
    rooms = ",".join(a.config.room for a in agents)
    systemd.ready(status=f"headless room(s) {rooms}: linking to the controller")
    try:
        await asyncio.gather(*runs)
    finally:
        for task in helpers:
            task.cancel()
        await asyncio.gather(*helpers, return_exceptions=True)
        systemd.close()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


def cmd_run(args: argparse.Namespace) -> int:
    dump_stacks_when_aborted()  # a watchdog kill leaves the stuck stack in the journal
    if args.simulate_events is not None and args.simulate_events <= 0:
        raise InvalidArgument("--simulate-events must be a positive number of seconds")
    configs = _room_configs(args)
    if args.core_player is not None and not configs[0].headless:
        raise InvalidArgument("--core-player runs headless rooms and needs --headless")
    if not configs[0].headless:
        if args.simulate_events is not None:
            raise InvalidArgument("--simulate-events needs --headless (real sensors otherwise)")
        from room_agent.screen_agent import run_room_with_screen

        return run_room_with_screen(configs[0], windowed=args.windowed)
    if args.control_socket is not None and args.core_player is None:
        raise InvalidArgument("--control-socket needs --core-player")
    agents: list[RoomAgent] = []
    core_rooms = None
    control = None
    try:
        if args.core_player is None:
            agents.extend(build_agent(c) for c in configs)
        else:
            from room_agent.core_rooms import CoreRooms, PlayerKind

            core_rooms = CoreRooms(PlayerKind(args.core_player))
            agents.extend(build_agent(c, make_room=core_rooms.make_room) for c in configs)
            if args.control_socket is not None:
                from room_agent.control_socket import ControlSocket

                control = ControlSocket(args.control_socket, core_rooms)
                control.start()
        asyncio.run(_run_agents(agents, args.simulate_events))
    finally:
        if control is not None:
            control.close()
        if core_rooms is not None:
            core_rooms.close()
        for agent in agents:
            agent.close()
    log.info("stopped")
    return 0


def cmd_enroll(args: argparse.Namespace) -> int:
    config = load_config(args.config, overrides=_overrides(args))
    locator = ControllerLocator(
        override=config.controller, interfaces=config.mdns_interfaces, venue_id=config.venue_id
    )

    async def enroll() -> Path:
        address = await locator.locate()
        from room_agent.link.enroll import enroll_agent  # cryptography: enrolling only

        credential, path = await enroll_agent(
            address,
            room_id=config.room,
            code=args.code,
            data_dir=config.data_dir,
            ca_fingerprint=args.ca_fingerprint,
        )
        how = "mutual TLS (room certificate)" if credential.certificate_pem else "plain text"
        print(
            f"enrolled room {config.room} with controller {address.target} ({how}); "
            f"credential in {path}"
        )
        return path

    asyncio.run(enroll())
    return 0


def cmd_fonts(args: argparse.Namespace) -> int:
    """What a room's first start would do before its touchscreen shows: done at install time,
    the agent never runs beside fonttools' peak (a 1 GB Pi)."""
    from room_agent.ui.fonts import FontPreparationError, sc_font  # no Kivy

    config = load_config(args.config, overrides=_overrides(args))
    try:
        font = sc_font(config.data_dir)
    except FileNotFoundError as exc:
        raise NotFound(str(exc), reason="FONT_MISSING") from None
    except FontPreparationError as exc:
        raise FailedPrecondition(str(exc), reason="FONT_NOT_SAVED") from None
    for path in (font.regular, font.bold):
        if path is not None:
            print(path)
    return 0


def cmd_catalog(args: argparse.Namespace) -> int:
    from room_agent.library.catalog_keeper import CatalogKeeper

    config = load_config(args.config, overrides=_overrides(args))
    keeper = CatalogKeeper(config.resolved_catalog_path)
    if args.action == "rollback":
        before = keeper.label() or "unpublished"
        now = keeper.rollback()
        print(f"room {config.room}: catalog rolled back from {before} to {now or 'unpublished'}")
        return 0
    refused = keeper.refused_up_to()
    print(
        f"room {config.room}: catalog {keeper.label() or 'unpublished'} ({keeper.path})"
        + (f", previous kept: {keeper.prev}" if keeper.prev.exists() else ", no previous kept")
        + (f", refuses v{refused} and older" if refused else "")
    )
    return 0


def cmd_cache(args: argparse.Namespace) -> int:
    from media_index.catalog import Catalog
    from room_agent.library.song_cache import SongCache, SongCacheSettings

    config = load_config(args.config, overrides=_overrides(args))
    if config.song_cache.max_mb <= 0:
        raise FailedPrecondition("the song cache is off: set [song_cache] max_mb in agent.toml")
    limit = args.limit or config.song_cache.hot_songs
    if not 1 <= limit <= 10_000:
        raise InvalidArgument(f"--limit must be 1-10000, got {limit}")
    with Catalog(config.resolved_catalog_path, readonly=True) as catalog:
        ids = [s.song_id for s in catalog.hot(days=7, limit=limit)]
        ids += [s.song_id for s in catalog.hot(days=None, limit=limit)]
        ids = list(dict.fromkeys(ids))[:limit]
        settings = SongCacheSettings(
            config.resolved_song_cache_dir,
            max_bytes=config.song_cache.max_mb * 1024 * 1024,
            min_free_bytes=config.song_cache.min_free_mb * 1024 * 1024,
        )
        cache = SongCache(settings, config.media_root, catalog.get)
        try:
            cache.precache(ids)
            cache.wait_idle(timeout_s=6 * 3600)
        finally:
            cache.close()
    print(
        f"room {config.room}: {len(ids)} hot song(s), {len(cache.copied)} copied, "
        f"{len(cache.skipped)} not cached, cache {cache.used_bytes() // (1024 * 1024)} MiB"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["provision"]:  # the deployment tooling owns its own flags
        from room_agent import provision

        return provision.main(argv[1:])
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv.insert(0, "run")
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        commands = {
            "enroll": cmd_enroll,
            "fonts": cmd_fonts,
            "catalog": cmd_catalog,
            "cache": cmd_cache,
        }
        return commands.get(args.command, cmd_run)(args)
    except KtvError as exc:
        print(f"ktv-agent: error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
