"""The gateway's one way into the controller: its own gRPC API through a channel only the
gateway uses, with the caller's bearer token. The auth interceptor, the permission table, the
bounds, ``once()`` and the error reasons answer HTTP exactly as they answer ktvctl."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import grpc
from google.protobuf.message import Message

from controller.web import settings
from controller.web.errors import HttpError, http_error
from controller.web.routes import Route
from ktv.limits import ERROR_MESSAGE_MAX_CHARS
from ktv.rpc_errors import reason_in
from ktv.text import clip

M = TypeVar("M", bound=Message)


class RpcRefused(Exception):
    """A gateway call the controller refused; ``error`` is what HTTP answers."""

    def __init__(self, error: HttpError) -> None:
        super().__init__(error.message)
        self.error = error


class Gateway:
    """Calls the controller's RPCs as the signed-in caller (one aio channel, shared)."""

    def __init__(self, target: str, channel: grpc.aio.Channel | None = None) -> None:
        self.target = target
        self.channel = channel or grpc.aio.insecure_channel(target)
        self._callables: dict[str, grpc.aio.UnaryUnaryMultiCallable] = {}

    async def call(
        self,
        route: Route,
        request: Message,
        token: str,
        *,
        extra_metadata: Sequence[tuple[str, str]] = (),
        scheme: str = "Bearer",
    ) -> Message:
        """The RPC's answer; RpcRefused carrying the HTTP error when the call fails."""
        return await self.invoke(
            route.full_method,
            request,
            route.response_type,
            token,
            extra_metadata=extra_metadata,
            scheme=scheme,
        )

    async def invoke(
        self,
        full_method: str,
        request: Message,
        response_type: type[M],
        token: str,
        *,
        extra_metadata: Sequence[tuple[str, str]] = (),
        scheme: str = "Bearer",  # "Guest" for a guest's phone
    ) -> M:
        callable_ = self._callables.get(full_method)
        if callable_ is None:
            callable_ = self.channel.unary_unary(
                full_method,
                request_serializer=lambda m: m.SerializeToString(),
                response_deserializer=response_type.FromString,
            )
            self._callables[full_method] = callable_
        metadata = [("authorization", f"{scheme} {token}")] if token else []
        metadata += list(extra_metadata)
        try:
            return await callable_(  # type: ignore[no-any-return]
                request, metadata=metadata, timeout=settings.gateway_rpc_timeout_s
            )
        except grpc.aio.AioRpcError as error:
            raise RpcRefused(refusal_of(error)) from None

    async def close(self) -> None:
        await self.channel.close()


def refusal_of(error: grpc.aio.AioRpcError) -> HttpError:
    code = error.code()
    reason = reason_in(error.trailing_metadata())
    message = clip(error.details() or code.name, ERROR_MESSAGE_MAX_CHARS)
    return http_error(code.name, reason or code.name, message)
