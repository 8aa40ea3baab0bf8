"""The venue's two TLS listeners, over real gRPC sockets on loopback.

A health servicer stands in for the controller's services here; the controller's own
auth tests (phase 2) use the real controller.
"""

from __future__ import annotations

import datetime as dt
from concurrent import futures

import grpc
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from ktv.errors import PermissionDenied
from ktv.security import certs, grpc_tls
from ktv.security.pinning import fetch_pinned_ca


class RecordingHealth(health.HealthServicer):
    """Answers health checks and remembers which room the peer's certificate named."""

    def __init__(self) -> None:
        super().__init__()
        self.rooms: list[str | None] = []

    def Check(self, request, context):
        self.rooms.append(grpc_tls.room_of_peer(context.auth_context()))
        return super().Check(request, context)


@pytest.fixture
def controller(venue_ca, controller_identity):
    servicer = RecordingHealth()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    staff_port = server.add_secure_port(
        "127.0.0.1:0", grpc_tls.staff_port_credentials(controller_identity, venue_ca.cert_pem)
    )
    agent_port = server.add_secure_port(
        "127.0.0.1:0", grpc_tls.agent_port_credentials(controller_identity, venue_ca.cert_pem)
    )
    server.start()
    yield servicer, staff_port, agent_port
    server.stop(None).wait()


def _check(port: int, creds: grpc.ChannelCredentials) -> None:
    with grpc.secure_channel(f"127.0.0.1:{port}", creds) as channel:
        health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)


def test_enrolled_agent_is_known_by_the_room_in_its_certificate(controller, venue_ca):
    servicer, _staff, agent_port = controller
    a08 = certs.issue_room_certificate(venue_ca, "A08")
    _check(agent_port, grpc_tls.agent_channel_credentials(venue_ca.cert_pem, a08))
    assert servicer.rooms == ["A08"]


def test_agent_port_refuses_a_client_without_a_certificate(controller, venue_ca):
    _servicer, _staff, agent_port = controller
    with pytest.raises(grpc.RpcError) as refused:
        _check(agent_port, grpc_tls.staff_channel_credentials(venue_ca.cert_pem))
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE


def test_agent_port_refuses_a_room_certificate_from_another_venue(controller, venue_ca):
    _servicer, _staff, agent_port = controller
    forged = certs.issue_room_certificate(certs.create_venue_ca("Rogue"), "A08")
    with pytest.raises(grpc.RpcError) as refused:
        _check(agent_port, grpc_tls.agent_channel_credentials(venue_ca.cert_pem, forged))
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE


def test_agent_port_refuses_an_expired_room_certificate(controller, venue_ca):
    _servicer, _staff, agent_port = controller
    expired = certs.issue_room_certificate(
        venue_ca, "A08", now=dt.datetime.now(dt.UTC) - dt.timedelta(days=900)
    )
    with pytest.raises(grpc.RpcError) as refused:
        _check(agent_port, grpc_tls.agent_channel_credentials(venue_ca.cert_pem, expired))
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE


def test_staff_port_needs_no_certificate_and_names_no_room(controller, venue_ca):
    servicer, staff_port, _agent = controller
    _check(staff_port, grpc_tls.staff_channel_credentials(venue_ca.cert_pem))
    assert servicer.rooms == [None]


def test_a_client_trusting_another_ca_will_not_talk_to_our_controller(controller):
    _servicer, staff_port, _agent = controller
    stranger = certs.create_venue_ca("Rogue")
    with pytest.raises(grpc.RpcError) as refused:
        _check(staff_port, grpc_tls.staff_channel_credentials(stranger.cert_pem))
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE


def test_new_pi_fetches_the_venue_ca_only_when_it_matches_the_pin(controller, venue_ca):
    _servicer, staff_port, _agent = controller
    pin = certs.fingerprint_sha256(venue_ca.cert_pem)
    fetched = fetch_pinned_ca("127.0.0.1", staff_port, certs.fingerprint_for_people(pin))
    assert certs.fingerprint_sha256(fetched) == pin
    # and the fetched CA is enough to talk TLS to the controller afterwards
    _check(staff_port, grpc_tls.staff_channel_credentials(fetched))


def test_a_controller_without_the_pinned_ca_is_refused_at_first_contact(controller):
    _servicer, staff_port, _agent = controller
    someone_elses_pin = certs.fingerprint_sha256(certs.create_venue_ca("Rogue").cert_pem)
    with pytest.raises(PermissionDenied, match="pinned venue CA"):
        fetch_pinned_ca("127.0.0.1", staff_port, someone_elses_pin)
