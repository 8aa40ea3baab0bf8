"""AuthService: enrollment codes, agent enrollment, staff login and accounts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import grpc

from controller import settings
from controller.api.convert import role_from_pb, role_to_pb, ts, wall_key_to_pb, whoami_to_pb
from controller.api.idempotent import once
from controller.api.paging import decode_token, encode_token, page_size
from controller.auth.certificate import RoomCertificates
from controller.auth.credentials import Credentials, staff_id_input
from controller.auth.interceptor import current_principal
from controller.auth.lockout import staff_subject
from controller.auth.model import Role
from controller.auth.pin_attempts import staff_attempts
from controller.rooms.board import RoomBoard
from controller.rooms.model import parse_room_name
from controller.store.idempotency import check_request_id
from ktv.errors import Conflict, InvalidArgument
from ktv.limits import CODE_MAX_CHARS, NAME_MAX_CHARS, STAFF_PAGE_DEFAULT
from ktv.security import certs
from ktv.security.venue_tls import VenueTls
from ktv.text import bounded, short
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
        if request.request_id:
            check_request_id(request.request_id)
            return self._enroll_once(request, code, now)
        with self.store.transaction():
            return self._enroll(request, code, now, label=request.agent_version[:64])

    def _enroll(
        self, request: auth_pb2.EnrollAgentRequest, code: str, now: datetime, *, label: str
    ) -> auth_pb2.EnrollAgentResponse:
        """Redeems the code, replaces the room's agent credentials; inside a transaction."""
        certificate = b""
        room_id = self.credentials.redeem_enrollment_code(code, now)
        self.credentials.revoke_room_agents(room_id, now)
        issued = self.credentials.issue_token(Role.AGENT, now=now, room_id=room_id, label=label)
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

    def _enroll_once(
        self, request: auth_pb2.EnrollAgentRequest, code: str, now: datetime
    ) -> auth_pb2.EnrollAgentResponse:
        """EnrollAgent by request_id (AIP-155), as Login: the token is stored hashed, so the
        record keeps the answer without it (the certificates are public). A retry with the same
        code and request_id within the code's lifetime (``enrollment_code_ttl_s``) revokes the
        token issued under this request_id and answers a fresh one: one live credential per
        enrollment however often the answer is lost. After that, or once the room was enrolled
        again, the request_id is used up (ABORTED)."""
        label = f"enroll:{request.request_id}"
        keyed = auth_pb2.EnrollAgentRequest()
        keyed.CopyFrom(request)
        keyed.code = code
        fresh: list[str] = []

        def act() -> auth_pb2.EnrollAgentResponse:
            answer = self._enroll(request, code, now, label=label)
            fresh.append(answer.agent_token)
            answer.agent_token = ""
            return answer

        with self.store.transaction():
            first = once(
                self.store,
                "/ktv.v1.AuthService/EnrollAgent",
                keyed,
                auth_pb2.EnrollAgentResponse,
                act,
            )
            answer = auth_pb2.EnrollAgentResponse()
            answer.CopyFrom(first)
            if fresh:
                answer.agent_token = fresh[0]
                return answer
            room_id = first.room.removeprefix("rooms/")
            since = now - timedelta(seconds=settings.enrollment_code_ttl_s)
            if not self.credentials.revoke_enrollment(room_id, label, now, since):
                raise Conflict(
                    f"request_id {short(request.request_id)} enrolled a credential that was "
                    "replaced or is past the code's lifetime: ask the desk for a new code",
                    reason="REQUEST_ID_REUSED",
                )
            answer.agent_token = self.credentials.issue_token(
                Role.AGENT, now=now, room_id=room_id, label=label
            ).token
        return answer

    async def Login(
        self, request: auth_pb2.LoginRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.LoginResponse:
        if not request.staff_id or not request.pin:
            raise InvalidArgument("staff id and PIN are required", reason="BAD_LOGIN")
        if request.request_id:
            check_request_id(request.request_id)  # before the PIN costs a hash or an attempt
        staff_id = staff_id_input(request.staff_id)
        # every call checks the PIN (a retry too): only a PIN that is right now gets a token
        role = await asyncio.to_thread(self.credentials.login, staff_id, request.pin, self.attempts)
        now = self.board.clock()
        if not request.request_id:  # clients older than request_id
            with self.store.transaction():
                issued = self.credentials.issue_token(
                    role, now=now, staff_id=staff_id, ttl_s=settings.staff_token_ttl_s
                )
            return auth_pb2.LoginResponse(
                token=issued.token, expire_time=ts(issued.expire_time), role=role_to_pb(role)
            )
        return self._login_once(request, staff_id, role, now)

    def _login_once(
        self, request: auth_pb2.LoginRequest, staff_id: str, role: Role, now: datetime
    ) -> auth_pb2.LoginResponse:
        """Login by request_id (AIP-155). Tokens are stored hashed, so the first token cannot be
        answered twice; the idempotency record keeps the answer without it (and keys on the
        request without its PIN). A retry within the first token's lifetime revokes the token(s)
        issued under this request_id and answers a fresh one with the first expire_time: one
        live session per request_id, however often the answer is lost. After that lifetime, or
        after the session was revoked, the request_id is used up (ABORTED)."""
        label = f"login:{request.request_id}"
        keyed = auth_pb2.LoginRequest(staff_id=staff_id, request_id=request.request_id)
        fresh: list[str] = []

        def act() -> auth_pb2.LoginResponse:
            issued = self.credentials.issue_token(
                role, now=now, staff_id=staff_id, ttl_s=settings.staff_token_ttl_s, label=label
            )
            fresh.append(issued.token)
            return auth_pb2.LoginResponse(expire_time=ts(issued.expire_time), role=role_to_pb(role))

        with self.store.transaction():
            first = once(
                self.store, "/ktv.v1.AuthService/Login", keyed, auth_pb2.LoginResponse, act
            )
            if fresh:
                first.token = fresh[0]
                return first
            expire = first.expire_time.ToDatetime(tzinfo=UTC)
            if expire <= now or not self.credentials.revoke_labelled(staff_id, label, now):
                raise Conflict(
                    f"request_id {short(request.request_id)} logged in a session that has "
                    "ended (expired or revoked): log in with a new request_id",
                    reason="REQUEST_ID_REUSED",
                )
            issued = self.credentials.issue_token(
                role, now=now, staff_id=staff_id, ttl_s=(expire - now).total_seconds(), label=label
            )
        return auth_pb2.LoginResponse(
            token=issued.token, expire_time=first.expire_time, role=role_to_pb(role)
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
        name = self.credentials.display_name(me.staff_id) if me.role.is_staff else ""
        return whoami_to_pb(me.role, me.room_id, me.staff_id, name)

    async def CreateWallKey(
        self, request: auth_pb2.CreateWallKeyRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.CreateWallKeyResponse:
        """The key is stored hashed, so the idempotency record keeps the answer without it: a
        retry (the answer was lost) revokes the key minted under this request_id and answers a
        fresh one. One working key per request_id."""
        label = bounded(request.label, what="label", max_len=NAME_MAX_CHARS) or "wall board"
        me = current_principal()
        fresh: list[str] = []

        def mint() -> auth_pb2.CreateWallKeyResponse:
            issued = self.credentials.issue_token(
                Role.WALL_BOARD, now=self.board.clock(), staff_id=me.staff_id, label=label
            )
            fresh.append(issued.token)
            row = self.credentials.wall_key(issued.credential_id)
            return auth_pb2.CreateWallKeyResponse(wall_key=wall_key_to_pb(row))

        with self.store.transaction():
            first = once(
                self.store,
                "/ktv.v1.AuthService/CreateWallKey",
                request,
                auth_pb2.CreateWallKeyResponse,
                mint,
            )
            if not fresh:
                self.credentials.revoke(first.wall_key.id, self.board.clock())
                first = mint()
        first.key = fresh[-1]
        return first

    async def ListWallKeys(
        self, request: auth_pb2.ListWallKeysRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.ListWallKeysResponse:
        return auth_pb2.ListWallKeysResponse(
            wall_keys=[wall_key_to_pb(row) for row in self.credentials.wall_keys()]
        )

    async def RevokeWallKey(
        self, request: auth_pb2.RevokeWallKeyRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.RevokeWallKeyResponse:
        self.credentials.wall_key(request.id)  # NOT_FOUND before the request_id is spent

        def act() -> auth_pb2.RevokeWallKeyResponse:
            self.credentials.revoke(request.id, self.board.clock())
            return auth_pb2.RevokeWallKeyResponse(
                wall_key=wall_key_to_pb(self.credentials.wall_key(request.id))
            )

        return once(
            self.store,
            "/ktv.v1.AuthService/RevokeWallKey",
            request,
            auth_pb2.RevokeWallKeyResponse,
            act,
        )

    async def Logout(
        self, request: auth_pb2.LogoutRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.LogoutResponse:
        me = current_principal()

        def act() -> auth_pb2.LogoutResponse:
            now = self.board.clock()
            self.credentials.revoke(me.credential_id, now)
            return auth_pb2.LogoutResponse(revoke_time=ts(now))

        return once(self.store, "/ktv.v1.AuthService/Logout", request, auth_pb2.LogoutResponse, act)

    async def ListStaff(
        self, request: auth_pb2.ListStaffRequest, context: grpc.aio.ServicerContext
    ) -> auth_pb2.ListStaffResponse:
        size = page_size(request.page_size, STAFF_PAGE_DEFAULT)
        after = decode_token(request.page_token, "staff", "")
        accounts = self.credentials.list_staff(after, size + 1)
        now = self.board.clock()
        page = accounts[:size]
        out = auth_pb2.ListStaffResponse(
            staff=[
                auth_pb2.StaffMember(
                    staff_id=a.staff_id,
                    display_name=a.display_name,
                    role=role_to_pb(a.role),
                    locked=self.attempts.failures(staff_subject(a.staff_id)).locked_at(now),
                    create_time=ts(a.created_at),
                    update_time=ts(a.updated_at),
                )
                for a in page
            ]
        )
        if len(accounts) > size:
            out.next_page_token = encode_token("staff", "", page[-1].staff_id)
        return out
