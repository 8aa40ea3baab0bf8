"""``ktv.v1.CatalogService``: publish the master catalog to the rooms, list kept versions
(``ktvctl catalog publish`` / ``ktvctl catalog versions``)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime

import grpc

from controller.api.convert import ts
from controller.api.idempotent import once
from controller.app import ControllerApp, register_service_module
from controller.auth.permissions import CATALOG_SERVICE, Permission
from controller.catalog_publish import CatalogPublisher
from ktv.errors import FailedPrecondition
from ktv.v1 import catalog_pb2 as pb
from ktv.v1 import catalog_pb2_grpc
from media_index.catalog_versions import PublishedVersion

PUBLISH_METHOD = "/ktv.v1.CatalogService/PublishCatalog"


def version_pb(v: PublishedVersion, delta_bases: list[int]) -> pb.CatalogVersion:
    return pb.CatalogVersion(
        number=v.number,
        version=v.version,
        size_bytes=v.size,
        sha256=v.sha256,
        schema=v.schema,
        song_count=v.songs,
        publish_time=ts(datetime.fromisoformat(v.published_at)),
        delta_bases=delta_bases,
    )


class CatalogServicer(catalog_pb2_grpc.CatalogServiceServicer):
    def __init__(self, app: ControllerApp) -> None:
        self.app = app

    def _publisher(self) -> CatalogPublisher:
        if self.app.catalog is None:
            raise FailedPrecondition(
                "this controller publishes no catalog: start it with --catalog PATH",
                reason="CATALOG_NOT_PUBLISHED",
            )
        return self.app.catalog

    async def PublishCatalog(
        self, request: pb.PublishCatalogRequest, context: grpc.aio.ServicerContext
    ) -> pb.PublishCatalogResponse:
        publisher = self._publisher()
        fresh: list[PublishedVersion] = []

        def publish() -> pb.PublishCatalogResponse:
            version = publisher.publish()
            fresh.append(version)
            bases = [d.base for d in publisher.versions.deltas_to(version.number)]
            return pb.PublishCatalogResponse(version=version_pb(version, bases))

        answer = await asyncio.to_thread(
            once, self.app.store, PUBLISH_METHOD, request, pb.PublishCatalogResponse, publish
        )
        if fresh:  # a retry of an answered request offers nothing again
            publisher.announce(fresh[0])
            answer.rooms_offered = sum(
                1 for room in self.app.board.rooms() if self.app.board.is_connected(room.room_id)
            )
        return answer

    async def ListCatalogVersions(
        self, request: pb.ListCatalogVersionsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListCatalogVersionsResponse:
        publisher = self._publisher()
        return pb.ListCatalogVersionsResponse(
            versions=[
                version_pb(v, [d.base for d in publisher.versions.deltas_to(v.number)])
                for v in publisher.versions.versions()
            ]
        )


class CatalogModule:
    def permissions(self) -> Mapping[str, Permission]:
        return CATALOG_SERVICE

    def add_to_server(self, server: grpc.aio.Server, app: ControllerApp) -> list[str]:
        catalog_pb2_grpc.add_CatalogServiceServicer_to_server(CatalogServicer(app), server)
        return [pb.DESCRIPTOR.services_by_name["CatalogService"].full_name]


register_service_module(CatalogModule)
