"""The one server interceptor: every RPC is authenticated, checked against the permission
table and the edge's bounds, and run with the caller available as
:func:`controller.auth.interceptor.current_principal`. Domain errors raised by servicers become
gRPC statuses here, in one place."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc

from controller.api.bounds import check_request
from controller.api.errors import abort_with
from controller.api.inflight import InFlight
from controller.auth.authenticator import Authenticator
from controller.auth.interceptor import CALLER
from controller.auth.model import Principal
from controller.auth.permissions import Permission, PermissionTable
from controller.rooms.model import parse_room_name
from ktv.errors import PermissionDenied, Unauthenticated


class AuthInterceptor(grpc.aio.ServerInterceptor):
    def __init__(
        self,
        authenticator: Authenticator,
        table: PermissionTable,
        in_flight: InFlight | None = None,
    ) -> None:
        self.authenticator = authenticator
        self.table = table
        self.in_flight = in_flight or InFlight()

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        method = handler_call_details.method
        rule = self.table.rule_for(method)
        return _wrap(
            handler,
            lambda request, context: self._admit(method, rule, request, context),
            self.in_flight,
        )

    def _admit(
        self,
        method: str,
        rule: Permission | None,
        request: Any,
        context: grpc.aio.ServicerContext,
    ) -> Principal | None:
        if rule is None:
            raise PermissionDenied(f"{method} is not open to anyone", reason="NO_RULE")
        metadata = {m.key: m.value for m in context.invocation_metadata() or ()}
        principal = self.authenticator.authenticate(metadata, context.auth_context())
        if rule.public:
            _check_bounds(request)
            return principal
        if principal is None:
            raise Unauthenticated(
                "this call needs 'authorization: Bearer <token>'", reason="NO_CREDENTIAL"
            )
        assert rule.roles is not None
        if principal.role not in rule.roles:
            raise PermissionDenied(
                f"{principal.describe()} may not call {method.rsplit('/', 1)[-1]}",
                reason="ROLE_NOT_ALLOWED",
            )
        _check_bounds(request)
        if rule.room_field and principal.role.room_scoped and request is not None:
            principal.require_room(parse_room_name(getattr(request, rule.room_field)))
        return principal


def _check_bounds(request: Any) -> None:
    """Every request within the edge's bounds before the servicer sees it (the admitted
    caller's request; a stream's messages are checked one by one as they arrive)."""
    if request is not None:
        check_request(request)


async def _bounded(requests: AsyncIterator[Any]) -> AsyncIterator[Any]:
    async for request in requests:
        yield check_request(request)


Admit = Callable[[Any, grpc.aio.ServicerContext], Principal | None]

_FACTORIES = {
    "unary_unary": grpc.unary_unary_rpc_method_handler,
    "unary_stream": grpc.unary_stream_rpc_method_handler,
    "stream_unary": grpc.stream_unary_rpc_method_handler,
    "stream_stream": grpc.stream_stream_rpc_method_handler,
}


def _wrap(
    handler: grpc.RpcMethodHandler, admit: Admit, in_flight: InFlight
) -> grpc.RpcMethodHandler:
    kind = next(k for k in _FACTORIES if getattr(handler, k) is not None)
    inner = getattr(handler, kind)
    request_streams = kind.startswith("stream")
    # Only single-response calls are waited for at shutdown; streams are ended instead.
    tracked = kind.endswith("unary")

    if inspect.isasyncgenfunction(inner):

        async def streaming(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator:
            try:
                if in_flight.closing:
                    in_flight.enter()  # raises Unavailable: no new streams while stopping
                # The stream's task ends with the call, so the variable needs no reset.
                CALLER.set(admit(None if request_streams else request, context))
                if request_streams:
                    request = _bounded(request)
                async for item in inner(request, context):
                    yield item
            except grpc.aio.AbortError:
                raise
            except Exception as error:
                await abort_with(context, error)

        behavior: Callable[..., Any] = streaming
    else:

        async def single(request: Any, context: grpc.aio.ServicerContext) -> Any:
            try:
                if tracked or in_flight.closing:
                    in_flight.enter()
                try:
                    token = CALLER.set(admit(None if request_streams else request, context))
                    try:
                        if request_streams:
                            request = _bounded(request)
                        return await inner(request, context)
                    finally:
                        CALLER.reset(token)
                finally:
                    if tracked:
                        in_flight.exit()
            except grpc.aio.AbortError:
                raise
            except Exception as error:
                await abort_with(context, error)

        behavior = single
    return _FACTORIES[kind](behavior, handler.request_deserializer, handler.response_serializer)
