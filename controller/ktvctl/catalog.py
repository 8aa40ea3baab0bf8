"""ktvctl catalog publish|versions: the song catalog versions the rooms fetch."""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Callable

from rich.table import Table

from controller.ktvctl import args as types
from controller.ktvctl import command
from controller.ktvctl.connection import connect
from controller.ktvctl.output import console, print_json, to_dict
from ktv.v1 import catalog_pb2 as pb
from ktv.v1 import catalog_pb2_grpc

PUBLISH_TIMEOUT_S = 600.0  # VACUUM INTO, hashing and deltas: ~a minute at 100k songs


@command("catalog publish", "publish the master song catalog to every room (technician)")
def _publish(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    parser.add_argument(
        "--request-id", type=types.REQUEST_ID, default="", help="retry-safe id (default: new)"
    )

    def run(args: argparse.Namespace) -> int:
        conn = connect(args)
        conn.timeout_s = max(conn.timeout_s, PUBLISH_TIMEOUT_S)
        try:
            stub = catalog_pb2_grpc.CatalogServiceStub(conn.channel)
            reply = conn.call(
                stub.PublishCatalog,
                pb.PublishCatalogRequest(request_id=args.request_id or uuid.uuid4().hex),
            )
        finally:
            conn.close()
        if args.json:
            print_json(to_dict(reply))
            return 0
        v = reply.version
        bases = ", ".join(f"v{b}" for b in v.delta_bases) or "none"
        console.print(
            f"published catalog v{v.number}: {v.song_count} songs, {v.size_bytes:,} bytes, "
            f"sha256 {v.sha256[:12]}…, deltas from {bases}; offered to "
            f"{reply.rooms_offered} connected room(s)"
        )
        return 0

    return run


@command("catalog versions", "the catalog versions the controller keeps")
def _versions(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        conn = connect(args)
        try:
            stub = catalog_pb2_grpc.CatalogServiceStub(conn.channel)
            reply = conn.call(stub.ListCatalogVersions, pb.ListCatalogVersionsRequest())
        finally:
            conn.close()
        if args.json:
            print_json(to_dict(reply))
            return 0
        table = Table(title="catalog versions", title_justify="left")
        for column in ("version", "songs", "bytes", "schema", "published (UTC)", "deltas from"):
            table.add_column(column)
        for v in reply.versions:
            table.add_row(
                f"v{v.number}",
                f"{v.song_count:,}",
                f"{v.size_bytes:,}",
                str(v.schema),
                v.publish_time.ToDatetime().strftime("%Y-%m-%d %H:%M"),
                ", ".join(f"v{b}" for b in v.delta_bases) or "-",
            )
        console.print(table)
        return 0

    return run
