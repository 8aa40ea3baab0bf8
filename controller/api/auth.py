"""AuthService: enrollment codes, agent enrollment, staff login and accounts."""

from __future__ import annotations

import asyncio

import grpc

from controller import settings
from controller.api.convert import role_from_pb, role_to_pb, ts, whoami_to_pb
from controller.api.idempotent import once
from controller.auth.certificate import RoomCertificates
from controller.auth.credentials import Credentials, staff_id_input
from controller.auth.interceptor import current_principal
from controller.auth.model import Role
from controller.auth.pin_attempts import staff_attempts
from controller.rooms.board import RoomBoard
from controller.rooms.model import parse_room_name
from ktv.errors import InvalidArgument
from ktv.limits import CODE_MAX_CHARS
from ktv.security import certs
from ktv.security.venue_tls import VenueTls
from ktv.text import bounded
from ktv.v1 import auth_pb2, auth_pb2_grpc


class AuthServicer(auth_pb2_grpc.AuthServiceServicer):
    def __init__(
        self,
        board: RoomBoard,
        credentials: Credentials,
        *,
        venue_tls: VenueTls | None = None,
        room_certificates: RoomCertificates | None = None,
    ) -> None:
        self.board = board
        self.store = board.store
        self.credentials = credentials
        self.attempts = staff_attempts(board.store, board.clock)
        self.venue_tls = venue_tls
        self.room_certificates = room_certificates or RoomCertificates(board.store)

    async def CreateEnrollmentCode(
        self, request: auth_pb2.CreateEnrollmentCodeRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.CreateEnrollmentCodeResponse:
        room_id = parse_room_name(request.room)
        self.board.get(room_id)

        def act() -> auth_pb2.CreateEnrollmentCodeResponse:
            code = self.credentials.create_enrollment_code(room_id, self.board.clock())
            return auth_pb2.CreateEnrollmentCodeResponse(
                code=code.code, expire_time=ts(code.expire_time)
            )

        response_type = auth_pb2.CreateEnrollmentCodeResponse
        return once(
            self.store, "/ktv.v1.AuthService/CreateEnrollmentCode", request, response_type, act
        )

    async def EnrollAgent(
        self, request: auth_pb2.EnrollAgentRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.EnrollAgentResponse:
        if not request.code.strip():
            raise InvalidArgument("enrollment code is required", reason="BAD_ENROLLMENT_CODE")
        code = bounded(
            request.code,
            what="enrollment code",
            max_len=CODE_MAX_CHARS,
            reason="BAD_ENROLLMENT_CODE",
        )  # NFKC: an IME's full-width letters
        now = self.board.clock()
        certificate = b""
        with self.store.transaction():
            room_id = self.credentials.redeem_enrollment_code(code, now)
            self.credentials.revoke_room_agents(room_id, now)
            issued = self.credentials.issue_token(
                Role.AGENT, now=now, room_id=room_id, label=request.agent_version[:64]
            )
            if request.csr_pem and self.venue_tls is not None:
                # a bad CSR raises here and rolls back: the code is not used up
                certificate = certs.sign_room_csr(
                    self.venue_tls.ca, request.csr_pem.encode(), room_id, now=now
                )
                self.room_certificates.record(room_id, certificate, now)
        return auth_pb2.EnrollAgentResponse(
            room=f"rooms/{room_id}",
            agent_token=issued.token,
            certificate_pem=certificate.decode(),
            ca_certificate_pem=self.venue_tls.ca.cert_pem.decode() if self.venue_tls else "",
        )

    async def Login(
        self, request: auth_pb2.LoginRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.LoginResponse:
        if not request.staff_id or not request.pin:
            raise InvalidArgument("staff id and PIN are required", reason="BAD_LOGIN")
        staff_id = staff_id_input(request.staff_id)
        role = await asyncio.to_thread(self.credentials.login, staff_id, request.pin, self.attempts)
        now = self.board.clock()
        with self.store.transaction():
            issued = self.credentials.issue_token(
                role, now=now, staff_id=staff_id, ttl_s=settings.staff_token_ttl_s
            )
        return auth_pb2.LoginResponse(
            token=issued.token, expire_time=ts(issued.expire_time), role=role_to_pb(role)
        )

    async def CreateStaff(
        self, request: auth_pb2.CreateStaffRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.CreateStaffResponse:
        role = role_from_pb(request.role)

        def act() -> auth_pb2.CreateStaffResponse:
            staff_id = self.credentials.put_staff(
                request.staff_id, request.display_name, role, request.pin, self.board.clock()
            )
            return auth_pb2.CreateStaffResponse(staff_id=staff_id, role=role.value)

        return once(
            self.store,
            "/ktv.v1.AuthService/CreateStaff",
            request,
            auth_pb2.CreateStaffResponse,
            act,
        )

    async def WhoAmI(
        self, request: auth_pb2.WhoAmIRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.WhoAmIResponse:
        me = current_principal()
        return whoami_to_pb(me.role, me.room_id, me.staff_id)
