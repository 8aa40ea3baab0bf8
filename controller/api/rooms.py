"""RoomService: the front desk's rooms API over the RoomBoard."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import grpc

from controller import settings
from controller.api.convert import (
    alert_kind_from_pb,
    from_ts,
    power_mode_from_pb,
    room_state_from_pb,
    room_to_pb,
    ts,
)
from controller.api.idempotent import once
from controller.auth.interceptor import current_principal
from controller.rooms.board import RoomBoard, utc_now
from controller.rooms.model import check_layout, check_room_id, parse_room_name
from ktv.errors import InvalidArgument, Unavailable
from ktv.limits import NOTE_MAX_CHARS
from ktv.text import bounded
from ktv.v1 import rooms_pb2, rooms_pb2_grpc

Kind = rooms_pb2.WatchRoomsResponse.Kind


class RoomServicer(rooms_pb2_grpc.RoomServiceServicer):
    def __init__(self, board: RoomBoard) -> None:
        self.board = board
        self.store = board.store

    async def CreateRoom(
        self, request: rooms_pb2.CreateRoomRequest, context: grpc.aio.ServicerContext
    ) -> rooms_pb2.CreateRoomResponse:
        check_room_id(request.room_id)
        return once(
            self.store,
            "/ktv.v1.RoomService/CreateRoom",
            request,
            rooms_pb2.CreateRoomResponse,
            lambda: rooms_pb2.CreateRoomResponse(
                room=room_to_pb(
                    self.board.create_room(request.room_id, request.display_name, request.tier)
                )
            ),
        )

    async def GetRoom(
        self, request: rooms_pb2.GetRoomRequest, context: grpc.aio.ServicerContext
    ) -> rooms_pb2.GetRoomResponse:
        room = self.board.get(parse_room_name(request.name))
        return rooms_pb2.GetRoomResponse(room=room_to_pb(room))

    async def ListRooms(
        self, request: rooms_pb2.ListRoomsRequest, context: grpc.aio.ServicerContext
    ) -> rooms_pb2.ListRoomsResponse:
        if request.page_size < 0:
            raise InvalidArgument("page_size must not be negative", reason="BAD_PAGE_SIZE")
        size = min(
            request.page_size or settings.list_page_size_default, settings.list_page_size_max
        )
        after = _decode_token(request.page_token)
        rooms = [r for r in self.board.rooms() if r.room_id > after]
        page = rooms[:size]
        token = _encode_token(page[-1].room_id) if len(rooms) > size else ""
        return rooms_pb2.ListRoomsResponse(
            rooms=[room_to_pb(r) for r in page], next_page_token=token
        )

    async def UpdateRoom(
        self, request: rooms_pb2.UpdateRoomRequest, context: grpc.aio.ServicerContext
    ) -> rooms_pb2.UpdateRoomResponse:
        room_id = parse_room_name(request.name)
        return once(
            self.store,
            "/ktv.v1.RoomService/UpdateRoom",
            request,
            rooms_pb2.UpdateRoomResponse,
            lambda: rooms_pb2.UpdateRoomResponse(
                room=room_to_pb(self.board.update_room(room_id, request.display_name, request.tier))
            ),
        )

    async def SetRoomState(
        self, request: rooms_pb2.SetRoomStateRequest, context: grpc.aio.ServicerContext
    ) -> rooms_pb2.SetRoomStateResponse:
        room_id = parse_room_name(request.name)
        target = room_state_from_pb(request.state)
        return once(
            self.store,
            "/ktv.v1.RoomService/SetRoomState",
            request,
            rooms_pb2.SetRoomStateResponse,
            lambda: rooms_pb2.SetRoomStateResponse(
                room=room_to_pb(
                    self.board.set_state(
                        room_id,
                        target,
                        request.reason[:200],
                        actor=current_principal().describe(),
                    )
                )
            ),
        )

    async def GetEmergency(
        self, request: rooms_pb2.GetEmergencyRequest, context: grpc.aio.ServicerContext
    ) -> rooms_pb2.GetEmergencyResponse:
        state = self.board.emergency
        return rooms_pb2.GetEmergencyResponse(active=state.active, message=state.message)

    async def SetEmergency(
        self, request: rooms_pb2.SetEmergencyRequest, context: grpc.aio.ServicerContext
    ) -> rooms_pb2.SetEmergencyResponse:
        # Shown on every room's screen as typed (full-width punctuation kept): checked, not
        # normalised.
        bounded(request.message, what="emergency message", max_len=NOTE_MAX_CHARS)

        def act() -> rooms_pb2.SetEmergencyResponse:
            notified = self.board.set_emergency(request.active, request.message)
            return rooms_pb2.SetEmergencyResponse(
                active=self.board.emergency.active,
                message=self.board.emergency.message,
                notified_room_count=notified,
            )

        return once(
            self.store,
            "/ktv.v1.RoomService/SetEmergency",
            request,
            rooms_pb2.SetEmergencyResponse,
            act,
        )

    async def SetRoomPower(
        self, request: rooms_pb2.SetRoomPowerRequest, context: grpc.aio.ServicerContext
    ) -> rooms_pb2.SetRoomPowerResponse:
        room_id = parse_room_name(request.name)
        mode = power_mode_from_pb(request.mode)
        bounded(request.reason, what="power reason", max_len=NOTE_MAX_CHARS)

        def act() -> rooms_pb2.SetRoomPowerResponse:
            room, told = self.board.set_power(
                room_id, mode, request.reason, current_principal().staff_id
            )
            return rooms_pb2.SetRoomPowerResponse(room=room_to_pb(room), delivered=told)

        return once(
            self.store,
            "/ktv.v1.RoomService/SetRoomPower",
            request,
            rooms_pb2.SetRoomPowerResponse,
            act,
        )

    async def AcknowledgeAlert(
        self, request: rooms_pb2.AcknowledgeAlertRequest, context: grpc.aio.ServicerContext
    ) -> rooms_pb2.AcknowledgeAlertResponse:
        room_id = parse_room_name(request.name)
        return once(
            self.store,
            "/ktv.v1.RoomService/AcknowledgeAlert",
            request,
            rooms_pb2.AcknowledgeAlertResponse,
            lambda: rooms_pb2.AcknowledgeAlertResponse(
                room=room_to_pb(
                    self.board.acknowledge_alert(
                        room_id,
                        alert_kind_from_pb(request.alert_kind, request.kind),
                        current_principal().staff_id,
                    )
                )
            ),
        )

    async def SetRoomLock(
        self, request: rooms_pb2.SetRoomLockRequest, context: grpc.aio.ServicerContext
    ) -> rooms_pb2.SetRoomLockResponse:
        room_id = parse_room_name(request.name)
        bounded(request.reason, what="lock reason", max_len=NOTE_MAX_CHARS)
        until = None
        if request.HasField("until_time"):
            until = from_ts(request.until_time, "until_time")
        self.board.get(room_id)  # NOT_FOUND before the request_id is spent
        return once(
            self.store,
            "/ktv.v1.RoomService/SetRoomLock",
            request,
            rooms_pb2.SetRoomLockResponse,
            lambda: rooms_pb2.SetRoomLockResponse(
                room=room_to_pb(
                    self.board.set_lock(
                        room_id,
                        request.locked,
                        request.reason,
                        until,
                        actor=current_principal().describe(),
                    )
                )
            ),
        )

    async def SetRoomLayout(
        self, request: rooms_pb2.SetRoomLayoutRequest, context: grpc.aio.ServicerContext
    ) -> rooms_pb2.SetRoomLayoutResponse:
        room_id = parse_room_name(request.name)
        asked = request.layout
        layout = check_layout(asked.floor, asked.column, asked.row, asked.width, asked.height)
        self.board.get(room_id)  # NOT_FOUND before the request_id is spent
        return once(
            self.store,
            "/ktv.v1.RoomService/SetRoomLayout",
            request,
            rooms_pb2.SetRoomLayoutResponse,
            lambda: rooms_pb2.SetRoomLayoutResponse(
                room=room_to_pb(self.board.set_layout(room_id, layout))
            ),
        )

    async def WatchRooms(
        self, request: rooms_pb2.WatchRoomsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[rooms_pb2.WatchRoomsResponse]:
        watcher = self.board.watch()
        try:
            yield rooms_pb2.WatchRoomsResponse(
                kind=Kind.KIND_SNAPSHOT,
                rooms=[room_to_pb(r) for r in watcher.snapshot],
                send_time=ts(utc_now()),
            )
            while True:
                room = await watcher.next_change()
                if room is None:
                    if watcher.overflowed:
                        raise Unavailable(
                            "this watcher fell too far behind; watch again for a fresh snapshot",
                            reason="WATCH_LAGGING",
                        )
                    return
                yield rooms_pb2.WatchRoomsResponse(
                    kind=Kind.KIND_CHANGE, rooms=[room_to_pb(room)], send_time=ts(utc_now())
                )
        finally:
            watcher.close()


def _encode_token(room_id: str) -> str:
    return base64.urlsafe_b64encode(f"after:{room_id}".encode()).decode()


def _decode_token(token: str) -> str:
    if not token:
        return ""
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        text = ""
    if not text.startswith("after:"):
        raise InvalidArgument("page_token is not one this server issued", reason="BAD_PAGE_TOKEN")
    return text.removeprefix("after:")
