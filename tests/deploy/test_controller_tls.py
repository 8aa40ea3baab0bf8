"""The controller with TLS, for real: `ktv-controller init`, then `serve` without
--insecure-dev, spoken to over TLS and mutual TLS on loopback."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import grpc
import pytest

from controller.auth.credentials import Credentials
from controller.auth.model import Role
from controller.discovery import browse
from controller.store.db import Store
from ktv.security import certs, grpc_tls
from ktv.v1 import auth_pb2, auth_pb2_grpc, rooms_pb2, rooms_pb2_grpc
from tests.deploy.scratch import ktv_controller
from tests.deploy.venue import RPC_TIMEOUT_S, Venue, whoami
from tests.support.controller import bearer
from tests.support.link import AgentLink, door_event


@pytest.fixture(scope="module")
def venue(tmp_path_factory):
    v = Venue(tmp_path_factory.mktemp("venue"))
    v.add_room("A08")
    v.add_room("B02")
    yield v
    v.close()


def test_init_prints_the_fingerprint_the_technician_gives_each_pi(venue):
    assert certs.fingerprint_for_people(venue.fingerprint) in venue.init_output


def test_staff_sign_in_over_tls_and_the_token_works_there(venue):
    auth = venue.admin_auth()
    auth.CreateStaff(
        auth_pb2.CreateStaffRequest(
            staff_id="amy", role=auth_pb2.ROLE_CASHIER, pin="2468", request_id=uuid.uuid4().hex
        ),
        metadata=venue.ctl.admin_md,
        timeout=RPC_TIMEOUT_S,
    )
    token = auth.Login(auth_pb2.LoginRequest(staff_id="amy", pin="2468"), timeout=RPC_TIMEOUT_S)
    me = whoami(venue.staff_channel(), bearer(token.token))
    assert (me.role, me.staff_id) == (auth_pb2.ROLE_CASHIER, "amy")


def test_plain_text_clients_cannot_talk_to_a_tls_controller(venue):
    with grpc.insecure_channel(venue.ctl.address) as plain, pytest.raises(grpc.RpcError) as err:
        whoami(plain, venue.ctl.admin_md)
    assert err.value.code() == grpc.StatusCode.UNAVAILABLE


def test_an_expired_staff_token_is_refused(venue):
    store = Store(venue.ctl.data_dir / "controller.db")
    try:
        with store.transaction():
            issued = Credentials(store).issue_token(
                Role.CASHIER,
                now=datetime.now(UTC) - timedelta(hours=13),
                staff_id="amy",
                ttl_s=12 * 3600,
            )
    finally:
        store.close()
    with pytest.raises(grpc.RpcError) as err:
        whoami(venue.staff_channel(), bearer(issued.token))
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "expired" in err.value.details()


def test_enrolled_pi_gets_a_certificate_bound_to_its_room_and_is_known_by_it(venue):
    identity, response = venue.enroll_pi("A08")
    assert response.room == "rooms/A08"
    assert certs.room_of_certificate(identity.cert_pem) == "A08"
    assert certs.fingerprint_sha256(response.ca_certificate_pem.encode()) == venue.fingerprint
    with venue.agent_channel(identity) as channel:
        me = whoami(channel)  # no token at all: the certificate is the credential
    assert (me.role, me.room) == (auth_pb2.ROLE_AGENT, "rooms/A08")


def test_a_room_certificate_cannot_call_staff_rpcs(venue):
    identity, _ = venue.enroll_pi("A08")
    with venue.agent_channel(identity) as channel, pytest.raises(grpc.RpcError) as err:
        rooms_pb2_grpc.RoomServiceStub(channel).ListRooms(
            rooms_pb2.ListRoomsRequest(), timeout=RPC_TIMEOUT_S
        )
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_a_room_certificate_even_with_a_stolen_admin_token_stays_a_room(venue):
    identity, _ = venue.enroll_pi("A08")
    with venue.agent_channel(identity) as channel, pytest.raises(grpc.RpcError) as err:
        auth_pb2_grpc.AuthServiceStub(channel).CreateEnrollmentCode(
            auth_pb2.CreateEnrollmentCodeRequest(room="rooms/B02", request_id=uuid.uuid4().hex),
            metadata=venue.ctl.admin_md,
            timeout=RPC_TIMEOUT_S,
        )
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_another_rooms_certificate_cannot_act_for_this_room(venue):
    b02, _ = venue.enroll_pi("B02")
    with venue.agent_channel(b02) as channel, pytest.raises(grpc.RpcError) as err:
        rooms_pb2_grpc.RoomServiceStub(channel).GetRoom(
            rooms_pb2.GetRoomRequest(name="rooms/A08"), timeout=RPC_TIMEOUT_S
        )
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_another_rooms_certificate_cannot_open_this_rooms_link(venue):
    b02, _ = venue.enroll_pi("B02")
    with pytest.raises(AssertionError, match="PERMISSION_DENIED"):
        AgentLink(venue.agent_address, "", "A08", channel=venue.agent_channel(b02)).close()


def test_enrolled_pi_links_up_over_mutual_tls_and_its_events_arrive(venue):
    a08, _ = venue.enroll_pi("A08")
    with AgentLink(venue.agent_address, "", "A08", channel=venue.agent_channel(a08)) as link:
        link.send_event(door_event("door-tls-1", open=True))
        ack = link.wait_for("ack")
    assert "door-tls-1" in str(ack)


def test_agent_port_refuses_a_client_without_a_certificate(venue):
    creds = grpc_tls.staff_channel_credentials(venue.ca_pem)
    with (
        grpc.secure_channel(
            venue.agent_address, creds, options=grpc_tls.channel_options()
        ) as channel,
        pytest.raises(grpc.RpcError) as err,
    ):
        whoami(channel, venue.ctl.admin_md)
    assert err.value.code() == grpc.StatusCode.UNAVAILABLE


def test_agent_port_refuses_a_certificate_from_another_ca(venue):
    forged = certs.issue_room_certificate(certs.create_venue_ca("Rogue"), "A08")
    with venue.agent_channel(forged) as channel, pytest.raises(grpc.RpcError) as err:
        whoami(channel)
    assert err.value.code() == grpc.StatusCode.UNAVAILABLE


def test_an_agent_token_without_its_certificate_is_refused(venue):
    _, response = venue.enroll_pi("A08")
    with pytest.raises(grpc.RpcError) as err:
        whoami(venue.staff_channel(), bearer(response.agent_token))
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_re_enrolling_a_room_retires_its_old_certificate(venue):
    old, _ = venue.enroll_pi("A08")
    new, _ = venue.enroll_pi("A08")
    with venue.agent_channel(old) as channel, pytest.raises(grpc.RpcError) as err:
        whoami(channel)
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "enroll again" in err.value.details()
    with venue.agent_channel(new) as channel:
        assert whoami(channel).room == "rooms/A08"


def test_a_bad_csr_is_refused_and_does_not_use_up_the_code(venue):
    code = venue.enrollment_code("B02")
    auth = auth_pb2_grpc.AuthServiceStub(venue.staff_channel())
    with pytest.raises(grpc.RpcError) as err:
        auth.EnrollAgent(
            auth_pb2.EnrollAgentRequest(code=code, csr_pem="not a csr"), timeout=RPC_TIMEOUT_S
        )
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    _key, csr = certs.create_room_csr("B02")
    again = auth.EnrollAgent(
        auth_pb2.EnrollAgentRequest(code=code, csr_pem=csr.decode()), timeout=RPC_TIMEOUT_S
    )
    assert certs.room_of_certificate(again.certificate_pem.encode()) == "B02"


def test_zeroconf_advertises_tls_the_ca_fingerprint_and_the_agent_port(venue):
    found = browse(8.0, venue_id=venue.venue_id, interfaces=["127.0.0.1"])
    assert found is not None
    assert found.tls
    assert found.ca_fingerprint == venue.fingerprint
    assert found.agent_port == int(venue.agent_address.rsplit(":", 1)[1])


def test_serving_without_init_or_insecure_dev_says_what_to_run(tmp_path):
    proc = ktv_controller(
        "serve", "--data-dir", str(tmp_path), "--listen", "127.0.0.1:0", "--no-mdns"
    )
    assert proc.returncode == 5
    assert "run `ktv-controller init" in proc.stderr
    assert not (tmp_path / "controller.db").exists()


def test_revoking_a_stolen_pi_locks_it_out_at_once_while_the_controller_runs(venue):
    venue.add_room("R01")
    stolen, _ = venue.enroll_pi("R01")
    with venue.agent_channel(stolen) as channel:
        assert whoami(channel).room == "rooms/R01"
    revoked = ktv_controller("revoke-room", "R01", "--data-dir", str(venue.ctl.data_dir))
    assert revoked.returncode == 0, revoked.stderr
    assert "1 certificate(s)" in revoked.stdout
    with venue.agent_channel(stolen) as channel, pytest.raises(grpc.RpcError) as err:
        whoami(channel)
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    replacement, _ = venue.enroll_pi("R01")  # a new code brings the room back
    with venue.agent_channel(replacement) as channel:
        assert whoami(channel).room == "rooms/R01"
