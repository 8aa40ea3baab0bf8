"""``ktv-controller init | install | backup | restore`` (registered into controller.cli)."""

from __future__ import annotations

import argparse
from pathlib import Path

from controller.deploy import settings
from controller.store.db import DB_FILE
from controller.subcommands import Runner, subcommand
from ktv.errors import FailedPrecondition

DEFAULT_DATA_DIR = Path("/var/lib/ktv")


def _database(data_dir: Path) -> Path:
    return data_dir / DB_FILE


@subcommand("init", "create the venue CA and this controller's TLS certificate (once)")
def _init(parser: argparse.ArgumentParser) -> Runner:
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--venue-name", default="KTV", help="shown in the CA's name")
    parser.add_argument(
        "--hostname", action="append", default=[], help="name agents may use (repeatable)"
    )
    parser.add_argument(
        "--ip", action="append", default=[], help="extra address for the certificate (repeatable)"
    )
    parser.add_argument(
        "--renew-server-cert",
        action="store_true",
        help="issue a new controller certificate under the same CA (enrolled Pis keep working)",
    )

    def run(args: argparse.Namespace) -> int:
        from controller.deploy.tls_init import describe, init_controller_tls

        report = init_controller_tls(
            args.data_dir,
            venue_name=args.venue_name,
            hostnames=args.hostname or None,
            ips=args.ip,
            renew_server_cert=args.renew_server_cert,
        )
        print(describe(report))
        return 0

    return run


@subcommand("install", "install the controller on this box (idempotent; --root for images)")
def _install(parser: argparse.ArgumentParser) -> Runner:
    from controller.deploy import install

    install.build_parser(parser)
    return install.run


@subcommand("backup", "copy the live database safely (SQLite online backup), keep the newest N")
def _backup(parser: argparse.ArgumentParser) -> Runner:
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--dest", type=Path, help="backup directory (default DATA_DIR/backups)")
    parser.add_argument("--keep", type=int, default=settings.backup_keep_count)

    def run(args: argparse.Namespace) -> int:
        from controller.deploy.backup import backup_database

        result = backup_database(
            _database(args.data_dir), args.dest or args.data_dir / "backups", keep=args.keep
        )
        print(f"backup {result.path} ({result.size_bytes} bytes)")
        for old in result.pruned:
            print(f"removed old backup {old}")
        return 0

    return run


@subcommand("restore", "put a backup back in place (stop the controller first)")
def _restore(parser: argparse.ArgumentParser) -> Runner:
    parser.add_argument("backup", type=Path, help="a controller-*.db file made by `backup`")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)

    def run(args: argparse.Namespace) -> int:
        from controller.deploy.backup import restore_database

        result = restore_database(args.backup, _database(args.data_dir))
        print(f"restored {result.database} from {result.restored_from}")
        if result.previous_kept_as:
            print(f"the replaced database is kept as {result.previous_kept_as}")
        return 0

    return run


@subcommand("revoke-room", "stop trusting a room's Pi now (stolen or retired); enroll again after")
def _revoke_room(parser: argparse.ArgumentParser) -> Runner:
    parser.add_argument("room", help="room id, e.g. A08")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)

    def run(args: argparse.Namespace) -> int:
        from datetime import UTC, datetime

        from controller.auth.certificate import RoomCertificates
        from controller.auth.credentials import Credentials
        from controller.store.db import open_store
        from ktv.room_id import check_room_id

        room_id = check_room_id(args.room.removeprefix("rooms/"))
        database = _database(args.data_dir)
        if not database.exists():
            raise FailedPrecondition(f"no controller database at {database}")
        store = open_store(database)  # shared with a running controller: it checks per call
        try:
            now = datetime.now(UTC)
            with store.transaction():
                certificates = RoomCertificates(store).revoke_room(room_id, now)
                Credentials(store).revoke_room_agents(room_id, now)
        finally:
            store.close()
        print(f"rooms/{room_id}: {certificates} certificate(s) and its agent tokens revoked")
        return 0

    return run


DEFAULT_VENUE_CONFIG = Path("/etc/ktv/venue.toml")


@subcommand("cert", "obtain or renew the guest domain's public certificate (ACME DNS-01, [acme])")
def _cert(parser: argparse.ArgumentParser) -> Runner:
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument(
        "--venue-config", type=Path, default=DEFAULT_VENUE_CONFIG, help="the TOML with [acme]"
    )
    parser.add_argument(
        "--force", action="store_true", help="renew now even with more than renew_days left"
    )
    parser.add_argument(
        "--if-configured",
        action="store_true",
        help="do nothing (exit 0) when there is no venue config or no [acme] in it (the timer)",
    )

    def run(args: argparse.Namespace) -> int:
        import tomllib
        from datetime import UTC, datetime

        from controller.deploy.acme import describe, obtain_or_renew
        from controller.deploy.acme_settings import acme_settings

        path: Path = args.venue_config
        if not path.is_file():
            if args.if_configured:
                print(f"no {path}: no certificate to obtain")
                return 0
            raise FailedPrecondition(f"no venue config at {path} (--venue-config)")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise FailedPrecondition(f"{path} is not valid TOML: {error}") from None
        settings = acme_settings(data)
        if settings is None:
            if args.if_configured:
                print(f"no [acme] in {path}: no certificate to obtain")
                return 0
            raise FailedPrecondition(
                f"no [acme] table in {path}: see docs/guest.md, 'Reaching the guest page'",
                reason="ACME_NOT_CONFIGURED",
            )
        result = obtain_or_renew(settings, args.data_dir, force=args.force)
        print(describe(result, datetime.now(UTC)))
        return 0

    return run
